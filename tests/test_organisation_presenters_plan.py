"""Organisation's presenters per circle: each talk of the period is joined to its presenter's
own memberships of the circle, which must cover the session's start. They are read from the
index of memberships by person and circle with the days they cover (migration 0240), not each
looked up in the table for its circle and days: on the huge demo's last 3 months, 25,945 talks,
a quarter of the Organisation screen's main statement on SQLite.

SQLite plans without statistics, so its plan for a small store is the plan for a huge one;
PostgreSQL, which reads a small table whole whatever its indexes, is asked for a plan that
reads none whole."""

from __future__ import annotations

from datetime import date

from circles.services import success
from circles.services.participation import Scope
from models.store import Store
from tests.conftest import FixedClock
from tests.statements import postgres_plan, statements_sent
from tests.success_fixture import NOW, build


def test_the_presenters_memberships_are_read_from_their_index_alone(store: Store, clock: FixedClock) -> None:
    clock.now = NOW
    build(store)
    with statements_sent(store.engine) as sent, store.read() as db:
        rows = success.circle_table(db, Scope(since=date(2026, 1, 1), until=date(2026, 8, 31)))
    # tests/success_fixture.py: Ana, Bo, Cy and Di were members; Ana, Di and Bo presented as
    # members (Gil, a guest, presented too, but was no member).
    assert [(r.members, r.presenters) for r in rows] == [(4, 3)]
    [main] = [s for s in sent if s[0].startswith("WITH held_in_scope")]
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + main[0], main[1])]
        by_person = [step for step in plan if "(person_id=?)" in step and "membership" in step]
        assert by_person == [
            "SEARCH membership_1 USING COVERING INDEX ix_membership_person_circle_days (person_id=?)"
        ], plan
    else:
        nodes = postgres_plan(store.engine, main, off=("enable_seqscan", "enable_bitmapscan"))
        presenters = [n for n in nodes if n.get("Alias") == "membership_1"]
        by_person = [n for n in presenters if "person_id" in n.get("Index Cond", "")]
        assert [(n["Node Type"], n["Index Name"]) for n in by_person] == [
            ("Index Only Scan", "ix_membership_person_circle_days")
        ], nodes

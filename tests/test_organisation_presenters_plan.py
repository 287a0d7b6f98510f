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
            "SEARCH presenter_membership USING COVERING INDEX ix_membership_person_circle_days (person_id=?)"
        ], plan
    else:
        nodes = postgres_plan(store.engine, main, off=("enable_seqscan", "enable_bitmapscan"))
        presenters = [n for n in nodes if n.get("Alias") == "presenter_membership"]
        by_person = [n for n in presenters if "person_id" in n.get("Index Cond", "")]
        assert [(n["Node Type"], n["Index Name"]) for n in by_person] == [
            ("Index Only Scan", "ix_membership_person_circle_days")
        ], nodes


def test_the_members_are_counted_by_circle_from_an_index_not_read_one_by_one(
    store: Store, clock: FixedClock
) -> None:
    """Each circle's members: its current memberships counted from the index by circle and days
    (migration 0280), the later and past ones looked up in it by a bound on their days. Each
    membership of each circle was read from the table for its days (SQLite: the index on the
    circle alone), a third of the huge demo's statement."""
    clock.now = NOW
    book = build(store)
    with statements_sent(store.engine) as sent, store.read() as db:
        rows = success.circle_table(db, Scope(since=date(2026, 1, 1), until=date(2026, 8, 31)))
        one = success.circle_table(db, Scope(circle_id=book.circle, since=date(2026, 1, 1)))
    assert [r.members for r in rows] == [r.members for r in one] == [4]
    if store.engine.dialect.name != "sqlite":
        return  # PostgreSQL reads a small table whole whatever its indexes: its plan says nothing here
    every, circle = [s for s in sent if s[0].startswith("WITH held_in_scope")]
    plans = []
    with store.engine.connect() as conn:
        for statement, values in (every, circle):
            plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, values)]
            plans.append([step for step in plan if " membership " in f"{step} "])
    # One circle's current members are counted from its own entries, not every circle's.
    assert (
        plans[1][0]
        == "SEARCH membership USING COVERING INDEX ix_membership_circle_days (circle_id=? AND left_at=?)"
    )
    members = plans[0]
    assert members == [
        "SCAN membership USING COVERING INDEX ix_membership_circle_days",
        "SEARCH membership USING COVERING INDEX ix_membership_circle_days"
        " (circle_id=? AND left_at=? AND joined_at>?)",
        "SEARCH membership USING INDEX ix_membership_circle_days (circle_id=? AND left_at>?)",
    ], members

"""Organisation's retention finds the memberships whose N-month mark fell in the period by the
day they began, from its index (ix_membership_joined_at, migration 0230): it read every
membership of the store for each N (on the huge demo, 117,564 twice, 60% of each statement).

SQLite plans without statistics, so its plan for a small store is the plan for a huge one;
PostgreSQL, which reads a small table whole whatever its indexes, is asked for a plan that
reads none whole, and must then have the index to use."""

from __future__ import annotations

from datetime import date

from circles.services import success
from circles.services.participation import Scope
from models.store import Store
from tests.conftest import FixedClock
from tests.statements import postgres_plan, statements_sent
from tests.success_fixture import NOW, build


def test_retention_reads_the_memberships_that_began_in_its_window_by_their_index(
    store: Store, clock: FixedClock
) -> None:
    clock.now = NOW
    build(store)
    with statements_sent(store.engine) as sent, store.read() as db:
        cohorts = success.retention_after_months(db, Scope(since=date(2026, 4, 1), until=date(2026, 8, 31)))
    # Marks in the period (tests/success_fixture.py): at 3 months Bo's (5 Apr), Cy's and Di's;
    # at 6 Ana's (1 Jun), Bo's and Cy's. Only Di (Jun10) and Ana (Jun10) came back within a month.
    assert [(c.months, c.members, c.still_attending) for c in cohorts] == [(3, 3, 1), (6, 3, 1)]
    # One statement for both (a round trip each before), each N's cohort read by the index.
    statements = [s for s in sent if "FROM membership" in s[0]]
    assert len(statements) == 1
    for sql, parameters in statements:
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as conn:
                plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)]
            reads = [step for step in plan if step.startswith(("SCAN membership", "SEARCH membership"))]
            by_index = "SEARCH membership USING INDEX ix_membership_joined_at (joined_at>? AND joined_at<?)"
            assert reads == [by_index, by_index], plan
        else:
            nodes = postgres_plan(store.engine, (sql, parameters), off=("enable_seqscan",))
            read = [n["Node Type"] for n in nodes if n.get("Relation Name") == "membership"]
            assert "Seq Scan" not in read, nodes
            assert "ix_membership_joined_at" in {n.get("Index Name") for n in nodes}, nodes

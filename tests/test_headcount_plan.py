"""Home's RSVP counts read the answers of its sessions by session, once, on PostgreSQL. Joined
member by member, the planner looked each member's answers up by person (their every answer,
a hundred on the huge demo store) to keep the few of these sessions: Home took 4 s there."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from circles.demo import build_demo
from circles.services import attendance, circle_records, clock, members, people, sessions
from circles.upcoming import MOST
from models.store import Store
from tests.statements import statements_sent


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


@pytest.mark.slow
@pytest.mark.postgres
def test_homes_rsvp_counts_read_each_sessions_answers_by_session_not_member_by_member(
    postgres_url: sa.URL,
) -> None:
    from tests.conftest import FixedClock

    store = Store.open(postgres_url, clock=FixedClock())
    try:
        build_demo(store, size="small")
        with store.read() as db:
            ids = [s.id for s in sessions.upcoming(db, now=clock.now(db), limit=MOST)]
            with statements_sent(store.engine) as sent:
                attendance.headcounts(db, ids)
        statements = [s for s in sent if "rsvp" in s[0]]
        assert ids and len(statements) == 1
        statement, parameters = statements[0]
        with store.engine.connect() as conn:
            # A small store's statistics lead the planner elsewhere; the huge store's made it
            # join member by member: the planner is left only that, by index, as it was there.
            for setting in ("enable_hashjoin", "enable_mergejoin", "enable_seqscan"):
                conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
        found = plan if isinstance(plan, list) else json.loads(plan)
        reads = [n for n in _nodes(found[0]["Plan"]) if n.get("Relation Name") == "attendance"]
        assert reads
        # Looked up by the member at hand, the answers are read once per member of each session.
        assert not any("person_id" in n.get("Index Cond", "") + n.get("Filter", "") for n in reads), reads
    finally:
        store.close()


@pytest.mark.postgres
def test_counting_a_few_sessions_reads_only_their_circles_memberships(postgres_url: sa.URL) -> None:
    """Joined to the sessions alone, the planner could hash every membership of the store to
    keep a few circles' members; they are picked by circle, so no plan reads the others."""
    store = Store.open(postgres_url)
    try:
        with store.write() as db:
            counted = circle_records.add_circle(db, name="Counted", kind="learning-circle", timezone="UTC")
            other = circle_records.add_circle(db, name="Not counted", kind="learning-circle", timezone="UTC")
            for n in range(6):
                who = people.add_person(db, name=f"Person {n}", email=f"p{n}@example.org")
                members.add_member(db, circle_id=(counted if n < 2 else other).id, person_id=who.id)
            when = datetime(2037, 3, 3, 12, tzinfo=UTC)
            session_id = sessions.add_session(db, circle_id=counted.id, starts_at=when).id
        with statements_sent(store.engine) as sent, store.read() as db:
            assert attendance.headcount(db, session_id).no_answer == 2
        [(statement, parameters)] = [s for s in sent if "rsvp" in s[0]]
        with store.engine.connect() as conn:
            # A large store's statistics can make the planner hash the join; a tiny store's lead
            # it to a lookup per session. Left no nested loop (nor a plain read of a tiny
            # table), the memberships are read only as far as the statement picks them.
            for setting in ("enable_nestloop", "enable_seqscan"):
                conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
        found = plan if isinstance(plan, list) else json.loads(plan)
        nodes = _nodes(found[0]["Plan"])
        reads = [
            n
            for n in nodes
            if n.get("Relation Name") == "membership" or "membership" in n.get("Index Name", "")
        ]
        assert reads
        picked_by_circle = ["circle_id" in n.get("Index Cond", "") + n.get("Recheck Cond", "") for n in reads]
        assert all(picked_by_circle), json.dumps(reads)
    finally:
        store.close()

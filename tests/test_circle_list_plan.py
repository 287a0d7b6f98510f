"""The Circles list looks each circle's facilitator up by id on PostgreSQL. Joined to every
person, the planner hashed all of them to find the few thousand facilitators of the huge demo
store (over half a second of the list's reading)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from circles.services import circle_records, people
from models.store import Store
from tests.statements import statements_sent


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


@pytest.mark.postgres
def test_the_circles_list_looks_each_facilitator_up_by_id(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        with store.write() as db:
            for n in range(3):
                who = people.add_person(db, name=f"Host {n}", email=f"host{n}@example.org")
                circle_records.add_circle(
                    db, name=f"Circle {n}", kind="learning-circle", timezone="UTC", facilitator_id=who.id
                )
            people.add_person(db, name="Not a host", email="guest@example.org")
        with statements_sent(store.engine) as statements, store.read() as db:
            listed = circle_records.list_circles(db)
        assert [(c.name, c.facilitator_name) for c in listed] == [
            (f"Circle {n}", f"Host {n}") for n in range(3)
        ]
        [(statement, parameters)] = [s for s in statements if "facilitator" in s[0]]
        with store.engine.connect() as conn:
            # The huge store's statistics made the planner hash every person for the join; a
            # tiny store's lead it elsewhere. Left no nested loop (nor a plain read of a tiny
            # table), a join has only that: a lookup by id, per circle, is no join.
            for setting in ("enable_nestloop", "enable_seqscan"):
                conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
        found = plan if isinstance(plan, list) else json.loads(plan)
        reads = [n for n in _nodes(found[0]["Plan"]) if n.get("Relation Name") == "person"]
        assert reads
        assert all("facilitator_id" in n.get("Index Cond", "") for n in reads), reads
    finally:
        store.close()

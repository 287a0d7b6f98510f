"""Home and a circle's sessions name who presents each agenda item by looking each presenter
up by id on PostgreSQL. Joined to every person, the planner hashed all of the huge demo's
100,000 people to name Home's 300 presenters (53 ms of the statement's 75)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from circles.services import agenda, lookups
from models.store import Store
from tests import factories
from tests.statements import statements_sent


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


@pytest.mark.postgres
def test_each_agenda_items_presenter_is_looked_up_by_id(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        ana = factories.person(store, "Ana Ruiz", "ana@example.org")
        bo = factories.person(store, "Bo Lind", "bo@example.org")
        factories.person(store, "Not presenting", "cy@example.org")
        rust = factories.circle(store, "Rust Lunch")
        talk = factories.session(store, rust, "2030-03-05 12:00", title="Ownership")
        with store.write() as db:
            for who in (ana.id, None, bo.id, ana.id):
                agenda.add_item(db, session_id=talk.id, title="Item", presenter_id=who)
        with statements_sent(store.engine) as statements, store.read() as db:
            assert lookups.agenda_presenters(db, [talk.id]) == {talk.id: "Ana Ruiz, Bo Lind"}
        [(statement, parameters)] = statements
        with store.engine.connect() as conn:
            # The huge store's statistics made the planner hash every person for the join; a
            # tiny store's lead it elsewhere. Left no nested loop (nor a plain read of a tiny
            # table), a join has only that: a lookup by id, per item, is no join.
            for setting in ("enable_nestloop", "enable_seqscan"):
                conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
        found = plan if isinstance(plan, list) else json.loads(plan)
        reads = [n for n in _nodes(found[0]["Plan"]) if n.get("Relation Name") == "person"]
        assert reads
        assert all("presenter_id" in n.get("Index Cond", "") for n in reads), reads
    finally:
        store.close()

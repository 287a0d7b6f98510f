"""The people directory reads its page from the index of its order, by name whatever its case
and then id: sorting every person for each page took 105 ms on the huge demo on PostgreSQL. A
search that few people match, which reads every person anyway, does not walk that index row by
row past the first few pages (2 to 4 times a plain read and a sort when few or none match)."""

from __future__ import annotations

import json

from circles.services import people
from models.store import Store
from tests.statements import statements_sent


def _plan(store: Store, search: str | None) -> str:
    with statements_sent(store.engine) as statements, store.read() as db:
        listed = people.list_people(db, search=search, limit=100)
    everyone = ["ann Lee", "Ann Quill", "Bo"]
    assert [p.name for p in listed] == (everyone[:2] if search else everyone)
    # A search that finds too few among the first pages of the directory reads everyone.
    (statement, parameters) = [s for s in statements if "ORDER BY" in s[0]][-1]
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return " | ".join(str(r[-1]) for r in rows)
        # A tiny table is sorted faster than read by an index: ask for the plan without sorting
        # where it can be helped.
        conn.exec_driver_sql("SET LOCAL enable_sort = off")
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
        return json.dumps(plan if isinstance(plan, list) else json.loads(plan))


def _three(store: Store) -> None:
    with store.write() as db:
        for name in ("Bo", "Ann Quill", "ann Lee"):
            people.add_person(db, name=name, email=f"{name.split()[0].lower()}{len(name)}@example.org")


def test_a_page_of_the_directory_is_read_from_the_index_of_its_order(store: Store) -> None:
    _three(store)
    plan = _plan(store, None)
    assert "ix_person_name_folded" in plan, plan
    assert "TEMP B-TREE" not in plan and '"Sort"' not in plan, plan


def test_a_search_does_not_walk_the_index_of_the_order(store: Store) -> None:
    _three(store)
    plan = _plan(store, "ann")
    assert "TEMP B-TREE" in plan or '"Sort"' in plan, plan

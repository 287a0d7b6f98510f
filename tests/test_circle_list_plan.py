"""The Circles list looks each circle's facilitator up by id on PostgreSQL. Joined to every
person, the planner hashed all of them to find the few thousand facilitators of the huge demo
store (over half a second of the list's reading)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from circles.services import circle_records, people
from models.store import Store
from tests.statements import assert_looked_up_by, statements_sent


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
        [sent] = [s for s in statements if "facilitator" in s[0]]
        assert_looked_up_by(store.engine, sent, "person", "facilitator_id")
    finally:
        store.close()

"""Home and a circle's sessions name who presents each agenda item by looking each presenter
up by id on PostgreSQL. Joined to every person, the planner hashed all of the huge demo's
100,000 people to name Home's 300 presenters (53 ms of the statement's 75)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from circles.services import agenda, lookups
from models.store import Store
from tests import factories
from tests.statements import assert_looked_up_by, statements_sent


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
        [sent] = statements
        assert_looked_up_by(store.engine, sent, "person", "presenter_id")
    finally:
        store.close()

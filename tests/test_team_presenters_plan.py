"""A circle's Stats tab finds each member's team by looking the member up by id on PostgreSQL.
Joined to every person, the planner (which expects the members of dozens of circles where the
tab has one circle's) hashed all of the huge demo's 100,000 people to find a few dozen teams:
53 ms of the tab's statement, 13 with the lookup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from circles.services import success
from circles.services.participation import Scope
from models.store import Store
from tests import factories
from tests.statements import assert_looked_up_by, statements_sent


@pytest.mark.postgres
def test_each_members_team_is_looked_up_by_id(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        rust = factories.circle(store, "Rust Lunch")
        for name, team in (("Ana Ruiz", "Platform"), ("Bo Lind", "Data"), ("Cy Moss", None)):
            who = factories.person(store, name, f"{name.split()[0].lower()}@example.org", team=team)
            factories.member(store, rust, who, joined_at=datetime(2026, 1, 1, tzinfo=UTC))
        factories.session(store, rust, "2026-02-03 12:00")  # has happened: held
        factories.person(store, "Not a member", "dee@example.org", team="Sales")
        scope = Scope(circle_id=rust.id)
        with statements_sent(store.engine) as statements, store.read() as db:
            teams = success.presenters_by_team(db, scope)
        assert [(t.team, t.members) for t in teams] == [("", 1), ("Data", 1), ("Platform", 1)]
        [sent] = [s for s in statements if "team" in s[0]]
        assert_looked_up_by(store.engine, sent, "person", "id")
    finally:
        store.close()

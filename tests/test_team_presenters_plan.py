"""A circle's Stats tab finds its members by their circle and each member's team by looking the
member up by id on PostgreSQL.
Joined to every person, the planner (which expects the members of dozens of circles where the
tab has one circle's) hashed all of the huge demo's 100,000 people to find a few dozen teams:
53 ms of the tab's statement, 13 with the lookup."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from circles.services import circle_records, reports, success
from circles.services.participation import Scope
from models.store import Store
from tests import factories
from tests.statements import assert_looked_up_by, postgres_plan, statements_sent


@pytest.mark.postgres
def test_each_members_team_is_looked_up_by_id(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        sent = _teams_of_rust_lunch(store)
        assert_looked_up_by(store.engine, sent, "person", "id")
    finally:
        store.close()


@pytest.mark.postgres
def test_the_members_are_looked_up_by_their_circle(postgres_url: sa.URL) -> None:
    """Found only through the circle's first held session (a grouped subquery, which the planner
    does not see into), the members were looked for in every circle's memberships: on the huge
    demo, all 117,130 read and hashed for a circle's 47 (16 of the Stats tab's 40 ms of
    reading). Named by the circle itself, they are looked up by it, whatever the join."""
    store = Store.open(postgres_url)
    try:
        sent = _teams_of_rust_lunch(store)
        plan = postgres_plan(store.engine, sent, off=("enable_seqscan", "enable_bitmapscan"))
        reads = [n for n in plan if n.get("Relation Name") == "membership"]
        assert any(re.fullmatch(r"\(circle_id = \d+\)", n.get("Index Cond", "")) for n in reads), reads
    finally:
        store.close()


@pytest.mark.postgres
def test_a_circles_presenter_diversity_looks_its_members_up_by_circle_too(postgres_url: sa.URL) -> None:
    """The report's one-circle presenter diversity (``circles report --circle``) asks the same
    pairs: narrowed where they are made (participation.member_presented), not by each caller."""
    store = Store.open(postgres_url)
    try:
        _teams_of_rust_lunch(store)
        with statements_sent(store.engine) as statements, store.read() as db:
            rust = circle_records.find_circle(db, "Rust Lunch")
            diversity = reports.presenter_diversity(db, Scope(circle_id=rust.id))
        assert (diversity.members, diversity.presented) == (3, 1)  # its one session had a presenter
        [sent] = [s for s in statements if "presented" in s[0]]
        plan = postgres_plan(store.engine, sent, off=("enable_seqscan", "enable_bitmapscan"))
        reads = [n for n in plan if n.get("Relation Name") == "membership"]
        assert any(re.fullmatch(r"\(circle_id = \d+\)", n.get("Index Cond", "")) for n in reads), reads
    finally:
        store.close()


def _teams_of_rust_lunch(store: Store) -> tuple[str, Any]:
    """The statement presenters_by_team sends for a circle of three members (one without a
    team), beside a circle of others: checked for its teams, returned for its plan."""
    rust, other = factories.circle(store, "Rust Lunch"), factories.circle(store, "Go Club")
    for name, team in (("Ana Ruiz", "Platform"), ("Bo Lind", "Data"), ("Cy Moss", None)):
        who = factories.person(store, name, f"{name.split()[0].lower()}@example.org", team=team)
        factories.member(store, rust, who, joined_at=datetime(2026, 1, 1, tzinfo=UTC))
    for n in range(5):
        elsewhere = factories.person(store, f"Go Member {n}", f"go{n}@example.org", team="Sales")
        factories.member(store, other, elsewhere, joined_at=datetime(2026, 1, 1, tzinfo=UTC))
    factories.session(store, rust, "2026-02-03 12:00")  # has happened: held
    factories.session(store, other, "2026-02-04 12:00")
    factories.person(store, "Not a member", "dee@example.org", team="Sales")
    with statements_sent(store.engine) as statements, store.read() as db:
        teams = success.presenters_by_team(db, Scope(circle_id=rust.id))
    assert [(t.team, t.members) for t in teams] == [("", 1), ("Data", 1), ("Platform", 1)]
    [sent] = [s for s in statements if "team" in s[0]]
    return sent

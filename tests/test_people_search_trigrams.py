"""The People filter on PostgreSQL finds people by part of a name, address or team from pg_trgm's
trigram indexes (migration 0220) where the store could make them, and by reading every person
where it could not: the same people either way. On the huge demo (100,000 people) a search of
three letters or more read the whole table, 85 to 110 ms a key; from the indexes, a few."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from circles.services import people
from models.store import Store
from tests.statements import postgres_plan, statements_sent

TRIGRAM_INDEXES = {"ix_person_name_trigrams", "ix_person_email_trigrams", "ix_person_team_trigrams"}
SEARCHES = ["ann", "ANN", "a", "ørs", "ØRSTED", "example.org", "platform", "eng", "zz", "  hop  ", "é"]


def _fill(store: Store) -> None:
    with store.write() as db:
        for name, email, team in [
            ("Ann Lee", "ann@example.org", "Platform"),
            ("Joanna Berg", "jo@example.org", None),
            ("Hans Ørsted", "hans@example.org", "Physics"),
            ("Grace Hopper", "grace@navy.example", "Engineering"),
            ("Zoë Ångström", None, "Design"),
            ("Émile Zola", "emile@example.net", "Writing"),
            ("Bob", "b.annan@example.com", "Platform team"),
        ]:
            people.add_person(db, name=name, email=email, team=team, is_guest=email is None)


def _found(store: Store) -> dict[str, tuple[list[str], int]]:
    with store.read() as db:
        return {
            typed: (
                [p.name for p in people.list_people(db, search=typed, limit=3)]
                + [p.name for p in people.list_people(db, search=typed, limit=3, offset=3)],
                people.count_people(db, search=typed),
            )
            for typed in SEARCHES
        }


def _indexes(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return {i["name"] for i in sa.inspect(conn).get_indexes("person")} & TRIGRAM_INDEXES


@pytest.mark.postgres
def test_a_search_finds_the_same_people_with_the_trigram_indexes_and_without(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        assert _indexes(store) == TRIGRAM_INDEXES
        _fill(store)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE person")
        with_indexes = _found(store)
        with store.engine.begin() as conn:
            for name in TRIGRAM_INDEXES:
                conn.exec_driver_sql(f"DROP INDEX {name}")
        assert _found(store) == with_indexes
        assert with_indexes["ann"] == (["Ann Lee", "Bob", "Joanna Berg"], 3)
        assert with_indexes["ØRSTED"] == (["Hans Ørsted"], 1)
    finally:
        store.close()


def _plan_reads(store: Store, sent: tuple[str, Any]) -> set[str]:
    """The indexes PostgreSQL's plan for ``sent`` reads person through, told to read no table
    whole (a handful of people are read fastest whole: the huge demo's 100,000 are not)."""
    plan = postgres_plan(store.engine, sent, off=("enable_seqscan",))
    return {n["Index Name"] for n in plan if n.get("Node Type") == "Bitmap Index Scan"}


@pytest.mark.postgres
def test_a_search_and_its_count_read_the_trigram_indexes(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        _fill(store)
        with statements_sent(store.engine) as statements, store.read() as db:
            people.list_people(db, search="Ørs", limit=100)
            people.count_people(db, search="Ørs")
        # The first pages of the directory hold too few of them: everyone is searched.
        [_early, listed, counted] = statements
        assert _plan_reads(store, listed) == TRIGRAM_INDEXES
        assert _plan_reads(store, counted) == TRIGRAM_INDEXES
    finally:
        store.close()


@pytest.mark.postgres
def test_0220_upgrades_a_store_that_may_not_create_pg_trgm_and_says_so(
    postgres_url: sa.URL, caplog: pytest.LogCaptureFixture
) -> None:
    """A role that owns its tables but may not create an extension in the database (an
    organisation's store): the upgrade goes on without the indexes, and the search still works."""
    role = f"circles_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" NOLOGIN')
        conn.exec_driver_sql(f'GRANT CREATE ON SCHEMA public TO "{role}"')
    try:
        with caplog.at_level(logging.INFO, logger="circles.migrations"):
            store = Store.open(postgres_url.update_query_dict({"options": f"-c role={role}"}))
        try:
            assert [r.levelno for r in caplog.records] == [logging.WARNING]
            assert "trigram indexes (pg_trgm) were not made (permission denied" in caplog.text
            assert _indexes(store) == set()
            _fill(store)
            with store.read() as db:
                found = [p.name for p in people.list_people(db, search="ann")]
            assert found == ["Ann Lee", "Bob", "Joanna Berg"]
        finally:
            store.close()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()


@pytest.mark.postgres
def test_0220_says_it_made_the_indexes(postgres_url: sa.URL, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="circles.migrations"):
        store = Store.open(postgres_url)
    store.close()
    [made] = caplog.records
    assert made.getMessage() == "The People filter's trigram indexes were made (pg_trgm)."

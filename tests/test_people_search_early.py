"""A search many people match ('a', 'an', an address's domain) finds its page among the first
pages' worth of the directory, read in its order, and reads no further: on the huge demo
(100,000 people) reading everyone for it took 85 to 110 ms on PostgreSQL, where no index helps
(no trigram in 'an', or most people match). The page is the one a read of everyone finds."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from circles.services import people
from models.store import Store
from tests.statements import postgres_plan, statements_sent

NAMES = ["Ana", "Bea", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jan", "Kai", "Lea", "Mo", "Nan"]


def _fill(store: Store, copies: int = 4) -> None:
    with store.write() as db:
        for n in range(copies):
            for name in NAMES:
                who = people.add_person(
                    db, name=f"{name} {n}", email=f"{name.lower()}{n}@example.org", team=None if n else "Ops"
                )
                if (len(name) + n) % 5 == 0:
                    people.update_person(db, who, active=False)


@pytest.mark.parametrize("typed", ["a", "AN", "an 1", "example", "o", "ops", "zz", "e"])
def test_a_page_of_a_search_is_the_page_of_everyone_it_finds(store: Store, typed: str) -> None:
    _fill(store)
    with store.read() as db:
        for include_inactive in (True, False):
            everyone = people.list_people(db, search=typed, include_inactive=include_inactive)
            for limit, offset in [(1, 0), (3, 0), (3, 3), (5, 10), (100, 0)]:
                page = people.list_people(
                    db, search=typed, include_inactive=include_inactive, limit=limit, offset=offset
                )
                assert page == everyone[offset : offset + limit], (include_inactive, limit, offset)


def _people_read(store: Store, sent: tuple[str, Any]) -> int:
    """How many rows of person PostgreSQL read for the statement ``sent``, told to read no table
    whole (a few dozen people are read fastest whole: the huge demo's 100,000 are not)."""
    plan = postgres_plan(store.engine, sent, off=("enable_seqscan",), analyze=True)
    return sum(
        n["Actual Rows"] * n["Actual Loops"] + n.get("Rows Removed by Filter", 0)
        for n in plan
        if n.get("Relation Name") == "person"
    )


@pytest.mark.postgres
def test_a_search_many_people_match_reads_a_few_pages_of_them(postgres_url: sa.URL) -> None:
    store = Store.open(postgres_url)
    try:
        _fill(store)  # 56 people, each with 'example' in their address
        with statements_sent(store.engine) as statements, store.read() as db:
            page = people.list_people(db, search="example", limit=2)
        assert [p.name for p in page] == ["Ana 0", "Ana 1"]
        [sent] = statements
        assert _people_read(store, sent) <= 2 * people.WALKED_PAGES
    finally:
        store.close()


@pytest.mark.parametrize("up_to", [1, 5, 10, 1000])
def test_a_count_up_to_a_cap_stops_there(store: Store, up_to: int) -> None:
    _fill(store)  # 56 people, 'example' in every address, 'ops' in 14 teams
    with store.read() as db:
        assert people.count_people(db, search="example", up_to=up_to) == min(up_to, 56)
        assert people.count_people(db, search="ops", up_to=up_to) == min(up_to, 14)
        assert people.count_people(db, search="zz", up_to=up_to) == 0
        assert people.count_people(db, up_to=up_to) == min(up_to, 56)


@pytest.mark.postgres
def test_a_count_up_to_a_cap_reads_no_further(postgres_url: sa.URL) -> None:
    """A text most people match ('a', 'an') was read to its last match to be counted: on the
    huge demo (100,000 people) most of a keystroke's reading on PostgreSQL."""
    store = Store.open(postgres_url)
    try:
        _fill(store)
        with statements_sent(store.engine) as statements, store.read() as db:
            assert people.count_people(db, search="example", up_to=3) == 3
        [sent] = statements
        assert _people_read(store, sent) <= 3
    finally:
        store.close()

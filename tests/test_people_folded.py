"""People are looked for and ordered by their names as people read them: any case, no accents.

The People filter compared lower(name), which keeps accents on both backends and on SQLite
folds only ASCII letters: "jose" found nobody called José, and the directory (and every list
of people, by lower(name)) filed Émile and İlker after Zoë on SQLite. The people service now
writes each name and team folded beside it (migration 0350), and the lists read that."""

from __future__ import annotations

from circles.services import members, people
from models.store import Store
from tests import factories

NAMES = [
    "Zoë Ng",
    "Émile Zola",
    "Ana Lima",
    "İlker Demir",
    "Eve Adams",
    "José Álvarez",
    "Łukasz Wójcik",
    "Søren Berg",
]


def _everyone(store: Store) -> None:
    for n, name in enumerate(NAMES):
        factories.person(
            store, name, f"p{n}@example.org", team="Ingeniería" if name.startswith("J") else None
        )


def _found(store: Store, typed: str) -> list[str]:
    with store.read() as db:
        found = [p.name for p in people.list_people(db, search=typed, limit=100)]
        assert people.count_people(db, search=typed) == len(found)
        return found


def test_a_name_is_found_without_its_accents_or_its_case(store: Store) -> None:
    _everyone(store)
    assert _found(store, "jose") == ["José Álvarez"]
    assert _found(store, "ALVAREZ") == ["José Álvarez"]
    assert _found(store, "émile") == ["Émile Zola"]
    assert _found(store, "EMILE") == ["Émile Zola"]
    assert _found(store, "ilker") == ["İlker Demir"]
    assert _found(store, "zoe") == ["Zoë Ng"]
    # Letters of their own, which no accent decomposes, as a keyboard without them types them.
    assert _found(store, "lukasz") == ["Łukasz Wójcik"]
    assert _found(store, "SOREN") == ["Søren Berg"]
    # Blanks inside a name typed twice, and a team's accents too.
    assert _found(store, "jose  alv") == ["José Álvarez"]
    assert _found(store, "ingenieria") == ["José Álvarez"]
    # An address is looked for as it is stored (lower case, accents kept), not folded.
    factories.person(store, "Zoe Berg", "zoë@exämple.org")
    assert _found(store, "ZOË@EX") == ["Zoe Berg"]


def test_the_directory_and_a_circles_members_are_in_the_order_people_read_names(store: Store) -> None:
    _everyone(store)
    expected = [
        "Ana Lima", "Émile Zola", "Eve Adams", "İlker Demir",
        "José Álvarez", "Łukasz Wójcik", "Søren Berg", "Zoë Ng",
    ]  # fmt: skip
    with store.read() as db:
        assert [p.name for p in people.list_people(db)] == expected
        # The first page comes by the index of the order (the path with a limit).
        assert [p.name for p in people.list_people(db, limit=3)] == expected[:3]
        assert [p.name for p in people.list_people(db, limit=3, offset=3)] == expected[3:6]
    c = factories.circle(store)
    with store.read() as db:
        everyone = people.list_people(db)
    for p in reversed(everyone):
        factories.member(store, c, p)
    with store.read() as db:
        assert [m.name for m in members.list_members(db, c.id)] == expected


def test_a_new_name_or_team_is_looked_for_as_it_now_is(store: Store) -> None:
    _everyone(store)
    with store.read() as db:
        (jose,) = people.list_people(db, search="jose")
    with store.write() as db:
        people.update_person(db, jose, name="Joaquín Ruiz", team=None)
    assert _found(store, "jose") == []
    assert _found(store, "joaquin") == ["Joaquín Ruiz"]
    assert _found(store, "ingenieria") == []
    with store.read() as db:
        assert [p.name for p in people.find_by_name(db, "joaquín  RUIZ")] == ["Joaquín Ruiz"]
        # Accents tell two names apart where a name is asked for whole.
        assert people.find_by_name(db, "Joaquin Ruiz") == []

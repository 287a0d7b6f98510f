"""One person, one address, however it is typed: names and e-mail addresses are stored in one
Unicode form (NFC), an address with an invisible character is refused, and a store from
before these rules has its look-alikes listed, never merged behind anyone's back."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from textual.widgets import Input, Static

import models.migrate as migrate
from circles.app import CirclesApp
from circles.cli import main
from circles.errors import AlreadyExists, InvalidInput
from circles.services import attendance, circle_records, imports, people
from models.engine import create_store_engine, sqlite_file, sqlite_url
from models.store import Store
from models.store_file import claim_sqlite_file
from models.types import UTCDateTime
from screens.form_screen import FormScreen
from tests import factories
from tests.tui_support import settle, shown

COMPOSED = "jos\u00e9@example.org"  # é as one character
DECOMPOSED = "jose\u0301@example.org"  # e, then a combining acute accent
ZERO_WIDTH = "ana\u200b@example.org"  # a zero-width space after "ana"
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"  # "I want", with a zero-width non-joiner


def test_an_address_typed_composed_or_decomposed_is_one_person(store):
    """Today's main: two people, josé and josé, who look the same in every list."""
    jose = factories.person(store, "Jos\u00e9", COMPOSED)
    with pytest.raises(AlreadyExists, match="already uses the e-mail address"):
        factories.person(store, "Another", DECOMPOSED)
    with store.read() as db:
        assert people.find_person(db, DECOMPOSED).id == jose.id
        assert people.find_person(db, DECOMPOSED.upper()).id == jose.id
        assert [p.id for p in people.list_people(db, search="jose\u0301")] == [jose.id]


def test_an_address_with_an_invisible_character_is_refused(store):
    """Today's main: a second 'ana@example.org' that no list could tell from the first."""
    factories.person(store, "Ana", "ana@example.org")
    for hidden in ("\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066"):
        address = f"ana{hidden}@example.org"
        with pytest.raises(InvalidInput) as caught, store.write() as db:
            people.add_person(db, name="Ana Two", email=address)
        assert caught.value.field == "email"
        assert f"contains an invisible character (U+{ord(hidden):04X} " in str(caught.value)
        assert hidden not in str(caught.value)  # the message writes it out (\\u200b), never hides it
    with store.read() as db:
        assert people.count_people(db) == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jose\u0301 Nu\u0301n\u0303ez", "Jos\u00e9 N\u00fa\u00f1ez"),  # composed
        ("Ana\u200b Lima\ufeff", "Ana Lima"),  # invisible characters dropped
        ("Ana\u00ad\u2060Lima", "AnaLima"),
        (PERSIAN, PERSIAN),  # a zero-width non-joiner is part of the spelling
        ("Dev \U0001f469\u200d\U0001f4bb", "Dev \U0001f469\u200d\U0001f4bb"),  # a ZWJ emoji stays whole
    ],
)
def test_names_are_stored_composed_and_without_invisible_characters(memory_store, typed, stored):
    with memory_store.write() as db:
        p = people.add_person(db, name=typed, email="p@example.org", team=typed)
    assert (p.name, p.team) == (stored, stored)


def test_a_direction_override_in_a_name_is_refused(memory_store):
    """U+202E makes 'Ana\u202egnoL' show as 'AnaLong': a name that disguises itself."""
    with pytest.raises(InvalidInput) as caught, memory_store.write() as db:
        people.add_person(db, name="Ana\u202egnoL", email="a@example.org")
    assert str(caught.value) == (
        "name 'Ana\\u202egnoL' contains a direction control (U+202E RIGHT-TO-LEFT OVERRIDE) "
        "that can disguise it; remove it."
    )


def test_circle_names_are_one_name_however_composed(store):
    cafe = factories.circle(store, "Caf\u00e9 Talks")
    with pytest.raises(AlreadyExists):
        factories.circle(store, "CAFE\u0301 talks")
    with store.read() as db:
        assert circle_records.find_circle(db, "cafe\u0301 talks").id == cafe.id


def test_import_and_walk_ins_find_the_same_person(store, tmp_path):
    """Every path that creates or looks up a person uses the same form of the address."""
    jose = factories.person(store, "Jos\u00e9", COMPOSED)
    c = factories.circle(store)
    s = factories.session(store, c, "2026-03-10 12:00")
    csv = tmp_path / "people.csv"
    csv.write_text(
        f"name,email\nJose,{DECOMPOSED}\nNew,new@example.org\n"
        f"New again,NEW@EXAMPLE.ORG\nHidden,{ZERO_WIDTH}\n",
        encoding="utf-8",
    )
    with store.write() as db:
        result = imports.import_rows(db, *imports.read_rows(csv), skip_invalid=True)
    assert (result.added, result.already_known) == (1, 1)
    assert [str(b) for b in result.bad] == [
        "line 4: new@example.org is already on line 3.",
        "line 5: email 'ana\\u200b@example.org' contains an invisible character "
        "(U+200B ZERO WIDTH SPACE); retype the address.",
    ]
    with store.write() as db, factories.taken_place(db, s):
        walked_in = attendance.check_in_walk_in(db, session_id=s.id, name="Jose", email=DECOMPOSED.upper())
    assert walked_in.id == jose.id


async def test_the_person_form_refuses_a_look_alike(memory_store, clock):
    factories.person(memory_store, "Jos\u00e9", COMPOSED)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("plus")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-name", Input).value = "Jose Two"
        form.query_one("#f-email", Input).value = ZERO_WIDTH
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "contains an invisible character (U+200B" in shown(form.query_one("#e-email", Static))
        form.query_one("#f-email", Input).value = DECOMPOSED
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "already uses the e-mail address" in shown(form.query_one("#e-email", Static))
    with memory_store.read() as db:
        assert people.count_people(db) == 1


# ------------------------------------------------------------------ a store from before


def _store_at_0001(url: sa.URL) -> None:
    """An empty store at the first schema, as the first release left it."""
    path = sqlite_file(url)
    if path is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(url)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()


WHEN = datetime(2026, 1, 1, tzinfo=UTC)
# The person table as revision 0001 made it (the models may grow columns later).
PERSON_AT_0001 = sa.table(
    "person",
    *(sa.column(name) for name in ("id", "name", "email", "is_guest", "active", "version")),
    sa.column("created_at", UTCDateTime()),
)
OLD_PEOPLE = [
    # id, name, email as an older version stored them (lower-cased, nothing else)
    (1, "Jose\u0301 Lima", "jose\u0301@example.org"),  # alone: composed in place
    (2, "Ana", "ana@example.org"),  # \
    (3, "Ana\u200b", ZERO_WIDTH),  # / the same address once the space is set aside: kept
    (4, "Bo", "bo\u200b@example.org"),  # alone: the invisible space goes
    (5, "Cy", "cy@example.org"),
    (6, "Cy", "c\u0177@example.org"),  # ŷ: a different address, not a look-alike
    (7, "Dee", "d\u00e9e@example.org"),  # \
    (8, "Dee", "de\u0301e@example.org"),  # / composed and decomposed: kept
]


def _old_people(url: sa.URL, rows: list[tuple[int, str, str]]) -> None:
    """People written straight into a store at revision 0001, as an older version wrote them."""
    _store_at_0001(url)
    engine = create_store_engine(url)
    with engine.begin() as conn:
        for pid, name, email in rows:
            conn.execute(
                PERSON_AT_0001.insert().values(
                    id=pid, name=name, email=email, is_guest=False, active=True, version=1, created_at=WHEN
                )
            )
        if engine.dialect.name == "postgresql":  # the ids above were given, not drawn
            conn.execute(sa.text("SELECT setval('person_id_seq', 100)"))
    engine.dispose()


def _old_store_with_look_alikes(url: sa.URL) -> None:
    _old_people(url, OLD_PEOPLE)


def test_the_upgrade_composes_what_is_safe_and_lists_the_look_alikes(store_url, clock):
    _old_store_with_look_alikes(store_url)
    store = Store.open(store_url, clock=clock)
    with store.read() as db:
        stored = {p.id: (p.name, p.email) for p in people.list_people(db)}
        groups = people.look_alikes(db)
    store.close()
    assert stored == {
        1: ("Jos\u00e9 Lima", "jos\u00e9@example.org"),
        2: ("Ana", "ana@example.org"),
        3: ("Ana", ZERO_WIDTH),  # the name loses its invisible space; the address is left as it was
        4: ("Bo", "bo@example.org"),
        5: ("Cy", "cy@example.org"),
        6: ("Cy", "c\u0177@example.org"),
        7: ("Dee", "d\u00e9e@example.org"),
        8: ("Dee", "de\u0301e@example.org"),
    }
    assert [(g.address, [p.id for p in g.people]) for g in groups] == [
        ("ana@example.org", [2, 3]),
        ("d\u00e9e@example.org", [7, 8]),
    ]
    assert unicodedata.is_normalized("NFC", groups[1].address)


def test_one_address_shared_is_said_in_the_singular():
    from circles.cli.common import look_alikes_said

    assert look_alikes_said(2, 1) == (
        "circles: 2 people share 1 e-mail address that differs only in case, accents or invisible "
        "characters; nothing was merged: 'circles person duplicates' lists it."
    )


def test_after_such_an_upgrade_the_cli_says_so_and_lists_them(tmp_path):
    path = tmp_path / "old.db"
    _old_store_with_look_alikes(sqlite_url(path))
    runner = CliRunner()
    first = runner.invoke(main, ["--db", str(path), "person", "list"])
    assert first.exit_code == 0, first.output
    assert (
        "circles: 4 people share 2 e-mail addresses that differ only in case, accents or invisible "
        "characters; nothing was merged: 'circles person duplicates' lists them."
    ) in first.stderr
    listed = runner.invoke(main, ["--db", str(path), "person", "duplicates"])
    assert listed.exit_code == 0 and listed.stderr == ""  # told once, after the upgrade
    assert listed.stdout.splitlines() == [
        "ana@example.org is the address of 2 people:",
        "  id  name  e-mail as stored",
        "  2   Ana   'ana@example.org'",
        "  3   Ana   'ana\\u200b@example.org'",
        "d\u00e9e@example.org is the address of 2 people:",
        "  id  name  e-mail as stored",
        "  7   Dee   'd\u00e9e@example.org'",
        "  8   Dee   'de\u0301e@example.org'",
    ]
    # Sorting them out by hand: each second record gets its own address, and the list empties.
    store = Store.open(sqlite_url(path))
    with store.write() as db:
        people.update_person(db, people.get_person(db, 3), email="ana.two@example.org")
        people.update_person(db, people.get_person(db, 8), email="dee.two@example.org")
    store.close()
    empty = runner.invoke(main, ["--db", str(path), "person", "duplicates"])
    assert empty.stdout.strip() == "No two people share an e-mail address, however it is written."


def test_a_name_of_invisible_characters_only_is_left_as_it_was(tmp_path: Path):
    url = sqlite_url(tmp_path / "old.db")
    _old_people(url, [(1, "\u200b", "x@example.org")])
    store = Store.open(url)
    with store.read() as db:
        assert people.get_person(db, 1).name == "\u200b"
    store.close()

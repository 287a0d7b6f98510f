"""The people directory (filtered in SQL, paged) and a person's record; the lookups behind them."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from textual import events
from textual.widgets import DataTable, Input, Static

from circles.app import CirclesApp
from circles.services import agenda, attendance, away, lookups, people
from models.engine import sqlite_url
from models.store import Store
from screens.form_screen import FormScreen
from screens.people import PAGE, PeopleScreen
from screens.person import PersonScreen
from tests import factories
from tests.tui_support import burst, rows, scrolling, settle, shown, type_text, until

SIZE = (120, 40)


async def test_directory_pages_and_filters_in_sql(memory_store, clock):
    _people_250(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == PAGE
        assert (
            shown(screen.query_one("#people-count", Static))
            == "250 people, showing 100; scroll down for more"
        )
        await pilot.press("ctrl+end")
        await settle(app, pilot)
        assert table.row_count == 2 * PAGE
        await pilot.press("ctrl+end")
        await settle(app, pilot)
        assert table.row_count == 250
        assert rows(table)[-1][0] == "Person 249"

        await pilot.press("slash")
        await type_text(pilot, "ops")
        await settle(app, pilot)
        assert [r[0] for r in rows(table)] == [
            "Person 000",
            "Person 050",
            "Person 100",
            "Person 150",
            "Person 200",
        ]
        assert shown(screen.query_one("#people-count", Static)) == "5 people"
        # "0 people" under a filter read as an empty directory.
        await type_text(pilot, "zz")
        await settle(app, pilot)
        assert table.row_count == 0
        assert shown(screen.query_one("#people-count", Static)) == "Nobody matches 'opszz'"
        await pilot.press("backspace", "backspace")
        await settle(app, pilot)
        await pilot.press("enter", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.title == "Person 050"


async def test_a_search_past_the_count_says_more_than_and_pages_on(store, clock, monkeypatch):
    """A search is counted up to COUNTED_UP_TO people (a hundred and fifty here, a thousand in
    use): past it, "more than"; the pages come while they come back full, and the last one says
    how many there are. Under it, and for the whole directory, the count is exact."""
    import screens.people as directory

    monkeypatch.setattr(directory, "COUNTED_UP_TO", 150)
    _people_250(store)
    app = CirclesApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        table = screen.query_one(DataTable)
        line = screen.query_one("#people-count", Static)
        assert shown(line) == "250 people, showing 100; scroll down for more"

        await pilot.press("slash")
        await type_text(pilot, "person")
        await settle(app, pilot)
        assert table.row_count == PAGE
        assert shown(line) == "More than 150 people, showing 100; scroll down for more"
        await pilot.press("enter", "ctrl+end")
        await settle(app, pilot)
        assert table.row_count == 2 * PAGE
        assert shown(line) == "More than 150 people, showing 200; scroll down for more"
        await pilot.press("ctrl+end")
        await settle(app, pilot)
        assert table.row_count == 250
        assert rows(table)[-1][0] == "Person 249"
        assert shown(line) == "250 people"

        # A 1 in 133 of the numbers 000 to 249: more than a page, fewer than the cap.
        await pilot.press("slash", "1")  # (the filter's text, selected, is typed over)
        await settle(app, pilot)
        assert shown(line) == "133 people, showing 100; scroll down for more"
        await pilot.press("enter", "ctrl+end")
        await settle(app, pilot)
        assert table.row_count == 133
        assert shown(line) == "133 people"


async def test_person_screen_shows_circles_attendance_presentations_and_away(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Lima", team="Platform")
    # Out of the rotation, so the only presentation is the one given by hand below.
    factories.member(memory_store, c, ana, in_rotation=False)
    held = factories.session(memory_store, c, "2026-03-02 12:00", title="Lifetimes")
    factories.session(memory_store, c, "2026-03-09 12:00", title="Traits")
    with memory_store.write() as db:
        attendance.check_in(db, session_id=held.id, person_id=ana.id, attended="late")
        agenda.add_item(
            db, session_id=held.id, title="Lifetimes in practice", presenter_id=ana.id, minutes=30
        )
        away.add_away(
            db, person_id=ana.id, starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 10), reason="holiday"
        )
        # Across New Year: the year is said for the day of next year only.
        away.add_away(
            db, person_id=ana.id, starts_on=date(2026, 12, 28), ends_on=date(2027, 1, 5), reason="family"
        )
        record = lookups.person_record(db, ana.id)
    assert record.attended_total == 1
    assert [p.title for p in record.presentations] == ["Lifetimes in practice"]

    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_person(ana.id)
        await settle(app, pilot)
        screen = app.screen
        assert shown(screen.query_one("#person-summary", Static)) == "Ana Lima <ana@example.org> · Platform"
        assert rows(screen.query_one("#person-circles", DataTable)) == [
            ["Rust Lunch", "member", "out", "03 Mar", ""]
        ]
        assert shown(screen.query_one("#attended-title", Static)) == "Sessions attended: 1"
        assert rows(screen.query_one("#person-attended", DataTable)) == [
            ["02 Mar", "Rust Lunch", "Lifetimes", "late"]
        ]
        assert rows(screen.query_one("#person-presented", DataTable)) == [
            ["02 Mar", "Rust Lunch", "Lifetimes in practice"]
        ]
        assert shown(screen.query_one("#person-away", Static)) == (
            "01 Apr to 10 Apr  holiday\n28 Dec 2026 to 05 Jan 2027  family"
        )

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#f-team", Input).value = "Data"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert shown(screen.query_one("#person-summary", Static)) == "Ana Lima <ana@example.org> · Data"


async def test_person_screen_says_what_someone_new_has_not_done_yet(memory_store, clock):
    """A section with no rows says so in its table's place: a bare header said nothing."""
    newcomer = factories.person(memory_store, "Noa Berg")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_person(newcomer.id)
        await settle(app, pilot)
        screen = app.screen
        for table, said in (
            ("person-circles", "In no circle."),
            ("person-presented", "No talks yet."),
            ("person-pairs", "In no programme."),
        ):
            assert not screen.query_one(f"#{table}", DataTable).display
            note = screen.query_one(f"#{table}-none", Static)
            assert note.display and shown(note) == said
        assert not screen.query_one("#person-attended", DataTable).display
        assert shown(screen.query_one("#attended-title", Static)) == "Sessions attended: 0"


def test_search_everything_finds_circles_people_and_sessions(store):
    c = factories.circle(store, "Rust Lunch")
    factories.person(store, "Rusty Nail", "nail@example.org")
    factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    factories.circle(store, "Design Guild")
    with store.read() as db:
        found = lookups.search_everything(db, "rust")
        by_title = lookups.search_everything(db, "owner")
        assert not lookups.is_empty(db)
    assert [(f.kind, f.label) for f in found] == [
        ("circle", "Rust Lunch"),
        ("person", "Rusty Nail"),
        ("session", "Ownership"),
    ]
    assert [(f.kind, f.detail) for f in by_title] == [("session", "Rust Lunch, Tue 10 Mar 2026 12:00")]


def _overview_rows(overview):
    """The circles listed, each with its figures when they were read (else None)."""
    return [
        (c.name, (f.members, f.next_session) if (f := overview.figures.get(c.id)) else None)
        for c in overview.circles
    ]


def test_circles_overview_counts_members_and_finds_the_next_session(store, clock):
    c = factories.circle(store, "Rust Lunch")
    factories.member(store, c, factories.person(store, "Ana Lima"))
    factories.session(store, c, "2026-03-01 12:00")
    nxt = factories.session(store, c, "2026-03-10 12:00")
    factories.circle(store, "Design Guild")
    with store.read() as db:
        overview = _overview_rows(lookups.circles_overview(db, now=clock()))
        assert lookups.is_empty(db) is False
    assert overview == [("Design Guild", (0, None)), ("Rust Lunch", (1, nxt.starts_at))]


def test_circles_overview_leaves_out_who_left_cancelled_sessions_and_archived_circles(store, clock):
    """Each row as the list shows it: members now (not who left), the next session that will
    be held (not a cancelled one), the facilitator's name, sorted by name whatever its case;
    archived circles only when asked."""
    from circles.services import circle_records, members, sessions

    ana, bo = factories.person(store, "Ana Lima"), factories.person(store, "Bo Berg")
    rust = factories.circle(store, "rust Lunch", facilitator_id=ana.id)
    factories.member(store, rust, bo)
    cancelled = factories.session(store, rust, "2026-03-10 12:00")
    nxt = factories.session(store, rust, "2026-03-17 12:00")
    old = factories.circle(store, "Old Guild", kind="workshop")
    with store.write() as db:
        members.remove_member(db, circle_id=rust.id, person_id=bo.id)
        sessions.cancel_session(db, cancelled)
        circle_records.update_circle(db, old, archived=True)
    with store.read() as db:
        overview = lookups.circles_overview(db, now=clock())
        shown = [
            (c.name, c.kind.label, f.facilitator_name, f.members, f.next_session)
            for c in overview.circles
            if (f := overview.figures[c.id])
        ]
        every = [
            (c.name, c.archived)
            for c in lookups.circles_overview(db, now=clock(), include_archived=True).circles
        ]
    assert shown == [("rust Lunch", "lunch and learn", "Ana Lima", 1, nxt.starts_at)]
    assert every == [("Old Guild", True), ("rust Lunch", False)]


def test_circles_overview_reads_the_figures_of_the_first_circles_the_filter_lets_through(
    store, clock, monkeypatch
):
    """The list reads every circle's name but the figures of the rows it shows first only: the
    first ``first`` of those whose name holds what was typed (any case), in the list's order."""
    for name in ("Alpha Rust", "Beta", "Gamma rust", "Delta RUST", "Epsilon"):
        factories.circle(store, name)
    with store.read() as db:
        # A store of a few circles has all their figures at once.
        assert len(lookups.circles_overview(db, now=clock(), typed=" rust", first=2).figures) == 5
        monkeypatch.setattr(lookups, "ALL_FIGURES_UP_TO", 4)  # as a store of thousands
        overview = lookups.circles_overview(db, now=clock(), typed=" rust", first=2)
        named = {c.id: c.name for c in overview.circles}
        assert [c.name for c in overview.circles] == [
            "Alpha Rust",
            "Beta",
            "Delta RUST",
            "Epsilon",
            "Gamma rust",
        ]
        assert sorted(named[i] for i in overview.figures) == ["Alpha Rust", "Delta RUST"]
        assert lookups.circle_figures(db, [], now=clock()) == {}


def test_an_empty_store_is_empty(store):
    with store.read() as db:
        assert lookups.is_empty(db)


def _people_250(store) -> None:
    """Person 000 to Person 249; every fiftieth (000, 050, ...) is in the Ops team."""
    with store.write() as db:
        from circles.services import people

        for n in range(250):
            people.add_person(
                db, name=f"Person {n:03}", email=f"p{n:03}@example.org", team="Ops" if n % 50 == 0 else None
            )


def _thirty_people(store) -> None:
    """Person 00 to Person 29; Person 07 alone is in the Ops team."""
    for n in range(30):
        factories.person(store, f"Person {n:02}", f"p{n:02}@example.org", team="Ops" if n == 7 else None)


def _held_pages(monkeypatch, held) -> tuple[threading.Event, threading.Event]:  # type: ignore[no-untyped-def]
    """The directory's pages for which ``held(search, offset)`` wait for the gate (the second
    event) to open, as on a slow store; the first is set when one is asked for."""
    import screens.people as directory

    asked, gate = threading.Event(), threading.Event()
    load = directory.load_page

    def slow(db, search, offset, limit=PAGE):  # type: ignore[no-untyped-def]
        if held(search, offset):
            asked.set()
            gate.wait(timeout=30)
        return load(db, search, offset, limit)

    monkeypatch.setattr(directory, "load_page", slow)
    return asked, gate


async def test_a_nul_pasted_into_the_filter_finds_as_the_text_around_it(store, clock):
    """On each backend: PostgreSQL refuses a NUL in a query's text, and the filter said
    'Something went wrong' there (SQLite found nobody). Nothing stored holds one."""
    factories.person(store, "Ana Ruiz", "ana@example.org", team="Web")
    factories.person(store, "Bo Chen", "bo@example.org", team="Ops")
    app = CirclesApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        await pilot.press("slash")
        box = screen.query_one("#filter", Input)
        box.post_message(events.Paste("Ana\x00"))
        await settle(app, pilot)
        assert box.value == "Ana"
        assert [n.message for n in app._notifications] == []
        assert [r[0] for r in rows(screen.query_one(DataTable))] == ["Ana Ruiz"]


async def _directory(app, pilot) -> PeopleScreen:
    """The People directory, opened from Home (p) with its first page in."""
    await settle(app, pilot)
    await pilot.press("p")
    await settle(app, pilot)
    assert isinstance(app.screen, PeopleScreen)
    return app.screen


async def _person_opened(app, pilot) -> str | None:
    """The title of the person screen, once one is open with its data."""
    await until(pilot, lambda: isinstance(app.screen, PersonScreen) and app.screen.title is not None)
    return app.screen.title


async def test_keys_typed_as_the_directory_opens_reach_the_filter(memory_store, clock):
    """p, / and a name typed in one burst from Home (faster than the directory's first page
    arrives): the name lands in the filter and the list shows whom it finds."""
    from textual import events

    _thirty_people(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key, character in [("p", "p"), ("slash", "/"), ("o", "o"), ("p", "p"), ("s", "s")]:
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        assert screen.query_one("#filter", Input).value == "ops"
        assert [r[0] for r in rows(screen.query_one(DataTable))] == ["Person 07"]


async def test_a_letter_typed_on_the_directory_starts_the_filter(memory_store, clock):
    """Letters typed on the list go to the filter (no `/` first); + and ctrl+e keep their keys."""
    _thirty_people(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        await type_text(pilot, "ops")
        await settle(app, pilot)
        assert screen.query_one("#filter", Input).value == "ops"
        assert [r[0] for r in rows(screen.query_one(DataTable))] == ["Person 07"]
        await pilot.press("enter")  # the one person found opens, as a circle found alone does
        assert await _person_opened(app, pilot) == "Person 07"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert screen.query_one("#filter", Input).value == "ops"
        await pilot.press("ctrl+e")  # back on the list, ctrl+e edits the person
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("ctrl+u", *"person 1", "enter")  # ten found: Enter goes down to them
        await settle(app, pilot)
        assert app.screen is screen and screen.focused is screen.query_one(DataTable)


async def test_a_name_starting_with_a_command_letter_finds_them_and_renames_nobody(memory_store, clock):
    """Edit was `e`, New person `n`: "emma" typed on the list, Aisha Bello highlighted, opened her
    form with "mma" over her name, and Enter saved it (seen on the small demo); "nadia" opened a
    new person's form. Every letter now goes to the filter, and Enter opens the one it finds."""
    for name in ("Aisha Bello", "Emma Yilmaz", "Nadia Almeida"):
        factories.person(memory_store, name)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        for typed, found in (("emma", "Emma Yilmaz"), ("nadia", "Nadia Almeida")):
            burst(app, *typed, "enter")
            assert await _person_opened(app, pilot) == found
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            assert screen.query_one("#filter", Input).value == typed
            await pilot.press("ctrl+u")
        await settle(app, pilot)
    with memory_store.read() as db:
        assert sorted(p.name for p in people.list_people(db)) == [
            "Aisha Bello",
            "Emma Yilmaz",
            "Nadia Almeida",
        ]


def test_a_letter_cannot_be_bound_on_a_list_typed_to_filter():
    """Refused as the screen is defined, not found by a facilitator whose name starts with it."""
    from textual.binding import Binding

    from screens.type_to_filter import TypeToFilter

    with pytest.raises(TypeError, match="binds 'e'"):

        class Directory(TypeToFilter):
            BINDINGS = [Binding("plus", "new", "New"), Binding("ctrl+e,e", "edit", "Edit")]

    class Allowed(TypeToFilter):  # keys no name starts with
        BINDINGS = [
            Binding("plus", "new", "New"),
            ("ctrl+e", "edit", "Edit"),
            Binding("slash", "filter", "Filter"),
        ]


async def test_enter_after_a_filter_waits_for_whom_the_filter_finds(memory_store, clock, monkeypatch):
    """The filter, Enter, Enter pressed without a pause, the store slow to answer the filter:
    the list still showed everyone, and the second Enter opened the person highlighted there
    (Person 00). It now waits for the filter's answer and opens the one person it finds."""
    _thirty_people(memory_store)
    # The filter's answers, not the directory's first page.
    _, gate = _held_pages(monkeypatch, lambda search, _offset: bool(search))
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        await pilot.press(*"ops", "enter", "enter")
        assert app.screen is screen  # the filter's answer is not in yet
        gate.set()
        assert await _person_opened(app, pilot) == "Person 07"


async def test_two_enters_typed_at_once_after_a_filter_open_whom_it_finds(memory_store, clock):
    """Typed as "ops", Enter, Enter read at once (fast over ssh, a browser tab): the second Enter
    reached the filter before the focus left it and was lost there; it is the list's Enter."""
    _thirty_people(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _directory(app, pilot)
        burst(app, *"ops", "enter", "enter")
        assert await _person_opened(app, pilot) == "Person 07"


async def test_a_page_asked_for_before_the_filter_changed_adds_nobody_after_it(tmp_path, clock, monkeypatch):
    """Scrolled to the end (the next page on its way, the store slow), then 'ops' typed: the
    page came after the filter's answer and added a hundred people the filter leaves out."""
    # A file, not memory: the filter is read on a second connection while the page waits.
    store = Store.open(sqlite_url(tmp_path / "circles.db"), clock=clock)
    _people_250(store)
    asked, gate = _held_pages(monkeypatch, lambda _search, offset: offset > 0)  # a next page
    app = CirclesApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        table = screen.query_one(DataTable)
        await pilot.press("ctrl+end")
        await until(pilot, asked.is_set)
        await pilot.press("slash", *"ops")
        await until(pilot, lambda: table.row_count == 5)
        gate.set()
        await settle(app, pilot)
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert [r[0] for r in rows(table)] == [f"Person {n:03}" for n in range(0, 250, 50)]
        assert shown(screen.query_one("#people-count", Static)) == "5 people"
    store.close()


async def test_down_from_the_filter_goes_into_the_list(memory_store, clock):
    """A name typed, ↓ and Enter, as in Search: ↓ did nothing in the one-line filter, and the
    Enter only moved to the list, so nobody opened."""
    _thirty_people(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _directory(app, pilot)
        await type_text(pilot, "Person 1")
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        table = screen.query_one(DataTable)
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("down", "enter")  # on the list ↓ is the list's: the second one
        assert await _person_opened(app, pilot) == "Person 11"


async def test_a_person_with_many_sessions_scrolls_in_one_region_at_80x24(memory_store, clock):
    """Thirty sessions attended: the attended table scrolled inside the page that scrolls, two
    scrollbars one in the other at 80x24. Each table is as tall as its rows and the page alone
    scrolls, to the last of them."""
    c = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Lima")
    factories.member(memory_store, c, ana, in_rotation=False)
    for week in range(30):
        held = factories.session(memory_store, c, f"2025-{1 + week // 4:02}-{1 + 7 * (week % 4):02} 12:00")
        with memory_store.write() as db:
            attendance.check_in(db, session_id=held.id, person_id=ana.id, attended="present")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_person(ana.id)
        await settle(app, pilot)
        screen = app.screen
        body = screen.query_one("#person-body")
        attended = screen.query_one("#person-attended", DataTable)
        assert attended.row_count == 30
        assert scrolling(body) == [body]
        assert attended.outer_size.height == 31  # its header and every row

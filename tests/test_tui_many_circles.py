"""Home and the Circles list on an organisation of many circles: Home says how far its list
reaches when it is cut; the Circles list shows a page of rows at first, more as the cursor nears
the end, and filters all of them."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input

from circles.app import CirclesApp
from circles.services import circle_records, lookups
from models.store import Store
from screens.circles import CirclesScreen
from tests import factories
from tests.tui_support import burst, settle, shown, type_text, until

PAGE = 200  # screens/circles.py's
MANY = PAGE + 50


def _many_circles(store: Store) -> None:
    with store.write() as db:
        for n in range(MANY):
            circle_records.add_circle(
                db, name=f"Circle {n:04d}" + (" Rust" if n % 50 == 7 else ""), kind="lunch-and-learn",
                timezone="Europe/Berlin",
            )  # fmt: skip


async def _circles_list(app: CirclesApp, pilot: Any) -> tuple[CirclesScreen, DataTable]:
    """c on Home, and the Circles list once its first rows are in."""
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, CirclesScreen))  # read first: slow on a busy machine
    screen = app.screen
    assert isinstance(screen, CirclesScreen)
    table = screen.query_one(DataTable)
    await until(pilot, lambda: table.row_count > 0)
    return screen, table


async def test_the_circles_list_shows_a_page_and_the_rest_as_the_cursor_comes(
    memory_store: Store, clock: Any
) -> None:
    """Three thousand circles in a table took most of a second to show (Textual measures every
    row a table holds): the list holds a page, says how many there are, and adds the next page
    as the cursor nears the end."""
    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        _screen, table = await _circles_list(app, pilot)
        assert table.row_count == PAGE
        assert (
            shown(app.screen.query_one("#circles-count"))
            == f"{MANY} circles, showing {PAGE}; scroll down for more"
        )
        table.move_cursor(row=PAGE - 1)
        await until(pilot, lambda: table.row_count == MANY)
        assert shown(app.screen.query_one("#circles-count")) == ""
        assert table.cursor_row == PAGE - 1

        # The filter looks through every circle, not only the rows shown.
        await pilot.press("slash")
        await type_text(pilot, "rust")
        await until(pilot, lambda: table.row_count == MANY // 50)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)][-1] == "Circle 0207 Rust"


async def test_rows_the_filter_or_the_next_page_bring_show_their_figures(
    memory_store: Store, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A circle's figures (members, next session, facilitator) are read for the rows shown, the
    first page's with the names: a row the filter or the next page brings in shows them too,
    once read, rather than the marks of figures not read yet."""
    monkeypatch.setattr(lookups, "ALL_FIGURES_UP_TO", PAGE)  # as a store of thousands
    _many_circles(memory_store)
    ana = factories.person(memory_store, "Ana Lima")
    zeta = factories.circle(memory_store, "Circle 9999 Zeta", facilitator_id=ana.id)  # and member
    factories.session(memory_store, zeta, "2026-03-10 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen, table = await _circles_list(app, pilot)

        def cells(name: str) -> list[str]:
            key = str(next(c.id for c in screen.circles if c.name == name))
            return [str(cell) for cell in table.get_row(key)][2:]

        await type_text(pilot, "zeta")
        await until(pilot, lambda: table.row_count == 1 and cells("Circle 9999 Zeta") != ["…"] * 3)
        assert cells("Circle 9999 Zeta") == ["1", "Tue 10 Mar", "Ana Lima"]  # as the session lists say

        await pilot.press("ctrl+u")
        await until(pilot, lambda: table.row_count == PAGE)
        await pilot.press("enter")  # to the list
        table.move_cursor(row=PAGE - 1)
        await until(pilot, lambda: table.row_count == MANY + 1)
        await until(pilot, lambda: cells("Circle 0249") != ["…"] * 3)
        assert cells("Circle 0249") == ["0", "none planned", ""]


async def test_home_says_how_far_its_list_reaches_when_it_is_cut(
    memory_store: Store, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Home lists at most a few hundred sessions: the huge demo's three thousand circles have
    that many in four hours, and under "Coming up in the next 14 days" the rest of the fortnight
    looked empty. Cut, the title says up to when it lists (here, with a cut of three)."""
    import circles.services.home as home_service
    import circles.upcoming as upcoming
    from screens.home import HomeScreen

    monkeypatch.setattr(upcoming, "MOST", 3)
    monkeypatch.setattr(home_service, "MOST", 3)
    rust = factories.circle(memory_store, "Rust Lunch")
    for day in ("04", "05", "06", "07"):
        factories.session(memory_store, rust, f"2026-03-{day} 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await until(pilot, lambda: app.screen.query_one("#upcoming", DataTable).row_count == 3)
        title = shown(app.screen.query_one("#upcoming-title"))
        assert title == "Coming up: the next 3 sessions, to Fri 06 Mar 12:00 (a circle lists all of its own)"

    monkeypatch.setattr(upcoming, "MOST", 300)
    monkeypatch.setattr(home_service, "MOST", 300)
    async with CirclesApp(memory_store).run_test(size=(100, 30)) as pilot:
        await settle(pilot.app, pilot)
        await until(pilot, lambda: pilot.app.screen.query_one("#upcoming", DataTable).row_count == 4)
        assert shown(pilot.app.screen.query_one("#upcoming-title")) == "Coming up in the next 14 days"


async def test_a_name_typed_on_the_circles_list_filters_it_and_enter_opens_the_circle(
    memory_store: Store, clock: Any
) -> None:
    """On the demo's list, "rust" then Enter opened the first circle (Data Science): letters did
    nothing until `/`. A letter now starts the filter; the list's own keys (+, ctrl+t) keep
    theirs, and no letter is one of them."""
    from circles.demo import build_demo
    from screens.circle import CircleScreen

    build_demo(memory_store, size="small")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CirclesScreen)
        table = screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 5)

        await pilot.press("ctrl+t")  # a binding, not a letter of the filter: archived ones too
        await settle(app, pilot)
        assert screen.include_archived
        assert screen.query_one("#filter", Input).value == ""

        await type_text(pilot, "rust")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CircleScreen) and app.screen.title is not None)
        assert screen.query_one("#filter", Input).value == "rust"
        assert app.screen.title == "Rust Lunch"


async def test_letters_typed_fast_on_the_circles_list_all_reach_the_filter(
    memory_store: Store, clock: Any
) -> None:
    """A burst (ssh, a browser tab) is handed to the list before the filter takes the focus:
    every letter still lands in the filter, in order, and the Enter after them opens the one circle."""
    from screens.circle import CircleScreen

    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen, _table = await _circles_list(app, pilot)
        burst(app, *"0207", "enter")
        await until(pilot, lambda: isinstance(app.screen, CircleScreen) and app.screen.title is not None)
        assert screen.query_one("#filter", Input).value == "0207"
        assert app.screen.title == "Circle 0207 Rust"


async def test_two_enters_typed_at_once_in_the_filter_open_the_highlighted_circle(
    memory_store: Store, clock: Any
) -> None:
    """Typed at once, "rust", Enter, Enter: the first Enter moves to the list (five circles
    match), the second opens the circle highlighted there, as it does typed slowly. The focus
    moved on the app's next turn, so the second Enter went to the filter as well, which took
    it as a second "go to the list": it was lost."""
    from screens.circle import CircleScreen

    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await _circles_list(app, pilot)
        burst(app, *"rust", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, CircleScreen) and app.screen.title is not None)
        assert app.screen.title == "Circle 0007 Rust"
        await settle(app, pilot)
        assert [type(s) for s in app.screen_stack].count(CircleScreen) == 1


async def test_a_filter_that_matches_no_circle_says_so(memory_store: Store, clock: Any) -> None:
    """A filter matching nothing left a table of headers alone, which read as a list still
    loading: the line under it names what was typed."""
    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen, table = await _circles_list(app, pilot)
        await type_text(pilot, "xyz")
        await until(pilot, lambda: table.row_count == 0)
        assert shown(screen.query_one("#circles-count")) == "No circle matches 'xyz'"

        await pilot.press("backspace", "backspace", "backspace")
        await until(pilot, lambda: table.row_count > 0)
        assert shown(screen.query_one("#circles-count")).startswith(f"{MANY} circles, showing")


async def test_ctrl_u_on_the_circles_list_clears_its_filter_as_on_the_check_in_list(
    memory_store: Store, clock: Any
) -> None:
    """ctrl+u clears the filter on the check-in list and in the filter box; with the Circles
    list focused it did nothing. The list keeps the focus and the circle it highlighted."""
    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen, table = await _circles_list(app, pilot)
        box = screen.query_one("#filter", Input)
        await type_text(pilot, "rust")
        await pilot.press("enter", "down")  # to the list (five circles match), on the second
        await until(pilot, lambda: screen.focused is table and table.cursor_row == 1)
        assert table.row_count == 5
        await pilot.press("ctrl+u")
        await until(pilot, lambda: box.value == "" and table.row_count == PAGE)
        assert screen.focused is table
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert key is not None and circle_name(memory_store, int(key)) == "Circle 0057 Rust"


async def test_circles_named_alike_are_told_apart_at_80_columns(memory_store, clock: Any) -> None:
    """The large demo's list showed three rows of "Rust Community of Prac…" at 80 columns: the
    kind, shortened, kept the cells that say which city. A name keeps 30 cells before the kind is
    given any, and the kind is shown whole or not at all."""
    from tests.tui_support import screen_text

    with memory_store.write() as db:
        for city in ("Bangalore", "Berlin", "Lagos"):
            circle_records.add_circle(
                db, name=f"Rust Community of Practice ({city})", kind="community of practice",
                timezone="Europe/Berlin",
            )  # fmt: skip
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 3)
        await settle(app, pilot)
        text = screen_text(app)
        for city in ("Bangalore", "Berlin", "Lagos"):
            assert f"Rust Community of Practice ({city})" in text


def circle_name(store: Store, circle_id: int) -> str:
    with store.read() as db:
        return circle_records.get_circle(db, circle_id).name


async def test_down_from_the_circles_filter_goes_into_the_list(memory_store: Store, clock: Any) -> None:
    from screens.circle import CircleScreen

    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _circles_list(app, pilot)
        await type_text(pilot, "rust")
        await settle(app, pilot)
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, CircleScreen) and app.screen.title is not None)
        assert app.screen.title == "Circle 0057 Rust"


async def test_long_names_alike_but_for_their_end_are_told_apart_on_home_and_the_circles_list(
    memory_store: Store, clock: Any
) -> None:
    """The large demo's list showed "Accessibility Community of Pract…" three times at 80
    columns: too long for its 30 cells, a name cut at its end lost the city. A circle's name is
    cut in its middle, on the Circles list and on Home, and its end stays."""
    from screens.home import HomeScreen
    from tests.tui_support import screen_text

    cities = ("Lagos", "Nairobi", "Accra")
    for city in cities:
        circle = factories.circle(memory_store, f"Accessibility Community of Practice {city}")
        factories.session(memory_store, circle, "2026-03-04 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await until(pilot, lambda: app.screen.query_one("#upcoming", DataTable).row_count == 3)
        await settle(app, pilot)
        for city in cities:
            assert _cut_in_the_middle(screen_text(app), city)
        await pilot.press("c")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: isinstance(app.screen, CirclesScreen) and table.row_count == 3)
        await settle(app, pilot)
        for city in cities:
            assert _cut_in_the_middle(screen_text(app), city)


def _cut_in_the_middle(text: str, city: str) -> bool:
    """A line of ``text`` shows the circle of ``city`` by its start and its end, its middle cut
    (were it shown whole, the test would say nothing of how it is cut)."""
    return any(
        "Accessibility Co" in line and "…" in line and f"Practice {city} " in line
        and "Accessibility Community of Practice" not in line
        for line in text.splitlines()
    )  # fmt: skip


async def test_circles_named_alike_are_told_apart_wherever_a_list_shortens_them(
    memory_store: Store, clock: Any
) -> None:
    """A person's circles and sessions, and Search's Where, cut a circle's name at its end: at
    80 columns the large demo's "Design Systems Community of Practice (Berlin)" and "(Lagos)"
    both read "Design Systems Community o…". Cut in its middle, each keeps its city."""
    from datetime import UTC, datetime

    from circles.services import agenda, attendance, members
    from screens.search import SearchScreen
    from tests.tui_support import screen_text

    cities = ("Bangalore", "Berlin", "Lagos")
    ana = factories.person(memory_store, "Ana Lima", team="Platform")
    for day, city in enumerate(cities, start=1):
        c = factories.circle(memory_store, f"Design Systems Community of Practice ({city})")
        with memory_store.write() as db:
            members.add_member(
                db, circle_id=c.id, person_id=ana.id, joined_at=datetime(2026, 1, 5, tzinfo=UTC)
            )
        held = factories.session(memory_store, c, f"2026-03-0{day} 08:00", title="Tokens")
        with memory_store.write() as db:
            attendance.check_in(db, session_id=held.id, person_id=ana.id, attended="present")
            agenda.add_item(db, session_id=held.id, title="Screen readers in practice", presenter_id=ana.id)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_person(ana.id)
        await settle(app, pilot)
        text = screen_text(app)
        for city in cities:  # in Circles, Sessions attended and Presented
            assert text.count(f"({city})") == 3, text
        await pilot.press("escape")
        await settle(app, pilot)
        app.push_screen(SearchScreen("readers"))
        await settle(app, pilot)
        text = screen_text(app)
        for city in cities:
            assert f"({city})" in text, text


async def test_ctrl_t_says_whether_the_archived_circles_are_listed(memory_store: Store, clock: Any) -> None:
    """On a store with no archived circle (the large demo), ctrl+t changed no row and the footer
    still said "Archived": the key looked dead. The footer says what it does now, and the line
    under the list what it did."""
    from tests.tui_support import screen_text

    for name in ("Go Lunch", "Rust Lunch"):
        factories.circle(memory_store, name)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        screen = app.screen
        table = screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2)
        assert "^t Archived" in screen_text(app).splitlines()[-1]
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        assert "^t Hide archived" in lines[-1], lines[-1]
        assert "No circle is archived" in shown(screen.query_one("#circles-count")), lines
        with memory_store.write() as db:
            go = circle_records.list_circles(db)[0]
            circle_records.update_circle(db, go, archived=True)
        screen.reload()
        await settle(app, pilot)
        assert shown(screen.query_one("#circles-count")) == "1 archived circle among them"
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert "^t Archived" in screen_text(app).splitlines()[-1]
        assert shown(screen.query_one("#circles-count")) == ""
        assert table.row_count == 1


@pytest.mark.parametrize(
    ("typed", "found"),
    [("izmir", "İzmir Circle"), ("STRASSE", "Straße Circle"), ("sao paulo", "São Paulo Circle")],
)
async def test_the_circles_filter_reads_names_in_any_case_and_any_accent(
    memory_store: Store, clock: Any, typed: str, found: str
) -> None:
    """'izmir' found no İzmir: the filter compared casefolds, and İ's is an i with a combining
    dot above. It folds as check-in's filter does: any case, accents aside."""
    with memory_store.write() as db:
        for name in ("İzmir Circle", "Straße Circle", "São Paulo Circle", "Rust Lunch"):
            circle_records.add_circle(db, name=name, kind="workshop", timezone="Europe/Istanbul")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        _screen, table = await _circles_list(app, pilot)
        await type_text(pilot, typed)
        await until(pilot, lambda: table.row_count == 1)
        key = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert key is not None and circle_name(memory_store, int(key)) == found

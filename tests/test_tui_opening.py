"""Opening a main screen does its Textual work once: the screen is styled as it mounts and not all
again as it becomes current, the footer's keys are on its first frame, and the focus
goes straight to where the first tab puts it."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual import events
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input

from circles.app import CirclesApp
from circles.services import agenda, lookups, people, programmes
from screens import opening
from screens.circle import CircleScreen
from screens.circles import CirclesScreen
from screens.footer import Footer
from screens.people import PeopleScreen
from screens.person import PersonScreen
from screens.programme import ProgrammeScreen
from screens.programmes import open_programme
from screens.rotation_panel import RotationPanel
from screens.session import SessionScreen
from screens.stats_panel import StatsPanel
from screens.textual_internals import on_each_frame, screen_text
from tests import factories
from tests.tui_support import settle, until

SIZE = (120, 40)


def _world(store) -> tuple[int, int]:
    c = factories.circle(store, "Rust Lunch")
    for name in ("Ada Byron", "Ben Okri"):
        factories.member(store, c, factories.person(store, name))
    s = factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    return c.id, s.id


def restyles(monkeypatch: pytest.MonkeyPatch) -> list[Screen]:
    """The screens styled whole (each widget of them) from now on, in turn."""
    restyled: list[Screen] = []
    original = Screen.update_node_styles

    def counted(self: Screen, animate: bool = True) -> None:
        restyled.append(self)
        original(self, animate)

    monkeypatch.setattr(Screen, "update_node_styles", counted)
    return restyled


async def test_a_screen_is_styled_as_it_mounts_and_again_only_when_it_comes_back(
    memory_store, clock, monkeypatch
):
    circle_id, _ = _world(memory_store)
    restyled = restyles(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(circle_id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CircleScreen)
        assert screen not in restyled  # its mount styled it: becoming current did not again

        app.push_screen(PeopleScreen())
        await settle(app, pilot)
        app.pop_screen()
        await settle(app, pilot)
        assert app.screen is screen
        # A later resume is left as Textual sends it: one that asks for fresh styles gets them.
        screen.post_message(events.ScreenResume())
        await settle(app, pilot)
        assert restyled.count(screen) == 1


async def test_the_person_screens_widgets_are_styled_once_as_it_opens(memory_store, clock, monkeypatch):
    """Its page takes the focus as the screen opens: that restyles the page, not again each of
    the sections, tables and lines in it, styled as they mounted (screens/scroll_body.py)."""
    _world(memory_store)
    with memory_store.read() as db:
        ada = people.list_people(db, search="Ada")[0].id
    styled: list[object] = []
    apply = Stylesheet.apply

    def counted(self: Stylesheet, node: object, *args: object, **kwargs: object) -> None:
        styled.append(node)
        apply(self, node, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Stylesheet, "apply", counted)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        styled.clear()
        app.open_person(ada)
        await until(pilot, lambda: isinstance(app.screen, PersonScreen))
        await settle(app, pilot)
        body = app.screen.query_one("#person-body")
        assert app.focused is body
        inside = list(body.walk_children())
        assert len(inside) > 10
        assert [w for w in inside if styled.count(w) != 1] == []


@pytest.mark.parametrize("size", [(180, 40), (60, 24)])
async def test_the_footers_keys_are_on_the_screens_first_frame(memory_store, clock, size):
    """A roomy footer and a compact one: the footer is one widget, and the keys are on the first
    frame that shows the screen (Textual's footer, a widget per key, came a frame later, built
    compact and restyled)."""
    _, session_id = _world(memory_store)
    app = CirclesApp(memory_store)
    footers: list[str] = []  # the footer of each frame showing the session

    def frame() -> None:
        if isinstance(app.screen, SessionScreen):
            footers.append(screen_text(app).splitlines()[-1])

    on_each_frame(app, frame)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.open_session(session_id)
        await settle(app, pilot)
        footer = app.screen.query_one(Footer)
        assert not footer.children
        assert footer.compact == (size[0] < 100)
        assert footers and "esc Back" in footers[0]
        assert ("? Help " if footer.compact else " ? Help ") in footers[0]


async def test_the_focus_goes_straight_to_the_first_tabs_table(memory_store, clock, monkeypatch):
    """Not first to the row of tabs and then moved (which restyled both and rebuilt the footer)."""
    circle_id, session_id = _world(memory_store)
    with memory_store.write() as db:
        ada = people.list_people(db, search="Ada")[0].id
        programme = programmes.add_programme(db, name="Mentors", kind="mentoring")
        programmes.join(db, programme.id, ada, role="mentor", offers="Rust")
    focused: list[tuple[Screen, Widget | None]] = []
    original = Screen.set_focus

    def recorded(self, widget, scroll_visible: bool = True, from_app_focus: bool = False):
        focused.append((self, widget))
        return original(self, widget, scroll_visible, from_app_focus)

    monkeypatch.setattr(Screen, "set_focus", recorded)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for open_it, kind, table in (
            (lambda: app.open_circle(circle_id), CircleScreen, "#member-table"),
            (lambda: app.open_session(session_id), SessionScreen, "#agenda"),
            (lambda: open_programme(app, programme.id), ProgrammeScreen, "#participant-table"),
        ):
            focused.clear()
            open_it()
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, kind)
            wanted = screen.query_one(table, DataTable)
            assert {w for s, w in focused if s is screen and w is not None} == {wanted}
            assert screen.focused is wanted


@pytest.mark.parametrize("which", ["circles", "circle", "session", "person", "programme"])
async def test_a_main_screen_is_drawn_first_with_its_data(memory_store, clock, monkeypatch, which):
    """Not first with empty tables and again with the rows (two layouts of the whole screen):
    the screen is pushed once its data are read (screens/opening.py)."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)  # a loaded machine's reads may take their time
    circle_id, session_id = _world(memory_store)
    with memory_store.write() as db:
        agenda.add_item(db, session_id=session_id, title="Borrowing")
        ada = people.list_people(db, search="Ada")[0].id
        programme = programmes.add_programme(db, name="Mentors", kind="mentoring")
        programmes.join(db, programme.id, ada, role="mentor", offers="Rust")
    app = CirclesApp(memory_store)
    open_it, kind, table = {
        "circles": (lambda: app.screen.run_action("circles"), CirclesScreen, "#circles"),
        "circle": (lambda: app.open_circle(circle_id), CircleScreen, "#member-table"),
        "session": (lambda: app.open_session(session_id), SessionScreen, "#agenda"),
        "person": (lambda: app.open_person(ada), PersonScreen, "#person-circles"),
        "programme": (lambda: open_programme(app, programme.id), ProgrammeScreen, "#participant-table"),
    }[which]
    drawn: list[int] = []  # the rows of the table each frame of the screen showed

    def frame() -> None:
        if isinstance(app.screen, kind):
            drawn.append(app.screen.query_one(table, DataTable).row_count)

    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        result = open_it()
        if result is not None:
            await result
        await settle(app, pilot)
        assert isinstance(app.screen, kind)
        assert drawn
        assert 0 not in drawn


@pytest.mark.parametrize("tab", ["rotation", "stats"])
async def test_a_circles_later_tab_is_drawn_first_with_its_data(memory_store, clock, monkeypatch, tab):
    """The Rotation and Stats tabs come forward once their data are read, with them: not first
    with an empty panel, laid out and drawn again once the figures come."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)
    circle_id, _ = _world(memory_store)
    app = CirclesApp(memory_store)
    drawn: list[bool] = []  # whether each frame showing the tab showed its data

    def frame() -> None:
        screen = app.screen
        if isinstance(screen, CircleScreen) and screen.active_tab == tab:
            panels = screen.query(RotationPanel if tab == "rotation" else StatsPanel)
            drawn.append(
                bool(panels)
                and getattr(panels.first(), "data" if tab == "rotation" else "report") is not None
            )

    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(circle_id)
        await settle(app, pilot)
        await pilot.press("3" if tab == "rotation" else "4")
        await settle(app, pilot)
        assert app.screen.active_tab == tab
        assert drawn
        assert all(drawn)


async def test_keys_typed_while_a_screen_is_read_reach_it(memory_store, clock, monkeypatch):
    """'c' then 'ru' typed at once from Home: the Circles list is pushed once its circles are
    read, and the letters typed meanwhile filter it, as they would had it been there."""
    _world(memory_store)
    reading = threading.Event()
    may_go = threading.Event()
    overview = lookups.circles_overview

    def slow_overview(db, **kwargs):
        reading.set()
        may_go.wait(30)
        return overview(db, **kwargs)

    monkeypatch.setattr(lookups, "circles_overview", slow_overview)
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await asyncio.to_thread(reading.wait, 30)
        await pilot.press("r", "u")
        assert not isinstance(app.screen, CirclesScreen)  # still being read
        may_go.set()
        await settle(app, pilot)
        assert isinstance(app.screen, CirclesScreen)
        assert app.screen.query_one("#filter", Input).value == "ru"


async def test_a_screen_shown_before_its_data_takes_them_as_they_come(memory_store, clock, monkeypatch):
    """A slow store: the screen is shown once WAIT_FOR_DATA is over, and the read already on its
    way fills it in when it comes; the screen does not read everything a second time."""
    from screens import person as person_screen

    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 0.01)  # over long before its read is let go
    _world(memory_store)
    with memory_store.read() as db:
        ada = people.list_people(db, search="Ada")[0].id
    may_go = threading.Event()
    reads: list[int] = []
    load_person = person_screen.load_person

    def slow_load(db, person_id):
        reads.append(person_id)
        may_go.wait(30)
        return load_person(db, person_id)

    monkeypatch.setattr(person_screen, "load_person", slow_load)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_person(ada)
        await until(pilot, lambda: isinstance(app.screen, PersonScreen))  # its data still being read
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.record is None
        may_go.set()
        await settle(app, pilot)
        assert app.screen.record is not None
        assert app.screen.query_one("#person-circles", DataTable).row_count == 1
    assert reads == [ada]


async def test_two_quick_enters_on_a_circle_open_it_once(memory_store, clock, monkeypatch):
    """A circle's screen waits for its data before it is pushed (screens/opening.py), and the list
    keeps the focus while it waits: a second Enter in that wait opened the circle again, two
    screens stacked, and Escape showed the same circle once more. The data are held back here
    past WAIT_FOR_DATA, as a loaded store or machine would; the keys are not held (a test's host
    app may not hold them), so both Enters reach the list."""
    import screens.circle as circle_screen

    _world(memory_store)
    gate = threading.Event()
    load = circle_screen.load_circle

    def held(db, cid, now):
        gate.wait(timeout=30)
        return load(db, cid, now)

    monkeypatch.setattr(circle_screen, "load_circle", held)
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)
    app = CirclesApp(memory_store)
    monkeypatch.setattr(app, "hold_keys", lambda: None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CirclesScreen))
        listing = app.screen
        await until(pilot, lambda: listing.query_one(DataTable).row_count == 1)
        await pilot.press("enter", "enter")
        assert app.screen is listing  # still waiting for the circle's data
        gate.set()
        await until(pilot, lambda: isinstance(app.screen, CircleScreen))
        await settle(app, pilot)
        assert [type(s) for s in app.screen_stack].count(CircleScreen) == 1
        assert app.screen_stack[-2] is listing


async def test_two_enters_read_at_once_on_home_open_the_session_once(memory_store, clock):
    """Two Enters read together (a quick double press, a browser tab) both reached Home's list
    before the session's screen was up: two screens of the same session, and Escape showed it
    again. The same for a person on the People list."""
    from screens.home import HomeScreen
    from tests.tui_support import burst

    _world(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        await until(pilot, lambda: home.query_one("#upcoming", DataTable).row_count == 1)
        burst(app, "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await settle(app, pilot)
        assert [type(s) for s in app.screen_stack].count(SessionScreen) == 1

        app.pop_screen()
        await settle(app, pilot)
        app.push_screen(PeopleScreen())
        await settle(app, pilot)
        people = app.screen
        await until(pilot, lambda: people.query_one(DataTable).row_count == 2)
        burst(app, "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, PersonScreen))
        await settle(app, pilot)
        assert [type(s) for s in app.screen_stack].count(PersonScreen) == 1

"""Opening a main screen does its Textual work once: the screen is styled as it mounts and not all
again as it becomes current, the footer's keys are built in the footer's style, and the focus
goes straight to where the first tab puts it."""

from __future__ import annotations

import pytest
from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from circles.app import CirclesApp
from screens.circle import CircleScreen
from screens.people import PeopleScreen
from screens.session import SessionScreen
from screens.textual_internals import FooterKey
from tests import factories
from tests.tui_support import settle, until

SIZE = (120, 40)


def _world(store) -> tuple[int, int]:
    c = factories.circle(store, "Rust Lunch")
    for name in ("Ada Byron", "Ben Okri"):
        factories.member(store, c, factories.person(store, name))
    s = factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    return c.id, s.id


async def test_a_screen_is_styled_as_it_mounts_and_again_only_when_it_comes_back(
    memory_store, clock, monkeypatch
):
    circle_id, _ = _world(memory_store)
    restyled: list[Screen] = []
    original = Screen.update_node_styles

    def counted(self, animate: bool = True) -> None:
        restyled.append(self)
        original(self, animate)

    monkeypatch.setattr(Screen, "update_node_styles", counted)
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


@pytest.mark.parametrize("size", [(120, 40), (60, 24)])
async def test_footer_keys_are_built_in_the_footers_style(memory_store, clock, monkeypatch, size):
    """A roomy footer and a compact one: each key has the footer's style from the start, and
    no key is restyled to get it."""
    _, session_id = _world(memory_store)
    restyled: list[Widget] = []
    original = FooterKey.update_node_styles

    def counted(self, animate: bool = True) -> None:
        restyled.append(self)
        original(self, animate)

    monkeypatch.setattr(FooterKey, "update_node_styles", counted)
    app = CirclesApp(memory_store)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.open_session(session_id)
        await settle(app, pilot)
        footer = app.screen.query_one("Footer")
        keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
        assert keys
        assert {(k.compact, k.has_class("-compact")) for k in keys} == {(footer.compact, footer.compact)}
        assert not [k for k in restyled if k in keys]


async def test_the_focus_goes_straight_to_the_first_tabs_table(memory_store, clock, monkeypatch):
    """Not first to the row of tabs and then moved (which restyled both and rebuilt the footer)."""
    circle_id, session_id = _world(memory_store)
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
        ):
            focused.clear()
            open_it()
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, kind)
            wanted = screen.query_one(table, DataTable)
            assert {w for s, w in focused if s is screen and w is not None} == {wanted}
            assert screen.focused is wanted


async def test_two_quick_enters_on_a_circle_open_it_once(memory_store, clock, monkeypatch):
    """A circle's screen waits for its data before it is pushed (screens/circle.py _Opening), and
    the list keeps the focus while it waits: a second Enter in that wait opened the circle again,
    two screens stacked, and Escape showed the same circle once more. The data are held back here
    until both Enters are in, as a loaded store or machine would."""
    import threading

    import screens.circle as circle_screen
    from screens.circles import CirclesScreen

    _world(memory_store)
    gate = threading.Event()
    load = circle_screen.load_circle

    def held(db, cid, now):
        gate.wait(timeout=30)
        return load(db, cid, now)

    monkeypatch.setattr(circle_screen, "load_circle", held)
    openings: list[circle_screen._Opening] = []

    class Recorded(circle_screen._Opening):
        def start(self) -> None:
            openings.append(self)
            super().start()

    monkeypatch.setattr(circle_screen, "_Opening", Recorded)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        listing = app.screen
        assert isinstance(listing, CirclesScreen)
        await until(pilot, lambda: listing.query_one(DataTable).row_count == 1)
        await pilot.press("enter", "enter")
        assert app.screen is listing  # still waiting for the circle's data
        # Each opening pushes its screen after WAIT_FOR_DATA without the data held back.
        await until(pilot, lambda: bool(openings) and all(o.pushed for o in openings))
        gate.set()
        await settle(app, pilot)
        assert [type(s) for s in app.screen_stack].count(CircleScreen) == 1
        assert app.screen_stack[-2] is listing


async def test_two_enters_read_at_once_on_home_open_the_session_once(memory_store, clock):
    """Two Enters read together (a quick double press, a browser tab) both reached Home's list
    before the session's screen was up: two screens of the same session, and Escape showed it
    again. The same for a person on the People list."""
    from screens.home import HomeScreen
    from screens.people import PeopleScreen
    from screens.person import PersonScreen
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

"""Keys typed while the store opens ("Opening your store…") are Home's: held until Home is up,
then typed into it in the order typed (screens/late_keys.py). Only a key that quits goes at once.
Each test holds the opening open until it says so (no sleeps)."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Input

from circles.app import CirclesApp
from circles.errors import CirclesError
from circles.services.home import load_home
from screens import home
from screens.home import HomeScreen
from screens.search import SearchScreen
from screens.session import SessionScreen
from screens.start import StartScreen
from tests import factories
from tests.tui_support import settle, shown, until

SIZE = (120, 40)


def _opening(store, clock, glance: bool):
    """An app whose store opens (and, with ``glance``, whose first glance comes) when told to."""
    factories.session(store, factories.circle(store, "Rust Lunch"), "2026-03-04 12:00")
    with store.read() as db:
        first = load_home(db, clock())
    go = threading.Event()

    def when_told() -> None:
        assert go.wait(30)

    def open_store():
        if not glance:
            when_told()
        return store

    def first_glance():
        when_told()
        return first

    app = CirclesApp(open_store=open_store, first_glance=first_glance if glance else None)
    return app, go


@pytest.mark.parametrize("glance", [False, True], ids=["store", "first glance"])
async def test_keys_typed_while_the_store_opens_reach_home_in_the_order_typed(memory_store, clock, glance):
    # '/ownership' typed at once was lost whole on the start screen (its keys are q and Escape);
    # typed as Home came up, '/ow' were lost and 'n' opened New circle named 'ership'.
    app, go = _opening(memory_store, clock, glance)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.press("slash", *"ownership")
        assert isinstance(app.screen, StartScreen)
        go.set()
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-input", Input).value == "ownership"


async def test_keys_typed_while_the_store_opens_wait_for_homes_rows(memory_store, clock, monkeypatch):
    # Without a first glance (PostgreSQL in the settings, a store being upgraded) Home came up
    # empty and read its rows afterwards: Down and Enter typed meanwhile reached the empty table
    # and did nothing, and the rows came up with the cursor on the first session.
    later = factories.session(memory_store, factories.circle(memory_store, "Go Club"), "2026-03-05 12:00")
    app, go = _opening(memory_store, clock, glance=False)
    rows_read = threading.Event()
    read_home = home._load

    def held_read(db, every_circle):
        assert rows_read.wait(30)
        return read_home(db, every_circle)

    monkeypatch.setattr(home, "_load", held_read)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.press("down", "enter")
        go.set()
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted)
        for _ in range(5):  # Home up and its focus settled, its rows still on their way
            await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        rows_read.set()
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session_id == later.id


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_a_key_that_quits_does_not_wait_for_the_store(memory_store, clock, key):
    app, go = _opening(memory_store, clock, glance=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.press(key)
        assert app.return_code == 0  # quitting, with the store still opening
        go.set()


async def test_q_after_other_keys_is_theirs_for_home(memory_store, clock):
    app, go = _opening(memory_store, clock, glance=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.press("slash", "q")
        assert app.return_code is None
        go.set()
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-input", Input).value == "q"


async def test_keys_typed_for_a_store_that_does_not_open_are_dropped(clock):
    # Typed into the start screen instead, the 'q' of '/quarterly' quit before the reason showed.
    go = threading.Event()

    def fail():
        assert go.wait(30)
        raise CirclesError("the disk is on fire")

    app = CirclesApp(open_store=fail)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.press("slash", *"quarterly")
        go.set()
        await settle(app, pilot)
        assert app.return_code is None
        assert "the disk is on fire" in shown(app.screen.query_one("#start-status"))
        await pilot.press("q")  # as the screen says
        assert app.return_code == 0

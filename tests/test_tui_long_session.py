"""A long day in the app: screens opened and closed leave nothing behind, the key bar is
rebuilt only when its keys change (both used to make every screen slower than the last), and
Python's collector waits while a screen opens."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref

from textual.widgets import Header
from textual.widgets._footer import FooterKey

from circles.app import CirclesApp
from screens.circle import CircleScreen
from screens.footer import Footer
from screens.heap import CollectorHold
from tests import factories
from tests.tui_support import pilot_test, settle

SIZE = (120, 40)


def alive(refs: list[weakref.ref]) -> int:
    gc.collect()
    return sum(1 for r in refs if r() is not None)


@pilot_test
async def test_closed_screens_let_go_of_their_widgets(memory_store, clock):
    circle = factories.circle(memory_store, "Rust Lunch")
    factories.session(memory_store, circle, "2026-03-04 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        left: list[weakref.ref] = []
        for _ in range(8):
            app.open_circle(circle.id)
            await settle(app, pilot)
            await pilot.press("2")  # a tab change gives the footer other keys to show
            await settle(app, pilot)
            left += [weakref.ref(w) for w in app.screen.query(Header)]
            left += [weakref.ref(w) for w in app.screen.query(FooterKey)]
            await pilot.press("escape")
            await settle(app, pilot)
        assert len(left) > 8
        assert alive(left) == 0


@pilot_test
async def test_the_footer_is_rebuilt_only_when_its_keys_change(memory_store, clock, monkeypatch):
    circle = factories.circle(memory_store, "Rust Lunch")
    rebuilt: list[str] = []
    compose = Footer.compose

    def counting(self: Footer):
        rebuilt.append(self.screen.__class__.__name__)
        return compose(self)

    monkeypatch.setattr(Footer, "compose", counting)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rebuilt.clear()
        app.open_circle(circle.id)
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        # Once when it mounts (empty: the keys are not known yet), once with the keys.
        assert rebuilt == ["CircleScreen", "CircleScreen"]
        members_keys = {k.description for k in app.screen.query(FooterKey)}
        await pilot.press("2")
        await settle(app, pilot)
        sessions_keys = {k.description for k in app.screen.query(FooterKey)}
        assert "Add member" in members_keys and "Add member" not in sessions_keys
        assert "Schedule" in sessions_keys
        assert rebuilt.count("CircleScreen") == 3


@pilot_test
async def test_the_collector_waits_while_a_screen_opens_and_runs_once_the_app_is_quiet(memory_store, clock):
    circle = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    app.collector.QUIET = 0.2
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert gc.isenabled()
        app.open_circle(circle.id)
        assert not gc.isenabled()  # held from the moment the screen is asked for
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        await pilot.pause(0.3)
        assert gc.isenabled()
        app.collector.hold()
        assert not gc.isenabled()
    assert gc.isenabled()  # an app that closes mid-hold gives the collector back


def test_a_held_collector_runs_at_the_latest_after_its_longest_wait():
    async def type_without_pause() -> float | None:
        """Seconds until the collector was let run, with the hold renewed every 20 ms."""
        hold = CollectorHold()
        hold.QUIET, hold.LONGEST = 0.1, 0.3
        started = time.monotonic()
        try:
            hold.hold()
            while time.monotonic() - started < 1.0:
                await asyncio.sleep(0.02)
                if gc.isenabled():
                    return time.monotonic() - started
                hold.hold()
            return None
        finally:
            hold.release()

    waited = asyncio.run(type_without_pause())
    assert waited is not None and 0.3 <= waited < 0.9
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_is_theirs_to_switch_back():
    async def hold_and_wait() -> None:
        hold = CollectorHold()
        hold.QUIET = 0.05
        hold.hold()
        await asyncio.sleep(0.1)
        hold.release()

    gc.disable()
    try:
        asyncio.run(hold_and_wait())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_hold_with_no_event_loop_or_after_closing_leaves_the_collector_on():
    hold = CollectorHold()
    hold.hold()  # no running loop: nothing could turn the collector back on, so it is not turned off
    assert gc.isenabled()

    async def late_delivery() -> None:
        hold.close()
        hold.hold()  # a result that arrives while the app closes
        assert gc.isenabled()

    asyncio.run(late_delivery())
    assert gc.isenabled()

"""A long day in the app: screens opened and closed leave nothing behind, the key bar is
rebuilt only when its keys change (both used to make every screen slower than the last), and
Python's collector waits while a screen opens."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest
from textual.widgets import TextArea

from circles.app import CirclesApp
from screens.circle import CircleScreen
from screens.footer import Footer
from screens.header import Header
from screens.heap import CollectorHold
from tests import factories
from tests.tui_support import settle, until

SIZE = (120, 40)


def alive(refs: list[weakref.ref]) -> int:
    gc.collect()
    return sum(1 for r in refs if r() is not None)


async def test_closed_screens_let_go_of_their_widgets(memory_store, clock):
    circle = factories.circle(memory_store, "Rust Lunch")
    session = factories.session(memory_store, circle, "2026-03-04 12:00")
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
            left += [weakref.ref(w) for w in app.screen.query(Footer)]
            await pilot.press("escape")
            await settle(app, pilot)
            # The session's notes (a TextArea) watch the app's theme, which never changes here.
            app.open_session(session.id)
            await settle(app, pilot)
            left += [weakref.ref(w) for w in app.screen.query(TextArea)]
            await pilot.press("escape")
            await settle(app, pilot)
        assert len(left) > 8
        # The last screen's widgets end their message loops and timers (the notes' cursor
        # blink, every half second) a moment after it has closed: waited for, a little.
        for _ in range(50):
            if not alive(left):
                break
            await pilot.pause(0.02)
        assert alive(left) == 0


async def test_the_footer_is_drawn_again_only_when_its_keys_change(memory_store, clock, monkeypatch):
    """Opening a screen moves the focus and refreshes its bindings several times; the footer reads
    its keys each time but draws its row only when they differ."""
    circle = factories.circle(memory_store, "Rust Lunch")
    drawn: list[tuple[str, list[str]]] = []
    draw = Footer._row_line

    def counting(self: Footer, width: int, row, styles):
        drawn.append((self.screen.__class__.__name__, [k.description for k in row.keys]))
        return draw(self, width, row, styles)

    monkeypatch.setattr(Footer, "_row_line", counting)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        drawn.clear()
        app.open_circle(circle.id)
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        # Once for the first frame, and at most once more as the first tab's keys come in.
        assert 1 <= len(drawn) <= 2 and {screen for screen, _ in drawn} == {"CircleScreen"}
        assert "Add member" in drawn[-1][1]
        opened = len(drawn)
        await pilot.press("2")
        await settle(app, pilot)
        assert len(drawn) == opened + 1
        assert "Add member" not in drawn[-1][1] and "Schedule" in drawn[-1][1]
        await pilot.press("2")  # the same tab again: the same keys
        await settle(app, pilot)
        assert len(drawn) == opened + 1


async def test_the_collector_waits_while_a_screen_opens_and_runs_once_the_app_is_quiet(memory_store, clock):
    circle = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    app.collector.QUIET = 0.05
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await until(pilot, gc.isenabled)
        app.open_circle(circle.id)
        assert not gc.isenabled()  # held from the moment the screen is asked for
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        await until(pilot, gc.isenabled)
        app.collector.hold()
        assert not gc.isenabled()
    assert gc.isenabled()  # an app that closes mid-hold gives the collector back


async def test_a_held_collector_runs_at_the_latest_after_its_longest_wait():
    """Someone typing without a pause renews the hold at every key; the collector still runs
    LONGEST seconds after it was first held. The clock is the test's: nothing waits for real."""
    now = [0.0]
    hold = CollectorHold(clock=lambda: now[0])
    hold.QUIET, hold.LONGEST = 0.3, 2.0
    try:
        waits = []
        for key_pressed_at in (0.0, 0.5, 1.0, 1.5, 1.8, 1.9, 2.0, 2.5):
            now[0] = key_pressed_at
            waits.append(hold.hold())
        assert waits == pytest.approx([0.3, 0.3, 0.3, 0.3, 0.2, 0.1, 0.0, 0.0])
        assert not gc.isenabled()  # a wait of 0 runs at the loop's next turn, not in hold()
        for _ in range(100):
            if gc.isenabled():
                break
            await asyncio.sleep(0)
        assert gc.isenabled()
    finally:
        hold.release()
    assert gc.isenabled()


async def test_a_collector_switched_off_by_someone_else_is_theirs_to_switch_back():
    hold = CollectorHold()
    gc.disable()
    try:
        assert hold.hold() is None
        hold.release()
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_a_hold_after_closing_leaves_the_collector_on():
    hold = CollectorHold()
    hold.close()
    assert hold.hold() is None  # a result that arrives while the app closes
    assert gc.isenabled()


def test_a_hold_with_no_event_loop_leaves_the_collector_on():
    hold = CollectorHold()
    assert hold.hold() is None  # no running loop: nothing could turn the collector back on
    assert gc.isenabled()

"""tests/tui_support.settle returns only once every key typed has been handled: a burst's keys
still on their way, waiting in a queue, or held for a screen being opened are not a quiet app.
It used to count two rounds with no database work as quiet, and the burst tests' checks ran
while keys were still queued behind a slow reader."""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.test_late_keys import Typed
from tests.tui_support import burst, settle

SLOW = 0.05  # seconds each reader takes over a key: longer than the pilot's wait for an idle app


class SlowReader(Static, can_focus=True):
    """Reads each key slowly (a screen mounting its next page, say) and passes it on up."""

    async def on_key(self, event: events.Key) -> None:
        await asyncio.sleep(SLOW)


class SlowApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.handled: list[str] = []

    def compose(self) -> ComposeResult:
        yield SlowReader("keys")

    async def on_key(self, event: events.Key) -> None:
        event.prevent_default()  # the app's own handling asks for a screen, gone once it closes
        await asyncio.sleep(SLOW)
        self.handled.append(event.key)


async def test_settle_waits_for_every_key_of_a_burst_to_be_handled():
    app = SlowApp()
    async with app.run_test() as pilot:
        app.query_one(SlowReader).focus()
        await settle(app, pilot)
        burst(app, *"abcd")
        await settle(app, pilot)
        assert app.handled == ["a", "b", "c", "d"]


async def test_settle_waits_for_keys_held_for_a_screen_being_opened():
    app = Typed()  # notes each key it handles
    async with app.run_test() as pilot:
        await settle(app, pilot)
        app.hold_keys()
        app.set_timer(0.2, app.release_keys)  # the screen is up: its keys are typed again
        burst(app, *"xy")
        await settle(app, pilot)
        assert app.handled == ["x", "y"]

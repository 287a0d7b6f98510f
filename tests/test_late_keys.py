"""screens/late_keys.py typed the keys it held for a screen being opened again at the back of
the app's queue: a key typed after them, already queued there as the screen came up, went
first. Keys are handled in the order they were typed."""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget

from screens.late_keys import KeysFollowTheFocus
from screens.textual_internals import messages_unhandled
from tests.tui_support import settle


class Typed(KeysFollowTheFocus):
    def __init__(self) -> None:
        super().__init__()
        self.handled: list[str] = []

    def on_key(self, event: events.Key) -> None:
        super().on_key(event)
        self.handled.append(event.key)


async def test_a_key_typed_as_the_held_ones_are_let_go_comes_after_them():
    app = Typed()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        app.hold_keys()  # a screen is being opened
        app.post_message(events.Key("a", "a"))
        app.post_message(events.Key("b", "b"))
        await pilot.pause()
        assert app.handled == []  # held
        app.call_later(app.release_keys)  # the screen is up (its data came back)...
        app.post_message(events.Key("c", "c"))  # ...as the next key is typed
        await settle(app, pilot)
        assert app.handled == ["a", "b", "c"]


class Place(Widget, can_focus=True):
    """Somewhere keys are handed that uses none of them: they come back up to the app."""


class TwoPlaces(KeysFollowTheFocus):
    """Each letter, once it reaches the app's bindings, is noted in ``handled``."""

    BINDINGS = [Binding(key, f"typed('{key}')") for key in ("slash", *"ownership")]

    def __init__(self) -> None:
        super().__init__()
        self.handled: list[str] = []

    def compose(self) -> ComposeResult:
        yield Place(id="first")
        yield Place(id="then")

    def action_typed(self, key: str) -> None:
        self.handled.append(key)


async def test_a_key_that_comes_back_waits_for_the_keys_typed_before_it_and_typed_again():
    # '/ownership' typed on Home as it came up opened New circle named "ershi/owp": '/ow' were
    # handed to the screen before its list took the focus, 'n...' to the list. The first came
    # back from where the focus no longer was and were typed again, at the back of the queue;
    # 'n', back unused from where the focus still was, went to the bindings at once, before them.
    app = TwoPlaces()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        first, then = app.query_one("#first"), app.query_one("#then")
        app.screen.set_focus(first)
        keys = ["slash", "o", "w", "n", "e"]
        for key in keys[:3]:
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        app.call_later(app.screen.set_focus, then)  # the focus moves between two keys of a burst
        for key in keys[3:]:
            app.post_message(events.Key(key, key))

        async def all_come_back() -> None:
            # The app reads nothing more until every key handed out is back in its queue:
            # the window in which 'n' comes back while '/ow' wait to be typed again.
            for _ in range(1000):
                idle = not [pump for pump in messages_unhandled(app) if pump is not app]
                if idle and app.message_queue_size >= len(keys):
                    return
                await asyncio.sleep(0)
            raise AssertionError("the keys never came back to the app")

        app.call_later(all_come_back)
        await settle(app, pilot)
        assert app.handled == keys


class Slow(Place):
    """A place that takes its time over "b" (until ``go`` is set), with "c" and "d" waiting
    behind it (one of them taken out to be looked at, the other in its queue)."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.go = asyncio.Event()

    async def on_key(self, event: events.Key) -> None:
        if event.key == "b":
            await self.go.wait()


class OnePlace(TwoPlaces):
    BINDINGS = [Binding(key, f"typed('{key}')") for key in "abcd"]

    def compose(self) -> ComposeResult:
        yield Slow(id="slow")


async def test_a_key_that_comes_back_does_not_wait_for_the_keys_typed_after_it():
    # A key came back while the keys typed after it waited in its widget's queue, and was held
    # as if they were a message it had posted (a list's Enter its selection): typed again, it
    # went to the back of that queue, behind them.
    app = OnePlace()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        slow = app.query_one(Slow)
        app.screen.set_focus(slow)
        for key in "abcd":
            app.post_message(events.Key(key, key))
        # "a" is back and handled (or held, and typed again behind "d") while "b" is being
        # handled. (Polled: the pilot's pause waits for the slow place to be idle.)
        for _ in range(1000):
            if "a" in app.handled or slow.message_queue_size > 1:
                break
            await asyncio.sleep(0.01)
        slow.go.set()
        await settle(app, pilot)
        assert app.handled == ["a", "b", "c", "d"]

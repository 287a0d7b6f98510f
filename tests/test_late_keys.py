"""screens/late_keys.py typed the keys it held for a screen being opened again at the back of
the app's queue: a key typed after them, already queued there as the screen came up, went
first. Keys are handled in the order they were typed."""

from __future__ import annotations

from textual import events

from screens.late_keys import KeysFollowTheFocus
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

"""Keys typed while a key moves the focus reach where it went, not the widget it left.

Textual hands each key to the widget that has the focus when the key is read. Keys typed in
one burst ("p/ana" from Home: People, its filter, a name) are all handed to Home's list before
the first of them opens People; those the list does not use come back up to the app, which by
then checks them against People's keys and drops the rest: the name was lost. The app notes
where it handed each key; one that comes back unused from a widget that no longer has the
focus (another screen, or the filter the key before it moved to) is typed again, where the
focus is now, in the order it came. A screen that moves the focus on a key must do it at once
(Screen.set_focus, or AUTO_FOCUS), not later (Widget.focus waits for the app's next turn).
A letter that comes back unused from a list goes into its filter (screens/type_to_filter.py),
here too, in turn with the keys typed before it.

A screen opened once its data are read (screens/opening.py) is not there yet while they are
read: keys typed meanwhile are its keys, not the screen still showing. They are held until it
is pushed, then typed again, in order; so are keys read before it was asked for, handed to the
screen still showing, that come back unused meanwhile ("n" and a name typed fast on Home).

A key that opens a screen often does it by a message the widget posts to itself (a list's Enter
posts its row's selection), and that message climbs to the screen behind the keys typed after
the Enter: the "2" of "Enter 2" on a circle's Sessions came back unused, and the circle took it,
before the session was asked for. A key that comes back while something is still on its way up
from where it was handed waits, with the keys after it, until that has been handled; if it
opened a screen, they are that screen's keys.

A key typed again goes to the back of the app's queue, behind keys typed after it and not read
yet (the next letter, typed as the screen it waited for came up, went before the held ones).
Until every key typed again has been read, a key read fresh waits behind them, and is typed
again in turn.
"""

from __future__ import annotations

from collections import deque

from textual import events
from textual.app import App
from textual.dom import DOMNode

from screens.textual_internals import message_on_its_way_up
from screens.type_to_filter import TypeToFilter

# Keys in flight at once: a burst typed or pasted faster than screens open. Older ones have
# long been read; a key missing here is treated as it always was.
REMEMBERED = 256
# Frames a key waits for what its widget posted before it to be handled: only ever a few.
WAIT_FRAMES = 20


class KeysFollowTheFocus(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self._handed_to: deque[tuple[events.Key, DOMNode]] = deque(maxlen=REMEMBERED)
        self._holds = 0  # screens being opened: keys wait for them
        self._held: list[events.Key] = []
        self._held_back = 0  # of those, come back unused: typed before the fresh ones held
        self._typed_again: deque[events.Key] = deque()  # posted to the app, not read back yet

    def hold_keys(self) -> None:
        """Keys typed from now on wait until :meth:`release_keys` (as many calls as holds)."""
        self._holds += 1

    def release_keys(self) -> None:
        """The screen the keys were waiting for is pushed: type them again, in order."""
        self._holds = max(0, self._holds - 1)
        if not self._holds:
            held, self._held, self._held_back = self._held, [], 0
            self._type_again(held)

    def _type_again(self, keys: list[events.Key]) -> None:
        for key in keys:
            again = events.Key(key.key, key.character)
            # Waited for only once queued: one never read back (an app closing refuses it)
            # would hold every key typed after it.
            if self.post_message(again):
                self._typed_again.append(again)

    def _release_when_handled(self, handed_to: DOMNode, frames: int) -> None:
        if frames and message_on_its_way_up(handed_to):
            self.call_after_refresh(self._release_when_handled, handed_to, frames - 1)
        else:
            self.release_keys()  # after the hold of a screen it opened, if any

    def _key_target(self) -> DOMNode:
        if not self.screen_stack:  # closing: its screens are gone, a key still coming is the app's
            return self
        return self.focused or self.screen  # where Textual hands a key it reads

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not self.screen_stack:
            # Closing: its screens are gone, and a key still coming (one held back and typed
            # again) has nowhere to go; Textual's own handling of it asks for the screen.
            return
        if isinstance(event, events.Key) and not event.is_forwarded:  # fresh, or typed again
            again = any(key is event for key in self._typed_again)
            while again and self._typed_again.popleft() is not event:
                pass  # (always the first: the app reads its queue in order)
            if self._holds and again:  # typed before the fresh keys held
                self._held.insert(self._held_back, event)
                self._held_back += 1
                return
            if self._holds or (self._typed_again and not again):  # typed after those
                self._held.append(event)
                return
            self._handed_to.append((event, self._key_target()))
            await super().on_event(event)
            if not self._holds and not self._typed_again and self._held:  # the keys read meanwhile
                held, self._held, self._held_back = self._held, [], 0
                self._type_again(held)
            return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # Runs before the App's own handling of a key that came back up (the bindings of the
        # focused widget now); stopping its default skips that, and the key typed again meets
        # them as a fresh key would.
        handed_to = next((target for key, target in self._handed_to if key is event), None)
        if handed_to is not None and not self._holds and message_on_its_way_up(handed_to):
            self.hold_keys()
            self.call_after_refresh(self._release_when_handled, handed_to, WAIT_FRAMES)
        if handed_to is not None and self._holds:
            event.prevent_default()
            event.stop()
            self._held.insert(self._held_back, events.Key(event.key, event.character))
            self._held_back += 1
        elif handed_to is not None and handed_to is not self._key_target():
            event.prevent_default()
            event.stop()
            self._type_again([event])
        elif (
            self.screen_stack
            and isinstance(self.screen, TypeToFilter)
            and self.screen.type_into_filter(event)
        ):
            event.prevent_default()
            event.stop()

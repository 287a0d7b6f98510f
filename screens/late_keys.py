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
So every key has its place in the order typed, given as it is first read (a key typed again
keeps it), and whatever waits is kept in that order: a key read or come back while a key typed
before it waits (held, or typed again and not read back yet) waits too, so does a key to be
typed again while any key typed again is not read back (it may be older than they are), and
all that waits is typed again, in that order, once nothing is held and every key typed again
has been read (tests/test_key_order.py tries interleavings of all of these). A
key that came back from where the focus still is went to the bindings at once, before the keys
typed before it that were still on their way back: "/ownership" typed as Home came up (its list
took the focus after "/ow") opened New circle named "ershi/owp". And a key read while a key
typed before it is still climbing back from where the focus no longer is (not yet back to be
typed again) waits for it, held as for a screen, until it is back or used: handed at once, it
was ahead of that key in the queue of where the focus is now.

The first screen is one being opened too: keys typed while the store opens ("Opening your
store…") are Home's, held until it is up (circles/app.py); "/ownership" typed at once was lost
whole, or its last letters opened New circle named "ership". Only a key that quits goes at
once while keys wait (:meth:`KeysFollowTheFocus.goes_at_once`): ctrl+q, and while the store
opens a "q" typed before any other key, as the start screen's footer says. Keys held for a
screen that will not come (the store did not open) are dropped.
"""

from __future__ import annotations

from bisect import insort
from collections import deque
from itertools import count
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App
from textual.dom import DOMNode

from screens.textual_internals import key_on_its_way, message_on_its_way_up
from screens.type_to_filter import TypeToFilter

# Keys in flight at once: a burst typed or pasted faster than screens open. Older ones have
# long been read; a key missing here is treated as it always was.
REMEMBERED = 256
# Frames a key waits for what its widget posted before it to be handled: only ever a few.
WAIT_FRAMES = 20
# The app's own actions that quit, or say how: a key bound to one never waits.
QUITTING = frozenset({"quit", "help_quit"})


class KeysFollowTheFocus(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self._handed_to: deque[tuple[events.Key, DOMNode]] = deque(maxlen=REMEMBERED)
        # Of those, the ones that may still be on their way (the rest are back, used or dropped):
        # each key read is checked against these, not against every key remembered.
        self._in_flight: list[tuple[events.Key, DOMNode]] = []
        self._holds = 0  # screens being opened: keys wait for them
        # Each key's place in the order typed (a key typed again keeps its original's).
        self._places: WeakKeyDictionary[events.Key, int] = WeakKeyDictionary()
        self._next_place = count()
        self._held: list[events.Key] = []  # in the order typed
        self._typed_again: deque[events.Key] = deque()  # posted to the app, not read back yet

    def hold_keys(self) -> None:
        """Keys typed from now on wait until :meth:`release_keys` (as many calls as holds)."""
        self._holds += 1

    def release_keys(self, *, forget: bool = False) -> None:
        """The screen the keys were waiting for is pushed: type them again, in order. With
        ``forget`` it will not come (the store did not open): every key held is dropped, not
        typed into the screen showing, where a "q" among them would quit before the reason
        could be read."""
        self._holds = max(0, self._holds - 1)
        if forget:
            self._held.clear()
        self._type_held_when_free()

    def goes_at_once(self, key: events.Key, first: bool) -> bool:
        """Whether a key that would wait goes at once all the same (``first``: no key typed
        before it waits): the app's own keys to quit, ctrl+q and ctrl+c (which says how), that
        must not wait for a screen, or a store, that takes its time."""
        active = self.screen.active_bindings.get(key.key)
        return active is not None and active.node is self and active.binding.action in QUITTING

    def _place(self, key: events.Key) -> int:
        return self._places.get(key, -1)  # (-1: a key the app did not read itself)

    def _earlier_waits(self, key: events.Key) -> bool:
        """Whether a key typed before ``key`` waits: held, or typed again and not read back."""
        place = self._place(key)
        return any(waiting and self._place(waiting[0]) < place for waiting in (self._held, self._typed_again))

    def _hold(self, key: events.Key) -> None:
        insort(self._held, key, key=self._place)

    def _type_held_when_free(self) -> None:
        """Type the held keys again once nothing holds them and every key typed again before
        them has been read: all of them, in the order typed, behind nothing typed before."""
        if not self._holds and not self._typed_again and self._held:
            held, self._held = self._held, []
            self._type_again(held)

    def _type_again(self, keys: list[events.Key]) -> None:
        for key in keys:
            again = events.Key(key.key, key.character)
            self._places[again] = self._place(key)
            # Waited for only once queued: one never read back (an app closing refuses it)
            # would hold every key typed after it.
            if self.post_message(again):
                self._typed_again.append(again)

    def _release_when_handled(self, handed_to: DOMNode, frames: int) -> None:
        if frames and message_on_its_way_up(handed_to):
            self.call_after_refresh(self._release_when_handled, handed_to, frames - 1)
        else:
            self.release_keys()  # after the hold of a screen it opened, if any

    def _climbing_back(self, key: events.Key) -> bool:
        """Whether a key typed before ``key`` is still on its way back up from where the focus
        no longer is (to be typed again where it is)."""
        place, target = self._place(key), self._key_target()
        climbing = False
        in_flight = []
        here_all_back = True  # so far, oldest first, of the keys handed where the focus is
        for handed, node in self._in_flight:
            if node is target:
                # Handled there in the order handed: the ones after the first still on its way
                # are kept unlooked-at (most are on their way too; looking costs, in a burst,
                # where the queues are long).
                if here_all_back and not key_on_its_way(handed, node):
                    continue
                here_all_back = False
                in_flight.append((handed, node))
            elif key_on_its_way(handed, node):
                in_flight.append((handed, node))
                climbing = climbing or self._place(handed) < place
            # (else back, used or dropped: never on its way again, and forgotten here)
        self._in_flight = in_flight[-REMEMBERED:]  # (one stuck in a closed widget's queue goes in time)
        return climbing

    def _release_when_back(self, key: events.Key, frames: int) -> None:
        if frames and self._climbing_back(key):
            self.call_after_refresh(self._release_when_back, key, frames - 1)
        else:
            self.release_keys()

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
            if not again:
                self._places[event] = next(self._next_place)
            earlier_wait = self._earlier_waits(event)
            if (self._holds or earlier_wait) and self.goes_at_once(event, first=not earlier_wait):
                await super().on_event(event)  # (not noted as handed: it is not coming back)
                return
            if not self._holds and self._climbing_back(event):
                self.hold_keys()
                self.call_after_refresh(self._release_when_back, event, WAIT_FRAMES)
            if self._holds or self._earlier_waits(event):
                self._hold(event)
                self._type_held_when_free()  # (it was the last key typed again)
                return
            self._handed_to.append(handed := (event, self._key_target()))
            self._in_flight.append(handed)
            await super().on_event(event)
            self._type_held_when_free()  # the keys read meanwhile
            return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # Runs before the App's own handling of a key that came back up (the bindings of the
        # focused widget now); stopping its default skips that, and the key typed again meets
        # them as a fresh key would.
        # (Newest first: the key back is most often the last one handed.)
        handed_to = next((target for key, target in reversed(self._handed_to) if key is event), None)
        if handed_to is not None and not self._holds and message_on_its_way_up(handed_to):
            self.hold_keys()
            self.call_after_refresh(self._release_when_handled, handed_to, WAIT_FRAMES)
        if handed_to is not None and (self._holds or self._earlier_waits(event)):
            event.prevent_default()
            event.stop()
            self._hold(event)
            self._type_held_when_free()
        elif handed_to is not None and handed_to is not self._key_target():
            event.prevent_default()
            event.stop()
            # Typed again now if nothing waits; else in its place among the keys typed again
            # and not read back yet (the app's queue, where it would go behind them).
            self._hold(event)
            self._type_held_when_free()
        elif (
            self.screen_stack
            and isinstance(self.screen, TypeToFilter)
            and self.screen.type_into_filter(event)
        ):
            event.prevent_default()
            event.stop()

"""Showing a screen (or a circle's tab) once its data are read, so its first frame shows them.

Pushed first and filled after, a screen is laid out and drawn twice on the UI thread: once with
empty tables, while its reads wait for the processor, and again with the rows. Read first, it is
drawn once, with them. The reads run one after another in one worker, on one connection; the
screen is shown when all are in, when one failed, or after WAIT_FOR_DATA, whichever comes
first. It takes its data with :meth:`ReadFirst.take`: what arrived at once, what is still on
its way when it arrives (a slow store shows the screen first, filled in as it would have been,
and nothing is read twice), and what failed it reads again itself, which says why."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen

from screens.textual_internals import build_off_the_stack
from screens.work import read_in_turn

if TYPE_CHECKING:
    from circles.store_access import Db

# How long a screen waits for its data before it is shown without them: the large store's
# take a tenth of that.
WAIT_FOR_DATA = 0.3

Reads = Mapping[str, "Callable[[Db], object]"]
T = TypeVar("T")
# A screen (or panel) waiting for a read still on its way: itself, the kind of value it takes,
# what to do with it, and what to do instead if it failed.
Waiting = tuple[DOMNode, type[Any], Callable[[Any], object], Callable[[], object]]


class ReadFirst:
    """The reads of one screen about to be shown, and what has become of them."""

    def __init__(self, app: App[Any], reads: Reads, show: Callable[[ReadFirst], object]) -> None:
        self.app = app
        self.reads = dict(reads)
        self.arrived: dict[str, object] = {}
        self.failed: set[str] = set()
        self.taken: set[str] = set()  # handed over: a later call reads afresh
        # What waits for a read still on its way: (node, kind, then, otherwise) by key.
        self._waiting: dict[str, Waiting] = {}
        self._show = show
        self.shown = False
        # Called once, as the first read is in (screens built while their data are read).
        self.first_in: Callable[[], object] | None = None

    def start(self) -> None:
        hold = getattr(self.app, "hold_keys", None)  # screens/late_keys.py (a test's host app has none)
        if hold is not None:
            hold()
        # One after another, in the order given, on the one connection (screens/work.py).
        read_in_turn(
            self.app,
            [
                (
                    job,
                    lambda value, key=key: self._arrived(key, value),  # type: ignore[misc]
                    lambda _, key=key: self._failed(key),  # type: ignore[misc]
                )
                for key, job in self.reads.items()
            ],
            group="read-first",
            exclusive=False,
        )
        self.app.set_timer(WAIT_FOR_DATA, self.show)

    def _arrived(self, key: str, value: object) -> None:
        self.arrived[key] = value
        self._first_in()
        if key in self._waiting:
            self._hand_over(key)
        # Taken already by a screen built meanwhile: in too.
        if self.arrived.keys() | self.failed | self.taken >= self.reads.keys():
            self.show()

    def _first_in(self) -> None:
        first_in, self.first_in = self.first_in, None
        if first_in is not None:
            first_in()

    def _failed(self, key: str) -> None:
        self.failed.add(key)
        self._first_in()
        if key in self._waiting:
            self._hand_over(key)  # the screen reads it again, and says why it failed
        self.show()

    def take(
        self,
        node: DOMNode,
        key: str,
        kind: type[T],
        then: Callable[[T], object],
        otherwise: Callable[[], object],
    ) -> None:
        """``then(value)`` with the value read under ``key``: now if it is in, else when it
        arrives; ``otherwise()`` if it failed, is not a ``kind``, was never asked for or was
        handed over already (``node`` then reads it itself). Neither once ``node`` is gone."""
        self._waiting[key] = (node, kind, then, otherwise)
        if key not in self.reads or key in self.taken or key in self.failed or key in self.arrived:
            self._hand_over(key)

    def _hand_over(self, key: str) -> None:
        node, kind, then, otherwise = self._waiting.pop(key)
        self.taken.add(key)
        value = self.arrived.pop(key, None)
        if not node.is_attached:
            return  # closed while it was read
        if isinstance(value, kind):
            then(value)
        else:
            otherwise()

    def show(self) -> None:
        if not self.shown:
            self.shown = True
            release = getattr(self.app, "release_keys", None)
            try:
                shown = self._show(self)
            except BaseException:
                if release is not None:
                    release()
                raise
            if inspect.isawaitable(shown):  # (a tab mounting its panel)

                async def finish(shown: Awaitable[object]) -> None:
                    try:
                        await shown
                    finally:
                        self._release_after(release, None)

                self.app.call_next(finish, shown)
            else:
                self._release_after(release, shown)

    def _release_after(self, release: Callable[[], object] | None, shown: object) -> None:
        if release is not None:
            # Typed while the data were read: they reach what was just shown, once it is
            # mounted and has its focus (before then they would go by it, and come back
            # behind the keys typed after them).
            (shown if isinstance(shown, MessagePump) else self.app).call_after_refresh(release)


class KeysWait:
    """Keys typed while a dialog's data are read are the dialog's (a name typed after the key
    that opens a picker): held from now (screens/late_keys.py) until ``reach(dialog)`` types them
    into it once it is pushed, or ``done()`` gives them back to the screen showing (nothing to
    pick, the read failed). Call ``done()`` in a ``finally``: it does nothing after ``reach``."""

    def __init__(self, app: App[Any]) -> None:
        hold = getattr(app, "hold_keys", None)  # (a test's host app has none)
        self._release: Callable[[], object] | None = getattr(app, "release_keys", None)
        if hold is not None:
            hold()

    def reach(self, dialog: MessagePump) -> None:
        release, self._release = self._release, None
        if release is not None:
            dialog.call_after_refresh(release)  # once it is mounted and has its focus

    def done(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def read_then(app: App[Any], reads: Reads, show: Callable[[ReadFirst], object]) -> None:
    """Run ``reads`` (by name), then ``show`` them, as they are (see the module)."""
    ReadFirst(app, reads, show).start()


class ReadsFirst:
    """A screen (a mixin of it) that can be given its data as it mounts (push_read_first)."""

    read_first: ReadFirst | None = None
    _resumed = False

    def coming_back(self) -> bool:
        """Called from the screen's ScreenResume handler: whether this resume brings it back from
        another screen (reload: things may have changed there), not the one that follows its
        mount (its data were just read)."""
        first, self._resumed = not self._resumed, True
        return not first

    def take_first(
        self, key: str, kind: type[T], then: Callable[[T], object], otherwise: Callable[[], object]
    ) -> None:
        """As ReadFirst.take, on what was read before the screen was pushed (``otherwise()`` if
        it was pushed without)."""
        if self.read_first is None:
            otherwise()
        else:
            assert isinstance(self, DOMNode)
            self.read_first.take(self, key, kind, then, otherwise)


# The screen each app is reading for: the screen below keeps the focus meanwhile, so a second
# Enter there (a double press, two keys read at once from a browser tab) opened a second screen
# of the same thing over the first.
_ON_ITS_WAY: WeakKeyDictionary[App[Any], Screen[Any]] = WeakKeyDictionary()


def push_read_first(
    app: App[Any], screen: Screen[Any], reads: Reads, *, built_meanwhile: bool = False
) -> None:
    """Push ``screen`` (a ReadsFirst) once ``reads`` are in; it takes them with take_first.
    Asked again while a screen is on its way, the first one asked for opens, once.

    ``built_meanwhile``: the screen is composed and mounted off the stack as soon as the first
    read is in, while the others are read, and takes their data as they come; pushed once all
    are in, it is laid out and drawn once, with them, as otherwise. For a screen whose last read
    is long and spent in the database (which gives the interpreter up meanwhile) and whose
    mounting is a good share of its opening. Not as the reads start: the first read's result
    waits for the UI thread, where the mounting then was, and the second read only started after.
    """
    assert isinstance(screen, ReadsFirst)
    if app in _ON_ITS_WAY:
        return
    _ON_ITS_WAY[app] = screen

    def show(read: ReadFirst) -> Screen[Any]:
        _ON_ITS_WAY.pop(app, None)
        screen.read_first = read
        app.push_screen(screen)
        return screen

    read = ReadFirst(app, reads, show)
    if built_meanwhile:
        screen.read_first = read
        read.first_in = lambda: build_off_the_stack(app, screen)
    read.start()

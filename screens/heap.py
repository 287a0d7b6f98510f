"""Keeping a long session light: a facilitator opens hundreds of screens in a day, and each
screen should cost the same on the last as on the first.

Three things would make screens slower, the last ones more than the first:

- Textual (8.x) keeps a watcher for every TextArea ever mounted (the session's notes) on the
  app's ``theme``; it drops a watcher only when that value next changes, which in this app is
  never. Each watcher holds its widget and that widget's render caches: about a thousand
  objects per screen. (Textual's Header watched the app's ``title`` and ``sub_title``, and its
  Footer kept a watcher per key on its ``compact``; screens/header.py and screens/footer.py
  are single widgets that nothing of the app watches.)
- Python's collector walks every live object now and then; with the ~150,000 objects the
  app holds once started (modules, classes, stylesheets), each full pass stalled a screen
  for 100-250 ms. Those are set aside once Home is up (set_aside_startup_objects).
- Even then, the widgets of the screens open under the current one grow the collector's
  work: with five screens stacked, a full pass took 35-110 ms, and one started about every
  second screen opened, in the middle of drawing it. CollectorHold keeps the collector off
  while a screen opens and fills in, and lets it run once the app is quiet.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from typing import Any

from textual.app import App

from screens.textual_internals import watcher_lists


def forget_closed_watchers(app: App[Any]) -> int:
    """Drop the watchers whose widget has left the screen; returns how many were dropped.

    The lists are the ones Textual itself prunes, using the same test; only the moment
    differs (screens/textual_internals.py: watcher_lists).
    """
    dropped = 0
    for watchers in watcher_lists(app):
        alive = [(node, callback) for node, callback in watchers if node.is_attached]
        dropped += len(watchers) - len(alive)
        watchers[:] = alive
    return dropped


def set_aside_startup_objects() -> None:
    """Move everything alive now (what start-up loaded, kept for the whole run) out of the
    collector's sight, so a full pass walks only what screens create afterwards."""
    # Start-up's young garbage first (the collector is held while Home opens): frozen, its
    # cycles would stay for the whole run. The young generations only: a few milliseconds.
    gc.collect(1)
    gc.freeze()


def release_startup_objects() -> None:
    """Undo :func:`set_aside_startup_objects` when the app ends (tests run many apps in one process)."""
    gc.unfreeze()


class CollectorHold:
    """Holds Python's cyclic collector off while screens open and their data comes in.

    Textual can do the same while scrolling (``App.PAUSE_GC_ON_SCROLL``, off by default and
    here). Reference counting still frees almost everything at once; only cycles wait, and
    never for long: the collector runs again once nothing has opened for ``QUIET`` seconds,
    and at the latest ``LONGEST`` seconds after it was held, however fast someone keeps typing.
    """

    QUIET = 0.3
    LONGEST = 2.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock  # tests pass their own, to say what "later" is without waiting for it
        self._since: float | None = None
        self._resume: asyncio.TimerHandle | None = None
        self._closed = False

    def hold(self) -> float | None:
        """Keep the collector off until the app is quiet again. Call on the UI thread.

        Returns the seconds until the collector runs again, or None if it is not held.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop to turn it back on: leave it be
            return None
        if self._closed:
            return None
        now = self._clock()
        if self._since is None:
            if not gc.isenabled():  # someone else turned it off; theirs to turn back on
                return None
            gc.disable()
            self._since = now
        if self._resume is not None:
            self._resume.cancel()
        wait = max(0.0, min(self.QUIET, self._since + self.LONGEST - now))
        self._resume = loop.call_later(wait, self.release)
        return wait

    def release(self) -> None:
        """Let the collector run again (it catches up with what opening the screens left)."""
        if self._resume is not None:
            self._resume.cancel()
            self._resume = None
        if self._since is not None:
            self._since = None
            gc.enable()

    def close(self) -> None:
        """Release for good: the app is closing, and a late delivery must not hold it again."""
        self._closed = True
        self.release()

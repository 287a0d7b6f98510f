"""Showing a screen (or a circle's tab) once its data are read, so its first frame shows them.

Pushed first and filled after, a screen is laid out and drawn twice on the UI thread: once with
empty tables, while its reads wait for the processor, and again with the rows. Read first, it is
drawn once, with them. The reads run side by side in workers; the screen is shown when all are
in, when one failed (the screen then reads again itself and says why), or after WAIT_FOR_DATA,
whichever comes first: a slow store shows the screen without its data, which fill in as they
would have. The screen takes what has arrived with :func:`taken`, and reads what it lacks."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

from screens.work import run_db

if TYPE_CHECKING:
    from circles.store_access import Db

# How long a screen waits for its data before it is shown without them: the large store's
# take a tenth of that.
WAIT_FOR_DATA = 0.3

Reads = Mapping[str, "Callable[[Db], object]"]
T = TypeVar("T")


class ReadFirst:
    """The reads of one screen about to be shown, and what has arrived of them."""

    def __init__(self, app: App[Any], reads: Reads, show: Callable[[dict[str, object]], object]) -> None:
        self.app = app
        self.reads = dict(reads)
        self.arrived: dict[str, object] = {}
        self._show = show
        self.shown = False

    def start(self) -> None:
        hold = getattr(self.app, "hold_keys", None)  # screens/late_keys.py (a test's host app has none)
        if hold is not None:
            hold()
        for key, job in self.reads.items():
            run_db(
                self.app,
                job,
                lambda value, key=key: self._arrived(key, value),  # type: ignore[misc]
                failed=lambda _: self.show(),
                group=f"read-first-{key}",
                exclusive=False,
            )
        self.app.set_timer(WAIT_FOR_DATA, self.show)

    def _arrived(self, key: str, value: object) -> None:
        self.arrived[key] = value
        if self.arrived.keys() == self.reads.keys():
            self.show()

    def show(self) -> None:
        if not self.shown:
            self.shown = True
            release = getattr(self.app, "release_keys", None)
            try:
                shown = self._show(dict(self.arrived))
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


def read_then(app: App[Any], reads: Reads, show: Callable[[dict[str, object]], object]) -> None:
    """Run ``reads`` (by name) side by side, then ``show`` what arrived of them (see the module)."""
    ReadFirst(app, reads, show).start()


class ReadsFirst:
    """A screen (a mixin of it) that can be given its data as it mounts: ``first`` hands each over once."""

    read_first: dict[str, object] | None = None
    _resumed = False

    def coming_back(self) -> bool:
        """Called from the screen's ScreenResume handler: whether this resume brings it back from
        another screen (reload: things may have changed there), not the one that follows its
        mount (its data were just read)."""
        first, self._resumed = not self._resumed, True
        return not first

    def first(self, key: str, kind: type[T]) -> T | None:
        """The value read before the screen was shown under ``key``, if it arrived; else None
        (the screen reads it itself). Each is handed over once: a later reload reads afresh."""
        value = (self.read_first or {}).pop(key, None)
        return value if isinstance(value, kind) else None


def push_read_first(app: App[Any], screen: Screen[Any], reads: Reads) -> None:
    """Push ``screen`` (a ReadsFirst) once ``reads`` are in, giving it what arrived."""
    assert isinstance(screen, ReadsFirst)

    def show(arrived: dict[str, object]) -> Screen[Any]:
        screen.read_first = arrived
        app.push_screen(screen)
        return screen

    read_then(app, reads, show)

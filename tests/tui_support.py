"""Helpers for the TUI's pilot tests: wait for the database workers, read what a screen shows."""

from __future__ import annotations

import asyncio
import builtins
import concurrent.futures
import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator

from textual.app import App
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from screens.textual_internals import (
    messages_unhandled,
    screen_text,  # noqa: F401  (tests import it from here)
)
from screens.work import WRITE_STAND_IN


async def settle(app: App, pilot: Pilot, rounds: int = 100) -> None:
    """Let every worker finish, including workers started by the results of others (a screen
    whose tabs load in turn chains several), and every key typed be handled, then let the
    screen process what they showed. A round is quiet when nothing is left to do: no database
    work running, no key sent by :func:`send` still on its way to the app, no message waiting
    anywhere in the app (a key read, the selection a list's Enter posted, a screen mounting),
    no key held for a screen being opened (screens/late_keys.py); the pilot's pause after it
    waits for the message being handled. Two quiet rounds in a row, or the test fails saying
    what never finished (a round takes at least a pause: 100 are two seconds and more)."""
    quiet = 0
    for _ in range(rounds):
        # Dialogs run as @work coroutines (in the "default" group, or their screen's) and wait
        # for a key: not those. The database work runs in threads, and a write's worker awaits
        # it in the app's write lane (screens/work.py).
        busy = [
            w
            for w in app.workers
            if w.group != "default"
            and w.is_running
            and (getattr(w, "_thread_worker", True) or w.name == WRITE_STAND_IN)
        ]
        if busy:  # an empty list would mean "every worker" to wait_for_complete
            quiet = 0
            # A worker replaced by a newer one (a filter typed again) is cancelled: that is fine.
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(busy)
        elif _unfinished(app):
            quiet = 0
        else:
            quiet += 1
        await pilot.pause()
        if quiet >= 2:
            return
    raise AssertionError(f"the app never settled: {_unfinished(app) or 'its workers kept running'}")


def _unfinished(app: App) -> str:
    """What keeps a round from being quiet, besides workers: '' when nothing does."""
    on_their_way = [key for key in _sent.get(app, []) if not key.done()]
    if on_their_way:
        return f"{len(on_their_way)} keys of a burst on their way to the app"
    if getattr(app, "_held", None) or getattr(app, "_holds", 0):  # screens/late_keys.py's
        return "keys held for a screen being opened"
    pumps = messages_unhandled(app)
    if pumps:
        return "messages still to handle in " + ", ".join(type(pump).__name__ for pump in pumps)
    return ""


async def until(pilot: Pilot, condition: Callable[[], bool], rounds: int = 500) -> None:
    """Let the app run until ``condition()`` holds: for a dialog opened by a worker, say,
    before a key meant for it is pressed (on a loaded machine one pause is not enough)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def scrolling(page: Widget) -> list[Widget]:
    """``page`` and whatever inside it scrolls now (shown and with somewhere to scroll to): a page
    that scrolls in one region gives [page]."""
    return [w for w in [page, *page.query("*")] if w.display and w.max_scroll_y > 0]


def shown(widget: Widget) -> str:
    return str(widget.render())


async def type_text(pilot: Pilot, text: str) -> None:
    """Type like a person: one key press per character (the pilot names "@", " " and the like)."""
    await pilot.press(*text)


def burst(app: App, *keys: str) -> None:
    """Keys as they arrive when they come faster than the app reads them: typed fast over ssh, or
    sent by a browser tab through `circles serve`, several are read at once. Unlike pilot.press,
    nothing is waited for between them. Letters, digits, " " and key names ("backspace", "ctrl+u")."""
    from textual import events

    # A terminal's space comes as the key "space" with its character, as Pilot sends it.
    named = ["space" if key == " " else key for key in keys]
    send(app, *[events.Key(key, " " if key == "space" else key if len(key) == 1 else None) for key in named])


def send(app: App, *keys: Message) -> None:
    """Send each key as a terminal driver does (Driver.send_message): posted to the app from the
    driver's thread, so it reaches the app's queue only once the test lets the loop run. settle
    waits until every key sent has arrived, and been handled."""
    loop = asyncio.get_running_loop()
    sent = _sent.setdefault(app, [])
    sent[:] = [key for key in sent if not key.done()]
    sent.extend(asyncio.run_coroutine_threadsafe(_arrive(app, key), loop) for key in keys)


async def _arrive(app: App, key: Message) -> None:
    app.post_message(key)


# The keys each app was sent, each done once posted to the app.
_sent: weakref.WeakKeyDictionary[App, list[concurrent.futures.Future[None]]] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def threads_importing(module: str) -> Iterator[list[str]]:
    """The name of the thread each import statement of ``module`` ran on meanwhile, one per
    statement ("MainThread" for the app's own). Seen at ``builtins.__import__``, which every
    ``import m`` and ``from package import m`` calls whether or not m is loaded yet, so what a
    screen would import on the UI thread shows even in a process that loaded it before.
    Relative imports (``from . import m``) are not seen; the project writes none."""
    package, _, name = module.rpartition(".")
    seen: list[str] = []
    real = builtins.__import__

    def noting(what: str, globals_=None, locals_=None, fromlist=(), level=0):  # type: ignore[no-untyped-def]
        if what == module or (what == package and fromlist and name in fromlist):
            seen.append(threading.current_thread().name)
        return real(what, globals_, locals_, fromlist, level)

    builtins.__import__ = noting
    try:
        yield seen
    finally:
        builtins.__import__ = real

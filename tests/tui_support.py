"""Helpers for the TUI's pilot tests: wait for the database workers, read what a screen shows."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
from collections.abc import Awaitable, Callable

from rich.console import Console
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import WorkerCancelled


async def settle(app: App, pilot: Pilot, rounds: int = 20) -> None:
    """Let every worker finish, including workers started by the results of others (a screen
    whose tabs load in turn chains several), then let the screen process what they showed."""
    quiet = 0
    for _ in range(rounds):
        # Dialogs run as @work coroutines (in the "default" group, or their screen's) and wait
        # for a key: not those. The database work runs in threads.
        busy = [
            w
            for w in app.workers
            if w.group != "default" and w.is_running and getattr(w, "_thread_worker", True)
        ]
        if busy:  # an empty list would mean "every worker" to wait_for_complete
            quiet = 0
            # A worker replaced by a newer one (a filter typed again) is cancelled: that is fine.
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(busy)
        else:
            quiet += 1
        await pilot.pause()
        if quiet >= 2:
            return


async def until(pilot: Pilot, condition: Callable[[], bool], rounds: int = 200) -> None:
    """Let the app run until ``condition()`` holds: for a dialog opened by a worker, say,
    before a key meant for it is pressed (on a loaded machine one pause is not enough)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def shown(widget: Widget) -> str:
    return str(widget.render())


async def type_text(pilot: Pilot, text: str) -> None:
    """Type like a person: one key press per character."""
    await pilot.press(*[c if c.isalnum() else _character_to_key(c) for c in text])


def pilot_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async pilot test on its own event loop (the suite has no asyncio plugin)."""

    @functools.wraps(fn)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(fn(*args, **kwargs))

    return run


def screen_text(app: App) -> str:
    """What the terminal shows now, as plain lines: the picture a screenshot takes, without colour
    (so an assertion on it also proves that a thing is not told apart by colour alone)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False, safe_box=False
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)

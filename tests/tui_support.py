"""Helpers for the TUI's pilot tests: wait for the database workers, read what a screen shows."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from screens.textual_internals import screen_text  # noqa: F401  (tests import it from here)
from screens.work import WRITE_STAND_IN


async def settle(app: App, pilot: Pilot, rounds: int = 20) -> None:
    """Let every worker finish, including workers started by the results of others (a screen
    whose tabs load in turn chains several), then let the screen process what they showed."""
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
        else:
            quiet += 1
        await pilot.pause()
        if quiet >= 2:
            return


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


def shown(widget: Widget) -> str:
    return str(widget.render())


async def type_text(pilot: Pilot, text: str) -> None:
    """Type like a person: one key press per character (the pilot names "@", " " and the like)."""
    await pilot.press(*text)


def burst(app: App, *keys: str) -> None:
    """Keys as they arrive when they come faster than the app reads them: typed fast over ssh, or
    sent by a browser tab through `circles serve`, several are read at once. Unlike pilot.press,
    nothing is waited for between them. Letters, digits and key names ("backspace", "ctrl+u")."""
    from textual import events

    assert app._driver is not None
    for key in keys:
        # A terminal's space comes as the key "space" with its character, as Pilot sends it.
        character = " " if key == "space" else key if len(key) == 1 else None
        app._driver.send_message(events.Key(key, character))

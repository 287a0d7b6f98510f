"""Writing a file a person named, from a dialog: the rule every export follows (its folder must
exist, a folder or a link in the way is refused: circles/exports/atomic.py), and a file that is
there already replaced only once they said so, where the command line asks for --force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import Screen

from circles.errors import CirclesError, NotAllowed
from circles.exports.atomic import check_target
from screens.dialogs import ConfirmScreen

# What a dialog says when the person chose to keep the file that is there.
NOT_REPLACED = "Not exported: the file is there already."


async def may_write(screen: Screen[Any], path: Path) -> CirclesError | None:
    """Why ``path`` is not to be written, or None: it can be, and a file there may be replaced.

    Asks "Replace?" only for a file that is there and could be written (in a worker: it waits
    for the answer); a folder or a link in the way is refused first, never offered to replace.
    The refusal names the field "file" (a form shows it under its File box) or, when the person
    kept the file, says :data:`NOT_REPLACED`."""
    try:
        check_target(path, force=True, field="file")
    except CirclesError as exc:
        return exc
    if path.exists():
        ask = ConfirmScreen(f"{path} already exists. Replace it?", yes="Replace")
        if not await screen.app.push_screen_wait(ask):
            return NotAllowed(NOT_REPLACED)
    return None

"""Writing a file a person named, from a dialog: the rule every export follows (its folder must
exist, a folder or a link in the way is refused: circles/exports/atomic.py), and a file that is
there already replaced only once they said so, where the command line asks for --force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import Screen

from circles.errors import CirclesError
from circles.exports.atomic import check_target
from screens.dialogs import ConfirmScreen

# What a dialog says when the person chose to keep the file that is there.
NOT_REPLACED = "Not exported: the file is there already."


def target_problem(path: Path) -> str | None:
    """Why ``path`` cannot be written, in one line naming it; None when it can (perhaps by
    replacing the file there, which ``replace_agreed`` asks about)."""
    try:
        check_target(path, force=True, field="file")
    except CirclesError as exc:
        return str(exc)
    return None


async def replace_agreed(screen: Screen[Any], path: Path) -> bool:
    """Whether the person answers "Replace" for the file at ``path``, which is there (in a
    worker: it waits for the answer). Callers ask only when ``path.exists()``: nothing to wait
    for otherwise."""
    ask = ConfirmScreen(f"{path} already exists. Replace it?", yes="Replace")
    replace: bool = await screen.app.push_screen_wait(ask)
    return replace

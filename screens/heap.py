"""Keeping a long session light: a facilitator opens hundreds of screens in a day, and each
screen should cost the same on the last as on the first.

Two things would make the app slower the longer it runs:

- Textual (8.x) keeps a watcher for every Header ever mounted on the app's ``title`` and
  ``sub_title``, and one for every footer key on its Footer's ``compact``; it drops a
  watcher only when that value next changes, which in this app is never. Each watcher
  holds its widget and that widget's render caches: about a thousand objects per screen.
- Python's collector walks every live object now and then; with the ~150,000 objects the
  app holds once started (modules, classes, stylesheets), each full pass stalled a screen
  for 100-250 ms.
"""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App
from textual.widgets import Footer


def forget_closed_watchers(app: App[Any]) -> int:
    """Drop the watchers whose widget has left the screen; returns how many were dropped.

    The attribute is the one Textual itself prunes (``reactive._check_watchers``), using the
    same test; only the moment differs.
    """
    owners: list[object] = [app, *(f for s in app.screen_stack for f in s.query(Footer))]
    dropped = 0
    for owner in owners:
        for watchers in getattr(owner, "__watchers", {}).values():
            alive = [(node, callback) for node, callback in watchers if node.is_attached]
            dropped += len(watchers) - len(alive)
            watchers[:] = alive
    return dropped


def set_aside_startup_objects() -> None:
    """Move everything alive now (what start-up loaded, kept for the whole run) out of the
    collector's sight, so a full pass walks only what screens create afterwards."""
    gc.freeze()


def release_startup_objects() -> None:
    """Undo :func:`set_aside_startup_objects` when the app ends (tests run many apps in one process)."""
    gc.unfreeze()

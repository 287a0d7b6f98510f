"""The main screens' code, loaded while the facilitator reads Home after start-up.

Each screen's modules are imported the first time it opens (start-up stays fast: CONTRIBUTING),
and a screen's first open after a start paid for them: the first circle opened loaded a hundred
and fifty modules, icalendar among them, for a first open of 0.45 s where later ones take 0.13
(bench/first_open.py). Once Home has shown what it read from the store, CirclesApp loads them
in a worker, off the UI thread, while nobody waits for a screen.
"""

from __future__ import annotations

import importlib

# What the main screens import when they open, with what they import in the functions that read
# or show their data (a circle's and a session's delivery line: icalendar). Only what a screen
# needs to show itself: forms and dialogs opened from it load when they are asked for.
MAIN_SCREENS = (
    "screens.circles",
    "screens.circle",
    "circles.services.delivery",
    "screens.send_dialog",
    "circles.services.success",
    "screens.session",
    "screens.checkin",
    "screens.people",
    "screens.person",
    "screens.recognition",
    "circles.services.recognition",
    "screens.organisation",
)


def load_main_screens() -> None:
    """Import the main screens' modules (a worker's job: most of a second of the interpreter)."""
    for name in MAIN_SCREENS:
        importlib.import_module(name)

"""A screen styled once as it opens: Textual styles each widget as it mounts, then, when the screen
becomes the current one (its first ScreenResume, right after mounting), styles the whole screen
again. For a screen just pushed the second pass redoes the first (a tenth of the processor time
of opening the session screen on the large store). Later resumes are left as Textual sends them."""

from __future__ import annotations

from textual import events, on
from textual.screen import Screen


class StyledOnceScreen(Screen[None]):
    """A Screen whose first ScreenResume (the one that follows its mount) leaves its styles alone."""

    _opened = False

    @on(events.ScreenResume)
    def _styled_as_mounted(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler (subclasses' handlers come first), which reads the flag.
        if not self._opened:
            self._opened = True
            event.refresh_styles = False

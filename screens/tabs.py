"""Tabs that stay where they were brought: a screen's TabbedContent, with one way to switch."""

from __future__ import annotations

from textual.widgets import TabbedContent


class Tabs(TabbedContent):
    """A TabbedContent whose ``bring_forward`` leaves no focus behind in the tab it hides.

    A TabbedContent shows the tab of whatever takes the focus. When the focused table's tab
    is hidden, Textual moves the focus to a focusable neighbour in the same, now hidden, tab
    (a scrolling note beside the table), and the tabs switch back to it: the programme's
    Confirm, which brings the Pairs tab forward, could end on Proposals, depending on which
    of the hide and the new tab's focus came first. The focus is let go before the switch,
    so nothing in the hidden tab holds it; the screen focuses the new tab's table when it
    is activated."""

    def bring_forward(self, tab: str) -> None:
        if tab == self.active:
            return
        focused = self.screen.focused
        if focused is not None and self.active and self.get_pane(self.active) in focused.ancestors:
            self.screen.set_focus(None)
        self.active = tab

"""The first screen: up at once while the store opens (and upgrades) in the background."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.footer import Footer
from screens.header import Header


class StartScreen(Screen[None]):
    BINDINGS = [
        Binding("q", "app.quit", "Quit", tooltip="Close circles (ctrl+q quits from any screen)"),
        Binding("escape", "stay", show=False),  # nothing to go back to: no "esc Back" (see Home)
    ]

    def action_stay(self) -> None:
        """Escape while the store opens: there is nowhere to go back to."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening your store…", id="start-status", classes="hint", markup=False)
        yield Footer()

    def failed(self, reason: str) -> None:
        """Say why the store did not open (never its password), and how to get out."""
        self.query_one("#start-status", Static).update(
            f"The store could not be opened.\n\n{reason}\n\n"
            "Check --db or CIRCLES_DATABASE_URL ('circles db path' shows which store is used). "
            "Press q to quit."
        )

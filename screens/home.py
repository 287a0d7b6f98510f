"""Home: what is coming up. (Placeholder until the TUI issue builds it out.)"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class HomeScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Welcome to circles.", id="welcome")
        yield Footer()

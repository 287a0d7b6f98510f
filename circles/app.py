"""The Textual app: built from a Store (which carries the clock), so tests build it on an in-memory store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from models.store import Store
from screens.palette import FindProvider


class CirclesApp(App[None]):
    TITLE = "circles"
    CSS_PATH = Path(__file__).resolve().parent.parent / "screens" / "app.tcss"
    COMMANDS = App.COMMANDS | {FindProvider}
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Every key on this screen"),
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        from screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def now(self) -> datetime:
        """The Store's clock, so tests and snapshots see a fixed time."""
        return self.store.clock()

    def action_back(self) -> None:
        # The default screen and Home stay: Escape on Home does nothing rather than leave a blank app.
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        from screens.dialogs import HelpScreen

        seen: set[str] = set()
        keys: list[tuple[str, str]] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            what = binding.description + (f": {active.tooltip}" if active.tooltip else "")
            keys.append((self.get_key_display(binding) or key, what))
        keys.append(("ctrl+p", "Find any circle, person or session by name; change the theme"))
        about = getattr(self.screen, "HELP", "") or ""
        self.push_screen(HelpScreen(self.screen.title or self.screen.__class__.__name__, keys, about))

    def open_circle(self, circle_id: int) -> None:
        from screens.circle import CircleScreen

        self.push_screen(CircleScreen(circle_id))

    def open_person(self, person_id: int) -> None:
        from screens.person import PersonScreen

        self.push_screen(PersonScreen(person_id))

    def open_session(self, session_id: int) -> None:
        from screens.session import SessionScreen

        self.push_screen(SessionScreen(session_id))


def run(store: Store) -> None:
    CirclesApp(store).run()

"""The Textual app: built from a Store and a clock, so tests build it on an in-memory store."""

from __future__ import annotations

from textual.app import App

from models.store import Store


class CirclesApp(App[None]):
    TITLE = "circles"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        from screens.home import HomeScreen

        self.push_screen(HomeScreen())


def run(store: Store) -> None:
    CirclesApp(store).run()

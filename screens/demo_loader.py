"""Loading demo data into an empty store, with a progress bar, in a thread so the screen keeps moving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import ProgressBar, Static

from circles.errors import CirclesError
from screens.dialogs import Dialog
from screens.work import run_db, show_error

if TYPE_CHECKING:
    from circles.store_access import Db


class DemoLoader(Dialog[bool]):
    def __init__(self, size: str = "small") -> None:
        super().__init__()
        self.demo_size = size

    def compose_body(self) -> ComposeResult:
        yield Static("Loading demo data…", classes="form-title")
        yield ProgressBar(total=100, id="demo-progress", show_eta=False)
        yield Static("", id="demo-stage", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing to cancel or submit: the demo is written in one go, and says when it is done.
        return action not in ("cancel", "submit")

    def on_mount(self) -> None:
        app = self.app

        def progress(stage: str, fraction: float) -> None:
            app.call_from_thread(self._progress, stage, fraction)

        def fill(db: Db) -> None:
            from circles.demo import fill_demo

            fill_demo(db, size=self.demo_size, progress=progress)

        # One write, all or nothing: if the store was busy it is tried again from the start.
        run_db(self, fill, lambda _: self.dismiss(True), write=True, failed=self._failed, group="demo")

    def _progress(self, stage: str, fraction: float) -> None:
        self.query_one(ProgressBar).update(progress=round(fraction * 100))
        self.query_one("#demo-stage", Static).update(stage)

    def _failed(self, error: CirclesError) -> None:
        show_error(self, error)
        self.dismiss(False)

"""The driver the app runs on behind `circles serve`: Textual's web driver, starting focused.

Textual's web driver tells the app it has lost focus as it starts (so the footer shows no keys)
and relies on the page to say "focus" later; but the page's focus can reach the app before that
first blur is handled, and is then undone by it. Our page focuses its terminal as it loads
(circles/serve/static/focus.js), so the app starts focused: a focus queued right behind that
first blur, in the same order. A later blur from the page (the tab left, another window
clicked) still counts.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.drivers.web_driver import WebDriver


class FocusedWebDriver(WebDriver):
    def __init__(self, app: App[Any], **options: Any) -> None:
        super().__init__(app, **options)
        self.circles_app = app

    def start_application_mode(self) -> None:
        super().start_application_mode()
        self.circles_app.call_later(self.circles_app.post_message, events.AppFocus())

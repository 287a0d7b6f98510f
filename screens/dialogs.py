"""Small modal questions: confirm a destructive action; show the keys (help)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks before anything is removed or cancelled. Enter or y confirms; Escape or n keeps things."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(self.question, id="question", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen underneath, plus the ones that work everywhere."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, title: str, keys: list[tuple[str, str]], about: str = "") -> None:
        super().__init__(classes="dialog")
        self.help_title = title
        self.keys = keys
        self.about = about

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog-body"):
            yield Static(f"Keys on {self.help_title}", classes="form-title", markup=False)
            if self.about:
                yield Static(self.about, id="help-about", markup=False)
            width = max((len(k) for k, _ in self.keys), default=4) + 2
            lines = [f"{k.ljust(width)}{what}" for k, what in self.keys]
            yield Static("\n".join(lines), id="help-keys", markup=False)
            yield Static("Press Escape or ? to close.", classes="hint", markup=False)

"""Modal dialogs: the base every dialog and form is built on, and the small ones (confirm a
destructive action, show the keys, pick one of a list, ask for a count)."""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from circles import validate
from circles.errors import InvalidInput
from screens.footer import Footer
from screens.one_line import OneLineInput

T = TypeVar("T")
# Rows a half-screen list keeps however short the terminal: a few choices to move between.
HALF_SCREEN_AT_LEAST = 5


class Buttons(Horizontal):
    """A dialog's row of buttons, in the one order every dialog uses: its action first (Save,
    Export, Yes), then the way out (Cancel, Close, No); right-aligned. Taking the action as its
    own argument is what keeps the order the same everywhere."""

    def __init__(self, action: Button, *others: Button) -> None:
        super().__init__(action, *others, classes="dialog-buttons")
        self.action = action


class DialogBody(VerticalScroll, can_focus=False):
    """The scrolling box of a dialog; Tab goes from field to field, not to the box."""


class Dialog(ModalScreen[T]):
    """Every modal dialog and form. Subclasses write ``compose_body()``; the base puts it in a
    box that scrolls when the terminal is short (80x24), so the focused field is always in view
    (focusing a widget scrolls it in), and adds the footer. Escape cancels; ctrl+s does the
    dialog's action (presses the first button of its ``Buttons``) in every dialog."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }
    Dialog > .dialog-body {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    /* Long labels and titles wrap instead of running past the border. */
    Dialog > .dialog-body Label {
        width: 100%;
    }
    Dialog .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    Dialog .dialog-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything"),
        Binding("ctrl+s", "submit", "OK", tooltip="Do what the dialog is for"),
    ]

    def compose(self) -> ComposeResult:
        with DialogBody(classes="dialog-body"):
            yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def scroll_to_center(self, widget: Widget, animate: bool = True, **kwargs: Any) -> None:
        """Where the screen brings a newly focused field into view: by the least scroll, without
        animation. Textual centres it, and a field focused as the dialog opens (before the box
        has its height) opened forms scrolled past their title and first label."""
        self.query_one(DialogBody).scroll_to_widget(widget, animate=False)

    def action_submit(self) -> None:
        buttons = self.query(Buttons)
        if buttons and not buttons.first().action.disabled:
            buttons.first().action.press()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_resize(self, event: events.Resize) -> None:
        # A list of class "half-screen" scrolls within half the screen, capped here in cells:
        # capped as "max-height: 50vh" in CSS, the box still made room for the whole list (the
        # person picker at 120x40 had seven blank rows under its hint).
        for widget in self.query(".half-screen"):
            widget.styles.max_height = max(HALF_SCREEN_AT_LEAST, event.size.height // 2)


class ConfirmScreen(Dialog[bool]):
    """Asks before anything is removed or cancelled. y (or ctrl+s) confirms; Escape or n keeps things.

    ``cancel=True`` asks a question whose no is an answer too ("Did they meet?"): n answers no
    (False), and Escape, or its Cancel button, leaves things as they are (None)."""

    DEFAULT_CSS = """
    ConfirmScreen > .dialog-body {
        width: 70;
        border: thick $warning;
        padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "escape", "No", show=False),
        Binding("ctrl+s", "answer(True)", "Yes", show=False),
    ]

    def __init__(self, question: str, yes: str = "Yes", *, cancel: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.cancel = cancel

    def compose_body(self) -> ComposeResult:
        yield Static(self.question, id="question", markup=False)
        ways_out = [Button("No (n)", id="no")]
        if self.cancel:
            ways_out.append(Button("Cancel (esc)", id="cancel"))
        yield Buttons(Button(f"{self.yes} (y)", variant="error", id="yes"), *ways_out)

    def on_mount(self) -> None:
        # Enter on the focused button: the way out that changes nothing.
        self.query_one("#cancel" if self.cancel else "#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_escape(self) -> None:
        self.dismiss(None if self.cancel else False)


class HelpScreen(Dialog[None]):
    """The keys of the screen underneath, plus the ones that work everywhere."""

    DEFAULT_CSS = """
    HelpScreen > .dialog-body {
        width: 90;
        border: thick $warning;
        padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "cancel", "Close"),
        Binding("ctrl+s", "cancel", "Close", show=False),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]], about: str = "") -> None:
        super().__init__()
        self.help_title = title
        self.keys = keys
        self.about = about

    def compose_body(self) -> ComposeResult:
        yield Static(f"Keys on {self.help_title}", classes="form-title", markup=False)
        if self.about:
            yield Static(self.about, id="help-about", markup=False)
        yield KeyList(self.keys, id="help-keys")
        yield Static("Press Escape or ? to close.", classes="hint", markup=False)

    def on_mount(self) -> None:
        # The keys scroll with ↑/↓: here the box itself takes the focus (nothing else would).
        body = self.query_one(DialogBody)
        body.can_focus = True
        body.focus()


class KeyList(Static):
    """Keys in a column and what each does beside it; a description too long for its line goes
    on under itself, not under the keys (at 80 columns Search's did, from the dialog's edge)."""

    def __init__(self, keys: list[tuple[str, str]], **options: Any) -> None:
        super().__init__(**options)
        self.keys = keys

    def lines(self, width: int) -> list[str]:
        indent = max((len(k) for k, _ in self.keys), default=4) + 2
        lines = []
        for key, what in self.keys:
            first, *rest = textwrap.wrap(what, max(width - indent, 20)) or [""]
            lines.append(key.ljust(indent) + first)
            lines.extend(" " * indent + line for line in rest)
        return lines

    def render(self) -> Text:
        return Text("\n".join(self.lines(self.content_size.width or 80)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))


class ChoiceScreen(Dialog[str | None]):
    """Pick one option of a list. A long list has a box to type part of a name into; ↑/↓ move,
    Enter (or ctrl+s) picks the highlighted option, Escape cancels."""

    FILTER_FROM = 9  # options; fewer fit on one screen without narrowing
    HOW = "↑/↓ move, Enter picks, Escape cancels."
    DEFAULT_CSS = """
    ChoiceScreen #choices {
        height: auto;  /* at most half the screen (half-screen): it scrolls, the title stays */
    }
    ChoiceScreen #choice-filter {
        margin-bottom: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Pick", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.choice_title = title
        self.options = options

    def compose_body(self) -> ComposeResult:
        yield Static(self.choice_title, classes="form-title", markup=False)
        if len(self.options) >= self.FILTER_FROM:
            yield OneLineInput(placeholder="Type part of a name", compact=True, id="choice-filter")
        yield OptionList(*self._shown(""), id="choices", classes="half-screen", compact=True)
        yield Static(self.HOW, id="choice-hint", classes="hint", markup=False)

    def _shown(self, text: str) -> list[Option]:
        wanted = text.strip().casefold()
        return [Option(Text(label), id=key) for key, label in self.options if wanted in label.casefold()]

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        if choices.option_count:
            choices.highlighted = 0
        filters = self.query("#choice-filter")
        (filters.first() if filters else choices).focus()

    @on(Input.Changed, "#choice-filter")
    def _narrow(self, event: Input.Changed) -> None:
        choices = self.query_one(OptionList)
        choices.clear_options()
        choices.add_options(self._shown(event.value))
        if choices.option_count:
            choices.highlighted = 0
        # An empty list and an Enter that does nothing said nothing of why.
        hint = self.query_one("#choice-hint", Static)
        hint.update(
            self.HOW
            if choices.option_count
            else f"Nothing matches {event.value.strip()!r}: Backspace shows more, Escape cancels."
        )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#choice-filter")
    def action_submit(self) -> None:
        choices = self.query_one(OptionList)
        if choices.highlighted is not None:
            self.dismiss(choices.get_option_at_index(choices.highlighted).id)

    def action_move(self, step: int) -> None:
        # The cursor moves in the list while the typing stays in the box.
        choices = self.query_one(OptionList)
        if choices.option_count:
            current = choices.highlighted or 0
            choices.highlighted = max(0, min(choices.option_count - 1, current + step))


class CountScreen(Dialog[int | None]):
    """Ask how many sessions to plan: a whole number from 1 to ``most``."""

    DEFAULT_CSS = """
    CountScreen > .dialog-body { width: 60; }
    CountScreen #count-error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Plan", tooltip="Plan them"),
    ]

    def __init__(self, title: str, default: int = 10, *, most: int) -> None:
        super().__init__()
        self.count_title = title
        self.default = default
        self.most = most

    def compose_body(self) -> ComposeResult:
        yield Static(self.count_title, classes="form-title", markup=False)
        yield OneLineInput(str(self.default), id="count", type="integer", compact=True)
        yield Static("", id="count-error", markup=False)
        yield Static("Enter plans them, Escape cancels.", classes="hint")

    @on(Input.Submitted)
    def action_submit(self) -> None:
        value = self.query_one("#count", Input).value.strip()
        try:
            count = validate.parse_int(value, "count")
            if not 1 <= count <= self.most:
                raise InvalidInput("count", value, f"must be between 1 and {self.most}")
        except InvalidInput as error:
            self.query_one("#count-error", Static).update(str(error))
            return
        self.dismiss(count)

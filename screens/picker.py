"""Pick a person by typing part of their name, e-mail or team; or create a new one on the spot."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from circles.services import people
from circles.views import PersonView
from screens.dialogs import Dialog
from screens.format import named
from screens.one_line import OneLineInput
from screens.work import run_db

NEW = "new"
LIMIT = 30


class PersonPicker(Dialog[PersonView | None]):
    """Matches come from SQL with a LIMIT, so a store of 10,000 people answers as fast as one of 10."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Pick", tooltip="Pick the highlighted person"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, title: str, *, exclude: set[int] | None = None) -> None:
        super().__init__()
        self.picker_title = title
        self.exclude = exclude or set()
        self.found: dict[str, PersonView] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(self.picker_title, classes="form-title", markup=False)
        yield OneLineInput(
            label="Search", placeholder="Type part of a name, e-mail or team", compact=True, id="search"
        )
        yield OptionList(id="matches", compact=True)
        yield Static("↑/↓ move, Enter picks the highlighted person, Escape cancels.", classes="hint")

    def on_mount(self) -> None:
        self.search("")

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def search(self, text: str) -> None:
        exclude = self.exclude
        run_db(
            self,
            lambda db: [
                p
                for p in people.list_people(db, search=text or None, limit=LIMIT + len(exclude))
                if p.id not in exclude
            ][:LIMIT],
            lambda found: self.show(text, found),
        )

    def show(self, text: str, found: list[PersonView]) -> None:
        self.found = {str(p.id): p for p in found}
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        label = f"+ New person {text!r}" if text.strip() else "+ New person"
        options.add_options(
            [
                Option(Text(named(p.name, p.email) + (f"  {p.team}" if p.team else "")), id=str(p.id))
                for p in found
            ]
            + [Option(Text(label), id=NEW)]
        )
        options.highlighted = 0

    @on(Input.Submitted, "#search")
    def action_submit(self) -> None:
        options = self.query_one("#matches", OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#matches")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, option_id: str | None) -> None:
        if option_id == NEW:
            from screens.forms import person_form

            text = self.query_one("#search", Input).value.strip()
            self.app.push_screen(person_form(None, name=text), self._created)
        elif option_id in self.found:
            self.dismiss(self.found[option_id])

    def _created(self, person: PersonView | None) -> None:
        if person is not None:
            self.dismiss(person)

    def action_move(self, step: int) -> None:
        # The cursor moves in the list while the typing stays in the search box.
        options = self.query_one("#matches", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

"""Pick a person by typing part of their name, e-mail or team; or create a new one on the spot.
Adding members, it stays open for the next one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from circles.errors import CirclesError
from circles.services import people
from circles.views import PersonView
from screens.dialogs import Dialog
from screens.format import named
from screens.one_line import OneLineInput
from screens.work import run_db

NEW = "new"
LIMIT = 30


class PersonPicker(Dialog[PersonView | None]):
    """Matches come from SQL with a LIMIT, so a store of 10,000 people answers as fast as one of 10.

    Given ``add`` (a write job for one person: joining a circle), each pick is added at once and the
    picker stays open, its search cleared for the next name, until Escape: a new circle's six
    members are six names in a row, not six trips back to the circle. ``added`` lists who was."""

    DEFAULT_CSS = """
    /* One person a line: wrapped, the tail of a long one ("University Lab", a team) stood
       under the names at the left edge and read as another person. The team, last, is cut first. */
    PersonPicker #matches {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    PersonPicker #picker-added {
        color: $success;
        height: auto;
    }
    """
    BINDINGS = [
        # One key; the footer names what it does here (check_action picks).
        Binding("escape", "cancel", "Cancel"),
        Binding("escape", "done", "Done", tooltip="Close: everyone listed has been added"),
        Binding("ctrl+s", "submit", "Pick", tooltip="Pick the highlighted person"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(
        self,
        title: str,
        *,
        exclude: set[int] | None = None,
        add: Callable[[Any, PersonView], object] | None = None,
    ) -> None:
        super().__init__()
        self.picker_title = title
        self.exclude = exclude or set()
        self.found: dict[str, PersonView] = {}
        self._add = add
        self.added: list[PersonView] = []

    def compose_body(self) -> ComposeResult:
        yield Static(self.picker_title, classes="form-title", markup=False)
        yield OneLineInput(
            label="Search", placeholder="Type part of a name, e-mail or team", compact=True, id="search"
        )
        yield OptionList(id="matches", classes="half-screen", compact=True)
        if self._add is not None:
            yield Static("", id="picker-added", markup=False)
            yield Static(
                "↑/↓ move, Enter adds the highlighted person and the list stays for the next; "
                "Escape when done.",
                classes="hint",
            )
        else:
            yield Static("↑/↓ move, Enter picks the highlighted person, Escape cancels.", classes="hint")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self._add is None
        if action == "done":
            return self._add is not None
        return True

    def action_done(self) -> None:
        self.dismiss(None)

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
                # Not those who have left the organisation (inactive): a circle or programme
                # they join would invite and pair someone who is gone.
                for p in people.list_people(
                    db, search=text or None, include_inactive=False, limit=LIMIT + len(exclude)
                )
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
            self._picked(self.found[option_id])

    def _created(self, person: PersonView | None) -> None:
        if person is not None:
            self._picked(person)

    def _picked(self, person: PersonView) -> None:
        if self._add is None:
            self.dismiss(person)
            return
        add = self._add
        # Cleared now, not once saved: the next name may be on its way already.
        self.exclude.add(person.id)
        self._say(f"Adding {person.name}…")
        search = self.query_one("#search", Input)
        search.value = ""
        search.focus()
        run_db(
            self,
            lambda db: add(db, person),
            lambda _: self._was_added(person),
            write=True,
            failed=lambda error: self._not_added(person, error),
            group="add",
            exclusive=False,
        )

    def _was_added(self, person: PersonView) -> None:
        self.added.append(person)
        self._say("Added: " + ", ".join(p.name for p in self.added) + ".")

    def _not_added(self, person: PersonView, error: CirclesError) -> None:
        self.exclude.discard(person.id)
        self._say(f"{person.name} was not added: {error}")

    def _say(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#picker-added", Static).update(text)

    def action_move(self, step: int) -> None:
        # The cursor moves in the list while the typing stays in the search box.
        options = self.query_one("#matches", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

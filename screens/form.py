"""Modal create/edit forms: one error line under each field, nothing saved until every field is valid,
and a service's own refusal (duplicate name, someone else's edit) shown rather than swallowed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, Select, Static

from circles.errors import CirclesError, Conflict, InvalidInput
from screens.dialogs import Buttons, Dialog
from screens.one_line import OneLineInput
from screens.toggles import Checkbox
from screens.work import run_db

T = TypeVar("T")


@dataclass
class Field:
    """One input of a form. ``check`` raises InvalidInput (from circles.validate) when the text is bad."""

    name: str
    label: str
    value: Any = ""
    placeholder: str = ""
    required: bool = False
    check: Callable[[str], object] | None = None
    choices: Sequence[tuple[str, Any]] | None = None  # a Select instead of an Input
    checkbox: bool = False
    # The field names a service uses in InvalidInput for this input ("length" for minutes...).
    aliases: tuple[str, ...] = field(default_factory=tuple)
    # For a Select of people: the title of a picker over everyone in the directory, offered as
    # a last choice (a guest speaker is not a member of the circle).
    anyone: str | None = None
    # A required field that may stay empty while this checkbox is ticked (a guest's e-mail).
    optional_if: str | None = None


ANYONE = "anyone"  # the Select value of "Someone else…"
SOMEONE_ELSE = ("Someone else…", ANYONE)


class FormScreen(Dialog[T | None], Generic[T]):
    """Subclasses (or callers) give the fields and ``save(db, values) -> result``, run in a write worker."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "submit", "Save", tooltip="Check the fields and save"),
        Binding(
            "ctrl+r", "load_theirs", "Load their version", tooltip="After a conflict: see what is saved now"
        ),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        save: Callable[[Any, dict[str, Any]], T],
        *,
        reopen: Callable[[Any], FormScreen[T]] | None = None,
        start_on: str | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self._save = save
        # The field the cursor starts in when the form knows better than first_to_fill (the
        # number of sessions to plan, once the circle's cadence is known).
        self._start_on = start_on
        # Builds this form again from what is stored now: offered when someone else saved first.
        self._reopen = reopen
        self._conflict = False
        self._tried = False
        # Select fields with "Someone else…": the last real choice, and the people picked into it.
        self._chosen: dict[str, Any] = {}
        self._picked: dict[str, list[tuple[Any, Any]]] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(self.form_title, classes="form-title", markup=False)
        for f in self.fields:
            if not f.checkbox:
                yield Label(f.label + (" *" if f.required else ""), classes="field-label")
            if f.choices is not None:
                yield Select(
                    self._options(f), value=f.value, allow_blank=False, compact=True, id=f"f-{f.name}"
                )
            elif f.checkbox:
                yield Checkbox(f.label, value=bool(f.value), compact=True, id=f"f-{f.name}")
            else:
                # Pasted lines are joined, not cut to the first (screens/one_line.py).
                yield OneLineInput(
                    str(f.value or ""),
                    label=f.label,
                    placeholder=f.placeholder,
                    compact=True,
                    id=f"f-{f.name}",
                )
            yield Static("", id=f"e-{f.name}", classes="field-error", markup=False)
        yield Static("", id="form-error", markup=False)
        yield Buttons(
            Button("Save (ctrl+s)", variant="primary", compact=True, id="save"),
            Button("Cancel (esc)", compact=True, id="cancel"),
        )

    def on_mount(self) -> None:
        self.query_one(f"#f-{self.first_to_fill().name}").focus()

    def first_to_fill(self) -> Field:
        """Where the cursor starts: the first field a person must fill, that is the first
        required field still empty (the title of a new agenda item, the e-mail of a person
        named in the picker). When every required field already has a value (a new session's
        date is the next likely one; an edit), the first field: forms put first what people
        change most, the date of a session or of an absence, and its text is selected, so
        typing replaces it. A later field (a session's title) never takes a typed date.
        """
        if self._start_on is not None:
            return next(f for f in self.fields if f.name == self._start_on)
        given = {f.name: f.value for f in self.fields}
        for f in self.fields:
            if self._required(f, given) and not str(f.value if f.value is not None else "").strip():
                return f
        return self.fields[0]

    def _required(self, f: Field, values: dict[str, Any]) -> bool:
        return f.required and not (f.optional_if is not None and bool(values.get(f.optional_if)))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#f-{f.name}")
            if isinstance(widget, Input):
                out[f.name] = widget.value.strip()
            elif isinstance(widget, (Select, Checkbox)):
                out[f.name] = widget.value
        return out

    def _problem(self, f: Field, value: Any, values: dict[str, Any]) -> str | None:
        if self._required(f, values) and (value is None or (isinstance(value, str) and not value.strip())):
            return f"{f.label} is required"
        if f.check is not None and isinstance(value, str) and value:
            try:
                f.check(value)
            except InvalidInput as exc:
                return exc.detail
            except CirclesError as exc:
                return str(exc)
            except Exception:  # a checker's own slip must not cost the person their form
                return f"{f.label} is not valid"
        return None

    def set_error(self, name: str, message: str | None) -> None:
        box = self.query_one(f"#e-{name}", Static)
        box.update(message or "")
        box.set_class(bool(message), "shown")

    def validate_all(self) -> bool:
        values = self.values()
        first_bad: str | None = None
        for f in self.fields:
            problem = self._problem(f, values[f.name], values)
            self.set_error(f.name, problem)
            if problem and first_bad is None:
                first_bad = f.name
        if first_bad is not None:
            self.focus_to_fix(first_bad)
        return first_bad is None

    def focus_to_fix(self, name: str) -> None:
        """Back to a field with an error: its text stays whole, the cursor at its end."""
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, OneLineInput):
            widget.focus_to_fix()
        else:
            widget.focus()

    @on(Input.Changed)
    def _recheck(self, event: Input.Changed) -> None:
        # Before the first save attempt, quiet; after it, each fix clears its own message at once.
        if not self._tried or event.input.id is None:
            return
        name = event.input.id.removeprefix("f-")
        f = next((f for f in self.fields if f.name == name), None)
        if f is not None:
            self.set_error(name, self._problem(f, event.value, self.values()))

    @on(Checkbox.Changed)
    def _recheck_dependants(self, event: Checkbox.Changed) -> None:
        # Ticking "guest" makes the e-mail optional: its "is required" goes at once.
        name = (event.checkbox.id or "").removeprefix("f-")
        if self._tried:
            values = self.values()
            for f in self.fields:
                if f.optional_if == name:
                    self.set_error(f.name, self._problem(f, values[f.name], values))

    @on(Select.Changed)
    def _chose(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("f-")
        f = next((f for f in self.fields if f.name == name), None)
        if f is None or f.anyone is None:
            return
        if event.value != ANYONE:
            self._chosen[name] = event.value
            return
        from screens.picker import PersonPicker

        select = event.select
        before = self._chosen.get(name, f.value)

        def picked(person: Any) -> None:
            if person is None:  # cancelled: back to what was chosen before
                select.value = before
                return
            # The person joins the list (for this form), chosen, above "Someone else…".
            self._picked.setdefault(name, []).append((Text(person.name), person.id))
            select.set_options(self._options(f))
            select.value = person.id

        self.app.push_screen(PersonPicker(f.anyone), picked)

    def _options(self, f: Field) -> list[tuple[Any, Any]]:
        """A Select field's options: its own, then the people picked into it, then "Someone else…"."""
        seen: set[Any] = set()
        options = []
        for option in [*(f.choices or []), *self._picked.get(f.name, [])]:
            if option[1] not in seen:
                seen.add(option[1])
                options.append(option)
        return [*options, *([SOMEONE_ELSE] if f.anyone else [])]

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_submit(self) -> None:
        self._tried = True
        self.query_one("#form-error", Static).update("")
        if not self.validate_all():
            return
        values = self.values()
        run_db(
            self,
            lambda db: self._save(db, values),
            self.dismiss,
            write=True,
            failed=self.refused,
            group="save",
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "load_theirs":
            return self._conflict
        return True

    def refused(self, error: CirclesError) -> None:
        """The service said no: put the reason beside its field, or above the buttons."""
        if isinstance(error, Conflict) and self._reopen is not None:
            self._conflict = True
            self.refresh_bindings()
            box = self.query_one("#form-error", Static)
            box.update(f"{error}\nPress ctrl+r to load their version; what you typed stays shown.")
            box.add_class("shown")
            return
        if isinstance(error, InvalidInput):
            for f in self.fields:
                if error.field in (f.name, f.label.lower(), *f.aliases):
                    self.set_error(f.name, error.detail)
                    self.focus_to_fix(f.name)
                    return
        box = self.query_one("#form-error", Static)
        box.update(str(error))
        box.add_class("shown")

    def action_load_theirs(self) -> None:
        """Show what is stored now, keep the person's own values visible beside it, and let the
        next save apply to the stored version (nothing of theirs is overwritten unseen)."""
        if self._reopen is None:
            return
        typed = self.values()
        run_db(self, self._reopen, lambda fresh: self._adopt(fresh, typed), group="load")

    def _adopt(self, fresh: FormScreen[T], typed: dict[str, Any]) -> None:
        self._save = fresh._save
        self._conflict = False
        self._tried = False  # quiet re-checks: they would wipe the "yours" notes set below
        self.refresh_bindings()
        differs = 0
        for f in fresh.fields:
            widget = self.query_one(f"#f-{f.name}")
            theirs = f.value
            if isinstance(widget, Input):
                theirs = "" if theirs is None else str(theirs)
            if isinstance(widget, Select):
                # Their version may name someone this form's list lacks (a guest they chose).
                widget.set_options(self._options(f))
            widget.value = theirs  # type: ignore[attr-defined]
            mine = typed.get(f.name)
            if mine != theirs:
                differs += 1
                shown_value = (
                    mine
                    if isinstance(mine, str)
                    else ("yes" if mine is True else "no" if mine is False else mine)
                )
                self.set_error(f.name, f"yours: {shown_value!r}")
            else:
                self.set_error(f.name, None)
        box = self.query_one("#form-error", Static)
        box.update(
            "Loaded their version. "
            + (
                "Yours is shown under each field that differs; change what you want, then save."
                if differs
                else ""
            )
        )
        box.add_class("shown")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

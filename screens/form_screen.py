"""Modal create/edit forms: one error line under each field, nothing saved until every field is valid,
and a service's own refusal (duplicate name, someone else's edit) shown rather than swallowed."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static

from circles.errors import AlreadyExists, CirclesError, Conflict, InvalidInput, Refusals
from screens.dialogs import Buttons, ConfirmScreen, Dialog, DialogBody
from screens.one_line import OneLineInput
from screens.replace_file import may_write
from screens.toggles import Checkbox
from screens.work import run_db

T = TypeVar("T")

# A save still running after this long says so on its button; a quicker one would only flicker.
SLOW_SAVE = 0.3
SAVE_LABEL = "Save (ctrl+s)"


@dataclass
class Field:
    """One input of a form. ``check`` raises InvalidInput (from circles.validate) when the text is bad."""

    name: str
    label: str
    value: Any = ""
    placeholder: str = ""
    required: bool = False
    check: Callable[[str], object] | None = None
    # A Select instead of an Input; a label that is a Text shows names as written (no markup).
    choices: Sequence[tuple[str | Text, Any]] | None = None
    checkbox: bool = False
    # The field names a service uses in InvalidInput for this input ("length" for minutes...).
    aliases: tuple[str, ...] = field(default_factory=tuple)
    # For a Select of people: the title of a picker over everyone in the directory, offered as
    # a last choice (a guest speaker is not a member of the circle).
    anyone: str | None = None
    # A required field that may stay empty while this checkbox is ticked (a guest's e-mail).
    optional_if: str | None = None
    # Shown only while another field (a Select) has one of these values: (its name, the values).
    # A hidden field is neither checked nor saved: it gives its starting value.
    when: tuple[str, Collection[Any]] | None = None
    # The value is what the person was typing when the form opened (a walk-in's name, from
    # check-in's search): the cursor starts at its end with nothing selected, so keys typed
    # on carry on the name instead of replacing it.
    carries_on: bool = False
    # Enter here goes on to the next field instead of saving: a new circle's name, where a new
    # user pressed Enter to go on and the circle was saved with a cadence and zone unseen.
    enter_moves_on: bool = False
    # Shown beside the field before it, the two halves of one row: short fields paired so that
    # a long form (a new circle's nine fields) fits 80x24 without scrolling.
    beside: bool = False

    @property
    def subject(self) -> str:
        """The field as a message under it names it: its label without the explanation the label
        carries ("How often (e.g. ...)" is "How often", "E-mail, if they give one (...)" is
        "E-mail"), which read "How often (e.g. "weekly on tue at 12:00", ...) is required"."""
        return re.split(r" \(|, ", self.label, maxsplit=1)[0]


ANYONE = "anyone"  # the Select value of "Someone else…"
SOMEONE_ELSE = ("Someone else…", ANYONE)


class FormScreen(Dialog[T | None], Generic[T]):
    """Subclasses (or callers) give the fields and ``save(db, values) -> result``, run in a
    worker: in a unit of work that writes, or for a form that only reads the store to write a
    file (``writes_store=False``, an export), in a read."""

    BINDINGS = [
        # Priority: the focus moves as the key is read. Otherwise a key goes up to the app first
        # to find its binding, and what is typed right after it (a pasted or fast "name<Tab>
        # cadence") lands in the field the focus has not left yet.
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        # Only in a field that says so (check_action); elsewhere Enter saves. A priority too.
        Binding("enter", "next_field", show=False, priority=True),
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
        writes_file: Callable[[dict[str, Any]], Path] | None = None,
        writes_store: bool = True,
    ) -> None:
        super().__init__()
        # False: the save only reads the store. In a unit of work that writes it held SQLite's
        # write lock (BEGIN IMMEDIATE) for as long as it ran: a year's recognition digest of a
        # whole organisation kept every other app's check-ins waiting while it was written.
        self._writes_store = writes_store
        # While a save runs: the timer that says so on the button if it is slow. Saving again
        # meanwhile is not offered: a second ctrl+s on a slow server started a second save
        # beside the first (the worker before it cannot be stopped mid-statement).
        self._saving: Timer | None = None
        # The file the save writes, from the values: a file there already is replaced only
        # once the person said so, as in every export (screens/replace_file.py).
        self._writes_file = writes_file
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
        # Text typed into a closed choice (a Select) by field: refused and said, not dropped.
        self._refused: dict[str, str] = {}
        # What the fields held as the form opened: Escape asks before it throws away anything else.
        self._as_opened: dict[str, Any] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(self.form_title, classes="form-title", markup=False)
        rows: list[list[Field]] = []
        for f in self.fields:
            if f.beside and rows:
                rows[-1].append(f)
            else:
                rows.append([f])
        for row in rows:
            if len(row) == 1:
                yield from self._field(row[0])
                continue
            with Horizontal(classes="field-row"):
                for f in row:
                    with Vertical(classes="field-cell"):
                        yield from self._field(f)
        yield Static("", id="form-error", markup=False)
        yield Buttons(
            Button(SAVE_LABEL, variant="primary", compact=True, id="save"),
            Button("Cancel (esc)", compact=True, id="cancel"),
        )

    def _field(self, f: Field) -> ComposeResult:
        # Its label, box and error line share a class, to be shown or hidden together.
        part = f"part-{f.name}"
        if not f.checkbox:
            yield Label(f.label + (" *" if f.required else ""), classes=f"field-label {part}")
        if f.choices is not None:
            yield Select(
                self._options(f),
                value=f.value,
                allow_blank=False,
                compact=True,
                id=f"f-{f.name}",
                classes=part,
            )
        elif f.checkbox:
            yield Checkbox(f.label, value=bool(f.value), compact=True, id=f"f-{f.name}", classes=part)
        else:
            # Pasted lines are joined, not cut to the first (screens/one_line.py).
            yield OneLineInput(
                str(f.value or ""),
                label=f.label,
                placeholder=f.placeholder,
                compact=True,
                id=f"f-{f.name}",
                classes=part,
                select_on_focus=not f.carries_on,
            )
        yield Static("", id=f"e-{f.name}", classes=f"field-error {part}", markup=False)

    def on_mount(self) -> None:
        self._show_fields()
        self._as_opened = self.values()

    # The first field takes the focus as the screen is shown. Focusing it later, in on_mount,
    # left a moment when nothing had it (keys typed then were lost), and could pull the focus
    # back from a field the person had already tabbed to.
    @property
    def AUTO_FOCUS(self) -> str:  # type: ignore[override]  # Textual declares a class attribute
        return f"#f-{self.first_to_fill().name}"

    def on_key(self, event: events.Key) -> None:
        # A key typed before the form was on screen came to the screen itself (nothing had the
        # focus yet): it belongs in the box that has it now. Only printable keys, which a box
        # takes, so nothing comes back here.
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable and event.character:
            event.stop()
            focused.post_message(events.Key(event.key, event.character))
        elif (
            isinstance(focused, Select)
            and not focused.expanded
            and event.is_printable
            and event.character
            and (event.key != "space" or (focused.id or "").removeprefix("f-") in self._refused)
        ):
            # Text meant for a box, typed after a Tab too many: a choice picked by its first
            # letters would save a kind nobody chose, so it is refused where it can be seen,
            # and saving waits until the person has looked. (A space before any text opens it.)
            event.stop()
            event.prevent_default()
            name = (focused.id or "").removeprefix("f-")
            self._refused[name] = self._refused.get(name, "") + event.character
            self.set_error(name, self._refusal(name))

    def _refusal(self, name: str) -> str | None:
        text = self._refused.get(name)
        field = next((f for f in self.fields if f.name == name), None)
        if text is None or field is None:
            return None
        return f"“{text}” was not kept: {field.subject} is picked from a list (Enter opens it)."

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Said once: saving again after looking elsewhere saves.
        if event.widget.id is not None:
            self._refused.pop(event.widget.id.removeprefix("f-"), None)

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
        shown = [f for f in self.fields if self._shown(f, given)]
        for f in shown:
            if self._required(f, given) and not str(f.value if f.value is not None else "").strip():
                return f
        return shown[0]

    def _shown(self, f: Field, values: dict[str, Any]) -> bool:
        return f.when is None or values.get(f.when[0]) in f.when[1]

    def _show_fields(self) -> None:
        values = self._typed()
        for f in self.fields:
            if f.when is not None:
                shown = self._shown(f, values)
                for widget in self.query(f".part-{f.name}"):
                    if shown:
                        widget.styles.clear_rule("display")  # back to what the CSS says
                    else:
                        widget.display = False

    def _required(self, f: Field, values: dict[str, Any]) -> bool:
        return f.required and not (f.optional_if is not None and bool(values.get(f.optional_if)))

    def _typed(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#f-{f.name}")
            if isinstance(widget, Input):
                out[f.name] = widget.value.strip()
            elif isinstance(widget, (Select, Checkbox)):
                out[f.name] = widget.value
        return out

    def values(self) -> dict[str, Any]:
        """What the fields hold; a hidden field gives its starting value, whatever was typed."""
        typed = self._typed()
        return {
            f.name: typed[f.name]
            if self._shown(f, typed)
            else (str(f.value) if f.choices is None and not f.checkbox else f.value)
            for f in self.fields
        }

    def _problem(self, f: Field, value: Any, values: dict[str, Any]) -> str | None:
        if self._required(f, values) and (value is None or (isinstance(value, str) and not value.strip())):
            unless = next((o.subject for o in self.fields if o.name == f.optional_if), None)
            return f"{f.subject} is required" + (f" unless {unless} is ticked." if unless else ".")
        if f.check is not None and isinstance(value, str) and value:
            try:
                f.check(value)
            except InvalidInput as exc:
                return _beside(f, exc)
            except CirclesError as exc:
                return str(exc)
            except Exception:  # a checker's own slip must not cost the person their form
                return f"{f.subject} is not valid."
        return None

    def set_error(self, name: str, message: str | None) -> None:
        box = self.query_one(f"#e-{name}", Static)
        box.update(message or "")
        box.set_class(bool(message), "shown")

    def validate_all(self) -> bool:
        values = self.values()
        first_bad: str | None = None
        for f in self.fields:
            problem = self._problem(f, values[f.name], values) if self._shown(f, values) else None
            problem = problem or self._refusal(f.name)
            self.set_error(f.name, problem)
            if problem and first_bad is None:
                first_bad = f.name
        if first_bad is not None:
            self.focus_to_fix(first_bad)
        return first_bad is None

    def focus_to_fix(self, name: str) -> None:
        """Back to a field with an error: its text stays whole, the cursor at its end, and its
        label and error line scrolled into view with it (at 80x24 a form scrolls, and focusing
        brings in the box alone: the error line under it could stay below the fold)."""
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, OneLineInput):
            widget.focus_to_fix()
        else:
            widget.focus()
        # After the refresh that lays out the error line just shown; the label last, so a field
        # whose label and error do not both fit keeps its label (what it is) in view.
        self.call_after_refresh(self._bring_into_view, f"#e-{name}", f".field-label.part-{name}")

    def _bring_into_view(self, *selectors: str) -> None:
        body = self.query_one(DialogBody)
        for selector in selectors:
            for widget in self.query(selector):
                body.scroll_to_widget(widget, animate=False)

    def _form_error(self, message: str) -> None:
        """A message about the form as a whole, above its buttons: scrolled into view, as the
        form's last lines are off screen on a short terminal."""
        box = self.query_one("#form-error", Static)
        box.update(message)
        box.add_class("shown")
        self.call_after_refresh(self._bring_into_view, "#form-error")

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
        self._show_fields()
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
        if self._saving is not None:
            return
        self._tried = True
        self.query_one("#form-error", Static).update("")
        self.query_one("#form-error", Static).remove_class("shown")
        if not self.validate_all():
            return
        values = self.values()
        if self._writes_file is not None:
            self._save_after_asking(values, self._writes_file(values))
            return
        self._run_save(values)

    @work(exclusive=True, group="ask")
    async def _save_after_asking(self, values: dict[str, Any], path: Path) -> None:
        refusal = await may_write(self, path)
        if refusal is None:
            self._run_save(values)
        else:
            self.refused(refusal)  # as a refused save: a folder in the way goes under its box

    def _run_save(self, values: dict[str, Any]) -> None:
        self._saving = self.set_timer(SLOW_SAVE, self._say_saving)
        self.refresh_bindings()
        run_db(
            self,
            lambda db: self._save(db, values),
            self._saved,
            write=self._writes_store,
            failed=self._not_saved,
            group="save",
        )

    def _say_saving(self) -> None:
        button = self.query_one("#save", Button)
        button.label, button.disabled = "Saving…", True

    def _save_over(self) -> None:
        if self._saving is not None:
            self._saving.stop()
            self._saving = None
        button = self.query_one("#save", Button)
        button.label, button.disabled = SAVE_LABEL, False
        self.refresh_bindings()

    def _saved(self, result: T) -> None:
        self._save_over()
        self.dismiss(result)

    def _not_saved(self, error: CirclesError) -> None:
        self._save_over()
        self.refused(error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._saving is not None and action in ("submit", "cancel", "load_theirs"):
            return False  # the save under way ends the form, or says why not
        if action == "load_theirs":
            return self._conflict
        if action == "next_field":  # else Enter is the field's own: it saves
            focused = self.focused
            name = focused.id.removeprefix("f-") if isinstance(focused, Input) and focused.id else ""
            return any(f.name == name and f.enter_moves_on for f in self.fields)
        return True

    def action_next_field(self) -> None:
        self.focus_next()

    def refused(self, error: CirclesError) -> None:
        """The service said no: put the reason beside its field, or above the buttons."""
        if isinstance(error, Conflict) and self._reopen is not None:
            self._conflict = True
            self.refresh_bindings()
            self._form_error(f"{error}\nPress ctrl+r to load their version; what you typed stays shown.")
            return
        # A refusal about one field (a bad value, a name or address taken) goes under it; a
        # service that gathers its refusals (Refusals) has each go under its own, at once.
        problems = error.problems if isinstance(error, Refusals) else [error]
        placed: list[str] = []
        elsewhere: list[str] = []
        for problem in problems:
            f = self._field_of(problem)
            if f is None:
                elsewhere.append(problem.in_app)
            else:
                self.set_error(
                    f.name, _beside(f, problem) if isinstance(problem, InvalidInput) else str(problem)
                )
                placed.append(f.name)
        if elsewhere:
            self._form_error("\n".join(elsewhere))
        if placed:
            self.focus_to_fix(next(f.name for f in self.fields if f.name in placed))

    def _field_of(self, error: CirclesError) -> Field | None:
        """The field a refusal is about, if it names one this form has."""
        named = getattr(error, "field", None) if isinstance(error, InvalidInput | AlreadyExists) else None
        if named is None:
            return None
        return next((f for f in self.fields if named in (f.name, f.label.lower(), *f.aliases)), None)

    def action_load_theirs(self) -> None:
        """Show what is stored now, keep the person's own values visible beside it, and let the
        next save apply to the stored version (nothing of theirs is overwritten unseen)."""
        if self._reopen is None:
            return
        typed = self.values()
        run_db(self, self._reopen, lambda fresh: self._adopt(fresh, typed), group="load")

    def _adopt(self, fresh: FormScreen[T], typed: dict[str, Any]) -> None:
        """Merge, field by field, what the person changed since the form opened with what the
        other writer saved: a field only one side changed keeps that side's value (the person's
        new title stays, their new presenter comes in), unmarked; a field both changed shows
        theirs with the person's own value under it, to choose."""
        self._save = fresh._save
        self._conflict = False
        self._tried = False  # quiet re-checks: they would wipe the "yours" notes set below
        self.refresh_bindings()
        opened = self._as_opened or {}
        stored: dict[str, Any] = {}
        differs = 0
        for f in fresh.fields:
            widget = self.query_one(f"#f-{f.name}")
            theirs = f.value
            if isinstance(widget, Input):
                theirs = "" if theirs is None else str(theirs).strip()
            if isinstance(widget, Select):
                # Their version may name someone this form's list lacks (a guest they chose).
                widget.set_options(self._options(f))
            stored[f.name] = theirs
            mine = typed.get(f.name)
            changed_by_me = f.name not in opened or mine != opened[f.name]
            both = changed_by_me and theirs not in (mine, opened.get(f.name))
            if isinstance(widget, Input | Select | Checkbox) and (both or not changed_by_me):
                widget.value = theirs
            if both:
                differs += 1
                self.set_error(f.name, f"yours: {self._shown_value(f, mine)}")
            else:
                self.set_error(f.name, None)
        # What is stored now is what the next save is compared with, and Escape's question too.
        self._as_opened = stored
        self._form_error(
            "Loaded their version"
            + (
                ": yours is shown under each field you both changed; choose, then save."
                if differs
                else ", with your changes on top: save to keep them."
            )
        )

    def _shown_value(self, f: Field, value: Any) -> str:
        """A value as the person saw it in the field: a choice by its label, not its id."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if f.choices is not None:
            label = next((str(text) for text, v in self._options(f) if v == value), None)
            if label is not None:
                return repr(label)
        return repr(value)

    def unsaved(self) -> str | None:
        """What closing the form would lose: anything typed or chosen since it opened. Escape
        asks before discarding it, and so does quitting the app (it asks every screen)."""
        if self._as_opened is None or self.values() == self._as_opened:
            return None
        return f"{self.form_title}: what you typed is not saved."

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self._saving is not None:
            return  # the save under way ends the form, or says why not
        # A facilitator filling a form while people walk in can hit Escape by reflex: what they
        # typed goes only when they say so (y), and n or Escape takes them back to it.
        if self.unsaved() is None:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)
            elif discard is None:  # ctrl+s: save after all
                self.action_submit()

        self.app.push_screen(
            DiscardScreen("Discard changes? (y/n) ctrl+s saves them instead.", "Discard"), answered
        )


class DiscardScreen(ConfirmScreen):
    """Escape on a form with something typed asks this. ctrl+s saves the form instead (None):
    as a confirmation it threw away the form of a facilitator who hit Escape by reflex, then
    ctrl+s to save, as on the form itself."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save_instead", "Save", show=False)]

    def action_save_instead(self) -> None:
        self.dismiss(None)  # neither: save


def _beside(f: Field, error: InvalidInput) -> str:
    """A refusal shown under its field: its detail names the value, but an empty value's
    detail has no subject ("is required when a pair ends early"), so the field's label is it."""
    return error.detail if error.value not in ("", None) else f"{f.subject} {error.detail}"

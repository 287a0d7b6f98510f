"""Check-out: at the end of a session, one pass down the people who came. A digit 1-5 rates the
session for the highlighted person, then one line of what they learned (Tab: a note for the
presenter), Enter saves and moves to the next person who has not answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from circles.errors import CirclesError, Conflict
from circles.feedback_views import ANONYMOUS_MEANS, Attendee, Saved, SessionFeedback
from screens.dialogs import ConfirmScreen
from screens.feedback_panel import stars
from screens.footer import Footer
from screens.format import safe
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.one_line import OneLineInput
from screens.table import Table
from screens.work import run_db, show_error

if TYPE_CHECKING:
    from circles.store_access import Db


HINT = "↑/↓ choose · 1-5 rate · then one thing learned, Enter saves (Tab: a note for the presenter)"


@dataclass(frozen=True)
class Pending:
    person: Attendee
    rating: int
    # Whether the line replaces an answer the row showed (asked first): a line opened on someone
    # who had not answered does not replace one another facilitator saved while it was typed.
    replacing: bool = False


class CheckOutLine(OneLineInput):
    """A field of the line being typed, whose Enter saves in turn with the keys around it.

    Left to Input, Enter only posts a message, read after the keys typed behind it: "4 Enter 3
    Enter 5 Enter" typed fast put "35" in the first person's line and rated nobody else. Here
    the line is taken as it stands when its Enter is read, and the focus is back on the roster
    at once, where the keys behind it go (screens/one_line.py hands them on)."""

    async def on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self.screen.focused is self:
            event.stop()
            event.prevent_default()
            self.hand_on()
            cast(CheckOutScreen, self.screen).save_line()  # the only screen with this line


def _load(db: Db, session_id: int) -> SessionFeedback:
    from circles.services import feedback

    return feedback.session_feedback(db, session_id)


def answered_text(a: Attendee) -> str:
    if not a.answered:
        return "·"
    return stars(a.rating) if a.rating is not None else "answered"


class CheckOutScreen(LiveScreen, Screen[None]):
    # What it shows of its session: who came, their answers, the circle's settings and names. A
    # change to these looks again; the rating being typed stays open, and its line as typed.
    SHOWS = frozenset(
        {
            "attendance",
            "feedback_answer",
            "feedback_response",
            "feedback_setting",
            "person",
            "circle_session",
            "circle",
        }
    )
    DEFAULT_CSS = """
    CheckOutScreen #checkout-session, CheckOutScreen #checkout-counts { margin: 0 1; height: auto; }
    CheckOutScreen #checkout-counts { text-style: bold; }
    CheckOutScreen #checkout-line { height: 1; margin: 0 1; }
    CheckOutScreen #checkout-who { width: auto; }
    CheckOutScreen #checkout-learned, CheckOutScreen #checkout-note { width: 1fr; }
    """
    HELP = (
        "Ratings at the end of a session, one person at a time. ↑/↓ choose someone; 1-5 rates the "
        "session for them; then type one thing they learned (Tab: a note for the presenter) and "
        "press Enter to save, or Enter at once to save the rating alone. Escape drops the answer "
        "being typed (asking first if words were typed), then goes back. It opens on the first "
        "person who has not answered; rating someone who has answered asks before replacing "
        "their answer."
    )
    # One line for the five in the footer and in help (4's, shown as 1-5): the others have no
    # description, so help does not list them as "1 1", "2 2"...
    BINDINGS = [
        Binding("1", "rate(1)", show=False),
        Binding("2", "rate(2)", show=False),
        Binding("3", "rate(3)", show=False),
        Binding(
            "4", "rate(4)", "Rate", key_display="1-5", tooltip="Rate the session for the highlighted person"
        ),
        Binding("5", "rate(5)", show=False),
        Binding("escape", "escape", "Drop / back"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.data: SessionFeedback | None = None
        self.pending: Pending | None = None
        # Saved on Enter but not yet back from the store: they count as answered meanwhile.
        self._sent: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="checkout-session", markup=False)
        yield Static("", id="checkout-counts", markup=False)
        yield Static(
            HINT,
            id="checkout-hint",
            classes="hint",
            markup=False,
        )
        yield Table(id="checkout-roster", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="checkout-line"):
            yield Static("", id="checkout-who", markup=False)
            # Neither selects its text when the focus comes back to it (Tab, shift+Tab): the next
            # key would replace the whole line instead of adding to it. Their placeholders are
            # short and their widths even, so both read whole at 80 columns beside a name and
            # its stars (the note's, given a third, read 'a note for the'); the hint above says
            # that Enter saves.
            yield CheckOutLine(
                placeholder="one thing they learned",
                id="checkout-learned",
                compact=True,
                select_on_focus=False,
            )
            yield CheckOutLine(
                placeholder="note for the presenter",
                id="checkout-note",
                compact=True,
                select_on_focus=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#checkout-roster", Table)
        table.add_column("Name", key="name")
        table.add_column("Rating", key="rating")
        # Shortened, not hidden: shown whole or not at all, the first long line learned at 80
        # columns hid its column (and the e-mails), and a slip typed went unseen. The e-mails,
        # there to tell namesakes apart, give way first.
        table.add_column("Learned", key="learned", min_width=16)
        table.add_column("E-mail", key="email", min_width=12)
        self.query_one("#checkout-line").display = False
        table.focus()
        self.reload()

    def about(self) -> dict[str, int | None]:
        return {"session": self.session_id, "circle": self.data.session.circle_id if self.data else None}

    def reload(self, *, cursor_on: int | None = None) -> None:
        run_db(self, lambda db: _load(db, self.session_id), lambda d: self.show(d, cursor_on=cursor_on))

    def show(self, data: SessionFeedback, *, cursor_on: int | None = None) -> None:
        if self.data is None and cursor_on is None:  # opening: on the first still to answer
            cursor_on = next((a.person_id for a in data.attendees if not a.answered), None)
        self.data = data
        self.title = "Check-out"
        self.sub_title = data.session.label
        how = (
            "anonymous: " + ANONYMOUS_MEANS.split(": ", 1)[1].split(". ")[0]
            if data.settings.anonymous
            else "named"
        )
        # Which session the header says: said again here, it took two lines at 80 columns.
        self.query_one("#checkout-session", Static).update(f"Answers are {how}")
        self._counts()
        refill(
            self.query_one("#checkout-roster", DataTable),
            [
                (str(a.person_id), safe(a.name, answered_text(a), a.learned, a.email or ""))
                for a in data.attendees
            ],
            cursor_on=str(cursor_on) if cursor_on is not None else None,
        )
        self.query_one("#checkout-hint", Static).update(
            # Said before anyone is rated: the refusal came only once a line had been typed.
            data.closed
            or (
                HINT
                if data.attendees
                else "Nobody is checked in as present: check people in first (i on the session)."
            )
        )
        self.refresh_bindings()

    def _counts(self) -> None:
        assert self.data is not None
        d = self.data
        mean = f" · mean {d.mean:.1f}" if d.mean is not None else ""
        self.query_one("#checkout-counts", Static).update(
            f"Answered {d.responded} of {len(d.attendees)} who came{mean}"
        )

    def _current(self) -> Attendee | None:
        table = self.query_one("#checkout-roster", DataTable)
        if self.data is None or not self.data.attendees or not table.row_count:
            return None
        return self.data.attendees[min(table.cursor_row, len(self.data.attendees) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a line is typed, digits are text; a session not started has nothing to rate.
        closed = self.data is not None and self.data.closed is not None
        return not (action == "rate" and (closed or isinstance(self.focused, Input)))

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_rate(self, rating: int) -> None:
        person = self._current()
        if person is None:
            return
        if not self._answered(person):
            self._open_line(person, rating, replacing=False)
            return
        # Replacing an answer is asked first, No by default: a digit on the wrong row (the
        # roster opened on someone who had answered) replaced their answer, said only after.
        if not person.answered:
            said = " (just now)"
        elif person.rating is not None:
            said = f" ({stars(person.rating)})"
        else:
            said = ""  # the session's answers show no names: who answered, never what

        def replace(yes: bool | None) -> None:
            if yes:
                self._open_line(person, rating, replacing=True)

        self.app.push_screen(
            ConfirmScreen(f"{person.name} has answered{said}. Replace their answer?", "Replace"), replace
        )

    def _open_line(
        self, person: Attendee, rating: int, line: str = "", note: str = "", *, replacing: bool
    ) -> None:
        self.pending = Pending(person, rating, replacing)
        self.query_one("#checkout-who", Static).update(f"{person.name} {stars(rating)} ")
        learned = self.query_one("#checkout-learned", Input)
        learned.value = line
        self.query_one("#checkout-note", Input).value = note
        self.query_one("#checkout-line").display = True
        # At once (screens/late_keys.py): the line's letters typed behind the digit go into it.
        self.set_focus(learned)

    def save_line(self) -> None:
        """Enter: save the line as it stands, close it and go on to the next person below who
        has not answered, before the next key is read. The save runs behind those typed before
        it (screens/work.py); its answer shows when it is back."""
        if self.pending is None:
            return
        from circles.services import feedback

        pending = self.pending
        line = self.query_one("#checkout-learned", Input).value
        note = self.query_one("#checkout-note", Input).value
        self.pending = None
        self.query_one("#checkout-line").display = False
        table = self.query_one("#checkout-roster", DataTable)
        self.set_focus(table)
        rated = pending.person.person_id
        self._sent.add(rated)
        # As Text, as show() puts them: a str is read as markup ("[b]" vanished until the saved
        # answer came back), and being equal to the saved answer's cells, these are not written
        # again when it does (a cell written draws the whole roster again).
        rating_cell, line_cell = safe(stars(pending.rating), line)
        table.update_cell(str(rated), "rating", rating_cell)
        table.update_cell(str(rated), "learned", line_cell, update_width=True)
        self._to_next_unanswered(rated)

        def save(db: Db) -> tuple[Saved, SessionFeedback]:
            saved = feedback.add_answer(
                db,
                session_id=self.session_id,
                person_id=rated,
                rating=pending.rating,
                learned=line,
                for_presenter=note,
                replacing=pending.replacing,
            )
            # The roster as it now stands, read in the same unit of work: the answer shows
            # without a second trip to the store.
            return saved, _load(db, self.session_id)

        def refused(error: CirclesError) -> None:
            self._refused(error, pending, line, note)

        run_db(self, save, self._saved, write=True, group="save", failed=refused)

    def _to_next_unanswered(self, rated: int) -> None:
        """The cursor on the next person below ``rated`` who has not answered (or stays)."""
        assert self.data is not None
        people = self.data.attendees
        here = next((i for i, a in enumerate(people) if a.person_id == rated), None)
        if here is None:
            return
        following = [a for a in people[here + 1 :] if not self._answered(a)]
        if following:
            table = self.query_one("#checkout-roster", DataTable)
            table.move_cursor(row=table.get_row_index(str(following[0].person_id)), animate=False)

    def _answered(self, a: Attendee) -> bool:
        return a.answered or a.person_id in self._sent

    def _saved(self, result: tuple[Saved, SessionFeedback]) -> None:
        # Only the newest save's answer comes back (an older one is stale): it was saved after
        # every one before it, so the roster it read has them all.
        saved, data = result
        self._sent.clear()
        if saved.replaced:
            self.notify(saved.message, markup=False)
        here = self._current()
        self.show(data, cursor_on=here.person_id if here is not None else None)

    def _refused(self, error: CirclesError, pending: Pending, line: str, note: str) -> None:
        self._sent.discard(pending.person.person_id)
        show_error(self, error)
        if self.pending is not None:  # another line is being typed meanwhile: leave it be
            self.reload()
            return
        # What they typed comes back, to fix or drop with Escape; after a Conflict (someone
        # answered for them meanwhile, shown in the roster) Enter again replaces that answer.
        self.reload(cursor_on=pending.person.person_id)
        replacing = pending.replacing or isinstance(error, Conflict)
        self._open_line(pending.person, pending.rating, line, note, replacing=replacing)

    def _typed(self) -> str:
        """The words of the answer being typed (the line learned, the note), if any."""
        if self.pending is None:
            return ""
        return " ".join(
            value
            for value in (
                self.query_one(f"#checkout-{part}", Input).value.strip() for part in ("learned", "note")
            )
            if value
        )

    def unsaved(self) -> str | None:
        if self.pending is None or not self._typed():
            return None
        return f"{self.pending.person.name}'s answer is typed but not saved."

    def action_escape(self) -> None:
        if self.pending is None:
            self.app.pop_screen()
            return
        if not self._typed():  # a rating alone: one key brings it back
            self._drop_line()
            return
        # Words typed go only when asked, as a form's do: Escape by reflex while people leave
        # the room dropped a sentence someone had just dictated.
        person = self.pending.person.name

        def answered(drop: bool | None) -> None:
            if drop:
                self._drop_line()
            else:
                self.set_focus(self.query_one("#checkout-learned", Input))

        self.app.push_screen(
            ConfirmScreen(f"Drop {person}'s answer? What you typed is lost.", "Drop"), answered
        )

    def _drop_line(self) -> None:
        self.pending = None
        self.query_one("#checkout-line").display = False
        self.query_one("#checkout-roster", DataTable).focus()

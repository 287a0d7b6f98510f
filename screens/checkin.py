"""Check-in at the door: everyone on the session's list with their RSVP; type part of a name to
filter, one key marks (shown as pending until the store has it), walk-ins join by name without
leaving the screen, and the counts follow what is saved."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from circles.errors import CirclesError, shown
from circles.folding import folded
from circles.services import attendance, sessions
from circles.views import PersonView, RosterEntry, SessionView
from circles.words import count
from models.enums import Attended, Rsvp
from screens.dialogs import ConfirmScreen
from screens.footer import Footer
from screens.format import MARK_TEXT, RSVP_TEXT, name_from_search, named, safe, session_day, when
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.one_line import joined
from screens.phrases import PhraseLine
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import run_db

if TYPE_CHECKING:
    from circles.live import Change
    from circles.store_access import Db

# A pasted name (from a chat, an e-mail) is a filter up to this long, a walk-in's name at most.
PASTE_LIMIT = 120
# Letters (and the odd characters in names) go to the filter; digits are marks, and so is space
# until a filter is being typed (then it is the space between a first and a last name).
FILTER_CHARS = set("-'.@_")

# A mark typed but not yet in the store: the word it will be, behind an ellipsis rather than
# the mark's own sign, so "saving" reads without colour.
PENDING_TEXT = {
    None: "… clear",
    Attended.PRESENT: "… present",
    Attended.LATE: "… late",
    Attended.EXCUSED: "… excused",
    Attended.ABSENT: "… absent",
}
MARK_HEADER = "Check-in"
# As wide as the widest thing the column ever shows: an updated cell never widens a column.
MARK_WIDTH = max(cell_len(t) for t in [MARK_HEADER, *MARK_TEXT.values(), *PENDING_TEXT.values()])


def matches(entry: RosterEntry, typed: str) -> bool:
    """Every word typed is part of the name, e-mail or team, in any order ('grace hop', 'hopper g')."""
    where = folded(f"{entry.name}\n{entry.email or ''}\n{entry.team or ''}")
    return all(word in where for word in folded(typed).split())


def other_day_question(session: SessionView, now: datetime) -> str | None:
    """What to ask before recording attendance for a session of a day gone by (None for
    today's): attendance recorded late is fine, but a slip in the session picked is caught
    here. A session of a day to come takes no marks at all (``attendance.too_early_to_check_in``)."""
    if session.days_from(now) >= 0:
        return None
    return f"This session was on {session_day(session, now)} — record attendance for it anyway?"


@dataclass(frozen=True)
class CheckInData:
    session: SessionView
    roster: list[RosterEntry]


def load_check_in(db: Db, session_id: int) -> CheckInData:
    return CheckInData(sessions.get_session(db, session_id), attendance.roster(db, session_id))


def counts(roster: list[RosterEntry]) -> list[str]:
    marks = [e.attended for e in roster]
    came = sum(1 for m in marks if m is not None and m.came)
    said_yes = sum(1 for e in roster if e.rsvp is Rsvp.YES)
    walk_ins = sum(1 for e in roster if not e.is_member and e.attended is not None and e.attended.came)
    return [
        f"Here {came} (present {marks.count(Attended.PRESENT)}, late {marks.count(Attended.LATE)})",
        f"excused {marks.count(Attended.EXCUSED)}",
        f"absent {marks.count(Attended.ABSENT)}",
        f"not marked {marks.count(None)}",
        f"said yes {said_yes}",
        f"walk-ins {walk_ins}",
    ]


# The keys that mark the highlighted person (space too, without a filter), in the footer's order:
# (keys, mark, the footer's word, shown in the footer). on_key reads them, in turn with the
# letters typed around them; the bindings made from them name them for the footer and ?.
MARKS = (
    ("2", "late", "Late", True),
    ("3", "excused", "Excused", True),
    ("4", "absent", "Absent", True),
    ("0,delete", "", "Clear", False),
    ("1", "present", "Present", False),
)


class CheckInScreen(LiveScreen, Screen[None]):
    HELP = (
        "Type letters (or paste a name) to filter by name, e-mail or team (spaces too: 'grace hop'). "
        "Without a filter, "
        "space marks the highlighted person present (again: unmark) and the cursor moves down; with "
        "one, Enter marks them present and clears the filter for the next person. 2 late, 3 excused, "
        "4 absent, 0 clears. A mark shows '…' until it is saved; if it cannot be saved, the old mark "
        "comes back and a notice says why. + (or Enter when nobody matches) checks in a walk-in: "
        "a name is enough. Escape clears the filter (so does ctrl+u), then goes back."
    )
    BINDINGS = [
        # The footer's order is its priority: at 80 columns every shown key fits, Help and Back too.
        Binding("space", "present", "Present", tooltip="Mark present (again: unmark)"),
        *(Binding(keys, f"mark({mark!r})", word, show=shown) for keys, mark, word, shown in MARKS),
        Binding("plus", "walk_in", "Walk-in", tooltip="Check in someone who is not a member"),
        # Listed for ? only: on_key takes these, in turn with the letters typed before them.
        Binding("enter", "enter", "Present / walk-in", show=False),
        Binding("backspace", "backspace", "Filter ⌫", show=False),
        Binding("ctrl+u", "clear_filter", "Clear filter", show=False),  # as in every line typed in
        # One key, two jobs: the footer names the one it does now (check_action picks).
        Binding("escape", "clear_filter", "Clear filter", tooltip="Show everyone again"),
        Binding("escape", "leave", "Back", tooltip="Back to the session"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.session: SessionView | None = None
        self.roster: list[RosterEntry] = []  # as the store has it: only saved marks
        self._filter = ""
        # Marks typed and not yet saved, by person; shown as pending ("… present") meanwhile.
        self._pending: dict[int, Attended | None] = {}
        # The marks the write in flight is saving (one write at a time, so the newest mark
        # typed for a person is always the one saved last).
        self._saving: dict[int, Attended | None] | None = None
        self._saves = 0  # saves landed so far: a load read before the last one is out of date
        # A session not held today: asked once whether to record attendance for it anyway.
        self._other_day = False  # True once they said yes
        self._asking = False

    @property
    def filter_text(self) -> str:
        return self._filter

    @filter_text.setter
    def filter_text(self, text: str) -> None:
        was_filtering, self._filter = bool(self._filter), text
        if bool(text) != was_filtering:
            self.refresh_bindings()  # space and Escape change jobs: the footer follows

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "present":  # while a name is typed, space is the space in it
            return not self.filter_text
        if action == "clear_filter":
            return bool(self.filter_text)
        if action == "leave":
            return not self.filter_text
        return True

    def compose(self) -> ComposeResult:
        # The session is named in the header (title and sub-title).
        yield Header()
        yield PhraseLine("", id="counts", markup=False)
        yield Static("", id="checkin-filter", markup=False)
        yield Table(id="roster", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#roster", Table)
        # Narrow terminals keep the name and the mark, then the RSVP (screens/table.py fits them);
        # the mark is never shortened (a cut "✔ presen" reads as nothing).
        table.add_column("Name", key="name", priority=0, min_width=12)
        table.add_column("Team", key="team", priority=3, min_width=8)
        table.add_column("RSVP", key="rsvp", priority=2)
        table.add_column(MARK_HEADER, key="mark", width=MARK_WIDTH, priority=1, min_width=MARK_WIDTH)
        table.add_column("", key="kind", priority=4)
        table.focus()
        self.reload()

    def concerns(self, change: Change) -> bool:
        circle = self.session.circle_id if self.session is not None else None
        tables = ("attendance", "membership", "person", "circle_session", "circle")
        return change.touches(tables, session=self.session_id, circle=circle)

    def reload(self) -> None:
        # Marks typed and not yet saved stay pending over what the store now says, and the
        # filter being typed stays: render_rows draws both.
        saves = self._saves
        run_db(self, lambda db: load_check_in(db, self.session_id), lambda data: self._loaded(data, saves))

    def _loaded(self, data: CheckInData, saves: int) -> None:
        if saves != self._saves:
            # A mark was saved while this was read (someone else's change came in meanwhile):
            # it may not have the mark, which is no longer pending. Read again.
            self.reload()
            return
        self.show(data)

    def show(self, data: CheckInData) -> None:
        self.session = data.session
        self.roster = data.roster
        self.title = "Check-in"
        # As every list writes a session's day: this year's year said nothing in the header.
        self.sub_title = f"{data.session.circle_name}, {when(data.session, circles_app(self).now())}"
        self.render_rows()

    def unsaved(self) -> str | None:
        if not self._pending:
            return None
        n = len(self._pending)
        return f"{n} check-in mark{'s are' if n != 1 else ' is'} still being saved."

    # -- the list ------------------------------------------------------------------------

    def shown_entries(self) -> list[RosterEntry]:
        if not self.filter_text.strip():
            return self.roster
        return [e for e in self.roster if matches(e, self.filter_text)]

    def _mark_cell(self, entry: RosterEntry) -> Text:
        if entry.person_id in self._pending:
            return Text(PENDING_TEXT[self._pending[entry.person_id]], style="italic dim")
        return Text(MARK_TEXT[entry.attended])

    def render_rows(self, *, cursor_on: int | None = None, first: bool = False) -> None:
        """The list as the filter shows it; the highlighted person stays highlighted (or
        ``cursor_on``, or with ``first`` the first one shown)."""
        table = self.query_one("#roster", DataTable)
        shown = self.shown_entries()
        if first and shown:
            cursor_on = shown[0].person_id
        rows = []
        for e in shown:
            kind = "walk-in" if e.walk_in or not e.is_member else ("guest" if e.is_guest else "")
            cells = safe(e.name, e.team or "", RSVP_TEXT[e.rsvp], self._mark_cell(e), kind)
            rows.append((str(e.person_id), cells))
        refill(table, rows, cursor_on=None if cursor_on is None else str(cursor_on))
        self._show_filter(shown)
        self._show_counts()

    def _show_counts(self) -> None:
        self.query_one("#counts", PhraseLine).show(*counts(self.roster))

    def _show_marks(self, person_ids: Container[int]) -> None:
        """Redraw the mark of these people (those the filter shows) and the counts."""
        if not self.is_attached:  # left while a save was under way: the notice is all there is to show
            return
        table = self.query_one("#roster", DataTable)
        for entry in self.roster:
            if entry.person_id in person_ids and str(entry.person_id) in table.rows:
                table.update_cell(str(entry.person_id), "mark", self._mark_cell(entry))
        self._show_counts()

    def _show_filter(self, shown: list[RosterEntry]) -> None:
        line = self.query_one("#checkin-filter", Static)
        if not self.filter_text:
            # The marking keys are in the footer; this says what the footer cannot. A session
            # of a day to come takes no marks (attendance.too_early_to_check_in): said before
            # a key is pressed in vain.
            now = circles_app(self).now()
            if self.session is not None and attendance.too_early_to_check_in(self.session, now):
                line.update(
                    f"Check-in opens on its day, {session_day(self.session, now)}; the RSVPs so far are below"
                )
            else:
                line.update("Type a name to find someone; Enter marks them present (or adds a walk-in)")
        elif shown:
            matches = count(len(shown), "match", "matches")
            line.update(f"Filter: {self.filter_text}▏ {matches} · Enter marks the highlighted one")
        else:
            line.update(
                f"Filter: {self.filter_text}▏ nobody matches · "
                f"Enter checks in {name_from_search(self.filter_text)!r} as a walk-in"
            )

    def _current(self) -> RosterEntry | None:
        table = self.query_one("#roster", DataTable)
        shown = self.shown_entries()
        if not shown or not table.row_count:
            return None
        return shown[min(table.cursor_row, len(shown) - 1)]

    # -- typing to filter ----------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        # Enter and the filter's editing keys are taken here, not by bindings: the app runs a
        # priority binding the moment a key arrives, and another once the key has come back up
        # past the screen, both before the letters typed just before it have reached the
        # filter: 'noah' and Enter in one burst marked nobody, 'wes', ctrl+u, 'nia' looked for
        # 'nia' and then cleared it. Stopped here, Enter never reaches the table's own either.
        if self.app.screen is not self:  # a dialog shows over it, even if not up yet
            # Handed to the roster before the walk-in form an earlier Enter pushed was up: the
            # form's keys ('qqq', Enter, 'x', Enter in one burst opened a second form for
            # 'Qqqx'). Left to come back up, the app types them again into the form
            # (screens/late_keys.py).
            return
        action = TAKEN_KEYS.get(event.key)
        if event.key == "space" and not self.filter_text:
            action = CheckInScreen.action_present
        if action is not None:
            event.stop()
            event.prevent_default()
            action(self)
            return
        char = event.character
        if not char or len(char) != 1:
            return
        # A space is part of the filter once a name is being typed ("grace hopper"); before
        # that it is the key that marks present.
        if char.isalpha() or char in FILTER_CHARS or (char == " " and self.filter_text):
            event.stop()
            event.prevent_default()
            self.filter_text += char
            self.render_rows(first=True)

    def on_paste(self, event: events.Paste) -> None:
        # A name pasted from the invite's chat finds them as the typed letters would (nothing
        # happened: the filter takes keys only).
        event.stop()
        text, _ = joined(event.text)
        if len(text) > PASTE_LIMIT:
            self.notify(
                f"Check-in search: the pasted text ({len(text)} characters, {shown(text)}) is "
                f"not a name; paste one of at most {PASTE_LIMIT} characters.",
                severity="warning",
                markup=False,
            )
            return
        if text:
            self.filter_text += text
            self.render_rows(first=True)

    def action_backspace(self) -> None:
        if self.filter_text:
            self.filter_text = self.filter_text[:-1]
            self.render_rows()

    def action_clear_filter(self) -> None:
        current = self._current()
        self.filter_text = ""
        self.render_rows(cursor_on=current.person_id if current else None)

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_enter(self) -> None:
        if self.filter_text.strip() and not self.shown_entries():
            self.action_walk_in()
        else:
            # Not a toggle: Enter after a full name must not unmark someone already present.
            self._mark("present", toggle=False)

    # -- marking -------------------------------------------------------------------------

    def action_present(self) -> None:
        self._mark("present", toggle=True)

    def action_mark(self, mark: str) -> None:
        self._mark(mark, toggle=True)

    def _mark(self, mark: str, *, toggle: bool) -> None:
        entry = self._current()
        if entry is None or self.session is None:
            return
        if not self._day_agreed(lambda: self._mark(mark, toggle=toggle)):
            return
        wanted: Attended | None = Attended(mark) if mark else None
        shown_now = self._pending.get(entry.person_id, entry.attended)
        if toggle and wanted is Attended.PRESENT and shown_now is Attended.PRESENT:
            wanted = None  # space again undoes a slip of the finger
        self._pending[entry.person_id] = wanted
        if self.filter_text:
            # The next person walking in is someone else: start their search afresh.
            self.filter_text = ""
            self.render_rows(cursor_on=entry.person_id)
        else:
            self._show_marks({entry.person_id})
            self.query_one("#roster", DataTable).action_cursor_down()
        self._save()

    def _day_agreed(self, then: Callable[[], None]) -> bool:
        """Whether marks may be recorded now: not before the session's day; for a session of
        a day gone by the facilitator is asked first (once); ``then`` runs again if they say yes."""
        assert self.session is not None
        now = circles_app(self).now()
        early = attendance.too_early_to_check_in(self.session, now)
        if early is not None:  # what saving would be told, said before anything shows as pending
            self.notify(early, title="Not yet", severity="warning", markup=False)
            return False
        question = other_day_question(self.session, now)
        if question is None or self._other_day:
            return True
        if self._asking:  # a key typed before the question was up: it is being asked
            return False

        def answered(yes: bool | None) -> None:
            self._asking = False
            self._other_day = bool(yes)
            if yes:
                then()

        self._asking = True
        self.app.push_screen(ConfirmScreen(question, "Record"), answered)
        return False

    def _save(self) -> None:
        """Save the pending marks through the store's one road for writes (run_db, retried when
        the store is busy); one write at a time, so a newer mark is never overtaken by an older."""
        if self._saving is not None or not self._pending:
            return
        batch = dict(self._pending)
        self._saving = batch
        session_id = self.session_id

        def write(db: Db) -> None:
            for person_id, mark in batch.items():
                attendance.check_in(db, session_id=session_id, person_id=person_id, attended=mark)

        # On the app, not this screen: a save still under way when the facilitator leaves
        # check-in is finished, and if it fails the notice still says which marks were lost.
        run_db(
            self.app,
            write,
            lambda _: self._saved(batch),
            write=True,
            failed=lambda error: self._not_saved(batch, error),
            group="checkin-save",
            exclusive=False,
        )

    def _saved(self, batch: dict[int, Attended | None]) -> None:
        self._saving = None
        self._saves += 1
        self.roster = [
            replace(e, attended=batch[e.person_id]) if e.person_id in batch else e for e in self.roster
        ]
        for person_id, mark in batch.items():
            if person_id in self._pending and self._pending[person_id] == mark:
                del self._pending[person_id]  # a mark typed since stays pending, and is saved next
        self._show_marks(batch.keys())
        self._save()

    def _not_saved(self, batch: dict[int, Attended | None], error: CirclesError) -> None:
        """Nothing pending was saved: every mark not in the store goes back to what the store has."""
        self._saving = None
        lost = self._pending
        self._pending = {}
        names = {e.person_id: e.name for e in self.roster}
        what = ", ".join(
            f"{names.get(pid, f'person {pid}')} {mark.value if mark else 'cleared'}"
            for pid, mark in lost.items()
        )
        self.app.notify(
            f"Not saved: {what}. {error}",
            title="Check-in not saved",
            severity="error",
            timeout=12,
            markup=False,
        )
        self._show_marks(lost.keys())

    def action_walk_in(self) -> None:
        from screens.forms import walk_in_form

        if self.session is None or not self._day_agreed(self.action_walk_in):
            return

        def added(person: PersonView | None) -> None:
            if person is not None:
                # With the address: someone found by it may not be the name typed.
                self.notify(
                    f"{named(person.name, person.email, gap=' ')} checked in as a walk-in.", markup=False
                )
                self.filter_text = ""

                def reloaded(data: CheckInData) -> None:
                    self.show(data)
                    self.render_rows(cursor_on=person.id)

                run_db(self, lambda db: load_check_in(db, self.session_id), reloaded)

        self.app.push_screen(walk_in_form(self.session, name=self.filter_text), added)


def _roster_move(action: str) -> Callable[[CheckInScreen], None]:
    def move(screen: CheckInScreen) -> None:
        getattr(screen.query_one("#roster", DataTable), f"action_{action}")()

    return move


# The keys on_key takes itself, with what each does (made once, not at every key). The marking
# keys too: as bindings, a space then 'y' typed fast (the answer to "record attendance
# anyway?") ran the space after the 'y' had begun a filter, which turns the space off; '2' then
# 'hana' marked the first 'h' late, not the one highlighted. And the roster's moves, so a mark
# goes to the row the moves typed before it reach: left to the list's bindings, they ran only
# once the key was back up at the app, after the screen had taken the digit behind them ('down
# down 2' in one burst, as tmux or a browser tab sends it, marked the first row late).
TAKEN_KEYS: dict[str, Callable[[CheckInScreen], None]] = {
    "enter": CheckInScreen.action_enter,
    "backspace": CheckInScreen.action_backspace,
    "ctrl+u": CheckInScreen.action_clear_filter,
    **{
        key: partial(CheckInScreen.action_mark, mark=mark)
        for keys, mark, _, _ in MARKS
        for key in keys.split(",")
    },
    **{
        key: _roster_move(action)
        for key, action in (
            ("up", "cursor_up"),
            ("down", "cursor_down"),
            ("pageup", "page_up"),
            ("pagedown", "page_down"),
            ("ctrl+home", "scroll_top"),
            ("ctrl+end", "scroll_bottom"),
        )
    },
}

"""Check-in at the door: every member with their RSVP; type to filter, space marks present, digits mark
late / excused / absent, walk-ins join without leaving the screen, and the counts follow live."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from circles.errors import CirclesError
from circles.services import attendance, sessions
from circles.views import PersonView, RosterEntry, SessionView
from models.enums import Attended, Rsvp
from screens.footer import Footer
from screens.format import MARK_TEXT, RSVP_TEXT, safe
from screens.table import Table
from screens.work import run_db, show_error

# Letters (and the odd characters in names) go to the filter; digits and space are marks.
FILTER_CHARS = set("-'.@_")


@dataclass(frozen=True)
class CheckInData:
    session: SessionView
    roster: list[RosterEntry]


def load_check_in(db: object, session_id: int) -> CheckInData:
    return CheckInData(sessions.get_session(db, session_id), attendance.roster(db, session_id))  # type: ignore[arg-type]


def counts_text(roster: list[RosterEntry]) -> str:
    marks = [e.attended for e in roster]
    came = sum(1 for m in marks if m is not None and m.came)
    said_yes = sum(1 for e in roster if e.rsvp is Rsvp.YES)
    walk_ins = sum(1 for e in roster if not e.is_member and e.attended is not None and e.attended.came)
    return (
        f"Here {came} (present {marks.count(Attended.PRESENT)}, late {marks.count(Attended.LATE)})"
        f" · excused {marks.count(Attended.EXCUSED)} · absent {marks.count(Attended.ABSENT)}"
        f" · not marked {marks.count(None)} · said yes {said_yes} · walk-ins {walk_ins}"
    )


class CheckInScreen(Screen[None]):
    HELP = (
        "Type letters to filter by name, e-mail or team. Space (or Enter) marks the highlighted person "
        "present (again: unmark); 2 late, 3 excused, 4 absent, 0 clears. With a filter, marking clears it "
        "for the next person; without one, the cursor moves down. + (or Enter when nobody matches) "
        "checks in a walk-in. Escape clears the filter, then goes back."
    )
    BINDINGS = [
        Binding("space", "mark('present')", "Present", tooltip="Mark present (again: unmark)"),
        Binding("2", "mark('late')", "Late"),
        Binding("3", "mark('excused')", "Excused"),
        Binding("4", "mark('absent')", "Absent"),
        Binding("0,delete", "mark('')", "Clear", show=False),
        Binding("1", "mark('present')", "Present", show=False),
        Binding("plus", "walk_in", "Walk-in", tooltip="Check in someone who is not a member"),
        Binding("enter", "enter", "Present / walk-in", show=False, priority=True),
        Binding("backspace", "backspace", "Filter ⌫", show=False),
        Binding("escape", "escape", "Clear filter / back"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.session: SessionView | None = None
        self.roster: list[RosterEntry] = []
        self.filter_text = ""
        self._wanted: dict[int, Attended | None] = {}
        self._write_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="checkin-session", markup=False)
        yield Static("", id="counts", markup=False)
        yield Static("", id="checkin-filter", markup=False)
        yield Table(id="roster", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#roster", DataTable)
        # Narrow terminals keep the name and the mark, then the RSVP (screens/table.py fits them).
        table.add_column("Name", key="name", priority=0, min_width=12)
        table.add_column("Team", key="team", priority=3, min_width=8)
        table.add_column("RSVP", key="rsvp", priority=2)
        table.add_column("Check-in", key="mark", priority=1)
        table.add_column("", key="kind", priority=4)
        table.focus()
        self.reload()

    def reload(self) -> None:
        run_db(self, lambda db: load_check_in(db, self.session_id), self.show)

    def show(self, data: CheckInData) -> None:
        self.session = data.session
        self.roster = data.roster
        self.title = "Check-in"
        self.sub_title = data.session.label
        self.query_one("#checkin-session", Static).update(f"Check-in: {data.session.label}")
        self.render_rows()

    # -- the list ------------------------------------------------------------------------

    def visible(self) -> list[RosterEntry]:
        text = self.filter_text.casefold()
        if not text:
            return self.roster
        return [e for e in self.roster if text in f"{e.name}\n{e.email}\n{e.team or ''}".casefold()]

    def render_rows(self, *, cursor_on: int | None = None) -> None:
        table = self.query_one("#roster", DataTable)
        shown = self.visible()
        table.clear()
        for e in shown:
            kind = "walk-in" if e.walk_in or not e.is_member else ("guest" if e.is_guest else "")
            table.add_row(
                *safe(e.name, e.team or "", RSVP_TEXT[e.rsvp], MARK_TEXT[e.attended], kind),
                key=str(e.person_id),
            )
        if cursor_on is not None:
            index = next((i for i, e in enumerate(shown) if e.person_id == cursor_on), 0)
            table.move_cursor(row=index, animate=False)
        self._show_filter(shown)
        self.query_one("#counts", Static).update(counts_text(self.roster))

    def _show_filter(self, shown: list[RosterEntry]) -> None:
        line = self.query_one("#checkin-filter", Static)
        if not self.filter_text:
            line.update(
                "Type a name to find someone · space: present · 2 late · 3 excused · 4 absent · + walk-in"
            )
        elif shown:
            line.update(f"Filter: {self.filter_text}▏ {len(shown)} match · space marks the highlighted one")
        else:
            line.update(
                f"Filter: {self.filter_text}▏ nobody matches · "
                f"Enter checks in {self.filter_text!r} as a walk-in"
            )

    def _current(self) -> RosterEntry | None:
        table = self.query_one("#roster", DataTable)
        shown = self.visible()
        if not shown or not table.row_count:
            return None
        return shown[min(table.cursor_row, len(shown) - 1)]

    # -- typing to filter ----------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        char = event.character
        if char and len(char) == 1 and (char.isalpha() or char in FILTER_CHARS):
            event.stop()
            event.prevent_default()
            self.filter_text += char
            self.render_rows()
            self.query_one("#roster", DataTable).move_cursor(row=0, animate=False)

    def action_backspace(self) -> None:
        if self.filter_text:
            self.filter_text = self.filter_text[:-1]
            self.render_rows()

    def action_escape(self) -> None:
        if self.filter_text:
            self.filter_text = ""
            current = self._current()
            self.render_rows(cursor_on=current.person_id if current else None)
        else:
            self.app.pop_screen()

    def action_enter(self) -> None:
        if self.filter_text and not self.visible():
            self.action_walk_in()
        else:
            self.action_mark("present")

    # -- marking -------------------------------------------------------------------------

    def action_mark(self, mark: str) -> None:
        entry = self._current()
        if entry is None or self.session is None:
            return
        wanted: Attended | None = Attended(mark) if mark else None
        if wanted is Attended.PRESENT and entry.attended is Attended.PRESENT:
            wanted = None  # space again undoes a slip of the finger
        self.roster = [
            replace(e, attended=wanted) if e.person_id == entry.person_id else e for e in self.roster
        ]
        if self.filter_text:
            # The next person walking in is someone else: start their search afresh.
            self.filter_text = ""
            self.render_rows(cursor_on=entry.person_id)
        else:
            table = self.query_one("#roster", DataTable)
            table.update_cell(str(entry.person_id), "mark", MARK_TEXT[wanted])  # fixed words, no markup
            self.query_one("#counts", Static).update(counts_text(self.roster))
            table.action_cursor_down()
        self._save(entry.person_id, wanted)

    def _save(self, person_id: int, wanted: Attended | None) -> None:
        """Write in a thread; the newest wish for a person wins however the threads interleave."""
        self._wanted[person_id] = wanted
        store = self.app.store  # type: ignore[attr-defined]
        app = self.app

        def work() -> None:
            with self._write_lock:
                value = self._wanted[person_id]
                try:
                    with store.write() as db:
                        attendance.record_attendance(
                            db, session_id=self.session_id, person_id=person_id, attended=value
                        )
                except CirclesError as exc:
                    if not get_current_worker().is_cancelled:
                        app.call_from_thread(self._refused, exc)

        self.run_worker(work, thread=True, group="mark", exit_on_error=False)

    def _refused(self, error: CirclesError) -> None:
        show_error(self, error)
        self.reload()

    def action_walk_in(self) -> None:
        from screens.forms import walk_in_form

        if self.session is None:
            return
        name = self.filter_text.title() if self.filter_text else ""

        def added(person: PersonView | None) -> None:
            if person is not None:
                self.notify(f"{person.name} checked in as a walk-in.", markup=False)
                self.filter_text = ""
                run_db(
                    self,
                    lambda db: load_check_in(db, self.session_id),
                    lambda d: (self.show(d), self.render_rows(cursor_on=person.id)),
                )

        self.app.push_screen(walk_in_form(self.session, name=name), added)

"""A circle's Rotation tab: who presents next and why, the fairness ledger, assign/swap/plan keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from circles.days import day_said, weekday_said
from circles.errors import CirclesError
from circles.rotation import Why
from circles.services import away, circle_records, clock, fairness, members, planning
from circles.services import rotation as rotation_service
from circles.views import CircleView
from circles.words import count
from screens.dialogs import ChoiceScreen, CountScreen
from screens.format import named
from screens.opening import KeysWait, ReadFirst
from screens.table import Table
from screens.work import ask_db, run_db

if TYPE_CHECKING:
    from circles.store_access import Db

PREVIEW_COUNT = 10
HOW = {
    Why.ROTATION: "rotation",
    Why.MANUAL: "by hand",
    Why.GUEST: "guest",
    Why.HELD: "held",
    Why.NOBODY: "nobody",
}


@dataclass(frozen=True)
class Choice:
    """Someone who can be assigned: a current member or a guest speaker."""

    person_id: int
    name: str
    label: str


@dataclass(frozen=True)
class RotationData:
    circle: CircleView
    preview: list[rotation_service.PreviewRow]
    ledger: fairness.Ledger
    now: datetime  # the store's clock as it was read: a day of this year is written without it


def load_rotation(db: Db, circle_id: int, count: int = PREVIEW_COUNT) -> RotationData:
    """Everything the panel shows, read in one unit of work (the circle once, for all three)."""
    circle = circle_records.get_circle(db, circle_id)
    return RotationData(
        circle,
        rotation_service.preview(db, circle_id, count=count, circle=circle),
        fairness.ledger(db, circle_id, circle=circle),
        clock.now(db),
    )


OUT = "  (out of rotation)"


def load_choices(db: Db, circle_id: int, day: date) -> list[Choice]:
    """Who can be picked to present on ``day``: the circle's members, then the guest speakers,
    each away that day said so (picking them is refused). Read when a session is assigned, not
    with the tab: on PostgreSQL the people sorted by name for it were the tab's slowest read, for
    a list that shows only then."""
    away_days = {a.person_id: a for a in away.list_away(db, overlapping=(day, day))}
    today = clock.today(db)

    def label(person_id: int, name: str, email: str | None, note: str) -> str:
        if person_id in away_days:
            note += f"  (away until {day_said(away_days[person_id].ends_on, today)})"
        return named(name, email) + note

    choices = [
        Choice(
            m.person_id,
            m.name,
            label(m.person_id, m.name, m.email, "" if m.in_rotation else "  (out of rotation)"),
        )
        for m in members.list_members(db, circle_id)
    ]
    known = {c.person_id for c in choices}
    return choices + [
        Choice(person_id, name, label(person_id, name, email, "  (guest speaker)"))
        for person_id, name, email in rotation_service.guest_speakers(db, besides=known)
    ]


class RotationPanel(Vertical):
    """The preview (with reasons) and the ledger of one circle. Mount it in the circle's Rotation tab."""

    DEFAULT_CSS = """
    RotationPanel { height: 1fr; }
    RotationPanel #rotation-summary { padding: 0 1; }
    RotationPanel #rotation-why { padding: 0 1; color: $text-muted; }
    RotationPanel #rotation-preview { height: auto; max-height: 60%; }
    RotationPanel .rotation-heading { text-style: bold; padding: 1 1 0 1; }
    RotationPanel #rotation-ledger { height: 1fr; }
    """
    BINDINGS = [
        Binding(
            "a", "assign", "Assign", tooltip="Pick who presents the highlighted session (member or guest)"
        ),
        Binding("w", "swap", "Swap", tooltip="Swap presenters with another session"),
        Binding("u", "unassign", "Back to rotation", tooltip="Let the rotation pick for this session again"),
        Binding(
            "v",
            "away",
            "Can't make it",
            tooltip="The highlighted presenter is away that day: the rotation moves on",
        ),
        Binding("p", "plan", "Plan from cadence", tooltip="Create the next sessions of the circle's cadence"),
        Binding("r", "reload", "Reload", show=False),
    ]

    class Changed(Message):
        """Presenters or sessions changed here: the hosting screen reads again what it shows,
        then calls ``reload`` for the panel's own (one after the other, on the one connection
        an app keeps to PostgreSQL: side by side, the second would open another)."""

        def __init__(self, circle_id: int, reload: Callable[[], None]) -> None:
            super().__init__()
            self.circle_id = circle_id
            self.reload = reload

    READ = "rotation"  # the name of its read_job's answer (screens/opening.py)

    def __init__(self, circle_id: int, *, read_first: ReadFirst | None = None, id: str | None = None) -> None:
        """``read_first``: its read_job, started before the panel was mounted."""
        super().__init__(id=id)
        self.circle_id = circle_id
        self.data: RotationData | None = None
        self._read_first = read_first

    @staticmethod
    def read_job(circle_id: int) -> Callable[[Db], RotationData]:
        """What the panel shows, as one unit of work to run before mounting it."""
        return lambda db: load_rotation(db, circle_id)

    def compose(self) -> ComposeResult:
        yield Static("Loading the rotation…", id="rotation-summary", markup=False)
        yield Table(id="rotation-preview", cursor_type="row", zebra_stripes=True)
        # The highlighted session's reason in full: at 80 columns the Why column shows its start.
        yield Static("", id="rotation-why", markup=False)
        yield Static(
            "Fairness ledger (held sessions) · First: first talk ever · Gave/Took: swaps",
            classes="rotation-heading",
            markup=False,
        )
        yield Table(id="rotation-ledger", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        preview = self.query_one("#rotation-preview", Table)
        # A facilitator knows a session by its day and time, not by its number in the store.
        preview.add_column("When", priority=0)
        preview.add_column("Planned", priority=4)
        preview.add_column("Presenter", priority=1, min_width=10)
        preview.add_column("How", priority=3)
        # Why keeps "last presented 27 Apr" whole: cut to "last presented 2…" at 80 columns,
        # every row of the large demo read alike (the line under the table says the rest).
        preview.add_column("Why", priority=2, min_width=len("last presented 27 Apr"))
        ledger = self.query_one("#rotation-ledger", Table)
        # Headings as short as their cells (a count, a day, "yes"), so that at 80 columns the
        # names have the room: "Swaps given" and "Swaps taken" took twelve columns each for a
        # digit, and cut "Camille Perrin-Okafor" to "Camille Per…". The heading line above says
        # what the short ones mean.
        ledger.add_column("Member", priority=0, min_width=10)
        ledger.add_column("Talks", priority=1)
        ledger.add_column("Last", priority=2)
        ledger.add_column("First", priority=5)
        ledger.add_column("Skips", priority=6, min_width=10)
        ledger.add_column("Gave", priority=3)
        ledger.add_column("Took", priority=4)
        if self._read_first is None:
            self.reload()
        else:  # shown in the frame that first shows the panel
            self._read_first.take(self, self.READ, RotationData, self.show, self.reload)

    # ------------------------------------------------------------ loading and showing

    def reload(self) -> None:
        run_db(self, lambda db: load_rotation(db, self.circle_id), self.show, group="rotation-load")

    def action_reload(self) -> None:
        self.reload()

    def show(self, data: RotationData) -> None:
        self.data = data
        c = data.circle
        if c.cadence:
            summary = (
                f"{c.name} meets {c.cadence} ({c.timezone}). Next {count(len(data.preview), 'session')}:"
            )
        else:
            summary = (
                f"{c.name} has no cadence yet: set one with  circles circle cadence  to plan and preview."
            )
        self.query_one("#rotation-summary", Static).update(summary)
        preview = self.query_one("#rotation-preview", DataTable)
        row = preview.cursor_row
        preview.clear()
        for r in data.preview:
            preview.add_row(
                # As every list of sessions writes them (no year this year): the year took the
                # cells Why needs at 80 columns.
                Text(f"{weekday_said(r.starts_at, data.now)} {r.starts_at:%H:%M}"),
                Text("yes" if r.planned else "not yet"),
                Text(r.presenter_name or "(nobody)"),
                Text(HOW[r.why]),
                Text(r.reason),
            )
        if data.preview:
            preview.move_cursor(row=min(row, len(data.preview) - 1))
        self._say_why(preview.cursor_row)
        ledger = self.query_one("#rotation-ledger", DataTable)
        ledger.clear()
        today = data.now.astimezone(data.circle.zone).date()  # the ledger's days are the circle's
        for lr in data.ledger.rows:
            ledger.add_row(
                Text(lr.name + ("" if lr.current_member else " (left)")),
                lr.times_presented,
                Text(day_said(lr.last_presented, today) if lr.last_presented else "never"),
                Text("yes" if lr.first_time else ""),
                Text("; ".join(f"{day_said(d, today)}: {why}" for d, why in lr.skips)),
                lr.swaps_given,
                lr.swaps_taken,
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "rotation-preview":
            self._say_why(event.cursor_row)

    def _say_why(self, index: int) -> None:
        rows = self.data.preview if self.data is not None else []
        why = ""
        if 0 <= index < len(rows):
            r = rows[index]
            why = f"{self._day(r)}: {r.presenter_name or '(nobody)'}, {r.reason}"
        self.query_one("#rotation-why", Static).update(why)

    # ------------------------------------------------------------ actions

    def _day(self, row: rotation_service.PreviewRow) -> str:
        """'Tue 10 Mar', a preview row's day as the preview writes it (the year only when not this one)."""
        return weekday_said(row.starts_at, self.data.now if self.data is not None else row.starts_at)

    def _highlighted(self) -> rotation_service.PreviewRow | None:
        if self.data is None or not self.data.preview:
            self.app.notify("Nothing to act on yet: plan sessions first (p).", severity="warning")
            return None
        index = self.query_one("#rotation-preview", DataTable).cursor_row
        row = self.data.preview[min(max(index, 0), len(self.data.preview) - 1)]
        if row.session is None:
            self.app.notify("That session is not planned yet: press p to plan it first.", severity="warning")
            return None
        return row

    def _failed(self, error: CirclesError) -> None:
        # markup=False: messages quote names people typed, such as "[ops] Ana".
        self.app.notify(str(error), title="Not done", severity="error", timeout=8, markup=False)
        self.reload()

    def _after(self, message: str) -> Any:
        def done(_: object) -> None:
            self.app.notify(message, markup=False)
            self.post_message(self.Changed(self.circle_id, self.reload))

        return done

    @work(exclusive=True, group="rotation-action")
    async def action_assign(self) -> None:
        row = self._highlighted()
        if row is None or self.data is None:
            return
        session = row.session
        assert session is not None
        circle_id = self.circle_id
        # "a" and a name typed fast: while the choices were read, the name's letters were the
        # tab's keys ("lucas": its u put the highlighted session back to the rotation, its a
        # started this again) and the list opened empty. They are the list's filter's.
        keys = KeysWait(self.app)
        try:
            choices = await ask_db(
                self.app, lambda db: load_choices(db, circle_id, session.local_day), failed=None
            )
            if choices is None:
                return  # not read: ask_db said why
            options = [(str(c.person_id), c.label) for c in choices]
            if not options:
                self.app.notify("Nobody to pick: add members or guest speakers first.", severity="warning")
                return
            dialog = ChoiceScreen(f"Who presents on {self._day(row)} {row.starts_at:%H:%M}?", options)
            answer = self.app.push_screen(dialog, wait_for_dismiss=True)
            keys.reach(dialog)
        finally:
            keys.done()
        picked = await answer
        if picked is None:
            return
        person_id = int(picked)
        name = next(c.name for c in choices if c.person_id == person_id)
        run_db(
            self,
            lambda db: rotation_service.assign(db, session, person_id=person_id),
            self._after(f"{name} presents on {self._day(row)}."),
            write=True,
            failed=self._failed,
            group="rotation-write",
        )

    @work(exclusive=True, group="rotation-action")
    async def action_away(self) -> None:
        """The presenter says they can't make it: mark them away that day, and the rotation
        picks the next person while keeping them at the front of the queue."""
        from screens.dialogs import ConfirmScreen

        row = self._highlighted()
        if row is None or row.presenter_id is None or row.presenter_name is None:
            return
        presenter_id, name = row.presenter_id, row.presenter_name
        day = row.starts_at.date()
        question = f"Mark {name} away on {self._day(row)}? The rotation picks someone else that day."
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Mark away")):
            return
        run_db(
            self,
            lambda db: away.add_away(
                db, person_id=presenter_id, starts_on=day, ends_on=day, reason="can't make it"
            ),
            self._after(f"{name} is away on {self._day(row)}."),
            write=True,
            failed=self._failed,
            group="rotation-write",
        )

    @work(exclusive=True, group="rotation-action")
    async def action_swap(self) -> None:
        row = self._highlighted()
        if row is None or self.data is None:
            return
        first = row.session
        assert first is not None
        others = [r for r in self.data.preview if r.session is not None and r.session.id != first.id]
        if not others:
            self.app.notify("There is no other planned session to swap with.", severity="warning")
            return
        now = self.data.now
        options = [
            (
                str(r.session_id),
                f"{weekday_said(r.starts_at, now)} {r.starts_at:%H:%M}  {r.presenter_name or '(nobody)'}",
            )
            for r in others
        ]
        picked = await self.app.push_screen_wait(
            ChoiceScreen(
                f"Swap {row.presenter_name or 'nobody'} ({weekday_said(row.starts_at, now)}) with:", options
            )
        )
        if picked is None:
            return
        second = next(r.session for r in others if r.session is not None and str(r.session_id) == picked)
        run_db(
            self,
            lambda db: rotation_service.swap(db, first, second),
            self._after("Swapped presenters."),
            write=True,
            failed=self._failed,
            group="rotation-write",
        )

    def action_unassign(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        session = row.session
        assert session is not None
        run_db(
            self,
            lambda db: rotation_service.clear_assignment(db, session),
            self._after(f"The rotation picks for {self._day(row)} again."),
            write=True,
            failed=self._failed,
            group="rotation-write",
        )

    @work(exclusive=True, group="rotation-action")
    async def action_plan(self) -> None:
        if self.data is None:
            return
        circle = self.data.circle
        if not circle.cadence:
            self.app.notify(
                f"{circle.name} has no cadence yet: set one first (circles circle cadence).",
                severity="warning",
                markup=False,
            )
            return
        how_many = await self.app.push_screen_wait(
            CountScreen(f"Plan how many sessions of {circle.name}?", most=planning.MAX_PLAN)
        )
        if how_many is None:
            return

        def planned(result: planning.PlanResult) -> None:
            skipped = f", stepping over {count(len(result.skipped), 'skip date')}" if result.skipped else ""
            self._after(f"Planned {count(len(result.sessions), 'session')}{skipped}.")(result)

        run_db(
            self,
            lambda db: planning.plan_sessions(db, circle_id=circle.id, count=how_many),
            planned,
            write=True,
            failed=self._failed,
            group="rotation-write",
        )

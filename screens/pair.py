"""One pair: who, why, its goals and its meetings; log a meeting, answer "did you meet?", export its
invite (.ics), end it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from circles.days import day_said, weekday_said
from circles.programme_views import PairDetail
from screens.dialogs import ConfirmScreen
from screens.footer import Footer
from screens.format import safe
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.phrases import GAP, PhraseLine
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import run_db

if TYPE_CHECKING:
    from circles.store_access import Db


def load_pair(db: Db, pair_id: int) -> PairDetail:
    from circles.services import pairs

    return pairs.pair_detail(db, pair_id)


class PairScreen(LiveScreen, Screen[None]):
    # What it shows of its pair: who (and their names), its goals, its meetings, its round and
    # programme. A change to these looks again, keeping the highlighted goal.
    SHOWS = frozenset(
        {
            "programme_pair",
            "pair_member",
            "pair_goal",
            "pair_meeting",
            "programme_round",
            "programme",
            "person",
        }
    )
    # Its tables are as tall as their rows (screens/app.tcss: the app's rule for every table
    # there, height 1fr, would win over one here).
    DEFAULT_CSS = """
    PairScreen #pair-summary {
        margin: 0 1;
        height: auto;
    }
    """
    HELP = (
        "A pair's goals and meetings. m logs a meeting, d answers 'did you meet?' (y or N at once), "
        "I exports its invite, e ends the pair, g adds a goal, space ticks one."
    )
    # In the order the footer drops them from its end at 80 columns (? lists them all): what a
    # facilitator does with a pair first, as on the command line (circles pair met, export ics
    # --pair), then the goals, which the table's Enter ticks too.
    BINDINGS = [
        Binding("m", "meeting", "Log meeting", tooltip="A meeting they held (it counts as having met)"),
        Binding("d", "did_you_meet", "Did you meet?", tooltip="Answer for a round's pair: yes or no"),
        Binding("I", "export_invite", "Invite", tooltip="The pair's meetings as a calendar file (.ics)"),
        Binding("e", "end", "End pair", tooltip="Completed, or ended early with a reason"),
        Binding("g", "goal", "Add goal"),
        Binding("space", "toggle_goal", "Goal done", tooltip="Tick (or untick) the highlighted goal"),
        # The answer in one key, without the question: for those who know it.
        Binding("y", "met(True)", "Met", show=False),
        Binding("N", "met(False)", "Did not meet", show=False),
    ]

    def __init__(self, pair_id: int) -> None:
        super().__init__()
        self.pair_id = pair_id
        self.detail: PairDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="pair-body"):
            yield PhraseLine("", id="pair-summary", markup=False)
            yield Static("Goals", id="goals-title", classes="section-title")
            yield Table(id="goal-table", cursor_type="row")
            yield Static("", id="meetings-title", classes="section-title", markup=False)
            yield Table(id="meeting-table", cursor_type="row", show_cursor=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#goal-table", DataTable).add_columns("Done", "Goal")
        self.query_one("#meeting-table", DataTable).add_columns("When", "Minutes", "Note")
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "Did you meet?" is asked of a round's pairs; a mentoring pair logs its meetings (m).
        if action in ("met", "did_you_meet"):
            return self.detail is not None and self.detail.programme.kind.has_rounds
        # A pair ends once: offered on one that had ended, End pair only said so.
        if action == "end":
            return self.detail is not None and self.detail.pair.status.value == "active"
        return True

    def about(self) -> dict[str, int | None]:
        # The changes name the pair's programme, not the pair itself (migration 0070).
        return {"programme": self.detail.programme.id if self.detail is not None else None}

    def reload(self) -> None:
        run_db(self, lambda db: load_pair(db, self.pair_id), self.show)

    def show(self, d: PairDetail) -> None:
        first = self.detail is None
        self.detail = d
        p = d.pair
        self.title = p.names
        self.sub_title = d.programme.name
        today = circles_app(self).today()
        state = p.status.label + (f" on {day_said(p.ended_on, today)}" if p.ended_on else "")
        if p.end_reason:
            state += f": {p.end_reason}"
        if d.programme.kind.has_rounds:
            met = {True: "they met", False: "they did not meet", None: "no answer yet to 'did you meet?'"}[
                p.met
            ]
        else:  # a mentoring pair's meetings are logged one by one
            met = f"{p.meetings} meeting{'' if p.meetings == 1 else 's'} logged"
        why = (p.reasons or "-").split(GAP)  # "topics: Security · different teams"
        self.query_one("#pair-summary", PhraseLine).show_lines(
            [f"{x.name} ({x.role.value}) <{x.email}>" for x in p.people],
            [f"Since {day_said(p.started_on, today)} (round {p.round_number})", state, met],
            [f"Why: {why[0]}", *why[1:]],
        )
        goals = self.query_one("#goal-table", DataTable)
        refill(goals, [(str(g.id), safe("✔" if g.done else "·", g.text)) for g in d.goals])
        # An empty table showed its header over blank lines: its title says what fills it instead.
        self.query_one("#goals-title", Static).update("Goals" if d.goals else "Goals: none yet (g adds one)")
        goals.display = bool(d.goals)
        self.query_one("#meetings-title", Static).update(
            f"Meetings: {p.meetings_held} held, {d.planned} planned" + ("" if d.meetings else " (m logs one)")
        )
        meetings = self.query_one("#meeting-table", DataTable)
        refill(
            meetings,
            [
                (str(m.id), safe(weekday_said(m.held_on, today), str(m.minutes or ""), m.note))
                for m in d.meetings
            ],
        )
        meetings.display = bool(d.meetings)
        # Not when it looks again, unless the goals have just appeared: the focus stays where it was.
        if d.goals and (first or not isinstance(self.focused, DataTable)):
            goals.focus()
        self.refresh_bindings()

    def _saved(self, message: str) -> Callable[[object], None]:
        def done(result: object) -> None:
            if result is not None:
                self.notify(message, markup=False)
                self.reload()

        return done

    def action_meeting(self) -> None:
        from screens.programme_forms import meeting_form

        if self.detail is not None:
            today = circles_app(self).today()
            self.app.push_screen(meeting_form(self.detail.pair, today=today), self._saved("Meeting logged."))

    def action_goal(self) -> None:
        from screens.programme_forms import goal_form

        if self.detail is not None:
            self.app.push_screen(goal_form(self.detail.pair), self._saved("Goal added."))

    def action_end(self) -> None:
        from screens.programme_forms import end_form

        if self.detail is not None:  # an active one (check_action)
            self.app.push_screen(end_form(self.detail.pair), self._saved("Pair ended."))

    def action_did_you_meet(self) -> None:
        if self.detail is not None:
            p = self.detail.pair

            def answered(met: bool | None) -> None:
                if met is not None:
                    self.action_met(met)

            question = f"Did {p.names} meet (round {p.round_number})?"
            self.app.push_screen(ConfirmScreen(question, cancel=True), answered)

    def action_export_invite(self) -> None:
        from screens.ics_export_dialog import IcsExportDialog

        if self.detail is not None:
            self.app.push_screen(IcsExportDialog.for_pair(self.detail.pair))

    def action_met(self, met: bool) -> None:
        from circles.services import pairs

        run_db(
            self,
            lambda db: pairs.answer(db, self.pair_id, met=met),
            lambda _: self.reload(),
            write=True,
            group="write",
        )

    def action_toggle_goal(self) -> None:
        from circles.services import pairs

        table = self.query_one("#goal-table", DataTable)
        if self.detail is None or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        goal = next((g for g in self.detail.goals if str(g.id) == key), None)
        if goal is not None:
            run_db(
                self,
                lambda db: pairs.set_goal_done(db, goal.id, done=not goal.done),
                lambda _: self.reload(),
                write=True,
                group="write",
            )

    @on(DataTable.RowSelected, "#goal-table")
    def _selected(self) -> None:
        self.action_toggle_goal()

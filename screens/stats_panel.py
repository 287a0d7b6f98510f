"""The Stats tab of a circle: participation over time, no-shows, RSVP conversion, retention, presenters,
satisfaction (mean rating and who answered) and presenter diversity across teams.

The figures come from circles.services.reports and .success (computed in SQL), read in one unit
of work in a worker: one answer, one layout of the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from circles.errors import CirclesError
from circles.services import reports
from circles.services.participation import Scope, in_scope
from circles.services.reports import Report
from circles.success_views import SessionSatisfaction, TeamPresenters
from circles.words import count
from screens.blocks import Block, Blocks
from screens.figure_boxes import FigureBoxes, FigureName
from screens.opening import ReadFirst
from screens.scroll_body import ScrollBody
from screens.work import run_db

if TYPE_CHECKING:
    from circles.store_access import Db

BAR_WIDTH = 24


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def period_text(period: str) -> str:
    """A participation point's period as the other screens write dates: a session's day
    '2026-11-17' is '17 Nov 2026', a month '2026-11' is 'Nov 2026'."""
    try:
        day = date.fromisoformat(period if len(period) > 7 else f"{period}-01")
    except ValueError:
        return period
    return f"{day:%d %b %Y}" if len(period) > 7 else f"{day:%b %Y}"


def bar(value: float | None, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of block characters for a share between 0 and 1, ``width`` long
    whatever the share: more meetings held than planned fill it, and no more."""
    filled = round(min(max(value or 0.0, 0.0), 1.0) * width)
    return "█" * filled + "░" * (width - filled)


class StatsPanel(ScrollBody):
    """A circle's participation figures as charts. Mount it with the circle's id; call
    :meth:`reload` after check-ins change."""

    DEFAULT_CSS = """
    StatsPanel { height: 1fr; padding: 0 1; }
    StatsPanel #stats-status { color: $text-muted; margin-bottom: 1; }
    StatsPanel #stats-figures { margin-bottom: 1; }
    """

    @dataclass
    class Loaded(Message):
        """The figures arrived and are on screen."""

        panel: StatsPanel
        report: Report

    def __init__(
        self,
        circle_id: int,
        *,
        read_first: ReadFirst | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``read_first``: its read_job, started before the panel was mounted."""
        super().__init__(name=name, id=id, classes=classes)
        self.circle_id = circle_id
        self.report: Report | None = None
        self._read_first = read_first

    def compose(self) -> ComposeResult:
        yield Static("Loading participation…", id="stats-status", markup=False)
        # The figures and the charts are two widgets drawn line by line: a widget each (some
        # twenty) were mounted, styled and laid out one by one when the tab first opened.
        yield CircleFigures(CIRCLE_FIGURES, id="stats-figures")
        yield Blocks(charts(None, [], []), sparkline_height=4, id="stats-charts")

    READ = "stats"  # the name of its read_job's answer (screens/opening.py)

    @staticmethod
    def read_job(circle_id: int) -> Callable[[Db], StatsData]:
        """What the panel shows, as one unit of work to run before mounting it."""
        return lambda db: load_stats(db, circle_id)

    def on_mount(self) -> None:
        if self._read_first is None:
            self.reload()
        else:  # shown in the frame that first shows the panel
            self._read_first.take(self, self.READ, StatsData, self._show, self.reload)

    def reload(self) -> None:
        circle_id = self.circle_id
        run_db(self, lambda db: load_stats(db, circle_id), self._show, failed=self._failed)

    def _show(self, data: StatsData) -> None:
        report = self.report = data.report
        points = report.participation
        status = self.query_one("#stats-status", Static)
        if not points:
            status.update("No held sessions yet: the charts fill in once sessions have taken place.")
        else:
            status.update(
                f"{count(report.totals.sessions, 'held session')}, "
                f"{period_text(points[0].period)} to {period_text(points[-1].period)}."
            )
        self.query_one(CircleFigures).show(
            {"satisfaction": satisfaction_figure(data.per_session), **report_figures(report)}
        )
        self.query_one(Blocks).show(charts(report, data.per_session, data.teams))
        self.post_message(self.Loaded(self, report))

    def _failed(self, error: CirclesError) -> None:
        self.query_one("#stats-status", Static).update(str(error))


class CircleFigures(FigureBoxes, can_focus=False):
    """The tab's four figures in a row: each says what it counts, nothing to explain."""

    COLUMNS = 4
    EXPLAINS = False
    PADDING = 1
    GUTTER = 0


CIRCLE_FIGURES = (
    FigureName("rate", "Participation"),
    FigureName("no_shows", "No-shows"),
    FigureName("presenters", "Presenters"),
    FigureName("satisfaction", "Satisfaction"),
)

PARTICIPATION = "Participation per session (attended of expected)"
HEADCOUNT = "Headcount per session (attended, walk-ins not included)"
RETENTION = "Retention: members still coming after their first N sessions"
CONVERSION = "RSVP to attendance"
RATINGS = "Satisfaction per session (mean rating, 1 to 5)"
TEAMS = "Presenter diversity: members of each team who presented"


def report_figures(report: Report) -> dict[str, tuple[str, str]]:
    """Participation, no-shows and presenters: each figure's value and what it counts (thousands
    grouped, as every count in words is: a circle of years has 2,283 of 3,468 expected)."""
    totals, ns, pd = report.totals, report.no_shows, report.presenters
    return {
        "rate": (percent(totals.rate), f"{totals.attended:,} of {totals.expected:,} expected"),
        "no_shows": (percent(ns.rate), f"{ns.no_shows:,} of {ns.said_yes:,} who said yes"),
        "presenters": (percent(pd.share), f"{pd.presented:,} of {count(pd.members, 'member')} presented"),
    }


def satisfaction_figure(per_session: list[SessionSatisfaction]) -> tuple[str, str]:
    ratings = sum(x.ratings for x in per_session)
    total = sum(x.rating_sum for x in per_session)
    came = sum(x.attendees for x in per_session)
    answered = sum(x.responders for x in per_session)
    mean = f"{total / ratings:.1f} / 5" if ratings else "-"
    return mean, f"{percent(answered / came if came else None)} of {came:,} who came answered"


def charts(
    report: Report | None, per_session: list[SessionSatisfaction], teams: list[TeamPresenters]
) -> list[Block]:
    """The tab's charts under their headings: before the figures come, the headings over
    empty sparklines."""
    if report is None:
        return [
            (PARTICIPATION, [], ""),
            (HEADCOUNT, [], ""),
            (RETENTION, None, ""),
            (CONVERSION, None, ""),
            (RATINGS, [], ""),
            (TEAMS, None, ""),
        ]
    points = report.participation
    # A sparkline stretches from its lowest value to its highest, so say what those are.
    rates = [p.rate for p in points if p.rate is not None]
    axis = ""
    if rates:
        axis = f"{period_text(points[0].period)} … {period_text(points[-1].period)}   "
        axis += f"lowest {percent(min(rates))}, highest {percent(max(rates))}"
    retention = "\n".join(
        f"after {r.after:<3} {bar(r.rate)} {percent(r.rate):>5}  ({r.still_attending:,} of {r.members:,})"
        for r in report.retention
        if r.members
    )
    conversion = "\n".join(
        f"{c.rsvp.value:<6} {bar(c.rate)} {percent(c.rate):>5}  ({c.attended:,} of {c.answered:,} came)"
        for c in report.conversion
    )
    # Sessions nobody rated are left out of the line: a zero would read as a bad session.
    rated = [x for x in per_session if x.mean is not None]
    ratings_axis = "No ratings yet: check-out (o on a session) asks for them."
    if rated:
        ratings_axis = f"{rated[0].day:%d %b} … {rated[-1].day:%d %b}   "
        ratings_axis += (
            f"lowest {min(x.mean or 0 for x in rated):.1f}, highest {max(x.mean or 0 for x in rated):.1f}"
        )
    width = max((len(t.team or "no team") for t in teams), default=0)
    team_lines = "\n".join(
        f"{(t.team or 'no team'):<{width}} {bar(t.share)} {percent(t.share):>5}  "
        f"({t.presented:,} of {t.members:,})"
        for t in teams
    )
    return [
        (PARTICIPATION, [(p.rate or 0.0) * 100 for p in points], axis),
        (HEADCOUNT, [float(p.attended) for p in points], ""),
        (RETENTION, None, retention or "Not enough sessions yet."),
        (CONVERSION, None, conversion),
        (RATINGS, [x.mean or 0.0 for x in rated], ratings_axis),
        (TEAMS, None, team_lines or "No held sessions yet."),
    ]


@dataclass(frozen=True)
class StatsData:
    report: Report
    per_session: list[SessionSatisfaction]
    teams: list[TeamPresenters]


def load_stats(db: Db, circle_id: int) -> StatsData:
    """Everything the panel shows, in one unit of work: where the report and the satisfaction
    figures were read side by side, each answer laid the panel out again."""
    from circles.services import success

    scope = Scope(circle_id=circle_id)
    held = in_scope(db, scope)  # the store's clock and sessions under way, read once for the tab
    # The presenter diversity is the teams' figures added up (the same members and presenters,
    # each in one team): read once, not a second time by the report (a fifth of the tab's
    # reading on the huge demo).
    teams = success.presenters_by_team(db, scope, held=held)
    presenters = reports.PresenterDiversity(
        members=sum(t.members for t in teams), presented=sum(t.presented for t in teams)
    )
    return StatsData(
        reports.build_report(db, scope, per_circle=False, presenters=presenters, held=held),
        success.satisfaction_by_session(db, scope, held=held),
        teams,
    )

"""Organisation: is the programme working? Participation and its trend, RSVP to attendance,
no-shows, retention, presenter diversity, satisfaction and mentoring, across every circle (or
one) over a period, as figures, sparklines and bar rows. Each figure says how it is defined:
focus it (Tab) and press ?, or click it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from rich.cells import cell_len
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Select, Static

from circles.days import day_said, span_said
from circles.success_views import DEFINITIONS, ProgrammeEngagement, RetentionAfter, SuccessReport
from circles.words import count
from screens.blocks import Block, Blocks
from screens.figure_boxes import FigureBoxes, FigureName
from screens.footer import Footer
from screens.format import months_back
from screens.header import Header
from screens.live import LiveScreen
from screens.opening import ReadsFirst, push_read_first
from screens.paged import PagedTable
from screens.select_on_open import SelectOnOpen
from screens.stats_panel import bar, percent
from screens.styled_once import StyledOnceScreen
from screens.table import shortened_in_middle
from screens.typed_app import circles_app
from screens.work import Read, read_in_turn, run_db

if TYPE_CHECKING:
    from circles.store_access import Db

T = TypeVar("T")

PERIODS = ("last 3 months", "this year", "last 12 months", "all time")


def period_days(key: str, today: date) -> tuple[date | None, date]:
    if key == "this year":
        return today.replace(month=1, day=1), today
    if key == "last 12 months":
        return today - timedelta(days=365), today
    if key == "all time":
        return None, today
    return months_back(today, 2), today  # three calendar months, this one the third


def load_success(db: Db, since: date | None, until: date, circle_id: int | None) -> SuccessReport:
    from circles.services import success
    from circles.services.participation import Scope

    return success.success_report(db, Scope(circle_id=circle_id, since=since, until=until))


def load_circles(db: Db) -> list[tuple[str, int]]:
    from circles.services import circle_records

    # Names and ids only: the circles' records (300 on the large demo) took four times as long.
    return circle_records.circle_choices(db)


class Definition(ModalScreen[None]):
    """What a figure means, as the README says it."""

    BINDINGS = [Binding("escape,question_mark,enter", "dismiss", "Close")]

    def __init__(self, key: str) -> None:
        super().__init__(classes="dialog")
        self.key = key

    def compose(self) -> ComposeResult:
        label, text = DEFINITIONS[self.key]
        with VerticalScroll(id="dialog-body"):
            yield Static(label, classes="form-title", markup=False)
            yield Static(text, markup=False)
            yield Button("Close (esc)", id="close", compact=True)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class Page(VerticalScroll, can_focus=False):
    """What is under the choosers, scrolled as a page: by the figures' arrows past their last
    row, by the circles table's cursor, and by the mouse. Not a Tab stop of its own: focused, it
    shows nothing, and Shift+Tab from the figures seemed to do nothing."""


PARTICIPATION = "Participation per month (attended of expected)"
SATISFACTION = "Satisfaction per month (mean rating, 1 to 5)"
CONVERSION = "RSVP to attendance"
BY_CIRCLE = "By circle"
MENTORING = "Mentoring programmes: meetings held of planned"

# What each figure is (its definition's key), its short name, and a narrower one for a box too
# narrow for a word of it.
FIGURES = (
    FigureName("participation", "Participation", "Attended"),
    FigureName("participation_trend", "Its trend"),
    FigureName("conversion", "Said yes, came"),
    FigureName("no_shows", "No-shows"),
    FigureName("retention", "Retention", "Retained"),
    FigureName("presenter_diversity", "Presenters", "Speakers"),
    FigureName("satisfaction", "Satisfaction", "Mean rating"),
    FigureName("response_rate", "Answered"),
    FigureName("satisfaction_trend", "Rating trend"),
    FigureName("pairs_active", "Pairs active"),
    FigureName("meetings", "Meetings held"),
    FigureName("completion", "Completion", "Complete"),
)


def change_text(value: float | None, *, points: bool = False) -> str:
    """A trend's change as shown: a share in points, a rating in points of the scale."""
    if value is None:
        return "-"
    shown = round(value, 2) if points else round(value * 100)
    if not shown:
        return "no change"
    return f"{shown:+.2f}" if points else f"{shown:+d} pts"


def short_count(n: int) -> str:
    """A count short enough for a figure's box: 120588 is 121k, 7250 is 7,250 (as the counts
    around the boxes are written: "2,594 held sessions")."""
    return f"{n / 1000:.0f}k" if n >= 10_000 else f"{n:,}"


def spread(values: list[float], digits: int, unit: str = "") -> str:
    """A sparkline's range. Its bars run from the lowest value to the highest, so months a
    fraction apart look far apart: the range is shown with enough digits to tell them apart."""
    low, high = min(values), max(values)
    shown = (f"{low:.{digits}f}", f"{high:.{digits}f}")
    for more in (1, 2):
        if shown[0] != shown[1] or low == high:
            break
        shown = (f"{low:.{digits + more}f}", f"{high:.{digits + more}f}")
    if low == high:
        return f"all {shown[0]}{unit}"
    return f"lowest {shown[0]}{unit}, highest {shown[1]}{unit} (the bars span only this range)"


def retention_text(cohorts: list[RetentionAfter]) -> tuple[str, str]:
    """The retention figure and its counts: each N months whose mark some member reached in the
    period. A store younger than that has none, which reads "too soon to tell", not "3m - 6m -"
    over "0/0 0/0"."""
    reached = [x for x in cohorts if x.members]
    if not reached:
        return "too soon", "to tell"
    return (
        # Each mark and its share kept on one line (a no-break space): a narrow box wrapped
        # "3m 97% 6m" over "99%".
        " ".join(f"{x.months}m\N{NO-BREAK SPACE}{percent(x.rate)}" for x in reached),
        " ".join(f"{short_count(x.still_attending)}/{short_count(x.members)}" for x in reached),
    )


def out_of(part: int, whole: int) -> str:
    return f"{short_count(part)} of {short_count(whole)}"


def mentoring_lines(programmes: list[ProgrammeEngagement]) -> list[str]:
    """'Coffee roulette  ███████░░░  891 of 1,461 · 1,461 pairs active', a line a programme:
    the meetings held of planned, then the pairs apart from them (they ran together as
    "of 1461 1461 pairs"), one pair as one ("1 pairs active"). The names take the room the
    longest needs, not 28 cells: at 80 columns the large demo's lines wrapped their last word."""
    width = min(28, max((cell_len(p.programme) for p in programmes), default=0))
    lines = []
    for p in programmes:
        share = p.meetings_held / p.meetings_planned if p.meetings_planned else None
        held = f"{p.meetings_held:>5,} of {p.meetings_planned:<5,}"
        if not p.meetings_planned and p.meetings_met:  # no cadence: their meetings, not "0 of 0"
            held = f"{p.meetings_met:>5,} met".ljust(len(held))
        pairs = count(p.pairs_active, "pair")
        # A longer name loses its middle, as a list's names do; padded by the cells it takes.
        name = shortened_in_middle(p.programme, width) or p.programme[: width - 1] + "…"
        lines.append(f"{name}{' ' * (width - cell_len(name))} {bar(share, 10)} {held} · {pairs} active")
    return lines


def figure_values(r: SuccessReport) -> dict[str, tuple[str, str]]:
    """Each figure's value and what it counts, as its box shows them."""
    yes, pd, sat, m = r.said_yes, r.presenters, r.satisfaction, r.mentoring
    values = {
        "participation": (percent(r.participation_rate), out_of(r.attended, r.expected)),
        "participation_trend": (change_text(r.participation_trend.change), "late vs early"),
        "conversion": (
            percent(yes.rate if yes else None),
            f"{short_count(yes.attended) if yes else 0} of {short_count(yes.answered) if yes else 0}",
        ),
        "no_shows": (percent(r.no_shows.rate), out_of(r.no_shows.no_shows, r.no_shows.said_yes)),
        "retention": retention_text(r.retention),
        "presenter_diversity": (percent(pd.share), out_of(pd.presented, pd.members)),
        "satisfaction": (
            f"{sat.mean:.1f} / 5" if sat.mean is not None else "-",
            f"{short_count(sat.ratings)} rating{'' if sat.ratings == 1 else 's'}",
        ),
        "response_rate": (percent(sat.response_rate), out_of(sat.responders, sat.attendees)),
        "satisfaction_trend": (change_text(r.satisfaction_trend.change, points=True), "late vs early"),
    }
    if m is None:
        for key in ("pairs_active", "meetings", "completion"):
            values[key] = ("-", "all circles only")
    else:
        values["pairs_active"] = (short_count(m.pairs_active), count(len(m.programmes), "programme"))
        values["meetings"] = (percent(m.held_share), out_of(m.meetings_held, m.meetings_planned))
        values["completion"] = (percent(m.completion), out_of(m.completed, m.completed + m.ended_early))
    return values


def open_organisation(app: App[Any]) -> None:
    """Open Organisation with its figures and its list of circles in its first frame. Pushed
    first and filled after, it drew six frames before them (empty figures, the footer's keys, a
    layout for each), each a share of the processor taken from the read running beside it.

    It is composed and mounted off the stack while its figures are read (push_read_first's
    built_meanwhile): their statements give up the interpreter while the database works, and
    the mounting was a third of what the UI thread did between the figures' coming and the
    first frame (the large demo, last 3 months, medians of 10 opens in turns: 73 -> 47 ms of
    its processor time on SQLite, 73 -> 46 on PostgreSQL; the process's whole the same). Tried
    earlier for issue 20, when the key to the figures took 670 ms, the read waited for the
    interpreter at every row it fetched while the screen mounted and came in later than the
    mounting saved; the mounting now ends during the main statement, before its rows come."""
    screen = OrganisationScreen()
    since, until = period_days(screen.period, circles_app(app).today())
    # The circles first (a few milliseconds): a screen shown before its figures (a slow store,
    # WAIT_FOR_DATA) then has them, and is laid out once more only when the figures come.
    push_read_first(
        app,
        screen,
        {"circles": load_circles, "report": lambda db: load_success(db, since, until, None)},
        built_meanwhile=True,
    )


class OrganisationScreen(ReadsFirst, LiveScreen, StyledOnceScreen):
    TITLE = "Organisation"
    # What its figures count, for every circle or the one chosen: a change to these looks again,
    # only while the screen is on top and once for a burst (it takes seconds on a large store).
    SHOWS = frozenset(
        {
            "circle", "circle_session", "membership", "attendance", "agenda_item", "away", "person",
            "feedback_setting", "feedback_answer", "feedback_response",
            "programme", "programme_pair", "pair_meeting",
        }
    )  # fmt: skip
    ON_TOP_ONLY = True
    # The figures have the focus from the first frame, so that ? explains one at once. Given it
    # as the screen mounted, they had it from the third: Textual gave it first to the period's
    # chooser (the first widget that takes it), and the two frames before showed that one
    # focused and no box marked, then both choosers and the boxes were styled and drawn again.
    AUTO_FOCUS = "#org-figures"
    HELP = (
        "Whether the programme works, over a period: every circle, or one. Tab (or an arrow) moves "
        "between the figures; ? on a figure (or a click) says exactly how it is counted. The same "
        "figures come out of 'circles report' (--json, --xlsx, --explain)."
    )
    BINDINGS = [Binding("r", "refresh", "Refresh", show=False)]
    DEFAULT_CSS = """
    OrganisationScreen #org-controls { height: auto; margin: 0 1; }
    OrganisationScreen #org-status { margin: 0 1; height: auto; color: $text-muted; }
    OrganisationScreen #org-body { height: 1fr; padding: 0 1; scrollbar-gutter: stable; }
    OrganisationScreen #org-trends { margin-top: 1; }
    OrganisationScreen #org-mentoring { margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.period = PERIODS[0]
        self.circle_id: int | None = None
        self.report: SuccessReport | None = None
        self.circles: list[tuple[str, int]] | None = None
        # Until a period or a circle is chosen (or it looks again), the figures read before the
        # screen was pushed are the ones to show: read afresh, they are out of date.
        self._first_wanted = True

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="org-controls"):
            # Drawn as compact Selects, built as Selects when first opened (select_on_open.py):
            # as Selects from the start they were 12 of the screen's 27 widgets, and a fifth of
            # the time from O to the figures.
            yield SelectOnOpen([(p.capitalize(), p) for p in PERIODS], value=self.period, id="org-period")
            yield SelectOnOpen([("All circles", 0)], value=0, id="org-circle")
        yield Static("Counting…", id="org-status", markup=False)
        with Page(id="org-body"):
            yield FigureBoxes(FIGURES, id="org-figures")
            yield Blocks(self._trends(None), id="org-trends")
            # Every circle of the organisation (300 in the large demo): DataTable measures each
            # row it holds, so it holds what its lines could show and a few more, the rest
            # added as it is scrolled.
            circles = PagedTable(
                id="org-circles", cursor_type="row", zebra_stripes=True, first_screenful=True
            )
            # Inline, since the app's stylesheet gives every table 1fr, which in this scrolling
            # body left it one line high (a screen's DEFAULT_CSS loses to the app's); set before
            # it is mounted, so the screen is laid out once with it.
            circles.styles.height = "auto"
            circles.styles.max_height = 14
            yield circles
            yield Blocks([(MENTORING, None, "")], id="org-mentoring")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#org-circles", PagedTable)
        # At 80 columns a circle's full name left room for Sessions alone, the figures hidden
        # whole: the name loses its middle instead (its city stays), and the figures that
        # answer "is it working" are the last to go.
        table.add_column("Circle", priority=0, min_width=24, cut_middle=True)
        for label, priority in (
            ("Sessions", 3), ("Participation", 1), ("Presenters", 5), ("Rating", 2), ("Answered", 4),
        ):  # fmt: skip
            table.add_column(label, priority=priority)
        # Read before it was pushed (open_organisation): its first frame shows them. Pushed
        # without (or a read failed), it reads them itself, which says why.
        self.take_first("report", SuccessReport, lambda r: self._first(self.show, r), self.reload)
        self.take_first("circles", list, lambda found: self._first(self._circles, found), self._read_circles)

    def _first(self, show: Callable[[T], object], value: T) -> None:
        if self._first_wanted:  # else a reload, under way, reads them afresh
            show(value)

    def _read_circles(self) -> None:
        if self._first_wanted:  # else a reload reads them
            run_db(self, load_circles, self._circles, group="circles")

    def _circles(self, found: list[tuple[str, int]]) -> None:
        if found == self.circles:
            return  # as shown: the list, open or not, is left alone
        self.circles = found
        self.query_one("#org-circle", SelectOnOpen).set_options(
            [("All circles", 0), *found], self.circle_id or 0
        )

    def about(self) -> dict[str, int | None]:
        return {"circle": self.circle_id}

    def look_again(self) -> None:
        """Someone changed what the figures count: counted again, the figures shown meanwhile,
        and the list of circles read again after them."""
        self.reload(counting=False, circles=True)

    def reload(self, *, counting: bool = True, circles: bool = False) -> None:
        """The figures read again, then (when asked, or while it was never read: a reload
        replaces a read still running) the list of circles, in turn in one worker: side by
        side they took two connections on PostgreSQL, and the list, in first, laid the screen
        out once more before the figures came."""
        self._first_wanted = False
        since, until = period_days(self.period, circles_app(self).today())
        circle_id = self.circle_id
        if counting:
            self.query_one("#org-status", Static).update("Counting…")
        reads: list[Read] = [(lambda db: load_success(db, since, until, circle_id), self.show, None)]
        if circles or self.circles is None:
            reads.append((load_circles, self._circles, None))
        read_in_turn(self, reads)

    def action_refresh(self) -> None:
        self.reload()

    @on(Select.Changed, "#org-period Select")
    def _period(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.period:
            self.period = event.value
            self.reload()

    @on(Select.Changed, "#org-circle Select")
    def _circle(self, event: Select.Changed) -> None:
        chosen = event.value if isinstance(event.value, int) and event.value else None
        if chosen != self.circle_id:
            self.circle_id = chosen
            self.reload()

    @on(FigureBoxes.Explain)
    def _explain(self, event: FigureBoxes.Explain) -> None:
        self.app.push_screen(Definition(event.key))

    def show(self, r: SuccessReport) -> None:
        self.report = r
        since, until = r.scope.since, r.scope.until
        today = circles_app(self).today()
        # A report without an end runs up to today.
        end = until or today
        span = span_said(since, end, today) if since else f"up to {day_said(end, today)}"
        self.query_one("#org-status", Static).update(
            f"{r.circle_name or 'All circles'} · {span} · {count(r.sessions, 'held session')}, "
            f"{count(len(r.circles), 'circle')} · Tab to a figure, ? says how it is counted"
        )
        self.query_one(FigureBoxes).show(figure_values(r))
        self.query_one("#org-trends", Blocks).show(self._trends(r))
        self.query_one("#org-circles", PagedTable).fill(
            [
                (
                    str(c.circle_id),
                    (
                        c.circle,
                        str(c.sessions),
                        f"{bar(c.participation, 12)} {percent(c.participation):>4}",
                        f"{bar(c.presenter_share, 12)} {percent(c.presenter_share):>4}",
                        f"{c.mean_rating:.1f}" if c.mean_rating is not None else "-",
                        percent(c.response_rate),
                    ),
                )
                for c in r.circles
            ],
        )
        lines = mentoring_lines(r.mentoring.programmes) if r.mentoring is not None else []
        self.query_one("#org-mentoring", Blocks).show(
            [(MENTORING, None, "\n".join(lines) or "Mentoring counts across all circles only.")]
        )

    @staticmethod
    def _trends(r: SuccessReport | None) -> list[Block]:
        """Participation and satisfaction per month, RSVP to attendance, and the circle table's
        heading: before the figures come, the headings over empty sparklines."""
        if r is None:
            return [
                (PARTICIPATION, [], ""),
                (SATISFACTION, [], ""),
                (CONVERSION, None, ""),
                (BY_CIRCLE, None, ""),
            ]
        points = r.participation
        rated = [p.rate * 100 for p in points if p.rate is not None]
        trend = [p for p in r.satisfaction_trend.points if p.value is not None]
        return [
            (
                PARTICIPATION,
                [(p.rate or 0.0) * 100 for p in points],
                f"{points[0].period} … {points[-1].period}   {spread(rated, 0, '%')}"
                if rated
                else "No held sessions in this period.",
            ),
            (
                SATISFACTION,
                [p.value or 0.0 for p in trend],
                f"{trend[0].period} … {trend[-1].period}   {spread([p.value or 0.0 for p in trend], 1)}"
                if trend
                else "No ratings in this period.",
            ),
            (
                CONVERSION,
                None,
                "\n".join(
                    f"{c.rsvp.value:<6} {bar(c.rate)} {percent(c.rate):>5}  "
                    f"({c.attended:,} of {c.answered:,} came)"
                    for c in r.conversion
                ),
            ),
            (BY_CIRCLE, None, ""),
        ]

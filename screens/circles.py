"""The circles list: every circle with its kind, members and next session; type to filter.

An organisation's circles are read whole (their names: the filter is then instant), but the
table shows them a page at a time, more as the cursor nears the end: a Textual table measures
every row it holds, and three thousand rows (the huge demo's) took most of a second to show
where a page takes a tenth of that. Each row's figures (members, next session, facilitator) are
read for the rows shown, as they are shown: for every circle they were most of the list's time
on the huge demo. A filter showing rows whose figures are not in yet shows them once they are (a
read of a few milliseconds); what it lets through, and Enter on a name typed whole, are known at
once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from circles.days import weekday_said
from circles.errors import shown
from circles.services import lookups
from circles.views import CircleView
from circles.words import count
from circles.zones import time_zone
from screens.archived import ArchivedToggle, archived_bindings, archived_note
from screens.footer import Footer
from screens.format import safe
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.one_line import OneLineInput
from screens.opening import ReadsFirst, push_read_first
from screens.styled_once import StyledOnceScreen
from screens.table import Table
from screens.type_to_filter import TypeToFilter
from screens.typed_app import circles_app
from screens.work import run_db

if TYPE_CHECKING:
    from circles.live import Change
    from circles.store_access import Db

PAGE = 200  # rows shown at first, and added each time the cursor nears the last of them
NOT_READ = ("…", "…", "…")  # a row's figures for the moment before they are read


def next_day(instant: datetime | None, tz: str, now: datetime) -> str:
    """A circle's next session's day on its own clock, as the session lists write a day ('Tue 10
    Mar', the year only when not this one): with this year's year on every row it said less
    in more cells."""
    return weekday_said(instant.astimezone(time_zone(tz)), now) if instant is not None else "none planned"


class CirclesScreen(ArchivedToggle, ReadsFirst, LiveScreen, TypeToFilter, StyledOnceScreen):
    TITLE = "Circles"
    HELP = "Every circle. Type part of a name to narrow the list; Enter opens the circle, + creates one."
    # No letter is a key here: every letter is the start of a name (screens/type_to_filter.py).
    BINDINGS = [
        Binding("plus", "new_circle", "New circle", tooltip="Create a circle"),
        Binding("slash", "filter", "Filter", tooltip="Type part of a name"),
        *archived_bindings("ctrl+t", "circles"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.circles: list[lookups.ListedCircle] = []
        self.figures: dict[int, lookups.CircleFigures] = {}  # of the circles shown so far
        self.loaded = False
        self.matching: list[lookups.ListedCircle] = []  # what the filter lets through
        self.shown = 0  # how many of them the table holds
        # Counts the reads of the whole list: figures read before the latest are older than
        # its own, and are not kept.
        self._read = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield OneLineInput(label="Filter", placeholder="Filter circles by name", id="filter")
        yield Table(id="circles", cursor_type="row", zebra_stripes=True)
        yield Static("", id="circles-count", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(Table)
        # A name keeps 30 cells and the kind is whole or not shown: at 80 columns both were
        # shortened, and "Rust Community of Prac…" three times over did not say which city. A
        # name still too long loses its middle, so the end that tells such circles apart stays.
        table.add_column("Circle", priority=0, min_width=30, cut_middle=True)
        table.add_column("Kind", priority=4)
        table.add_column("Members", priority=2)
        table.add_column("Next session", priority=1)
        table.add_column("Facilitator", priority=3, min_width=10)
        table.focus()
        # Read before the screen was pushed: its first frame shows them.
        self.take_first("circles", lookups.CirclesOverview, self.show, self.reload)

    def on_screen_resume(self) -> None:
        if self.coming_back() and self.loaded:  # back from a circle: its name or members may have changed
            self.reload()

    def concerns(self, change: Change) -> bool:
        return change.touches(("circle", "membership", "circle_session", "person"))

    def reload(self) -> None:
        now = circles_app(self).now()
        archived = self.include_archived
        typed = self.query_one("#filter", Input).value
        first = max(PAGE, self.shown)  # the figures of the rows shown now, read with the names

        def read(db: Db) -> lookups.CirclesOverview:
            return lookups.circles_overview(db, now=now, include_archived=archived, typed=typed, first=first)

        run_db(self, read, self.show)

    def show(self, overview: lookups.CirclesOverview) -> None:
        self.circles = overview.circles
        self.figures = overview.figures
        self._read += 1
        self.loaded = True
        self.render_rows()

    def render_rows(self, *, keep_shown: bool = True) -> None:
        """The circles the filter lets through, as many rows as were shown (at least a page; a
        new filter starts again from one page)."""
        self.matching = lookups.matching_circles(self.circles, self.query_one("#filter", Input).value)
        self.shown = min(len(self.matching), max(PAGE, self.shown if keep_shown else 0))
        self._fill()

    def _fill(self) -> None:
        """The table holds the first ``shown`` circles that match, now; the figures not read yet
        show once they are. The rows come at once, so a key typed meanwhile (Enter, down)
        finds the rows it is meant for; the figures follow a few milliseconds later."""
        now = circles_app(self).now()  # once a fill: up to 200 rows on each key typed
        refill(self.query_one(DataTable), [self._row(c, now) for c in self.matching[: self.shown]])
        self._count()
        self._read_figures()

    def _read_figures(self) -> None:
        """The figures of the rows shown that lack them, read; each row shows them once in."""
        missing = [c.id for c in self.matching[: self.shown] if c.id not in self.figures]
        if not missing:
            return
        # Every row still without them, not only the newest: this read replaces any still on
        # its way (a filter typed fast shows only the last key's answer).
        read, now = self._read, circles_app(self).now()

        def arrived(figures: dict[int, lookups.CircleFigures]) -> None:
            if read == self._read:  # else the list was read again since: that read is newer
                self.figures.update(figures)
                self._fill()

        run_db(self, lambda db: lookups.circle_figures(db, missing, now=now), arrived, group="figures")

    def _row(self, circle: lookups.ListedCircle, now: datetime) -> tuple[str, tuple[object, ...]]:
        figures = self.figures.get(circle.id)
        name = safe(circle.name + (" (archived)" if circle.archived else ""), circle.kind.label)
        if figures is None:
            return str(circle.id), (*name, *NOT_READ)
        numbers = safe(
            str(figures.members),
            next_day(figures.next_session, circle.timezone, now),
            figures.facilitator_name or "",
        )
        return str(circle.id), (*name, *numbers)

    def _count(self) -> None:
        more = len(self.matching) - self.shown
        typed = self.query_one("#filter", Input).value.strip()
        if typed and not self.matching:
            # A table of headers alone looked like a list still loading, or broken.
            line = f"No circle matches {shown(typed)}"
        elif more:
            line = f"{count(len(self.matching), 'circle')}, showing {self.shown}; scroll down for more"
        else:
            line = ""
        if self.include_archived:  # what ctrl+t did, even where it changed no row
            said = archived_note(sum(c.archived for c in self.circles), "circle")
            line = f"{line}. {said}" if line else said
        self.query_one("#circles-count", Static).update(line)

    @on(DataTable.RowHighlighted)
    def _maybe_more(self, event: DataTable.RowHighlighted) -> None:
        if self.shown < len(self.matching) and event.cursor_row >= self.shown - 10:
            table, now = self.query_one(DataTable), circles_app(self).now()
            for circle in self.matching[self.shown : self.shown + PAGE]:
                key, cells = self._row(circle, now)
                table.add_row(*cells, key=key)
            self.shown = min(len(self.matching), self.shown + PAGE)
            self._count()
            self._read_figures()  # the rows are in: no other row needs comparing again

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        # Every circle's name is loaded, so what the filter lets through is known at once.
        self.render_rows(keep_shown=False)

    @on(Input.Submitted, "#filter")
    def _to_table(self) -> None:
        # A name typed whole ("rust", Enter) opens its circle; a filter that leaves several goes
        # to the list to pick one. The focus moves at once (Screen.set_focus): a key typed after
        # the Enter goes to the list (screens/late_keys.py).
        table = self.query_one(DataTable)
        if self.focused is table:
            # A second Enter typed with the first reached the filter before the focus left it:
            # it is the list's Enter, which opens the circle highlighted there.
            table.action_select_cursor()
            return
        if len(self.matching) == 1:
            circles_app(self).open_circle(self.matching[0].id)
        self.set_focus(table)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            circles_app(self).open_circle(int(event.row_key.value))

    def action_new_circle(self) -> None:
        from screens.forms import circle_form

        zone = self.circles[0].timezone if self.circles else "UTC"

        def created(circle: CircleView | None) -> None:
            if circle is not None:
                circles_app(self).open_circle(circle.id)

        self.app.push_screen(circle_form(None, timezone=zone), created)


def open_circles(app: App[Any]) -> None:
    """Open the Circles list with its circles in its first frame."""
    now = circles_app(app).now()
    push_read_first(
        app, CirclesScreen(), {"circles": lambda db: lookups.circles_overview(db, now=now, first=PAGE)}
    )

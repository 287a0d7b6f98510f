"""The circles list: every circle with its kind, members and next session; type to filter.

An organisation's circles are read whole (one statement, and the filter is then instant), but
the table shows them a page at a time, more as the cursor nears the end: a Textual table
measures every row it holds, and three thousand rows (the huge demo's) took most of a second to
show where a page takes a tenth of that."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from circles.errors import shown
from circles.services import lookups
from circles.views import CircleView
from circles.words import count
from screens.footer import Footer
from screens.format import day, safe
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

PAGE = 200  # rows shown at first, and added each time the cursor nears the last of them


class CirclesScreen(ReadsFirst, LiveScreen, TypeToFilter, StyledOnceScreen):
    TITLE = "Circles"
    HELP = (
        "Every circle. Type part of a name to narrow the list (/ first for a name starting with "
        "n or a, the list's keys); Enter opens the circle."
    )
    BINDINGS = [
        Binding("n", "new_circle", "New circle", tooltip="Create a circle"),
        Binding("slash", "filter", "Filter", tooltip="Type part of a name"),
        Binding("a", "toggle_archived", "Archived", tooltip="Show or hide archived circles"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[lookups.CircleOverview] = []
        self.loaded = False
        self.include_archived = False
        self.matching: list[lookups.CircleOverview] = []  # what the filter lets through
        self.shown = 0  # how many of them the table holds

    def compose(self) -> ComposeResult:
        yield Header()
        yield OneLineInput(label="Filter", placeholder="Filter circles by name", id="filter")
        yield Table(id="circles", cursor_type="row", zebra_stripes=True)
        yield Static("", id="circles-count", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(Table)
        # A name keeps 30 cells and the kind is whole or not shown: at 80 columns both were
        # shortened, and "Rust Community of Prac…" three times over did not say which city.
        table.add_column("Circle", priority=0, min_width=30)
        table.add_column("Kind", priority=4)
        table.add_column("Members", priority=2)
        table.add_column("Next session", priority=1)
        table.add_column("Facilitator", priority=3, min_width=10)
        table.focus()
        # Read before the screen was pushed: its first frame shows them.
        self.take_first("circles", list, self.show, self.reload)

    def on_screen_resume(self) -> None:
        if self.coming_back() and self.loaded:  # back from a circle: its name or members may have changed
            self.reload()

    def concerns(self, change: Change) -> bool:
        return change.touches(("circle", "membership", "circle_session", "person"))

    def reload(self) -> None:
        now = circles_app(self).now()
        archived = self.include_archived
        run_db(self, lambda db: lookups.circles_overview(db, now=now, include_archived=archived), self.show)

    def show(self, summaries: list[lookups.CircleOverview]) -> None:
        self.summaries = summaries
        self.loaded = True
        self.render_rows()

    def render_rows(self, *, keep_shown: bool = True) -> None:
        """The circles the filter lets through, as many rows as were shown (at least a page; a
        new filter starts again from one page)."""
        text = self.query_one("#filter", Input).value.strip().casefold()
        self.matching = [s for s in self.summaries if not text or text in s.circle.name.casefold()]
        self.shown = min(len(self.matching), max(PAGE, self.shown if keep_shown else 0))
        refill(self.query_one(DataTable), [_row(s) for s in self.matching[: self.shown]])
        self._count()

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
        self.query_one("#circles-count", Static).update(line)

    @on(DataTable.RowHighlighted)
    def _maybe_more(self, event: DataTable.RowHighlighted) -> None:
        if self.shown < len(self.matching) and event.cursor_row >= self.shown - 10:
            table = self.query_one(DataTable)
            for s in self.matching[self.shown : self.shown + PAGE]:
                key, cells = _row(s)
                table.add_row(*cells, key=key)
            self.shown = min(len(self.matching), self.shown + PAGE)
            self._count()

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        # The circles are all loaded, so filtering them is instant.
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
            circles_app(self).open_circle(self.matching[0].circle.id)
        self.set_focus(table)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_toggle_archived(self) -> None:
        self.include_archived = not self.include_archived
        self.reload()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            circles_app(self).open_circle(int(event.row_key.value))

    def action_new_circle(self) -> None:
        from screens.forms import circle_form

        zone = self.summaries[0].circle.timezone if self.summaries else "UTC"

        def created(circle: CircleView | None) -> None:
            if circle is not None:
                circles_app(self).open_circle(circle.id)

        self.app.push_screen(circle_form(None, timezone=zone), created)


def open_circles(app: App[Any]) -> None:
    """Open the Circles list with its circles in its first frame."""
    now = circles_app(app).now()
    push_read_first(app, CirclesScreen(), {"circles": lambda db: lookups.circles_overview(db, now=now)})


def _row(s: lookups.CircleOverview) -> tuple[str, tuple[object, ...]]:
    return (
        str(s.circle.id),
        safe(
            s.circle.name + (" (archived)" if s.circle.archived else ""),
            s.circle.kind.label,
            str(s.members),
            day(s.next_session, s.circle.timezone) or "none planned",
            s.circle.facilitator_name or "",
        ),
    )

"""The circles list: every circle with its kind, members and next session; type to filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Input

from circles.services import lookups
from circles.views import CircleView
from screens.footer import Footer
from screens.format import day, safe
from screens.live import LiveScreen, refill
from screens.one_line import OneLineInput
from screens.styled_once import StyledOnceScreen
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import run_db

if TYPE_CHECKING:
    from circles.live import Change


class CirclesScreen(LiveScreen, StyledOnceScreen):
    TITLE = "Circles"
    HELP = "Every circle. Type in the filter to narrow the list; Enter opens the circle."
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

    def compose(self) -> ComposeResult:
        yield Header()
        yield OneLineInput(label="Filter", placeholder="Filter circles by name", id="filter")
        yield Table(id="circles", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(Table)
        table.add_column("Circle", priority=0, min_width=16)
        table.add_column("Kind", priority=4, min_width=8)
        table.add_column("Members", priority=2)
        table.add_column("Next session", priority=1)
        table.add_column("Facilitator", priority=3, min_width=10)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from a circle: its name or members may have changed
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

    def render_rows(self) -> None:
        text = self.query_one("#filter", Input).value.strip().casefold()
        rows = [
            (
                str(s.circle.id),
                safe(
                    s.circle.name + (" (archived)" if s.circle.archived else ""),
                    s.circle.kind.label,
                    str(s.members),
                    day(s.next_session, s.circle.timezone) or "none planned",
                    s.circle.facilitator_name or "",
                ),
            )
            for s in self.summaries
            if not text or text in s.circle.name.casefold()
        ]
        refill(self.query_one(DataTable), rows)

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        # The circles of one organisation are few, so filtering what is loaded is instant.
        self.render_rows()

    @on(Input.Submitted, "#filter")
    def _to_table(self) -> None:
        self.query_one(DataTable).focus()

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

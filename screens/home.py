"""Home: what is coming up in the next 14 days across all circles, or across yours when the
settings say who you are (circles/me.py); on an empty store, what to do first."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Static

from circles import upcoming
from circles.days import weekday_said
from circles.upcoming import DAYS
from circles.views import HomeData, SessionView
from models.enums import SessionStatus
from screens.footer import Footer
from screens.format import headcount_text, presenter_label, safe, when
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import run_db, show_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from circles.errors import CirclesError
    from circles.live import Change
    from circles.store_access import Db


def _load(db: Db, every_circle: bool) -> HomeData:
    from circles.me import me_setting
    from circles.services.home import load_home  # already loaded by the store's worker

    # The store's clock, read in the worker: the load may have waited there for the store.
    # Who you are is read at each load, so 'circles whoami --set' shows on the next refresh.
    return load_home(db, me=me_setting(), every_circle=every_circle)


class HomeScreen(LiveScreen, Screen[None]):
    TITLE = "Home"
    HELP = (
        "Sessions in the next 14 days: of your circles when the settings say who you are "
        "(circles whoami), else of every circle; a switches. Enter opens one; c lists the circles."
    )
    BINDINGS = [
        Binding("c", "circles", "Circles", tooltip="All circles"),
        Binding("p", "people", "People", tooltip="The people directory"),
        Binding(
            "slash", "search", "Search", tooltip="Search notes, takeaways, materials, people, everything"
        ),
        Binding("n", "new_circle", "New circle", tooltip="Create a circle"),
        Binding("d", "demo", "Load demo data", tooltip="Fill this empty store with a demo organisation"),
        # q quits where the footer says so (here and while the store opens); ctrl+q everywhere.
        Binding("q", "app.quit", "Quit", tooltip="Close circles (ctrl+q quits from any screen)"),
        # One key, two ways: only one of these is on at a time (check_action).
        Binding("a", "every_circle", "All circles", tooltip="The sessions of every circle, not only yours"),
        Binding("a", "my_circles", "My circles", tooltip="Only the circles you facilitate or belong to"),
        # Where the footer has room (120 columns); at 80 it gives way to Quit, and ? lists it.
        Binding("M", "programmes", "Programmes", tooltip="Mentoring, buddy and coffee programmes"),
        # Nothing to go back to from Home: its own Escape hides the app's "esc Back" here, and
        # only here (the app cannot tell which screen's footer asks, so Home's footer would be
        # rebuilt, unseen, each time a screen opens over it).
        Binding("escape", "stay", show=False),
        # "Export", not "Export attendance": at 120 columns the longer name left no room for O.
        Binding("X", "export_attendance", "Export", tooltip="Every circle's attendance to a file"),
        # Last: the footer keeps its first keys when the width runs out (Quit must stay at 80).
        Binding("R", "recognition", "Recognition", tooltip="Who to thank this month, and the digest"),
        Binding("O", "organisation", "Organisation", tooltip="Is the programme working? The success figures"),
        Binding("r", "refresh", "Refresh", show=False),
    ]
    # How often Home looks at the clock for a list gone out of date (_mind_the_clock): a session
    # shown a few seconds past its still-on window is no harm.
    CLOCK_LOOK_SECONDS = 20.0

    def __init__(self, first_glance: HomeData | None = None) -> None:
        super().__init__()
        self.data: HomeData | None = None
        self._first_glance = first_glance
        self._resumed = False
        # What waits for Home's first rows on screen (the keys typed while the store opened).
        self._until_shown: list[Callable[[], object]] = []
        # Asked for every circle although the settings say who you are.
        self.every_circle = False
        # When what the list shows is out of date by the clock alone (a session no longer still
        # on); None while a read is under way or before the first.
        self._read_again_at: datetime | None = None
        self._shown_on: date | None = None  # the day what is on screen was written for

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="welcome"):
            yield Static("Welcome to circles", classes="form-title")
            yield Static(
                "This store is empty. Start with a circle: a learning circle, a community of practice, "
                "a lunch-and-learn or a workshop. Or load demo data to look around first.",
                classes="hint",
            )
            yield Button("Create your first circle (n)", variant="primary", id="first-circle")
            yield Button("Load demo data (d)", id="load-demo")
        with Vertical(id="home-main"):
            yield Static(f"Coming up in the next {DAYS} days", id="upcoming-title", classes="section-title")
            yield Table(id="upcoming", cursor_type="row", zebra_stripes=True)
            yield Static("", id="upcoming-empty", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#upcoming", Table)
        # At 80 columns the least needed go first (RSVP), and names are shortened with an ellipsis
        # (a circle's in its middle: circles of one kind in several cities differ at the end).
        # RSVP is shown whole or not at all: a count cut short ("7 yes · 1 may…") reads wrong,
        # where a long circle name cut short is still the name (at 120 it gives the cells).
        # A circle keeps 20 cells, enough for its city ("Accessibility…(Bangalore)"): at 12, with
        # the zones and a scrollbar beside it (the large demo), every "Accessibility Community
        # of Practice" read "Accessibili…". A session not going ahead says so in its title
        # (_title_cell): a Status column, blank on all but that row of 300, took the cells of
        # the presenter on every row at 80 columns.
        table.add_column("When", priority=0)
        table.add_column("Circle", priority=1, min_width=20, cut_middle=True)
        table.add_column("Title", priority=2, min_width=12)
        table.add_column("Presenter", priority=3, min_width=10)
        table.add_column("RSVP", priority=4)
        self.query_one("#welcome").display = False
        if self._first_glance is not None:
            self.show(self._first_glance)
            self._first_glance = None
        # With a first glance on screen, this load waits for the store to open: it has the last word.
        self.refresh_data()
        self.set_interval(self.CLOCK_LOOK_SECONDS, self._mind_the_clock)

    def _mind_the_clock(self) -> None:
        """Home left open reads again once a session it lists is no longer still on (by the
        app's clock), not only when a key or a change makes it. Under another screen (not a
        dialog), it reads again when it comes back (on_screen_resume)."""
        due = self._read_again_at
        if due is not None and self.is_current and circles_app(self).now() > due:
            self.refresh_data()

    def on_screen_resume(self) -> None:
        # The first resume comes with mounting, which loads already; later ones are returns.
        if self._resumed:
            self.refresh_data()
        self._resumed = True

    def action_refresh(self) -> None:
        self.refresh_data()

    def concerns(self, change: Change) -> bool:
        return change.touches(("circle", "circle_session", "attendance", "person", "agenda_item"))

    def look_again(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        every_circle = self.every_circle
        self._read_again_at = None
        run_db(self, lambda db: _load(db, every_circle), self._read, failed=self._not_read)

    def _read(self, data: HomeData) -> None:
        self.show(data)
        self._shown()
        now = circles_app(self).now()
        self._read_again_at = upcoming.read_again_at(now, (s.starts_at for s in data.upcoming))
        circles_app(self).home_read()

    def _not_read(self, error: CirclesError) -> None:
        show_error(self, error)
        self._shown()  # with the reason on screen: what waited for the rows goes to Home as it is

    def when_shown(self, then: Callable[[], object]) -> None:
        """``then``, once Home shows rows (from a first glance or from the store) and the focus
        has settled on them. Keys typed while the store opened wait for it: reaching an empty
        Home, Down and Enter did nothing, and the rows came up with the cursor on the first."""
        if self.data is None:
            self._until_shown.append(then)
        else:
            self.call_after_refresh(then)  # after the frame that moves the focus to the table

    def _shown(self) -> None:
        waiting, self._until_shown = self._until_shown, []
        for then in waiting:
            self.call_after_refresh(then)

    def action_every_circle(self) -> None:
        self.every_circle = True
        self.refresh_data()

    def action_my_circles(self) -> None:
        self.every_circle = False
        self.refresh_data()

    def show(self, data: HomeData) -> None:
        # What it says depends on the day too (the last day it covers, who came from a session's
        # day on, the year): Home left open overnight read the same rows and kept yesterday's.
        day = circles_app(self).today()
        if data == self.data and day == self._shown_on:
            return  # as on screen (the store usually confirms the first glance)
        self.data, self._shown_on = data, day
        self.query_one("#welcome").display = data.empty
        self.query_one("#home-main").display = not data.empty
        self.refresh_bindings()
        if data.empty:
            self.query_one("#first-circle", Button).focus()
            return
        table = self.query_one("#upcoming", Table)
        now = circles_app(self).now()
        # Each time is on its circle's clock: when the circles' clocks differ, each says which.
        mixed = len({s.timezone for s in data.upcoming}) > 1
        # Row keys let Enter open the session the cursor is on, and keep it there as rows change.
        rows = [
            (
                str(s.id),
                safe(
                    when(s, now, zone=mixed),
                    s.circle_name,
                    _title_cell(s),
                    presenter_label(s, data.presenters),
                    headcount_text(data.counts.get(s.id), s, now),
                ),
            )
            for s in data.upcoming
        ]
        refill(table, rows)
        # Plain Text: the title names a person, whose name must show as typed, not as markup.
        self.query_one("#upcoming-title", Static).update(Text(_title(data, now, mixed)))
        empty = self.query_one("#upcoming-empty", Static)
        empty.update(
            ""
            if data.upcoming
            else f"Nothing scheduled before {weekday_said(now + timedelta(days=DAYS), now)}"
            + (" in your circles. Press a for every circle's." if data.only_mine else ". ")
            + ("" if data.only_mine else "Press c, open a circle and schedule a session (s).")
        )
        table.focus()

    def action_stay(self) -> None:
        """Escape on Home: it is the first screen, there is nowhere to go back to."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return self.data is not None and self.data.empty
        if action == "export_attendance":  # an empty store has nothing to export
            return not (self.data is not None and self.data.empty)
        if action in ("every_circle", "my_circles"):  # only for someone the store knows
            known = self.data is not None and not self.data.empty and self.data.me is not None
            return known and (action == "every_circle") == self.data.only_mine  # type: ignore[union-attr]
        return True

    @on(DataTable.RowSelected, "#upcoming")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            circles_app(self).open_session(int(event.row_key.value))

    def action_circles(self) -> None:
        from screens.circles import open_circles

        open_circles(self.app)

    def action_search(self) -> None:
        from screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_programmes(self) -> None:
        from screens.programmes import ProgrammesScreen

        self.app.push_screen(ProgrammesScreen())

    def action_recognition(self) -> None:
        from screens.recognition import open_recognition

        open_recognition(self.app)

    def action_organisation(self) -> None:
        from screens.organisation import open_organisation

        open_organisation(self.app)

    def action_people(self) -> None:
        from screens.people import PeopleScreen

        self.app.push_screen(PeopleScreen())

    @on(Button.Pressed, "#first-circle")
    def action_new_circle(self) -> None:
        from screens.circle import create_circle

        create_circle(self.app)

    def action_export_attendance(self) -> None:
        from screens.export_attendance_dialog import ExportAttendanceDialog

        self.app.push_screen(ExportAttendanceDialog(today=circles_app(self).today()))

    @on(Button.Pressed, "#load-demo")
    def action_demo(self) -> None:
        from screens.demo_loader import DemoLoader

        self.app.push_screen(DemoLoader(), lambda _done: self.refresh_data())


def _title_cell(session: SessionView) -> str:
    """The Title cell, led by the session's status when it is not going ahead as planned
    ("cancelled: Lifetimes in practice"): first in the cell, it shows however short the cell
    is cut, on the one row it is about."""
    title = session.title or ""
    if session.status is SessionStatus.SCHEDULED:
        return title
    return f"{session.status.value}: {title}" if title else session.status.value


def _title(data: HomeData, now: datetime, mixed: bool) -> str:
    """What the list covers. Home lists at most upcoming.MOST sessions: an organisation with
    thousands of circles has that many in a few hours, not in two weeks, and a title that said
    two weeks over them made every later session look cancelled. It says whose circles: yours
    (by name, so a wrong setting shows), or every circle."""
    whose = _whose(data)
    if len(data.upcoming) < upcoming.MOST:
        return f"{whose}Coming up in the next {DAYS} days"
    last = when(data.upcoming[-1], now, zone=mixed)
    cut = f"the next {len(data.upcoming)} sessions, to {last} (a circle lists all of its own)"
    return f"{whose}Coming up: {cut}"


def _whose(data: HomeData) -> str:
    # The key is named here too: at 80 columns the footer has no room left for it.
    if data.only_mine:
        return f"Circles of {data.me} (a: every circle): "
    if data.me is not None:
        return "Every circle (a: yours): "
    if data.me_unknown is not None:
        return f"Every circle ({data.me_unknown[:60]} is nobody here; circles whoami): "
    return ""

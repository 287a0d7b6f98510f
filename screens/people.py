"""The people directory: everyone, filtered in SQL as you type and loaded a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from circles.errors import CirclesError
from circles.errors import shown as quoted
from circles.services import people
from circles.views import PersonView
from circles.words import count
from screens.footer import Footer
from screens.format import safe
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.one_line import OneLineInput
from screens.table import Table
from screens.type_to_filter import TypeToFilter
from screens.typed_app import circles_app
from screens.work import run_db, show_error

if TYPE_CHECKING:
    from circles.live import Change
    from circles.store_access import Db

PAGE = 100
# A search is counted up to this many people: past it, the count line says "more than 1,000
# people" (a text most people match, 'a' or 'an', was read to its last match to be counted:
# on the huge demo, 100,000 people, most of a keystroke's reading).
COUNTED_UP_TO = 1000


class Page(NamedTuple):
    """A page of whom the filter finds and, with the first page, how many they are."""

    found: list[PersonView]
    full: bool  # as many as were asked for: there may be more
    total: int | None = None
    more_than: bool = False  # the filter finds more than ``total`` (COUNTED_UP_TO) people


def load_page(db: Db, search: str | None, offset: int, limit: int = PAGE) -> Page:
    found = people.list_people(db, search=search, limit=limit, offset=offset)
    full = len(found) >= limit
    if offset:  # scrolling further needs no second count
        return Page(found, full)
    if not full:  # the first page holds them all: nothing to count
        return Page(found, full, len(found))
    if not search:  # the whole directory, counted whole: the table's size, quickly read
        return Page(found, full, people.count_people(db))
    total = people.count_people(db, search=search, up_to=COUNTED_UP_TO + 1)
    return Page(found, full, min(total, COUNTED_UP_TO), more_than=total > COUNTED_UP_TO)


class PeopleScreen(LiveScreen, TypeToFilter):
    TITLE = "People"
    HELP = (
        "Everyone the store knows. Type to filter by name, e-mail or team; Enter opens a person, "
        "ctrl+e edits the one highlighted in the list, + adds someone."
    )
    # No letter is a key here: every letter is the start of a name (screens/type_to_filter.py).
    BINDINGS = [
        Binding("plus", "new_person", "New person", tooltip="Add someone to the store"),
        Binding("ctrl+e", "edit_person", "Edit", tooltip="Edit the person highlighted in the list"),
        Binding("slash", "filter", "Filter"),
    ]

    # The list has the keys (+, ctrl+e, Enter); / or any letter goes to the filter and Enter
    # comes back. It takes the focus as the screen is built, before any key typed meanwhile is
    # handed to a widget (screens/late_keys.py).
    AUTO_FOCUS = "#people"

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[PersonView] = []
        self.total = 0  # how many the filter finds (more, when more_than)
        self.more_than = False
        self.more_to_come = False  # the last page came back full: there may be another
        self.loading_more = False
        # What the filter holds is being looked up in the store; an Enter meanwhile waits for
        # it, or it opened the row highlighted in the list the filter was about to replace.
        # The list's Enter then opens the row highlighted in what the filter finds ("row");
        # the filter's opens the one person it finds, as on Circles ("one"): "emma", Enter
        # went down to the list and a second Enter was needed.
        self.filtering = False
        self.enter_waiting: Literal["row", "one"] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield OneLineInput(label="Filter", placeholder="Filter people by name, e-mail or team", id="filter")
        yield Table(id="people", cursor_type="row", zebra_stripes=True)
        yield Static("", id="people-count", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(Table)
        table.add_column("Name", priority=0, min_width=12)
        table.add_column("E-mail", priority=1, min_width=16)
        table.add_column("Team", priority=2, min_width=8)
        table.add_column("", priority=3)
        self.load()

    def on_screen_resume(self) -> None:
        if self.shown:
            self.load()

    @property
    def search(self) -> str | None:
        return self.query_one("#filter", Input).value.strip() or None

    def concerns(self, change: Change) -> bool:
        return change.touches(("person",))

    def look_again(self) -> None:
        """As many people as are shown, afresh: the rows loaded by scrolling down stay."""
        search, many = self.search, max(PAGE, len(self.shown))
        run_db(self, lambda db: load_page(db, search, 0, many), lambda page: self.first_page(page, keep=True))

    def load(self) -> None:
        search = self.search
        self.filtering = True
        # A page asked for under the filter before this one is not wanted any more.
        self.workers.cancel_group(self, "more")
        self.loading_more = False
        run_db(self, lambda db: load_page(db, search, 0), self.first_page, failed=self._not_found)

    def _not_found(self, error: CirclesError) -> None:
        self.filtering, self.enter_waiting = False, None  # nothing to open: the Enter is dropped
        show_error(self, error)

    def first_page(self, page: Page, *, keep: bool = False) -> None:
        """The first page of what the filter finds (``keep``: a refresh of what is shown)."""
        found = page.found
        self.total, self.more_than = page.total or 0, page.more_than
        self.shown = []
        self.filtering = False
        table = self.query_one(DataTable)
        if not keep:
            table.clear()
        # A refresh asks for as many as are shown: full is said of that, not of a page.
        self.add_page(found, full=page.full, replace=keep)
        one = self.total == 1 and not self.more_than
        if self.enter_waiting == "row" or (self.enter_waiting == "one" and one):
            table.action_select_cursor()
        self.enter_waiting = None

    def add_page(self, found: list[PersonView], *, full: bool, replace: bool = False) -> None:
        """``full``: the store gave as many people as were asked for, so there may be more."""
        self.loading_more = False
        table = self.query_one(DataTable)
        if not replace:  # someone added meanwhile moves the pages: a person is listed once
            found = [p for p in found if str(p.id) not in table.rows]
        rows = [
            (
                str(p.id),
                safe(
                    p.name,
                    p.email or "",
                    p.team or "",
                    "guest" if p.is_guest else ("" if p.active else "inactive"),
                ),
            )
            for p in found
        ]
        if replace:  # the same people as shown: nothing moves; else the highlighted one stays
            refill(table, rows)
        else:
            for key, cells in rows:
                table.add_row(*cells, key=key)
        self.shown += found
        # Past the count, the next page is asked for while a page comes back full, and the
        # last one, not full, says how many there are.
        self.more_to_come = full and (self.more_than or len(self.shown) < self.total)
        if self.more_than and not self.more_to_come:
            self.total, self.more_than = len(self.shown), False
        typed = self.search
        if typed and not self.total:
            line = f"Nobody matches {quoted(typed)}"  # not "0 people", which reads as an empty directory
        elif self.more_than:
            line = f"More than {count(self.total, 'person', 'people')}"
        else:
            line = count(self.total, "person", "people")
        if self.more_to_come:
            line += f", showing {len(self.shown):,}; scroll down for more"
        self.query_one("#people-count", Static).update(line)

    @on(DataTable.RowHighlighted)
    def _maybe_more(self, event: DataTable.RowHighlighted) -> None:
        # Load the next page as the cursor nears the end, instead of the whole directory at once.
        if not self.loading_more and self.more_to_come and event.cursor_row >= len(self.shown) - 10:
            self.loading_more = True
            search, offset = self.search, len(self.shown)
            run_db(
                self,
                lambda db: load_page(db, search, offset),
                lambda page: self._more(search, offset, page),
                group="more",
            )

    def _more(self, search: str | None, offset: int, page: Page) -> None:
        """The next page, unless the filter changed since it was asked for: a cancelled
        worker's answer may be on its way to the screen already, and it added everyone after
        the people the filter found."""
        if (search, offset) == (self.search, len(self.shown)):
            self.add_page(page.found, full=page.full)

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        if self.enter_waiting == "one":
            self.enter_waiting = None  # typed on after the Enter: not the name it was for
        self.load()

    @on(Input.Submitted, "#filter")
    def _to_table(self) -> None:
        # The focus moves at once (Screen.set_focus): a key typed after the Enter goes to the
        # list (screens/late_keys.py).
        table = self.query_one(DataTable)
        if self.focused is table:
            # A second Enter typed with the first reached the filter before the focus left it:
            # it is the list's Enter, which opens the person highlighted there.
            table.action_select_cursor()
            return
        self.set_focus(table)
        if self.filtering:
            self.enter_waiting = "one"  # first_page opens them, if they are one
        elif self.total == 1 and not self.more_than:
            table.action_select_cursor()

    def action_filter(self) -> None:
        # At once: the letters typed right after / go where the focus is when they come back.
        self.set_focus(self.query_one("#filter", Input))

    def _person(self) -> PersonView | None:
        table = self.query_one(DataTable)
        if not table.row_count or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowSelected)
    def _open(self) -> None:
        if self.filtering:
            self.enter_waiting = "row"  # first_page selects again, in what the filter finds
            return
        person = self._person()
        if person is not None:
            circles_app(self).open_person(person.id)

    def _saved(self, person: PersonView | None) -> None:
        if person is not None:
            self.load()

    def action_new_person(self) -> None:
        from screens.forms import person_form

        self.app.push_screen(person_form(None), self._saved)

    def action_edit_person(self) -> None:
        from screens.forms import person_form

        person = self._person()
        if person is not None:
            self.app.push_screen(person_form(person), self._saved)

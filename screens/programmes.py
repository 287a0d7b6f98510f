"""The programmes list (mentoring, reverse mentoring, buddies, coffee), and the palette's way to it."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import DataTable, Static

from circles.days import day_said
from circles.programme_views import ProgrammeSummary, ProgrammeView
from screens.archived import ArchivedToggle, archived_bindings, archived_note
from screens.footer import Footer
from screens.format import safe
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.palette import highlight_plain
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import ask_db, run_db

if TYPE_CHECKING:
    from circles.live import Change
    from circles.store_access import Db


def _load(db: Db, include_archived: bool = False) -> list[ProgrammeSummary]:
    from circles.services import programmes

    return programmes.list_programmes(db, include_archived=include_archived)


class ProgrammesScreen(ArchivedToggle, LiveScreen, Screen[None]):
    TITLE = "Programmes"
    HELP = (
        "Mentoring, reverse-mentoring, buddy and coffee programmes. Enter opens one; n creates one; "
        "a shows the archived ones too."
    )
    # Priority: the form opens as "n" is read, so a name typed right after it goes into the
    # form (it has no box of its own that "n" could be typed into).
    BINDINGS = [
        Binding("n", "new_programme", "New programme", tooltip="Create a programme", priority=True),
        *archived_bindings("a", "programmes", "Archived too"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Table(id="programmes", cursor_type="row", zebra_stripes=True)
        yield Static("", id="programmes-empty", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            "Programme", "Kind", "People", "Active pairs", "Rounds", "Last round", "Cadence", ""
        )
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.reload()

    def concerns(self, change: Change) -> bool:
        return change.touches(("programme", "programme_participant", "programme_round", "programme_pair"))

    def reload(self) -> None:
        archived = self.include_archived
        run_db(self, lambda db: _load(db, archived), self.show)

    def show(self, found: list[ProgrammeSummary]) -> None:
        self.loaded = True
        today = circles_app(self).today()
        rows = [
            (
                str(s.programme.id),
                safe(
                    s.programme.name,
                    s.programme.kind.label,
                    str(s.participants),
                    str(s.active_pairs),
                    str(s.rounds),
                    day_said(s.last_round_on, today) if s.last_round_on else "",
                    s.programme.cadence or "",
                    "archived" if s.programme.archived else "",
                ),
            )
            for s in found
        ]
        refill(self.query_one(DataTable), rows)
        note = "" if found else "No programmes yet: press n to create a mentoring, buddy or coffee programme."
        if self.include_archived and found:  # what a did, even where it changed no row
            note = archived_note(sum(s.programme.archived for s in found), "programme")
        self.query_one("#programmes-empty", Static).update(note)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            open_programme(self.app, int(event.row_key.value))

    def action_new_programme(self) -> None:
        from screens.programme_forms import programme_form

        def created(programme: ProgrammeView | None) -> None:
            if programme is not None:
                open_programme(self.app, programme.id)

        self.app.push_screen(programme_form(), created)


def open_programme(app: App[Any], programme_id: int) -> None:
    """Open a programme's screen with its participants in its first frame (screens/opening.py)."""
    from screens.opening import push_read_first
    from screens.programme import ProgrammeScreen, load_programme

    push_read_first(
        app, ProgrammeScreen(programme_id), {"programme": lambda db: load_programme(db, programme_id)}
    )


class ProgrammesProvider(Provider):
    """Ctrl+P: "Programmes" opens the list; a programme's name opens it."""

    async def _lookup(self) -> list[ProgrammeSummary]:
        # On the one road to the store (screens/work.py), in a thread: typing never waits on it.
        return await ask_db(self.app, _load, failed=[])

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match("Programmes")
        if score:
            yield Hit(
                score, matcher.highlight("Programmes"), self._open_list, help="Mentoring, buddies, coffee"
            )
        if not query.strip():
            return
        for s in await self._lookup():
            text = f"Programme: {s.programme.name}"
            found = matcher.match(text)
            if found:
                yield Hit(
                    found, highlight_plain(matcher, text), partial(open_programme, self.app, s.programme.id)
                )

    async def discover(self) -> Hits:
        yield DiscoveryHit("Programmes", self._open_list, help="Mentoring, buddies, coffee")

    def _open_list(self) -> None:
        self.app.push_screen(ProgrammesScreen())

"""The command palette (ctrl+p): actions ("Export invites…", "Check in…", "Search everything"),
and any circle, person or session by name, searched in SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from circles.views import CircleView, SessionView
from circles.zones import time_zone
from screens.work import ask_db

if TYPE_CHECKING:  # the services load with the store, after the first screen has painted
    from circles.app import CirclesApp
    from circles.services import lookups
    from circles.store_access import Db


class Palette(CommandPalette):
    """Textual's palette, where Enter typed right after the words picks from what those words
    found. Textual picked the highlighted line of the list still on screen: while the search
    for the last letters was on its way (circles and people are looked up in the store), that
    was the list for fewer letters, or the one it opened with, and "recognition" typed fast
    and Enter exported invites. Enter now waits for the search of what is typed."""

    _enter_waiting = False

    def _searching(self) -> bool:
        return any(
            w.node is self and w.group == self._GATHER_COMMANDS_GROUP and not w.is_finished
            for w in self.app.workers
        )

    @on(Input.Submitted)
    def _after_the_search(self, event: Input.Submitted) -> None:
        if self._searching():
            event.prevent_default()  # Textual's own handler picks once the search is in
            event.stop()
            self._enter_waiting = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if (
            self._enter_waiting
            and event.worker.group == self._GATHER_COMMANDS_GROUP
            and event.state is WorkerState.SUCCESS
            and not self._searching()
        ):
            self._enter_waiting = False
            self._select_or_command()


def _circle_of(screen: Screen[Any]) -> CircleView | None:
    """The circle the person is looking at, if any (its screen keeps it in ``data``)."""
    circle = getattr(getattr(screen, "data", None), "circle", None)
    return circle if isinstance(circle, CircleView) else None


def _session_of(screen: Screen[Any]) -> SessionView | None:
    """The session the person is looking at, if any (its screen, or its check-in)."""
    session = getattr(getattr(screen, "data", None), "session", None) or getattr(screen, "session", None)
    return session if isinstance(session, SessionView) else None


def highlight_plain(matcher: Matcher, text: str) -> Content:
    """``matcher.highlight`` for text people wrote (a circle's or a person's name, what was
    typed): that reads its candidate as markup, and a name like '[bold]x[/' ended the app."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


@dataclass(eq=False)
class Listed(DiscoveryHit):
    """A hit of the palette opened empty, listed before Textual's own commands (Keys, Maximize,
    Quit, Screenshot, Theme). The palette sorts what it found by score, highest first, and every
    DiscoveryHit scores 0, so those came in whatever order the providers answered (they sit in a
    set): ours score above 0, and keep their order among themselves through ``rank``."""

    rank: float = field(default=1.0, kw_only=True)

    @property
    def score(self) -> float:
        return self.rank


@dataclass(frozen=True)
class Action:
    """One thing the palette can do: found by its title or any of its words."""

    title: str
    words: tuple[str, ...]
    help: str
    run: Callable[[Any, Screen[Any]], None]  # (app, the screen the palette was opened over)


def _pick_circle(app: CirclesApp, screen: Screen[Any], title: str, then: str) -> None:
    """Open the circle (the one of the session on screen, else the one the person picks) and
    do ``then``, one of the circle screen's actions, there."""
    from screens.dialogs import ChoiceScreen
    from screens.work import run_db

    if (session := _session_of(screen)) is not None:
        app.open_circle(session.circle_id, then=then)
        return

    def ask(found: list[lookups.ListedCircle]) -> None:
        if not found:
            app.notify("There is no circle yet: create one first (n on Home).", severity="warning")
            return
        options = [(str(c.id), c.name) for c in found]

        def chosen(key: str | None) -> None:
            if key is not None:
                app.open_circle(int(key), then=then)

        app.push_screen(ChoiceScreen(title, options), chosen)

    def load(db: Db) -> list[lookups.ListedCircle]:
        from circles.services import lookups

        return lookups.listed_circles(db)

    run_db(app, load, ask)


def export_invites(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.ics_export_dialog import IcsExportDialog

    if (session := _session_of(screen)) is not None:
        app.push_screen(IcsExportDialog.for_session(session))
    elif (circle := _circle_of(screen)) is not None:
        app.push_screen(IcsExportDialog.for_circle(circle))
    else:
        _pick_circle(app, screen, "Calendar invites (.ics) for which circle?", "export_invites")


def export_attendance(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.export_attendance_dialog import ExportAttendanceDialog

    # On a session (or its check-in), the session's circle is the one offered, as on its circle.
    if (circle := _circle_of(screen)) is not None:
        today = app.today(circle.zone)
        app.push_screen(ExportAttendanceDialog(circle.id, circle.name, today=today))
    elif (session := _session_of(screen)) is not None:
        today = app.today(time_zone(session.timezone))
        app.push_screen(ExportAttendanceDialog(session.circle_id, session.circle_name, today=today))
    else:
        app.push_screen(ExportAttendanceDialog(today=app.today()))


def new_circle(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.circle import create_circle

    circle = _circle_of(screen)  # a circle on screen lends its zone; else the machine's
    create_circle(app, timezone=circle.timezone if circle else None)


def plan_sessions(app: CirclesApp, screen: Screen[Any]) -> None:
    if _circle_of(screen) is not None and hasattr(screen, "action_plan"):
        screen.action_plan()
    else:
        _pick_circle(app, screen, "Plan sessions of which circle?", "plan")


def check_in(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.checkin import CheckInScreen
    from screens.dialogs import ChoiceScreen
    from screens.format import when
    from screens.work import run_db

    if (session := _session_of(screen)) is not None:
        app.push_screen(CheckInScreen(session.id))
        return
    now = app.now()

    def ask(found: list[SessionView]) -> None:
        if not found:
            app.notify("No session in the last day or the next two weeks to check in.", severity="warning")
            return
        mixed = len({s.timezone for s in found}) > 1  # as on Home: say whose clock
        options = [
            (str(s.id), f"{when(s, now, zone=mixed)}  {s.circle_name}  {s.title}".rstrip()) for s in found
        ]

        def chosen(key: str | None) -> None:
            if key is not None:
                app.push_screen(CheckInScreen(int(key)))

        app.push_screen(ChoiceScreen("Check in which session? (nearest first)", options), chosen)

    def load(db: Db) -> list[SessionView]:
        from circles.services import lookups

        return lookups.sessions_to_check_in(db, now=now)

    run_db(app, load, ask)


def recognition(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.recognition import open_recognition

    open_recognition(app)


def organisation(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.organisation import open_organisation

    open_organisation(app)


def search_people(app: CirclesApp, screen: Screen[Any]) -> None:
    from screens.people import PeopleScreen

    people = PeopleScreen()
    app.push_screen(people)
    people.call_after_refresh(people.action_filter)


EVERYTHING = "Notes, takeaways, materials, agenda items, topics, people and circles (/ from Home)"


def search_everything(app: Any, screen: Screen[Any], text: str = "") -> None:
    from screens.search import SearchScreen

    app.push_screen(SearchScreen(text))


ACTIONS = (
    Action(
        "Export invites (.ics)…",
        ("ics", "invite", "invites", "calendar", "ical", "export", "event"),
        "Calendar invites for a circle's coming sessions, or for this session",
        export_invites,
    ),
    Action(
        "Export attendance…",
        ("export", "attendance", "csv", "xlsx", "excel", "jsonl", "report"),
        "Who came, to a CSV, Excel or JSON Lines file",
        export_attendance,
    ),
    Action("New circle", ("new", "create", "add", "circle"), "Create a circle", new_circle),
    Action(
        "Plan sessions…",
        ("plan", "schedule", "sessions", "series", "cadence"),
        "Schedule a circle's next sessions from how often it meets",
        plan_sessions,
    ),
    Action(
        "Check in…",
        ("check-in", "checkin", "check in", "attendance", "door", "present", "walk-in"),
        "Mark who came to a session happening now",
        check_in,
    ),
    Action(
        "Search people",
        ("people", "person", "find", "directory", "search"),
        "The people directory",
        search_people,
    ),
    Action(
        "Search everything",
        ("search", "find", "notes", "takeaways", "materials", "topics", "knowledge"),
        EVERYTHING,
        search_everything,
    ),
    Action(
        "Recognition",
        ("recognition", "thanks", "thank", "digest", "newsletter", "milestones", "streaks"),
        "Who to thank: talks, streaks, mentoring, thanks; the digest",
        recognition,
    ),
    Action(
        "Organisation figures",
        ("organisation", "organization", "success", "figures", "satisfaction", "retention", "stats"),
        "Participation, satisfaction, retention, mentoring",
        organisation,
    ),
)


class ActionProvider(Provider):
    """Ctrl+P then what you want to do: export invites (found by "ics", "invite", "calendar",
    "export"...), export attendance, new circle, plan sessions, check in, search people,
    recognition, the organisation's figures. Where the
    palette was opened over a circle or a session, the action applies to it; elsewhere it asks."""

    def _run(self, action: Action) -> None:
        action.run(self.app, self.screen)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in ACTIONS:
            score = max(matcher.match(action.title), *(matcher.match(word) for word in action.words))
            if score > 0:
                yield Hit(
                    score, matcher.highlight(action.title), partial(self._run, action), help=action.help
                )

    async def discover(self) -> Hits:
        # First of all: what there is to do, in this order.
        for i, action in enumerate(ACTIONS):
            yield Listed(action.title, partial(self._run, action), help=action.help, rank=2 - i / 100)


class FindProvider(Provider):
    """Ctrl+P then a few letters: circles, people and sessions whose name holds them (sessions
    nearest first: the coming ones soonest first, then the past ones latest first)."""

    async def _lookup(self, text: str) -> list[lookups.Found]:
        # In a thread on the one road to the store (screens/work.py), so typing never waits on it.
        def find(db: Db) -> list[lookups.Found]:
            from circles.services import lookups

            return lookups.search_everything(db, text, limit=6)

        return await ask_db(self.app, find, failed=[])

    def _open(self, found: lookups.Found) -> None:
        opener = {"circle": "open_circle", "person": "open_person", "session": "open_session"}[found.kind]
        getattr(self.app, opener)(found.id)

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        # Names first (below); the full-text search over notes and takeaways is one step away.
        text = f"Search everything for {query.strip()!r}"
        yield Hit(
            0.05,
            Content(text),
            partial(search_everything, self.app, self.screen, query.strip()),
            text=text,
            help=EVERYTHING,
        )
        found = await self._lookup(query)
        matcher = self.matcher(query)
        rank = 0
        for f in found:
            text = f"{f.kind.capitalize()}: {f.label}"
            if f.kind == "session":
                # The palette orders hits by score: keep SQL's order (nearest first) for sessions.
                score = 0.5 - rank * 0.01
                rank += 1
            else:
                score = matcher.match(text) or 0.1  # SQL already matched a substring; keep it
            yield Hit(
                score,
                highlight_plain(matcher, text),
                partial(self._open, f),
                text=text,
                help=escape(f.detail),
            )

    async def discover(self) -> Hits:
        found = await self._lookup("")
        circles = [f for f in found if f.kind == "circle"]
        for i, f in enumerate(circles):  # after the actions, before Textual's commands
            yield Listed(
                Content(f"Circle: {f.label}"), partial(self._open, f), help=escape(f.detail), rank=1 - i / 100
            )

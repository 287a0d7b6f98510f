"""One circle, in tabs: its members, its sessions, the presenter rotation and its attendance stats.

A circle opens with its data (open_circle, screens/opening.py): the screen is pushed once its
members and its delivery line are read, so its first frame shows them, instead of a frame of
empty tables, a second with the members and a third with the delivery line (each a layout of
the whole screen, drawn while the reads waited for the processor)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from circles.days import day_said
from circles.errors import CirclesError
from circles.services import circle_records, members, sessions
from circles.services.circle_page import load_circle
from circles.views import CircleData, CircleView, MemberView, SessionView
from circles.words import count
from models.enums import Role, SessionStatus
from screens.dialogs import ConfirmScreen
from screens.export_attendance_dialog import ExportAttendanceDialog
from screens.footer import Footer
from screens.format import headcount_text, presenter_label, safe, when
from screens.header import Header
from screens.ics_export_dialog import IcsExportDialog
from screens.live import LiveScreen, refill
from screens.opening import ReadFirst, ReadsFirst, push_read_first, read_then
from screens.phrases import PhraseLine
from screens.rotation_panel import RotationPanel
from screens.stats_panel import StatsPanel
from screens.styled_once import StyledOnceScreen
from screens.table import Table
from screens.tabs import TabPane, Tabs
from screens.typed_app import circles_app
from screens.work import read_in_turn, run_db, show_error

if TYPE_CHECKING:
    from circles.delivery.model import DeliveryStatus
    from circles.live import Change
    from circles.services.planning import PlanResult
    from circles.store_access import Db

# Tabs built when first opened, each given its data as it is mounted (see action_tab).
LATER_TABS: dict[str, type[RotationPanel] | type[StatsPanel]] = {
    "rotation": RotationPanel,
    "stats": StatsPanel,
}
# What has the focus in each tab (see _tab_changed).
TAB_FOCUS = {
    "members": "#member-table",
    "sessions": "#session-table",
    "rotation": "#rotation-preview",
    "stats": "StatsPanel",
}
MEMBER_ACTIONS = {"add_member", "remove_member", "toggle_role", "toggle_rotation"}
SESSION_ACTIONS = {"schedule", "plan", "move", "cancel_session", "edit_session"}
# What the screen shows, its tabs included: a change to these about this circle looks again.
SHOWN_TABLES = frozenset(
    {
        "circle",
        "circle_session",
        "membership",
        "person",
        "attendance",
        "away",
        "skip_date",
        "feedback_response",
    }
)


class CircleScreen(ReadsFirst, LiveScreen, StyledOnceScreen):
    HELP = "A circle's members and sessions. 1-4 switch tabs; the footer shows what each tab can do."
    # The members have the focus from the start, as their tab would give it (_tab_changed):
    # focus first on the tabs, then moved, restyled both and rebuilt the footer twice.
    AUTO_FOCUS = "#member-table"
    BINDINGS = [
        Binding("1", "tab('members')", "Members", show=False),
        Binding("2", "tab('sessions')", "Sessions", show=False),
        Binding("3", "tab('rotation')", "Rotation", show=False),
        Binding("4", "tab('stats')", "Stats", show=False),
        Binding("a", "add_member", "Add member", tooltip="Pick a person (or create one) to join"),
        Binding("x", "remove_member", "Remove", tooltip="The member leaves the circle (history is kept)"),
        # A change made at once, unasked, to the highlighted member takes no letter: a name typed
        # on the list to find someone, as People and Circles are searched, changed them ("tomas"
        # took Camille, Rust Lunch's facilitator, out of the rotation and made her a member).
        Binding("ctrl+r", "toggle_role", "Role", tooltip="Switch between member and facilitator"),
        Binding("ctrl+t", "toggle_rotation", "Rotation in/out", tooltip="Whether they take turns presenting"),
        Binding("s", "schedule", "Schedule", tooltip="Schedule one session"),
        Binding("P", "plan", "Plan several", tooltip="Schedule a series of sessions"),
        # Before the invites: what is done to the highlighted session is what the tab is for, and
        # at 80x24 the footer holds only the first few (Move and Edit were left out, behind
        # Invites, so moving a session had no key to be seen; walk22).
        Binding("m", "move", "Move", tooltip="Move the highlighted session"),
        Binding("e", "edit_session", "Edit", tooltip="Edit the highlighted session"),
        Binding("c", "cancel_session", "Cancel session", tooltip="Cancel the highlighted session"),
        Binding(
            "I", "export_invites", "Invites (.ics)", tooltip="Calendar invites for the upcoming sessions"
        ),
        Binding(
            "S",
            "send_invites",
            "Send invites",
            tooltip="E-mail the upcoming sessions' invites: only what changed",
        ),
        Binding("E", "edit_circle", "Edit circle", tooltip="Name, kind, timezone, place, link"),
        Binding("A", "archive", "Archive", show=False, tooltip="Archive (or restore) the circle"),
        Binding(
            "X",
            "export_attendance",
            "Export attendance",
            show=False,
            tooltip="This circle's attendance to a file",
        ),
    ]

    def __init__(self, circle_id: int, *, then: str | None = None) -> None:
        super().__init__()
        self.circle_id = circle_id
        self.data: CircleData | None = None
        self._then = then  # an action to run once the circle has loaded (from the palette)
        self._reading_tabs: set[str] = set()  # tabs whose data are being read before they show

    def compose(self) -> ComposeResult:
        yield Header()
        yield PhraseLine("", id="circle-summary", markup=False)
        yield Static("", id="circle-delivery", classes="hint", markup=False)
        with Tabs(id="tabs", initial="members"):
            # Each tab says the key that opens it.
            with TabPane("1 Members", id="members"):
                yield Table(id="member-table", cursor_type="row", zebra_stripes=True)
                yield Static(
                    "No members yet: press a and type their names, one after another.",
                    id="members-note",
                    classes="hint",
                    markup=False,
                )
            # These three fill in when first opened (see _tab_changed): the circle's members
            # should not wait for a list of sessions, a rotation preview and charts.
            yield TabPane("2 Sessions", id="sessions")
            yield TabPane("3 Rotation", id="rotation")
            yield TabPane("4 Stats", id="stats")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#member-table", Table)
        table.add_column("Name", priority=0, min_width=12)
        # An address is what tells namesakes apart (the large demo has two Emma Yilmazes in one
        # circle): cut to 12 cells at 80 columns it said "emma.yilmaz.…" for both, so it keeps
        # 20 and the join date gives way.
        table.add_column("E-mail", priority=3, min_width=20)
        table.add_column("Team", priority=4, min_width=8)
        table.add_column("Role", priority=1)
        table.add_column("Rotation", priority=2)
        table.add_column("Joined", priority=5)
        if self.read_first is None:
            self.reload()
            return
        # Read before the screen was pushed: shown before its first frame, which is drawn with them.
        self.take_first("circle", CircleData, self.show, self._load_circle)
        # A DeliveryStatus: its module (icalendar with it) is imported in the worker only.
        delivery: Callable[[Any], None] = lambda status: self._show_delivery(cast("DeliveryStatus", status))  # noqa: E731
        self.take_first("delivery", object, delivery, self._load_delivery)

    def on_screen_resume(self) -> None:
        if self.coming_back():
            self.reload()

    def concerns(self, change: Change) -> bool:
        return change.touches(SHOWN_TABLES, circle=self.circle_id)

    def look_again(self) -> None:
        panels = list(self.query_one(f"#{self.active_tab}", TabPane).query("RotationPanel, StatsPanel"))

        def panels_again() -> None:
            for panel in panels:
                if panel.is_attached:
                    panel.reload()  # type: ignore[attr-defined]

        self.reload(then=panels_again)  # after the circle's reads: on the same connection

    def reload(self, *, then: Callable[[], object] | None = None) -> None:
        """The circle, then its delivery line, in turn on one connection (screens/work.py:
        read_in_turn); then ``then()``, whether they were read or not."""
        now = circles_app(self).now()
        circle_id = self.circle_id

        def delivered(status: DeliveryStatus) -> None:
            self._show_delivery(status)
            if then is not None:
                then()

        def not_delivered(error: CirclesError) -> None:
            show_error(self, error)
            if then is not None:
                then()

        read_in_turn(
            self,
            [
                (lambda db: load_circle(db, circle_id, now), self.show, None),
                (lambda db: delivery_status(db, circle_id), delivered, not_delivered),
            ],
        )

    def _load_circle(self) -> None:
        now = circles_app(self).now()
        run_db(self, lambda db: load_circle(db, self.circle_id, now), self.show)

    def show(self, data: CircleData) -> None:
        self.data = data
        c = data.circle
        # The name alone: its kind leads the line under it, and at 80 columns the header, which
        # also said it, cut the name's end or its own ("… (Bangalore) — community o…").
        self.title = c.name
        self.query_one("#circle-summary", PhraseLine).show(
            c.kind.label,
            c.timezone,
            f"{c.default_minutes} min",
            c.location,
            c.video_url,
            f"facilitator {c.facilitator_name}" if c.facilitator_name else None,
            count(len(data.members), "member"),
            "ARCHIVED" if c.archived else None,
        )
        self._fill_members(data.members)
        if self.query("#session-table"):
            self._fill_sessions(data)
        if self._then is not None:
            then, self._then = self._then, None
            self.call_after_refresh(self._run_then, then)

    def _load_delivery(self) -> None:
        """The 'sent 3 days ago, 2 changes not sent' line, read beside the members."""
        circle_id = self.circle_id
        run_db(self, lambda db: delivery_status(db, circle_id), self._show_delivery, group="delivery")

    def _show_delivery(self, status: DeliveryStatus) -> None:
        from screens.send_dialog import delivery_line

        line = self.query_one("#circle-delivery", Static)
        line.update(delivery_line(status, circles_app(self).now()))

    def _fill_members(self, found: list[MemberView]) -> None:
        self.query_one("#members-note").display = not found
        now = circles_app(self).now()
        rows = [
            (
                str(m.person_id),
                safe(
                    m.name,
                    m.email or "",
                    m.team or "",
                    m.role.value,
                    "in" if m.in_rotation else "out",
                    day_said(m.joined_at.astimezone(self.data.circle.zone), now) if self.data else "",
                ),
            )
            for m in found
        ]
        refill(self.query_one("#member-table", DataTable), rows)

    async def _mount_sessions(self, pane: TabPane) -> None:
        table = Table(id="session-table", cursor_type="row", zebra_stripes=True)
        await pane.mount_all([table, Static("", id="sessions-note", classes="hint", markup=False)])
        table.add_column("When", priority=0)
        table.add_column("Title", priority=1, min_width=12)
        table.add_column("Presenter", priority=2, min_width=10)
        table.add_column("Length", priority=5)
        # Whole or not at all, as on Home: "20 y…" or "24 ca…" read wrong where a title cut short
        # is still the title.
        table.add_column("RSVP", priority=4)
        table.add_column("Status", priority=3)
        if self.data is not None:
            self._fill_sessions(self.data)

    def _fill_sessions(self, data: CircleData) -> None:
        now = circles_app(self).now()
        rows = [
            (
                str(s.id),
                safe(
                    when(s, now),
                    s.title,
                    presenter_label(s, data.presenters),
                    f"{s.minutes} min",
                    headcount_text(data.counts.get(s.id), s, now),
                    s.status.value,
                ),
            )
            for s in data.upcoming + data.past
        ]
        refill(self.query_one("#session-table", DataTable), rows)
        total = len(rows)
        note = f"{len(data.upcoming)} upcoming, then past sessions newest first"
        if data.past_total > len(data.past):
            note += f" (the latest {len(data.past)} of {data.past_total})"
        self.query_one("#sessions-note", Static).update(
            note if total else "No sessions yet: press s to schedule one, or P to plan several."
        )

    # -- which keys apply --------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(Tabs).active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MEMBER_ACTIONS:
            return self.active_tab == "members"
        if action in SESSION_ACTIONS:
            return self.active_tab == "sessions"
        return True

    @on(Tabs.TabActivated)
    async def _tab_changed(self) -> None:
        self.refresh_bindings()
        pane = self.query_one(f"#{self.active_tab}", TabPane)
        if not pane.children:  # first opened: built now
            if self.active_tab == "sessions":
                await self._mount_sessions(pane)
            elif self.active_tab in LATER_TABS:
                await pane.mount(LATER_TABS[self.active_tab](self.circle_id))
        # Focus goes into the tab, so the footer shows that tab's keys (the rotation's a / w / p
        # too); focus left behind in a hidden tab would also make the tabs switch back to it.
        # After the messages already waiting (Widget.focus): a click on the tab row focuses the
        # row first, and the tab's table is to have the focus after it.
        widget = self.query_one(TAB_FOCUS[self.active_tab])
        if self.focused is not widget:  # (given already by _open_tab: focused again, drawn again)
            widget.focus()

    def action_tab(self, tab: str) -> None:
        """Bring ``tab`` forward. The Rotation and Stats tabs, first opened, come forward once
        their data are read, with them (screens/opening.py): not first empty, laid out and
        drawn, then again with the figures."""
        panel = LATER_TABS.get(tab)
        if panel is None or self.query_one(f"#{tab}", TabPane).children:
            self.query_one(Tabs).bring_forward(tab)
        elif tab not in self._reading_tabs:
            self._reading_tabs.add(tab)
            read_then(
                self.app, {panel.READ: panel.read_job(self.circle_id)}, lambda read: self._open_tab(tab, read)
            )

    async def _open_tab(self, tab: str, read: ReadFirst) -> None:
        self._reading_tabs.discard(tab)
        if not self.is_attached:
            return  # closed while its data were read
        pane = self.query_one(f"#{tab}", TabPane)
        if not pane.children:  # (not built meanwhile by a click on the tab)
            await pane.mount(LATER_TABS[tab](self.circle_id, read_first=read))
        # Focused at once (Screen.set_focus), before the switch: the tab's first frame is drawn
        # with its table focused. Left to _tab_changed (Widget.focus, after the messages waiting)
        # that frame showed it unfocused, and the next restyled and drew the whole table again.
        self.set_focus(self.query_one(TAB_FOCUS[tab]))
        self.query_one(Tabs).bring_forward(tab)

    async def _run_then(self, action: str) -> None:
        """An action asked for before the circle had loaded. A key of the Sessions tab works only
        there (check_action): bring that tab forward first, as a person would have."""
        if action.partition("(")[0] in SESSION_ACTIONS:
            self.action_tab("sessions")
            # Built and focused now, not when TabActivated comes round: the action may open a
            # dialog first, and it works on the Sessions table.
            await self._tab_changed()
        await self.run_action(action)

    @on(RotationPanel.Changed)
    def _rotation_changed(self, event: RotationPanel.Changed) -> None:
        self.reload(then=event.reload)  # assignments and swaps show in the sessions tab too

    def action_export_invites(self) -> None:
        if self.data is not None:
            self.app.push_screen(IcsExportDialog.for_circle(self.data.circle))

    def action_send_invites(self) -> None:
        from screens.send_dialog import SendDialog

        if self.data is not None:
            what = f"{self.data.circle.name}, upcoming sessions"
            self.app.push_screen(SendDialog(what=what, circle_id=self.circle_id))

    def action_export_attendance(self) -> None:
        if self.data is not None:
            today = circles_app(self).today(self.data.circle.zone)
            self.app.push_screen(ExportAttendanceDialog(self.circle_id, self.data.circle.name, today=today))

    # -- members -------------------------------------------------------------------------

    def _member(self) -> MemberView | None:
        if self.data is None:
            return None
        table = self.query_one("#member-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((m for m in self.data.members if str(m.person_id) == key), None)

    def _write(self, job: Callable[[Db], object], message: str) -> None:
        def done(_: object) -> None:
            self.notify(message)
            self.reload()

        run_db(self, job, done, write=True, group="write", exclusive=False)

    def action_add_member(self) -> None:
        """The picker stays open, each person joining as they are picked, until Escape."""
        from screens.picker import PersonPicker

        if self.data is None:
            return
        circle = self.data.circle
        current = {m.person_id for m in self.data.members}
        picker = PersonPicker(
            f"Add members to {circle.name}",
            exclude=current,
            add=lambda db, person: members.add_member(db, circle_id=circle.id, person_id=person.id),
        )

        def closed(_: object) -> None:
            if picker.added:
                names = ", ".join(p.name for p in picker.added)
                self.notify(f"{names} joined {circle.name}.", markup=False)  # the list reloads on return

        self.app.push_screen(picker, closed)

    @work
    async def action_remove_member(self) -> None:
        m = self._member()
        if m is None or self.data is None:
            return
        name = self.data.circle.name
        if await self.app.push_screen_wait(
            ConfirmScreen(f"Remove {m.name} from {name}? Their history stays.", "Remove")
        ):
            self._write(
                lambda db: members.remove_member(db, circle_id=m.circle_id, person_id=m.person_id),
                f"{m.name} left {name}.",
            )

    def action_toggle_role(self) -> None:
        m = self._member()
        if m is not None:
            role = Role.MEMBER if m.role is Role.FACILITATOR else Role.FACILITATOR
            self._write(
                lambda db: members.update_member(db, m, role=role), f"{m.name} is now a {role.value}."
            )

    def action_toggle_rotation(self) -> None:
        m = self._member()
        if m is not None:
            now_in = not m.in_rotation
            self._write(
                lambda db: members.update_member(db, m, in_rotation=now_in),
                f"{m.name} is {'in' if now_in else 'out of'} the presenter rotation.",
            )

    @on(DataTable.RowSelected, "#member-table")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            circles_app(self).open_person(int(event.row_key.value))

    # -- sessions ------------------------------------------------------------------------

    def _session(self) -> SessionView | None:
        if self.data is None or not self.query("#session-table"):
            return None
        table = self.query_one("#session-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.data.upcoming + self.data.past if str(s.id) == key), None)

    def _next_start(self) -> datetime:
        """A sensible default: a week after the last session planned, else tomorrow at 12:00."""
        assert self.data is not None
        if self.data.upcoming:
            return self.data.upcoming[-1].starts_at + timedelta(days=7)
        local = circles_app(self).now().astimezone(self.data.circle.zone) + timedelta(days=1)
        return local.replace(hour=12, minute=0, second=0, microsecond=0)

    def _after_save(self, message: str | Callable[[Any], str]) -> Callable[[object], None]:
        """After a form: say ``message`` (or what it makes of the form's result) and reload."""

        def done(result: object) -> None:
            if result is not None:
                self.notify(message if isinstance(message, str) else message(result), markup=False)
                self.reload()

        return done

    def action_schedule(self) -> None:
        from screens.forms import session_form

        if self.data is not None:
            self.app.push_screen(
                session_form(self.data.circle, None, default_start=self._next_start()),
                self._after_save("Session scheduled."),
            )

    def action_plan_first(self) -> None:
        """Offered as a circle with a cadence is created: its first sessions, planned from that
        cadence. The Members tab stays in front, for the people to add next (presenters are
        filled in as they join)."""
        from screens.forms import plan_form

        if self.data is not None:
            self.app.push_screen(
                plan_form(self.data.circle, default_start=self._next_start(), first=True),
                self._after_save(_planned),
            )

    def action_plan(self) -> None:
        from screens.forms import plan_form

        if self.data is not None:
            self.app.push_screen(
                plan_form(self.data.circle, default_start=self._next_start()),
                self._after_save(_planned),
            )

    def action_move(self) -> None:
        from screens.forms import move_form

        s = self._session()
        if s is not None:
            self.app.push_screen(move_form(s), self._after_save("Session moved; calendars get the update."))

    def action_edit_session(self) -> None:
        from screens.forms import session_form

        s = self._session()
        if s is not None and self.data is not None:
            self.app.push_screen(
                session_form(self.data.circle, s, default_start=s.starts_at),
                self._after_save("Session saved."),
            )

    @work
    async def action_cancel_session(self) -> None:
        s = self._session()
        if s is None:
            return
        if s.status is SessionStatus.CANCELLED:
            self.notify(f"{s.label} is already cancelled.", markup=False)
            return
        if await self.app.push_screen_wait(ConfirmScreen(f"Cancel the session {s.label}?", "Cancel session")):
            self._write(lambda db: sessions.cancel_session(db, s), f"Cancelled {s.label}.")

    @on(DataTable.RowSelected, "#session-table")
    def _open_session(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            circles_app(self).open_session(int(event.row_key.value))

    @work
    async def action_archive(self) -> None:
        if self.data is None:
            return
        c = self.data.circle
        question = (
            f"Restore {c.name}? It shows in lists again."
            if c.archived
            else f"Archive {c.name}? It leaves the lists; its history stays and it can be restored."
        )
        if await self.app.push_screen_wait(ConfirmScreen(question, "Restore" if c.archived else "Archive")):
            self._write(
                lambda db: circle_records.update_circle(db, c, archived=not c.archived),
                f"{c.name} {'restored' if c.archived else 'archived'}.",
            )

    def action_edit_circle(self) -> None:
        from screens.forms import circle_form

        if self.data is not None:
            self.app.push_screen(circle_form(self.data.circle), self._after_save("Circle saved."))


def _planned(result: PlanResult) -> str:
    return result.describe()  # how many, and the circle's new cadence if the form changed it


def delivery_status(db: Db, circle_id: int) -> DeliveryStatus:
    """A circle's delivery line, read in a worker: the delivery code is imported there too, with
    icalendar, a quarter to a third of a second of the first circle opened after a cold start
    that the UI thread would otherwise spend before it could draw."""
    from circles.services import delivery

    return delivery.circle_status(db, circle_id)


def open_circle(app: App[Any], circle_id: int, *, then: str | None = None) -> None:
    """Open a circle's screen with its members and delivery line in its first frame."""
    now = circles_app(app).now()
    push_read_first(
        app,
        CircleScreen(circle_id, then=then),
        {
            "circle": lambda db: load_circle(db, circle_id, now),
            "delivery": lambda db: delivery_status(db, circle_id),
        },
    )


def create_circle(app: App[Any], *, timezone: str | None = None) -> None:
    """The New circle form (Home's n, the palette's "New circle"). Once saved the circle opens;
    given a cadence, it offers to plan the first sessions at once. It suggests ``timezone``,
    else the zone of the circles of whoever 'circles whoami' names (a facilitator in Berlin
    working on a machine set to UTC), else the machine's own (circle_form)."""
    from circles.me import me_setting
    from circles.services.home import usual_zone
    from screens.form_screen import FormScreen
    from screens.forms import circle_form

    def created(circle: CircleView | None) -> None:
        if circle is not None:
            circles_app(app).open_circle(circle.id, then="plan_first" if circle.cadence else None)

    if timezone is not None:
        app.push_screen(circle_form(None, timezone=timezone), created)
        return

    def usual(db: Db) -> str | None:
        # The settings file is read here, off the UI thread, with the store.
        me = me_setting()
        return usual_zone(db, me) if me is not None else None

    def show(read: ReadFirst) -> FormScreen[CircleView]:
        zone = read.arrived.get("zone")  # not in yet (a slow store): the machine's zone
        form = circle_form(None, timezone=zone if isinstance(zone, str) else None)
        app.push_screen(form, created)
        return form

    read_then(app, {"zone": usual}, show)

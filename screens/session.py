"""One session: its agenda (add, edit, reorder, delete; presenter and minutes), notes, check-in
and check-out; in a second tab its materials, takeaways and topics (screens/knowledge_panel.py),
in a third what the people who came thought of it (screens/feedback_panel.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import EllipsisType
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static, TextArea

from circles import validate
from circles.errors import CirclesError, Conflict
from circles.services import agenda, attendance, members, sessions
from circles.views import AgendaItemView, Headcount, MemberView, SessionView
from screens.dialogs import ConfirmScreen
from screens.feedback_panel import FeedbackPanel
from screens.footer import Footer
from screens.format import headcount_text, safe, when_long
from screens.header import Header
from screens.knowledge_panel import KnowledgePanel
from screens.live import LiveScreen, refill
from screens.opening import ReadFirst, ReadsFirst, push_read_first, read_then
from screens.phrases import PhraseLine
from screens.styled_once import StyledOnceScreen
from screens.table import Table
from screens.tabs import TabPane, Tabs
from screens.typed_app import circles_app
from screens.work import Read, read_in_turn, run_db, show_error

if TYPE_CHECKING:
    from circles.delivery.model import DeliveryStatus
    from circles.live import Change
    from circles.store_access import Db

THEIRS_MARK = "--- saved meanwhile by someone else ---"
# The tabs built when first opened that come forward with what they show (action_tab).
READ_FIRST_TABS: dict[str, type[KnowledgePanel] | type[FeedbackPanel]] = {
    "knowledge-tab": KnowledgePanel,
    "feedback-tab": FeedbackPanel,
}
# What the screen shows, its tabs included: a change to these about this session looks again.
SHOWN_TABLES = frozenset(
    {
        "circle",
        "circle_session",
        "agenda_item",
        "attendance",
        "membership",
        "person",
        "material",
        "takeaway",
        "session_topic",
        "feedback_answer",
        "feedback_response",
    }
)


def _same_notes(saved: str, typed: str) -> bool:
    """Whether saving ``typed`` would store ``saved``."""
    return saved == validate.as_stored(typed, multiline=True)


@dataclass(frozen=True)
class SessionData:
    session: SessionView
    items: list[AgendaItemView]
    members: list[MemberView]
    count: Headcount


def load_session(db: Db, session_id: int) -> SessionData:
    s = sessions.get_session(db, session_id)
    return SessionData(
        s,
        agenda.list_items(db, session_id),
        members.list_members(db, s.circle_id),
        attendance.headcount(db, session_id),
    )


def session_delivery(db: Db, session_id: int) -> DeliveryStatus:
    """A session's delivery line, read in a worker (the delivery code, icalendar with it, is
    imported there, not on the UI thread)."""
    from circles.services import delivery

    return delivery.session_status(db, session_id)


def open_session(app: App[Any], session_id: int, *, showing: tuple[str, int] | None = None) -> None:
    """Open a session's screen with its agenda and delivery line in its first frame (on the tab
    and row of ``showing``: see SessionScreen)."""
    push_read_first(
        app,
        SessionScreen(session_id, showing=showing),
        {
            "session": lambda db: load_session(db, session_id),
            "delivery": lambda db: session_delivery(db, session_id),
        },
    )


def time_text(items: list[AgendaItemView], length: int) -> str:
    """'Agenda 50 of 60 min (10 free)': the facilitator sees at once whether it fits."""
    total = agenda.total_minutes(items)
    if total > length:
        return f"Agenda {total} of {length} min: {total - length} min too long"
    return f"Agenda {total} of {length} min ({length - total} free)"


class SessionScreen(ReadsFirst, LiveScreen, StyledOnceScreen):
    HELP = (
        "The agenda of one session. a adds an item, Enter edits it, shift+↑/↓ (or [ and ]) reorder, "
        "d deletes. n goes to the notes (ctrl+s saves them). i opens check-in; o opens check-out "
        "(a rating and one thing learned per person). m (or 2) shows the materials, takeaways and "
        "topics, 3 the feedback; 1 comes back. M moves the session to another day or time."
    )
    BINDINGS = [
        Binding("i", "check_in", "Check-in", tooltip="Mark who came"),
        Binding("o", "check_out", "Check-out", tooltip="A rating and one thing learned, per person who came"),
        Binding(
            "I",
            "export_invite",
            "Invite (.ics)",
            tooltip="A calendar invite (or cancellation) for this session",
        ),
        Binding("S", "send_invites", "Send", tooltip="E-mail this session's invite: only what changed"),
        Binding("a", "add_item", "Add item", tooltip="Add an agenda item"),
        Binding("e", "edit_item", "Edit item", show=False),
        Binding("d", "delete_item", "Delete item", tooltip="Delete the highlighted agenda item"),
        Binding("shift+up,left_square_bracket", "move_item(-1)", "Item up", tooltip="Move the item earlier"),
        Binding("shift+down,right_square_bracket", "move_item(1)", "Item down", tooltip="Move it later"),
        Binding("n", "notes", "Notes", tooltip="Write the session's notes"),
        # As the Sessions tab's m (here m shows the materials): a session that has to move is
        # often found open here, with people asking.
        Binding("M", "move_session", "Move session", show=False, tooltip="Another day or time for it"),
        Binding("ctrl+s", "save_notes", "Save notes", tooltip="Save the notes"),
        Binding("escape", "leave", "Back", tooltip="Back to the previous screen"),
        Binding("1", "tab('agenda-tab')", "Agenda & notes", show=False),
        # Like the circle's tabs, not in the footer (it is full): the tab row shows them, ? lists them.
        Binding(
            "m,2",
            "tab('knowledge-tab')",
            "Materials & takeaways",
            show=False,
            tooltip="Links, files, takeaways and topics",
        ),
        Binding(
            "3", "tab('feedback-tab')", "Feedback", show=False, tooltip="What the people who came thought"
        ),
    ]

    def __init__(self, session_id: int, *, showing: tuple[str, int] | None = None) -> None:
        """``showing``: a material or takeaway ("material", id) to open the session on, or
        ("learned", session id) for its feedback (search)."""
        super().__init__()
        self.session_id = session_id
        self._showing = showing
        self.data: SessionData | None = None
        # The saved notes the editor's text started from: what a save may replace.
        self._notes_from: str | None = None
        self._merging = False  # someone else's notes were put below these, not yet saved
        self._saving_notes = False
        self._reading_first: set[str] = set()  # tabs whose contents are read before they show

    @property
    def AUTO_FOCUS(self) -> str | None:  # type: ignore[override]  # Textual declares a class attribute
        # The agenda has the focus from the start, as the tab it opens on would give it:
        # focus first on the tabs, then moved, restyled both and rebuilt the footer twice.
        return "#agenda" if self._showing is None else Screen.AUTO_FOCUS

    def compose(self) -> ComposeResult:
        yield Header()
        yield PhraseLine("", id="session-summary", markup=False)
        yield Static("", id="session-delivery", classes="hint", markup=False)
        initial = {None: "agenda-tab", "learned": "feedback-tab"}.get(
            self._showing and self._showing[0], "knowledge-tab"
        )
        with Tabs(id="session-tabs", initial=initial):
            with TabPane("1 Agenda & notes", id="agenda-tab"), Horizontal(id="session-body"):
                with Vertical(id="agenda-pane"):
                    yield Static("Agenda", classes="section-title")
                    yield Table(id="agenda", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="agenda-time", markup=False)
                with Vertical(id="notes-pane"):
                    yield Static("Notes", classes="section-title")
                    yield TextArea(id="notes", soft_wrap=True)
                    yield Static("", id="notes-state", classes="hint", markup=False)
            # The other two tabs are built when first opened: the agenda should not wait for them.
            if initial == "knowledge-tab":  # opened on a material or takeaway (search)
                with TabPane("2 Materials & takeaways", id="knowledge-tab"):
                    yield KnowledgePanel(self.session_id, showing=self._showing, id="knowledge")
            else:
                yield TabPane("2 Materials & takeaways", id="knowledge-tab")
            yield TabPane("3 Feedback", id="feedback-tab")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#agenda", Table)
        table.add_column("#", priority=0)
        table.add_column("Item", priority=1, min_width=10)
        table.add_column("Presenter", priority=2, min_width=8)
        table.add_column("Minutes", priority=3)
        # Read before the screen was pushed: its first frame shows them.
        self.take_first("session", SessionData, self.show, self.reload)

    def on_screen_resume(self) -> None:
        if self.coming_back() and self.data is not None:
            self.reload(keep_notes=True, panels=True)  # the feedback too: back from check-out

    def concerns(self, change: Change) -> bool:
        circle = self.data.session.circle_id if self.data is not None else None
        return change.touches(SHOWN_TABLES, session=self.session_id, circle=circle)

    def look_again(self) -> None:
        # Notes being typed stay; notes saved meanwhile go below them.
        self.reload(keep_notes=True, panels=True)

    def reload(self, *, keep_notes: bool = False, panels: bool = False) -> None:
        """The session with its delivery line, then the open tabs' panels if ``panels``, in
        turn on one connection (screens/work.py: read_in_turn): side by side, each read past
        the first opened a PostgreSQL connection of its own, on every change someone else made."""
        session_id = self.session_id
        now = circles_app(self).now()

        def session_and_delivery(db: Db) -> tuple[SessionData, DeliveryStatus | None]:
            data = load_session(db, session_id)
            return data, session_delivery(db, session_id) if data.session.ends_at > now else None

        def shown(got: tuple[SessionData, DeliveryStatus | None]) -> None:
            self.show(got[0], keep_notes=keep_notes, delivery=got[1])

        reads: list[Read] = [(session_and_delivery, shown, None)]
        knowledge = self._knowledge()
        if knowledge is not None and knowledge.session is not None:
            reads.append(knowledge.reading())
        if panels:
            reads += [panel.reading() for panel in self.query(FeedbackPanel)]
        read_in_turn(self, reads)

    def show(
        self,
        data: SessionData,
        *,
        keep_notes: bool = False,
        delivery: DeliveryStatus | EllipsisType | None = ...,
    ) -> None:
        """The session on screen. ``delivery``: its delivery line as read with it (None: the
        session is over), else read now; the Materials tab's panel is read again with it only
        when given (a reload reads it in turn)."""
        if self.data is not None and data.session.version < self.data.session.version:
            # A reload that started before a save landed: its session (and notes) are older.
            data = replace(data, session=self.data.session)
        self.data = data
        s = data.session
        self.title = s.title or "Session"
        self.sub_title = s.circle_name
        self.query_one("#session-summary", PhraseLine).show(
            s.circle_name,
            when_long(s),
            s.status.value,
            s.location,
            s.video_url,
            f"RSVP {headcount_text(data.count, s, circles_app(self).now(), noes=True)}"
            if data.count
            else None,
        )
        self._fill_agenda(data.items)
        panel = self._knowledge()
        if panel is not None and panel.session is not None and not isinstance(delivery, EllipsisType):
            panel.session = s  # its contents are read in turn after this (reload)
        elif panel is not None and (panel.session is not None or self._tab() == "knowledge-tab"):
            panel.load(s)  # once opened, kept fresh
        if isinstance(delivery, EllipsisType):
            self._load_delivery(s)
        else:
            self._show_delivery(delivery)
        notes = self.query_one("#notes", TextArea)
        if not keep_notes or not self._notes_dirty():
            if not _same_notes(s.notes, notes.text):  # else the cursor would jump to the top
                notes.load_text(s.notes)
            self._notes_from, self._merging = s.notes, False
            self.query_one("#notes-state", Static).update("")
        elif _same_notes(s.notes, notes.text):
            # What is saved is what is typed (a save whose answer was not waited for).
            self._notes_from, self._merging = s.notes, False
            self.query_one("#notes-state", Static).update("saved")
        elif s.notes != self._notes_from:
            # Someone else saved notes while these were being written: keep both, theirs
            # below, for the person to merge; the next save replaces theirs knowingly. Added
            # at the end, so the cursor and undo stay where the person was typing.
            self._notes_from, self._merging = s.notes, True
            typing_at = notes.selection
            notes.insert(f"\n\n{THEIRS_MARK}\n{s.notes}", notes.document.end)
            notes.selection = typing_at

    def _fill_agenda(self, items: list[AgendaItemView], *, select: int | None = None) -> None:
        table = self.query_one("#agenda", DataTable)
        rows = [
            (
                str(item.id),
                safe(
                    str(item.position),
                    item.title,
                    item.presenter_name or "",
                    "" if item.minutes is None else str(item.minutes),
                ),
            )
            for item in items
        ]
        chosen = rows[max(0, min(select, len(rows) - 1))][0] if select is not None and rows else None
        refill(table, rows, cursor_on=chosen)
        length = self.data.session.minutes if self.data else 0
        label = self.query_one("#agenda-time", Static)
        label.update(time_text(items, length) if items else "No agenda yet: press a to add the first item.")
        label.set_class(agenda.total_minutes(items) > length, "over")

    def _notes_dirty(self) -> bool:
        return self._notes_from is not None and not _same_notes(
            self._notes_from, self.query_one("#notes", TextArea).text
        )

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self) -> None:
        if self._merging and THEIRS_MARK in self.query_one("#notes", TextArea).text:
            hint = "Someone else saved notes meanwhile: theirs are below yours. Merge them, then ctrl+s."
        else:
            hint = "unsaved: ctrl+s saves" if self._notes_dirty() else ""
        self.query_one("#notes-state", Static).update(hint)

    def _item(self) -> AgendaItemView | None:
        table = self.query_one("#agenda", DataTable)
        if self.data is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((i for i in self.data.items if str(i.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        notes_focused = self.focused is not None and self.focused.id == "notes"
        if action == "save_notes":
            # Wherever the focus went after typing them (Tab to the agenda, a click on a tab):
            # the hint under them says "ctrl+s saves", and it did nothing there.
            return notes_focused or self._notes_dirty()
        # While typing notes, letters are text, not commands.
        typing = {"check_in", "check_out", "add_item", "edit_item", "delete_item", "notes", "move_item"}
        if notes_focused and action in typing | {"send_invites", "tab"}:
            return False
        # The agenda's own keys work where the agenda is on screen (n brings it back). S sends
        # on every tab: the delivery line above the tabs says "S sends them".
        agenda_keys = {"add_item", "edit_item", "delete_item", "move_item"}
        return not (action in agenda_keys and self._tab() != "agenda-tab")

    def _tab(self) -> str | None:
        return self.query_one("#session-tabs", Tabs).active or None

    def action_tab(self, tab: str) -> None:
        if tab in READ_FIRST_TABS and not self.query_one(f"#{tab}", TabPane).children:
            self._open_read_first(tab)
            return
        self.query_one("#session-tabs", Tabs).bring_forward(tab)
        self._tab_shown(tab)

    def _open_read_first(self, tab: str) -> None:
        """The Materials or Feedback tab, first opened from a key, comes forward once what it
        shows is read, with it (screens/opening.py). Built and brought forward first, it was
        laid out and drawn empty (the Feedback tab with "Loading feedback…"), the footer
        rebuilt for its keys, and all of it laid out and drawn again with the rows: frames
        of the whole screen drawn while the read waited for the processor."""
        if tab in self._reading_first:
            return
        self._reading_first.add(tab)
        panel = READ_FIRST_TABS[tab]

        async def open_tab(read: ReadFirst) -> None:
            self._reading_first.discard(tab)
            if not self.is_attached:
                return  # closed while it was read
            pane = self.query_one(f"#{tab}", TabPane)
            if not pane.children:  # (not built meanwhile by a click on the tab)
                await pane.mount(self._built_on(tab, read))
            self.query_one("#session-tabs", Tabs).bring_forward(tab)
            self._tab_shown(tab)

        read_then(self.app, {panel.READ: panel.read_job(self.session_id)}, open_tab)

    def _built_on(self, tab: str, read: ReadFirst) -> KnowledgePanel | FeedbackPanel:
        """The panel of ``tab``, given what was read for it."""
        if tab == "feedback-tab":
            return FeedbackPanel(self.session_id, read_first=read, id="feedback-panel")
        session = self.data.session if self.data is not None else None
        return KnowledgePanel(self.session_id, id="knowledge", opening=True, session=session, read_first=read)

    @on(Tabs.TabActivated, "#session-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        self._tab_shown(event.pane.id or "")

    def _knowledge(self) -> KnowledgePanel | None:
        """The Materials & takeaways tab's panel, once it is built."""
        built = self.query(KnowledgePanel)
        return built.first() if built else None

    def _tab_shown(self, tab: str) -> None:
        if tab == "knowledge-tab":
            panel = self._knowledge()
            if panel is None:  # it loads, and takes the focus, when mounted
                session = self.data.session if self.data is not None else None
                panel = KnowledgePanel(self.session_id, id="knowledge", opening=True, session=session)
                self.query_one("#knowledge-tab", TabPane).mount(panel)
                return
            if panel.session is None and self.data is not None:
                panel.load(self.data.session)
            if panel.is_mounted:  # (a key and the tab's own event both come here)
                panel.query_one("#materials", DataTable).focus()
        elif tab == "feedback-tab":
            pane = self.query_one("#feedback-tab", TabPane)
            built = pane.query(FeedbackPanel)
            if not built:  # its keys (A, S) work in the panel, which takes the focus when mounted
                pane.mount(FeedbackPanel(self.session_id, id="feedback-panel"))
            elif built.first().is_mounted:  # (a key and the tab's own event both come here)
                built.first().focus_list()
        else:
            self.query_one("#agenda", DataTable).focus()
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_export_invite(self) -> None:
        from screens.ics_export_dialog import IcsExportDialog

        if self.data is not None:
            self.app.push_screen(IcsExportDialog.for_session(self.data.session))

    def _show_delivery(self, status: DeliveryStatus | None) -> None:
        from screens.send_dialog import delivery_line

        line = "" if status is None else delivery_line(status, circles_app(self).now())
        self.query_one("#session-delivery", Static).update(line)

    def _load_delivery(self, s: SessionView) -> None:
        """The 'sent 3 days ago, 1 change not sent' line, read with the agenda or after it."""
        if s.ends_at <= circles_app(self).now():
            self._show_delivery(None)
            return
        # Read with the agenda before the screen was pushed, the first time; else read now.
        self.take_first(
            "delivery",
            object,
            lambda status: self._show_delivery(cast("DeliveryStatus", status)),
            lambda: run_db(
                self, lambda db: session_delivery(db, s.id), self._show_delivery, group="delivery"
            ),
        )

    def action_send_invites(self) -> None:
        from screens.send_dialog import SendDialog

        if self.data is not None:
            self.app.push_screen(SendDialog(what=self.data.session.label, session_id=self.session_id))

    def action_check_in(self) -> None:
        from screens.checkin import CheckInScreen

        self.app.push_screen(CheckInScreen(self.session_id))

    def unsaved(self) -> str | None:
        """What leaving now would throw away, in a sentence (the app asks before quitting)."""
        if not self._notes_dirty() or self.data is None:
            return None
        return f"The notes of {self.data.session.label} are not saved."

    @work
    async def action_leave(self) -> None:
        # Escape is the key most often pressed by reflex: it must not throw away typed notes.
        unsaved = self.unsaved()
        if unsaved and not await self.app.push_screen_wait(
            ConfirmScreen(f"{unsaved} Leave without saving them?", "Leave")
        ):
            return
        if self.is_current:
            await self.app.action_back()

    def action_notes(self) -> None:
        self.query_one("#session-tabs", Tabs).bring_forward("agenda-tab")
        notes = self.query_one("#notes", TextArea)
        notes.focus()
        notes.move_cursor(notes.document.end)  # notes grow at the end: the next line of the meeting

    def action_move_session(self) -> None:
        from screens.forms import move_form

        if self.data is not None:
            self.app.push_screen(move_form(self.data.session), self._moved)

    def _moved(self, result: object) -> None:
        if result is not None:
            self.notify("Session moved; calendars get the update.", markup=False)
            self.reload()

    def _form_done(self, result: object) -> None:
        if isinstance(result, AgendaItemView):
            # Land on the item just added or edited, so the next key (reorder, edit) applies to it.
            run_db(
                self,
                lambda db: load_session(db, self.session_id),
                lambda d: self._show_at(d, result),
                group="land",
            )

    def _show_at(self, data: SessionData, item: AgendaItemView) -> None:
        self.show(data, keep_notes=True)
        index = next((i for i, x in enumerate(data.items) if x.id == item.id), 0)
        self.query_one("#agenda", DataTable).move_cursor(row=index)

    def action_add_item(self) -> None:
        from screens.forms import agenda_item_form

        if self.data is not None:
            self.app.push_screen(
                agenda_item_form(self.data.session, self.data.members, None), self._form_done
            )

    @on(DataTable.RowSelected, "#agenda")
    def action_edit_item(self) -> None:
        from screens.forms import agenda_item_form

        item = self._item()
        if item is not None and self.data is not None:
            self.app.push_screen(
                agenda_item_form(self.data.session, self.data.members, item), self._form_done
            )

    def action_move_item(self, step: int) -> None:
        item = self._item()
        if item is None or self.data is None:
            return
        target = item.position + step
        if not 1 <= target <= len(self.data.items):
            return

        def moved(items: list[AgendaItemView]) -> None:
            if self.data is not None:
                self.data = SessionData(self.data.session, items, self.data.members, self.data.count)
            self._fill_agenda(items, select=target - 1)

        run_db(
            self,
            lambda db: agenda.move_item(db, item, to_position=target),
            moved,
            write=True,
            group="write",
            failed=self._refused,
        )

    def _refused(self, error: CirclesError) -> None:
        show_error(self, error)
        self.reload(keep_notes=True)

    @work
    async def action_delete_item(self) -> None:
        item = self._item()
        if item is None:
            return
        if await self.app.push_screen_wait(
            ConfirmScreen(f"Delete the agenda item {item.title!r}?", "Delete")
        ):
            run_db(
                self,
                lambda db: agenda.delete_item(db, item),
                lambda _: self.reload(keep_notes=True),
                write=True,
                group="write",
                failed=self._refused,
            )

    def action_save_notes(self) -> None:
        if self.data is None or self._saving_notes:
            return  # one save at a time: a second would drop the first one's answer
        original = self.data.session
        text = self.query_one("#notes", TextArea).text
        self._saving_notes = True

        def saved(s: SessionView) -> None:
            self._saving_notes = False
            if self.data is not None:
                self.data = SessionData(s, self.data.items, self.data.members, self.data.count)
            self._notes_from, self._merging = s.notes, False
            self.query_one("#notes-state", Static).update("saved" if not self._notes_dirty() else "")
            self.refresh_bindings()  # saved from elsewhere, ctrl+s there has nothing more to save

        def refused(error: CirclesError) -> None:
            self._saving_notes = False
            # Keep what they typed: a conflict must not cost them their notes.
            self.query_one("#notes-state", Static).update("not saved: " + str(error))
            if not isinstance(error, Conflict):
                show_error(self, error)
                return
            # Catch up with their version, so the next ctrl+s can save, knowingly.
            run_db(self, lambda db: load_session(db, self.session_id), lambda d: caught_up(d, error))

        def caught_up(data: SessionData, error: Conflict) -> None:
            self.show(data, keep_notes=True)  # brings their notes in below these, if they wrote any
            changed = f" ({'; '.join(error.changes)})" if error.changes else ""
            told = f"Someone else changed {error.what} since you opened it{changed}."
            if data.session.notes == original.notes:
                told += " Your notes are kept; ctrl+s saves them on top."
                self.query_one("#notes-state", Static).update("not saved: " + told)
            else:
                told += " Theirs are below yours in the editor: merge them, then ctrl+s."
            self.notify(told, title="Notes not saved", severity="warning", timeout=10, markup=False)

        run_db(
            self,
            lambda db: sessions.update_session(db, original, notes=text),
            saved,
            write=True,
            group="notes",
            failed=refused,
        )

    def action_check_out(self) -> None:
        from screens.checkout import CheckOutScreen

        self.app.push_screen(CheckOutScreen(self.session_id))

"""A session's Materials & takeaways tab: links and files, takeaways and topics; add, edit, remove,
and open a link (or a file that exists) with the system's opener."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from circles.services import knowledge
from circles.views import MaterialView, SessionView, TakeawayView, TopicView
from screens.dialogs import ConfirmScreen
from screens.table import Table
from screens.work import Read, run_db

if TYPE_CHECKING:
    from circles.store_access import Db
    from screens.opening import ReadFirst

_WEB = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)


def launch(target: str) -> bool:
    """Open a web link or a file with the system's opener (xdg-open, open, start); False if
    there is none. Not click.launch or webbrowser: without xdg-open they fall back to a
    browser in this very terminal (lynx, w3m), which would take the screen from the app."""
    if sys.platform == "win32":
        os.startfile(target)
        return True
    opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if opener is None:
        return False
    subprocess.Popen(
        [opener, target],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # it outlives a key press, and the app too
    )
    return True


@dataclass(frozen=True)
class KnowledgeData:
    materials: list[MaterialView]
    takeaways: list[TakeawayView]
    topics: list[TopicView]


def load_knowledge(db: Db, session_id: int) -> KnowledgeData:
    return KnowledgeData(*knowledge.session_knowledge(db, session_id))


def openable(material: MaterialView) -> str | None:
    """Why this material cannot be opened, or None: only http(s) links and files that are there."""
    if material.url is not None:
        return None if _WEB.match(material.url) else "only http:// and https:// links are opened"
    if material.path is None or not Path(material.path).exists():
        return f"the file {material.path} is not there (any more)"
    return None


class KnowledgePanel(Vertical):
    """Its keys act on the table that has the focus (materials or takeaways)."""

    BINDINGS = [
        Binding("a", "add_material", "Add link/file", tooltip="A web link or a file for this session"),
        Binding("t", "add_takeaway", "Add takeaway", tooltip="One line people took away"),
        Binding("e", "edit", "Edit", tooltip="Edit the highlighted material or takeaway"),
        Binding("d", "delete", "Remove", tooltip="Remove the highlighted material or takeaway"),
        Binding("o", "open", "Open", tooltip="Open the highlighted link (or file) with the system's opener"),
        Binding("T", "topics", "Topics", tooltip="The session's topics"),
    ]

    def __init__(
        self,
        session_id: int,
        *,
        showing: tuple[str, int] | None = None,
        id: str | None = None,
        opening: bool = False,
        session: SessionView | None = None,
        read_first: ReadFirst | None = None,
    ) -> None:
        """``opening``: built as its tab opens, it takes the focus as it mounts, and loads
        ``session`` if it is known by then (else the session screen calls :meth:`load`).
        ``read_first``: its read_job, started before the panel was built (the session screen
        reads it before it brings the tab forward, so the tab's first frame shows it)."""
        super().__init__(id=id)
        self.session_id = session_id
        self._showing = showing  # ("material" or "takeaway", id): the row to land on, once
        self.session: SessionView | None = None
        self._opening = opening
        self._opening_session = session
        self._read_first = read_first
        self.data: KnowledgeData | None = None

    READ = "knowledge"  # the name of its read_job's answer (screens/opening.py)

    @staticmethod
    def read_job(session_id: int) -> Callable[[Db], KnowledgeData]:
        """What the panel shows, as one unit of work to run before building it."""
        return lambda db: load_knowledge(db, session_id)

    def compose(self) -> ComposeResult:
        yield Static("", id="knowledge-topics", markup=False)
        yield Static("Materials", classes="section-title")
        yield Table(id="materials", cursor_type="row", zebra_stripes=True)
        yield Static("Takeaways", classes="section-title")
        yield Table(id="takeaways", cursor_type="row", zebra_stripes=True)
        yield Static("", id="knowledge-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        materials = self.query_one("#materials", DataTable)
        materials.add_columns("Kind", "Title", "Link or file")
        self.query_one("#takeaways", DataTable).add_columns("#", "Takeaway")
        if self._opening:
            materials.focus()
        if self._read_first is not None:  # shown in the frame that first shows the panel
            self.session = self._opening_session
            self._read_first.take(self, self.READ, KnowledgeData, self.show, self.reload)
        elif self._opening_session is not None:
            self._read(self._opening_session)

    def load(self, session: SessionView) -> None:
        if not self.is_mounted:  # (nor while on_mount runs)
            # Asked for as the panel is being built (the tab opened as the session's own read
            # came in): its answer would come back before the tables have their columns, which
            # on_mount adds. on_mount reads it instead.
            self._opening_session = session
            return
        self._read(session)

    def _read(self, session: SessionView) -> None:
        self.session = session
        run_db(self, *self.reading()[:2], group="knowledge")

    def reading(self) -> Read:
        """Its read, for the session screen to run in turn with its own (read_in_turn)."""
        return (self.read_job(self.session_id), self.show, None)

    def reload(self, _result: object = None) -> None:
        if self.session is not None:
            self.load(self.session)

    def show(self, data: KnowledgeData) -> None:
        self.data = data
        topics = ", ".join(t.name for t in data.topics)
        self.query_one("#knowledge-topics", Static).update(
            f"Topics: {topics}"
            if topics
            else "No topics yet: T adds some (they make the session easy to find)."
        )
        materials = self.query_one("#materials", DataTable)
        row = materials.cursor_row
        materials.clear()
        materials.add_rows(
            [
                (m.kind.value, Text(m.title), Text(m.target + ("" if m.is_link else "  (file)")))
                for m in data.materials
            ]
        )
        if data.materials:
            materials.move_cursor(row=min(row, len(data.materials) - 1))
        takeaways = self.query_one("#takeaways", DataTable)
        row = takeaways.cursor_row
        takeaways.clear()
        takeaways.add_rows([(str(t.position), Text(t.text)) for t in data.takeaways])
        if data.takeaways:
            takeaways.move_cursor(row=min(row, len(data.takeaways) - 1))
        self.query_one("#knowledge-hint", Static).update(
            "a adds a link or file, t a takeaway, T the topics; e edits, d removes, o opens a link."
            if data.materials or data.takeaways
            else "Nothing kept yet: a adds a link or file (slides, a recording, a reading, code), "
            "t a takeaway."
        )
        if self._showing is not None:
            kind, wanted = self._showing
            self._showing = None
            found: Sequence[MaterialView | TakeawayView] = (
                data.materials if kind == "material" else data.takeaways
            )
            table = materials if kind == "material" else takeaways
            index = next((n for n, x in enumerate(found) if x.id == wanted), 0)
            table.focus()
            table.move_cursor(row=index)
        elif self._forward() and not (materials.has_focus or takeaways.has_focus):
            (materials if data.materials or not data.takeaways else takeaways).focus()

    def _forward(self) -> bool:
        """Its tab is the one showing. Read again while another is forward (the session is read
        again on coming back from check-in), it must not take the focus: the tab of whatever
        has the focus comes forward (screens/tabs.py), and Feedback gave way to Materials."""
        return all(node.display for node in self.ancestors_with_self)

    def _selected(self) -> MaterialView | TakeawayView | None:
        if self.data is None:
            return None
        takeaways = self.query_one("#takeaways", DataTable)
        rows: Sequence[MaterialView | TakeawayView]
        if takeaways.has_focus:
            rows, table = self.data.takeaways, takeaways
        else:
            rows, table = self.data.materials, self.query_one("#materials", DataTable)
        if not rows or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row]

    def action_add_material(self) -> None:
        from screens.knowledge_forms import material_form

        if self.session is not None:
            self.app.push_screen(material_form(self.session, None), self._added("#materials"))

    def action_add_takeaway(self) -> None:
        from screens.knowledge_forms import takeaway_form

        if self.session is not None:
            self.app.push_screen(takeaway_form(self.session, None), self._added("#takeaways"))

    def _added(self, table: str) -> Callable[[object], None]:
        def done(result: object) -> None:
            if result is not None:
                self.query_one(table, DataTable).focus()
                self.reload()
                # Land on the new row once it is there: it is the last one.
                self.call_after_refresh(self._to_last, table)

        return done

    def _to_last(self, table: str) -> None:
        found = self.query_one(table, DataTable)
        found.move_cursor(row=max(0, found.row_count - 1))

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        from screens.knowledge_forms import material_form, takeaway_form

        item = self._selected()
        if self.session is None or item is None:
            return
        if isinstance(item, MaterialView):
            self.app.push_screen(material_form(self.session, item), self.reload)
        else:
            self.app.push_screen(takeaway_form(self.session, item), self.reload)

    @work
    async def action_delete(self) -> None:
        item = self._selected()
        if item is None:
            return
        what = (
            f"the material {item.title!r}"
            if isinstance(item, MaterialView)
            else f"the takeaway {item.text!r}"
        )
        if not await self.app.push_screen_wait(ConfirmScreen(f"Remove {what}?", "Remove")):
            return
        if isinstance(item, MaterialView):
            run_db(
                self, lambda db: knowledge.delete_material(db, item), self.reload, write=True, group="write"
            )
        else:
            run_db(
                self, lambda db: knowledge.delete_takeaway(db, item), self.reload, write=True, group="write"
            )

    def action_open(self) -> None:
        item = self._selected()
        if not isinstance(item, MaterialView):
            self.app.notify("Highlight a link or a file in Materials to open it.", markup=False)
            return
        problem = openable(item)
        if problem is not None:
            self.app.notify(f"Not opened: {problem}.", severity="warning", markup=False)
            return
        # launch() starts the opener and does not wait for it: no worker needed (screens start
        # threads only through screens.work).
        if launch(item.target):
            self.app.notify(f"Opening {item.target}", markup=False)
        else:
            self.app.notify(
                f"Nothing on this system opens links or files (no xdg-open); the address is {item.target}",
                severity="warning",
                markup=False,
            )

    def action_topics(self) -> None:
        from screens.knowledge_forms import topics_form

        if self.session is not None and self.data is not None:
            self.app.push_screen(topics_form(self.session, self.data.topics), self.reload)

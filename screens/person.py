"""One person: their circles, the sessions they attended, the presentations they gave and their
topics, their away periods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from circles.days import day_said, span_said
from circles.services import knowledge, lookups
from circles.services.person_programmes import PersonProgrammes, person_programmes
from screens.footer import Footer
from screens.format import day, named, safe
from screens.header import Header
from screens.live import LiveScreen, Row, numbered, refill
from screens.opening import ReadsFirst, push_read_first
from screens.phrases import PhraseLine
from screens.scroll_body import ScrollBody
from screens.styled_once import StyledOnceScreen
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import run_db

if TYPE_CHECKING:
    from circles.live import Change
    from circles.store_access import Db


@dataclass(frozen=True)
class PersonData:
    record: lookups.PersonRecord
    topics: list[tuple[str, int]]
    programmes: PersonProgrammes


def load_person(db: Db, person_id: int) -> PersonData:
    """Everything the screen shows, in one unit of work: one answer and one frame to draw,
    where three loads chained one after another each waited for the last and redrew the screen."""
    return PersonData(
        lookups.person_record(db, person_id),
        knowledge.person_topics(db, person_id),
        person_programmes(db, person_id),
    )


def open_person(app: App[Any], person_id: int) -> None:
    """Open a person's screen with their record in its first frame."""
    push_read_first(app, PersonScreen(person_id), {"person": lambda db: load_person(db, person_id)})


class PersonScreen(ReadsFirst, LiveScreen, StyledOnceScreen):
    HELP = "A person's record. e edits their details."
    BINDINGS = [
        Binding("e", "edit", "Edit person"),
        Binding("w", "away", "Mark away", tooltip="Away from one day to another: the rotation skips them"),
    ]

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id
        self.record: lookups.PersonRecord | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with ScrollBody(id="person-body"):
            yield PhraseLine("", id="person-summary", markup=False)
            yield Static("Circles", classes="section-title")
            yield from self.section("person-circles")
            yield Static("", id="attended-title", classes="section-title", markup=False)
            yield from self.section("person-attended")
            yield Static("Presentations", classes="section-title")
            yield from self.section("person-presented")
            yield Static("", id="person-topics", classes="hint", markup=False)
            yield Static("Programmes and pairs", classes="section-title")
            yield from self.section("person-pairs")
            yield Static("Away", classes="section-title")
            yield Static("", id="person-away", markup=False)
        yield Footer()

    @staticmethod
    def section(table_id: str) -> ComposeResult:
        """A section's table, and the line that stands in its place when it has no rows."""
        yield Table(id=table_id, cursor_type="row", show_cursor=False)
        yield Static("", id=f"{table_id}-none", classes="empty-section", markup=False)

    def fill(self, table_id: str, rows: list[Row], none: str) -> None:
        """Show ``rows`` in the section's table, or, when there are none, say so in its place:
        a header over no rows (a guest's circles, a newcomer's talks) said nothing."""
        table = self.query_one(f"#{table_id}", DataTable)
        refill(table, rows)
        table.display = bool(rows)
        note = self.query_one(f"#{table_id}-none", Static)
        note.update(none)
        note.display = not rows and bool(none)

    def on_mount(self) -> None:
        circles = self.query_one("#person-circles", Table)
        # A circle's name loses its middle: circles of one kind in several cities differ at its
        # end ("Design Systems Community of Practice (Berlin)" and "(Lagos)").
        circles.add_column("Circle", priority=0, min_width=14, cut_middle=True)
        for label in ("Role", "Rotation", "Joined", "Left"):
            circles.add_column(label)
        attended = self.query_one("#person-attended", Table)
        attended.add_column("When", priority=0)
        attended.add_column("Circle", priority=1, min_width=12, cut_middle=True)
        attended.add_column("Title", priority=3, min_width=10)
        attended.add_column("Check-in", priority=2)
        presented = self.query_one("#person-presented", Table)
        presented.add_column("When", priority=0)
        presented.add_column("Circle", priority=1, min_width=12, cut_middle=True)
        presented.add_column("Talk", priority=2, min_width=10)
        pairs = self.query_one("#person-pairs", Table)
        pairs.add_column("Programme", priority=0, min_width=12)
        pairs.add_column("With", priority=1, min_width=12)
        pairs.add_column("Status", priority=2)
        pairs.add_column("Since", priority=3)
        pairs.add_column("Meetings", priority=4)
        # Read before the screen was pushed: its first frame shows them.
        self.take_first("person", PersonData, self.show_all, self.reload)

    def on_screen_resume(self) -> None:
        if self.coming_back() and self.record is not None:
            self.reload()

    def concerns(self, change: Change) -> bool:
        shown = ("person", "membership", "attendance", "away", "programme_participant", "pair_member")
        return change.touches(shown, person=self.person_id)

    def reload(self) -> None:
        run_db(self, lambda db: load_person(db, self.person_id), self.show_all)

    def show_all(self, data: PersonData) -> None:
        self.show(data.record)
        self.show_topics(data.topics)
        self.show_programmes(data.programmes)

    def show_topics(self, topics: list[tuple[str, int]]) -> None:
        """What their talks were about (the topics of the items they presented, and of those sessions)."""
        said = ", ".join(f"{name} ({n})" if n > 1 else name for name, n in topics)
        line = self.query_one("#person-topics", Static)
        line.update(f"Topics of their talks: {said}" if said else "")
        line.display = bool(said)

    def show_programmes(self, found: PersonProgrammes) -> None:
        paired = {p.programme_id for p in found.pairs}
        today = circles_app(self).today()
        cells = [
            safe(
                p.programme_name,
                ", ".join(x.name for x in p.people if x.person_id != self.person_id),
                p.status.label,
                day_said(p.started_on, today),
                str(p.meetings_held),
            )
            for p in found.pairs
        ]
        cells += [
            safe(name, f"({part.role.value}, not paired)", part.pause_text(today), "", "")
            for part, name in found.programmes
            if part.programme_id not in paired
        ]
        self.fill("person-pairs", numbered(cells), "In no programme.")

    def show(self, r: lookups.PersonRecord) -> None:
        self.record = r
        p = r.person
        now = circles_app(self).now()
        today = circles_app(self).today()
        self.title = p.name
        self.query_one("#person-summary", PhraseLine).show(
            named(p.name, p.email, gap=" "),
            p.team,
            "guest" if p.is_guest else None,
            None if p.active else "inactive",
        )
        self.fill(
            "person-circles",
            numbered(
                [
                    safe(
                        r.circle_names.get(m.circle_id, "?"),
                        m.role.value,
                        "in" if m.in_rotation else "out",
                        day(m.joined_at, now),
                        day(m.left_at, now),
                    )
                    for m in r.memberships
                ]
            ),
            "In no circle.",
        )
        self.query_one("#attended-title", Static).update(
            f"Sessions attended: {r.attended_total}"
            + (f" (the latest {len(r.attended)})" if r.attended_total > len(r.attended) else "")
        )
        self.fill(
            "person-attended",
            numbered(
                [
                    safe(
                        day_said(a.session.local_start, now),
                        a.session.circle_name,
                        a.session.title,
                        a.attended.value,
                    )
                    for a in r.attended
                ]
            ),
            "",  # the title says "Sessions attended: 0"
        )
        self.fill(
            "person-presented",
            numbered(
                [
                    safe(day_said(x.session.local_start, now), x.session.circle_name, x.title)
                    for x in r.presentations
                ]
            ),
            "No talks yet.",
        )
        self.query_one("#person-away", Static).update(
            "\n".join(f"{span_said(a.starts_on, a.ends_on, today)}  {a.reason}" for a in r.away)
            or "Not away."
        )

    def _saved(self, person: object) -> None:
        if person is not None:
            self.reload()

    def action_edit(self) -> None:
        from screens.forms import person_form

        if self.record is not None:
            self.app.push_screen(person_form(self.record.person), self._saved)

    def action_away(self) -> None:
        from screens.forms import away_form

        def saved(result: object) -> None:
            if result is not None:
                self.notify("Away period saved; the rotation skips them then.")
                self.reload()

        self.app.push_screen(away_form(self.person_id, today=circles_app(self).today()), saved)

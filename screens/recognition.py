"""Recognition: who to thank for a period (talks, first talks and milestones, attendance streaks,
mentoring, feedback received as presenter, thanks), thanking someone, exporting the digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from rich.cells import cell_len
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Select, Static

from circles.days import day_said
from circles.feedback_views import LedgerNames, Recognised, Streak, Talk
from circles.words import count
from circles.zones import local_zone_name
from screens.footer import Footer
from screens.form_screen import Field, FormScreen
from screens.format import months_back
from screens.header import Header
from screens.live import LiveScreen
from screens.opening import ReadsFirst, push_read_first
from screens.paged import AHEAD, PAGE, PagedTable
from screens.select_on_open import SelectOnOpen
from screens.styled_once import StyledOnceScreen
from screens.typed_app import circles_app
from screens.work import MountGate, run_db

if TYPE_CHECKING:
    from circles.services.participation import Scope
    from circles.store_access import Db

PERIODS = ("this month", "last month", "last 3 months", "this year", "last 12 months")


# The longest cells a page of the ledger usually holds, by column: their columns have room
# for them from the start, so a person further down with a first talk or a longer streak is not
# shown cut ("1 (fir…") under columns sized by the first rows (PagedTable's steady_widths).
USUAL_LONGEST = {"Talks": "1 (first)", "Streaks": "10 in a row", "Mentoring": "2 meetings"}


def period_days(key: str, today: date) -> tuple[date, date]:
    """The first and last day of a named period, ending today at the latest."""
    first_of_month = today.replace(day=1)
    if key == "last month":
        end = first_of_month - timedelta(days=1)
        return end.replace(day=1), end
    if key == "last 3 months":
        # Three calendar months, this one the third (62 days back reached a fourth month).
        return months_back(today, 2), today
    if key == "this year":
        return today.replace(month=1, day=1), today
    if key == "last 12 months":
        return today - timedelta(days=365), today
    return first_of_month, today


@dataclass
class RecognitionData:
    """Everyone the ledger lists (``names``, in its order), and what the first ``ready`` of
    them did (``read``): a month of the huge demo lists 26,000 people, and reading what each
    did took most of a second for a screen that shows a screenful. The rest are read a page at
    a time as the table asks for them (read_people)."""

    names: LedgerNames
    shown: dict[int, str]  # each person's name as the list shows it (namesakes told apart)
    read: dict[int, Recognised]
    ready: int
    circles: list[tuple[str, int]]
    scope: Scope
    zone: str
    people: list[int] = field(init=False)
    widest_name: int = field(init=False)  # in cells: the Name column's width (PagedTable's widest)

    def __post_init__(self) -> None:
        # Here, in the worker that reads them: measuring a month's 26,000 names on the huge
        # demo took 6 ms of the UI thread.
        self.people = [p.person_id for p in self.names.people]
        self.widest_name = max(map(cell_len, self.shown.values()), default=0)

    def person(self, index: int) -> Recognised:
        """The ``index``th person listed, with what they did (nothing when it was read after
        they left the ledger: a look again comes)."""
        named = self.names.people[index]
        return self.read.get(named.person_id) or Recognised(named.person_id, named.name, named.team)


def load_recognition(
    db: Db, since: date, until: date, circle_id: int | None, *, at_least: int = PAGE, keep: int | None = None
) -> RecognitionData:
    """The ledger's people for the period and circle, and what the first ``at_least`` did (and
    as far as ``keep``, the person highlighted, and a few more: the table shows their row)."""
    from circles.services import circle_records, recognition

    zone = local_zone_name()  # the facilitator's days, as CirclesApp.today gives the period
    scope = recognition.period_scope(db, since=since, until=until, circle=circle_id, zone=zone)
    names = recognition.ledger_names(db, scope, zone=zone)
    count = at_least
    if keep is not None:
        at = next((i for i, p in enumerate(names.people) if p.person_id == keep), None)
        count = max(count, at + 1 + AHEAD if at is not None else 0)
    first = [p.person_id for p in names.people[:count]]
    read = read_people(db, scope, zone, first)
    ready = min(count, len(names.people))
    return RecognitionData(
        names, names.shown_names(), read, ready, circle_records.circle_choices(db), scope, zone
    )


def read_people(db: Db, scope: Scope, zone: str, people: list[int]) -> dict[int, Recognised]:
    """What these people did in the scope's period, by id. Asked for nobody too: the app's
    warm-up reads a month long past, where nobody is recognised, and has the statements
    compiled then (screens/preload.py)."""
    from circles.services import recognition

    return {r.person_id: r for r in recognition.ledger(db, scope, zone=zone, people=people).people}


def streaks_text(streaks: list[Streak]) -> str:
    """A person's streaks in one table cell: the longest, and how many more there are."""
    if not streaks:
        return ""
    longest = max(x.sessions for x in streaks)
    more = f" (+{len(streaks) - 1})" if len(streaks) > 1 else ""
    return f"{longest} in a row{more}"


def detail_lines(r: Recognised, today: date, shown: str | None = None) -> str:
    """Everything one person is recognised for, as lines to read, under their name with their
    team, or as the list shows it (``shown``) when that says more: namesakes of one team are
    told apart there by their number."""
    lines = [shown if shown and shown != r.name else r.name + (f" ({r.team})" if r.team else "")]
    for t in r.talks:
        mark = " · first talk ever!" if t.number == 1 else (f" · talk no. {t.number}!" if t.milestone else "")
        lines.append(f"  talk {day_said(t.day, today)}: {t.title or 'untitled'} ({t.circle}){mark}")
    for s in r.streaks:
        lines.append(f"  came to {s.sessions} {s.circle} sessions in a row ({day_said(s.day, today)})")
    if r.mentoring is not None:
        m = r.mentoring
        parts = [f"{count(m.meetings, 'meeting')} ({m.hours:.1f} h)"] if m.meetings else []
        if m.pairs_completed:
            parts.append(
                f"{count(m.pairs_completed, 'pair')} completed" + (" as mentor" if m.as_mentor else "")
            )
        lines.append("  mentoring: " + ", ".join(parts))
    if r.feedback is not None and r.feedback.mean is not None:
        f = r.feedback
        lines.append(f"  feedback as presenter: {count(f.ratings, 'rating')}, mean {f.mean:.1f}")
        lines += [f"    note: {n}" for n in f.notes]
    for thanks in r.thanks:
        lines.append(f"  thanks{f' from {thanks.given_by}' if thanks.given_by else ''}: {thanks.text}")
    return "\n".join(lines)


def row_cells(r: Recognised, names: dict[int, str]) -> tuple[str, ...]:
    """One person's row of the ledger (``names``: as Ledger.shown_names tells namesakes apart)."""
    # A talk that is a milestone is said beside the count: a column of its own, headed
    # "Milestones" over a "#5", took 12 of 80 cells and cut streaks to "5 in a …".
    milestones = ", ".join("first" if t.number == 1 else f"#{t.number}" for t in r.milestones)
    talks = _count(len(r.talks)) + (f" ({milestones})" if milestones else "")
    mentoring = ""
    if r.mentoring is not None:
        done = f"{r.mentoring.pairs_completed} completed" if r.mentoring.pairs_completed else ""
        met = count(r.mentoring.meetings, "meeting") if r.mentoring.meetings else ""
        mentoring = ", ".join(x for x in (met, done) if x)
    feedback = f"{r.feedback.mean:.1f} ({r.feedback.ratings})" if r.feedback and r.feedback.mean else ""
    return (
        names[r.person_id],
        talks,
        streaks_text(r.streaks),
        mentoring,
        feedback,
        _count(len(r.thanks)),
    )


class LedgerRow(Sequence[str]):
    """A person's row cells, built when the table first adds the row (or compares it): a month
    lists thousands of people, and the table adds a screenful of rows to begin with (what they
    did is read by then: see PagedTable's ``ready``)."""

    __slots__ = ("_cells", "_data", "_index")

    def __init__(self, data: RecognitionData, index: int) -> None:
        self._data = data
        self._index = index
        self._cells: tuple[str, ...] | None = None

    @property
    def cells(self) -> tuple[str, ...]:
        if self._cells is None:
            self._cells = row_cells(self._data.person(self._index), self._data.shown)
        return self._cells

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.cells[index]

    def __len__(self) -> int:
        return len(self.cells)

    def __eq__(self, other: object) -> bool:
        return self.cells == (other.cells if isinstance(other, LedgerRow) else other)

    __hash__ = None  # type: ignore[assignment]


def _count(n: int) -> str:
    return str(n) if n else ""


def open_recognition(app: App[Any], period: str = PERIODS[0]) -> None:
    """Open Recognition with the ledger of ``period`` (one of PERIODS; R opens this month) in
    its first frame: pushed first and filled after, it was laid out and drawn twice, empty
    ("Loading…") and again with the rows."""
    screen = RecognitionScreen()
    screen.period = period
    since, until = screen.days(circles_app(app).today())
    push_read_first(
        app, screen, {"recognition": lambda db: load_recognition(db, since, until, screen.circle_id)}
    )


class RecognitionScreen(ReadsFirst, LiveScreen, StyledOnceScreen):
    TITLE = "Recognition"
    # What the ledger is made of, for every circle or the one chosen: a change to these looks
    # again, only while the screen is on top and once for a burst (it takes seconds when large).
    SHOWS = frozenset(
        {
            "circle", "circle_session", "attendance", "agenda_item", "person", "thanks",
            "feedback_setting", "feedback_answer", "feedback_response",
            "programme", "programme_pair", "pair_member", "pair_meeting",
        }
    )  # fmt: skip
    ON_TOP_ONLY = True
    HELP = (
        "Who to thank for a period, from what people did: talks (a first talk, the 5th, 10th, 25th), "
        "attendance streaks (5, 10 or 25 of a circle's held sessions in a row; a cancelled session or "
        "a break without sessions does not end one, a missed session does), meetings of mentoring, "
        "buddy and coffee pairs, mentoring pairs completed, feedback on the sessions they presented "
        "(where the circle shares it), and thanks. Nobody with nothing in the period is listed. "
        "t thanks someone; x exports the digest as Markdown (for a newsletter or chat) or JSON."
    )
    BINDINGS = [
        Binding("t", "thank", "Thank someone", tooltip="Record thanks to someone"),
        Binding("x", "export", "Export digest", tooltip="The digest as Markdown or JSON, to a file"),
        Binding("r", "refresh", "Refresh", show=False),
    ]
    DEFAULT_CSS = """
    RecognitionScreen #rec-controls { height: auto; margin: 0 1; }
    RecognitionScreen #rec-status { margin: 0 1; height: auto; }
    RecognitionScreen #rec-ledger { height: 1fr; }
    RecognitionScreen #rec-detail { height: auto; max-height: 12; padding: 0 1; border-top: solid $primary; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.data: RecognitionData | None = None
        self.period = PERIODS[0]
        self.circle_id: int | None = None
        self.mount_gate = MountGate()

    def compose(self) -> ComposeResult:
        if self.read_first is None:
            # Pushed without its data (open_recognition reads them first): the ledger is asked
            # for before the widgets are built, its queries run while they are styled and laid
            # out, and it is handed over once they are mounted (MountGate).
            self.reload()
        yield Header()
        with Horizontal(id="rec-controls"):
            # Drawn as compact Selects, built as Selects when first opened (select_on_open.py).
            yield SelectOnOpen([(p.capitalize(), p) for p in PERIODS], value=self.period, id="rec-period")
            yield SelectOnOpen([("All circles", 0)], value=0, id="rec-circle")
        yield Static("Loading…", id="rec-status", markup=False)
        # A year's ledger on a large store lists thousands of people: measuring every row
        # took longer than the screen may to open, so the rows are added as they could be seen.
        yield PagedTable(
            id="rec-ledger", cursor_type="row", zebra_stripes=True, first_screenful=True, steady_widths=True
        )
        with VerticalScroll(id="rec-detail"):
            yield Static("", id="rec-person", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#rec-ledger", PagedTable)
        # At 80 columns the long cells are shortened rather than the last columns hidden whole
        # (a presenter's feedback and their thanks went missing from the ledger). A name loses
        # its middle: namesakes are told apart at its end ("(Data, no. 12)").
        for label, min_width in (
            ("Name", 12), ("Talks", 6), ("Streaks", 10),
            ("Mentoring", 10), ("Feedback", None), ("Thanks", None),
        ):  # fmt: skip
            table.add_column(label, min_width=min_width, cut_middle=label == "Name")
        table.focus()
        self.mount_gate.open()
        if self.read_first is not None:
            # Read before the screen was pushed: its first frame shows them.
            self.take_first("recognition", RecognitionData, self.show, self.reload)

    def days(self, today: date | None = None) -> tuple[date, date]:
        return period_days(self.period, today or circles_app(self).today())

    def about(self) -> dict[str, int | None]:
        return {"circle": self.circle_id}

    def reload(self) -> None:
        since, until = self.days()
        circle_id = self.circle_id
        # What the table shows now is read again (its rows compared), and as far as the person
        # highlighted, wherever they are in the new list (the cursor stays on them).
        at_least, keep = PAGE, None
        if self.data is not None:
            table = self.query_one("#rec-ledger", PagedTable)
            at_least = max(PAGE, table.row_count)
            person = self._current()
            keep = person.person_id if person else None
        load = self.mount_gate.after(
            lambda db: load_recognition(db, since, until, circle_id, at_least=at_least, keep=keep)
        )
        run_db(self, load, self.show)

    def action_refresh(self) -> None:
        self.reload()

    def show(self, data: RecognitionData) -> None:
        first_load = self.data is None
        self.data = data
        names = data.names
        if first_load:
            self.query_one("#rec-circle", SelectOnOpen).set_options(
                [("All circles", 0), *data.circles], self.circle_id or 0
            )
        where = names.circle or "all circles"
        self.query_one("#rec-status", Static).update(
            f"{names.period} · {where} · {count(len(names.people), 'person', 'people')} to thank"
            if names.people
            else f"{names.period} · {where} · nobody to recognise yet in this period"
        )
        # The Name column is as wide as the widest name listed: every name is known, unlike
        # what each person did, which is read a page at a time; the other columns are sized by
        # the first rows shown, and have room at least for their usual longest cells.
        widest = {label: cell_len(text) for label, text in USUAL_LONGEST.items()}
        widest["Name"] = data.widest_name
        # The highlighted person stays highlighted (by who they are) when the ledger is counted again.
        self.query_one("#rec-ledger", PagedTable).fill(
            [(str(pid), LedgerRow(data, i)) for i, pid in enumerate(data.people)],
            ready=data.ready,
            widest=widest,
        )
        self._detail()

    @on(PagedTable.Wanted, "#rec-ledger")
    def _read_more(self, event: PagedTable.Wanted) -> None:
        """The table wants rows past those read: the next people's, a page more than asked."""
        data = self.data
        if data is None:
            return
        end = min(event.count + PAGE, len(data.people))
        people = data.people[data.ready : end]

        def arrived(read: dict[int, Recognised]) -> None:
            if self.data is not data:  # read again meanwhile: that fill set the table anew
                return
            data.read.update(read)
            data.ready = max(data.ready, end)
            event.table.grow(data.ready)

        run_db(self, lambda db: read_people(db, data.scope, data.zone, people), arrived, group="more")

    def _current(self) -> Recognised | None:
        table = self.query_one("#rec-ledger", DataTable)
        if self.data is None or not self.data.people:
            return None
        return self.data.person(min(table.cursor_row, len(self.data.people) - 1))

    @on(DataTable.RowHighlighted, "#rec-ledger")
    def _detail(self) -> None:
        person = self._current()
        shown = self.data.shown.get(person.person_id) if self.data is not None and person else None
        self.query_one("#rec-person", Static).update(
            detail_lines(person, circles_app(self).today(), shown) if person else ""
        )

    @on(Select.Changed, "#rec-period Select")
    def _period(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.period:
            self.period = event.value
            self.reload()

    @on(Select.Changed, "#rec-circle Select")
    def _circle(self, event: Select.Changed) -> None:
        chosen = event.value if isinstance(event.value, int) and event.value else None
        if self.data is not None and chosen != self.circle_id:
            self.circle_id = chosen
            self.reload()

    def action_thank(self) -> None:
        """The form offers the period's talks: everyone's, read first (the screen holds what
        the people it has shown did)."""
        data = self.data
        if data is not None:
            from circles.services import recognition

            person = self._current()
            person_id = person.person_id if person else None

            def ask(talks: list[Talk]) -> None:
                form = thanks_form(data.names, talks, person_id, today=circles_app(self).today())
                self.app.push_screen(form, lambda done: self.reload() if done else None)

            run_db(self, lambda db: recognition.talks(db, data.scope), ask, group="thank")

    def action_export(self) -> None:
        """The digest of everyone the ledger lists, read whole as it is saved."""
        data = self.data
        if data is not None:
            from circles.services import recognition
            from screens.digest_export_dialog import export_form

            form = export_form(data.names, lambda db: recognition.ledger(db, data.scope, zone=data.zone))
            self.app.push_screen(form, self._exported)

    def _exported(self, path: object) -> None:
        if isinstance(path, Path):
            self.notify(f"Wrote {path}", title="Digest exported", markup=False)


def thanks_form(
    ledger: LedgerNames, talks: list[Talk], person_id: int | None = None, *, today: date
) -> FormScreen[Any]:
    """Thanks to someone (the highlighted person to start with): the people of this period,
    anyone else through the picker; ``talks``: the period's, to say which session it is for."""
    names = ledger.shown_names()
    people = [(names[p.person_id], p.person_id) for p in ledger.people] or [("(choose Someone else…)", 0)]
    labels = sorted(
        {(t.session_id, f"{day_said(t.day, today)} {t.circle}: {t.title}"[:60]) for t in talks},
        key=lambda x: x[1],
    )
    fields = [
        Field("who", "Thank", person_id or people[0][1], choices=people, anyone="Thank whom?", required=True),
        Field("text", "For what", "", "for the Rust talk", required=True, aliases=("for",)),
        Field(
            "session",
            "About the session",
            0,
            choices=[("(none)", 0), *[(label, sid) for sid, label in labels]],
        ),
        Field("by", "From", 0, choices=[("(nobody in particular)", 0)], anyone="Thanks from whom?"),
    ]

    def save(db: Any, v: dict[str, Any]) -> object:
        from circles.services import recognition

        return recognition.add_thanks(
            db,
            person=str(v["who"]),
            text=v["text"],
            session_id=v["session"] or None,
            given_by=str(v["by"]) if v["by"] else None,
        )

    return FormScreen("Thank someone", fields, save)

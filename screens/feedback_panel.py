"""The Feedback tab of a session: ratings, what people learned, notes for the presenter, and who
came but has not answered yet; the circle's feedback settings (anonymous, shared with presenters)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from circles.feedback_views import ANONYMOUS_MEANS, RATINGS, SessionFeedback
from screens.dialogs import ConfirmScreen
from screens.format import safe
from screens.table import Table
from screens.work import MountGate, Read, run_db

if TYPE_CHECKING:
    from circles.store_access import Db
    from screens.opening import ReadFirst

BAR_WIDTH = 20


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def rating_bars(data: SessionFeedback, width: int = BAR_WIDTH) -> str:
    """One line per rating, 5 down to 1: stars, a bar as long as its share, and the count."""
    counts = data.distribution
    most = max(counts.values()) or 1
    return "\n".join(
        f"{stars(r)} {'█' * round(counts[r] / most * width):<{width}} {counts[r]}" for r in reversed(RATINGS)
    )


def summary_text(data: SessionFeedback) -> str:
    came = len(data.attendees)
    if not came:
        return "Nobody is checked in as present yet: feedback comes from the people who came."
    share = f" ({data.response_rate:.0%})" if data.response_rate is not None else ""
    mean = f" · mean {data.mean:.1f} / 5" if data.mean is not None else ""
    answers = f"{len(data.answers)} answer{'' if len(data.answers) == 1 else 's'}"
    return f"{answers} from {data.responded} of {came} who came{share}{mean}"


def settings_text(data: SessionFeedback) -> str:
    s = data.settings
    how = (
        "Answers here are anonymous: " + ANONYMOUS_MEANS.removeprefix("Anonymous: ")
        if s.anonymous
        else ("Answers carry the name of whoever gave them.")
    )
    notes = (
        "Notes for the presenter reach them (in their recognition)."
        if s.share_with_presenter
        else "Notes for the presenter stay with the facilitators."
    )
    return f"{how} {notes} (A: anonymous or named · P: the presenter sees notes or not)"


class FeedbackPanel(Vertical):
    """Mount with a session id; :meth:`reload` after check-out."""

    DEFAULT_CSS = """
    FeedbackPanel { height: 1fr; }
    FeedbackPanel #feedback-summary { margin: 0 1; text-style: bold; height: auto; }
    FeedbackPanel #feedback-settings { margin: 0 1; color: $text-muted; height: auto; }
    FeedbackPanel #feedback-body { height: 1fr; }
    FeedbackPanel #feedback-left { width: 3fr; padding: 0 1; }
    FeedbackPanel #feedback-right { width: 2fr; }
    FeedbackPanel .feedback-heading { text-style: bold; color: $accent; margin-top: 1; }
    FeedbackPanel #feedback-bars, FeedbackPanel #feedback-learned, FeedbackPanel #feedback-notes {
        height: auto;
    }
    """
    BINDINGS = [
        Binding("A", "toggle_anonymous", "Anonymous?", tooltip="Store new answers with or without names"),
        # Not S: the session screen's delivery line says "S sends them", on every tab.
        Binding(
            "P",
            "toggle_share",
            "Presenter sees notes?",
            tooltip="Whether presenters see the notes meant for them",
        ),
    ]

    @dataclass
    class Loaded(Message):
        panel: FeedbackPanel
        data: SessionFeedback

    def __init__(
        self, session_id: int, *, read_first: ReadFirst | None = None, id: str | None = None
    ) -> None:
        """``read_first``: its read_job, started before the panel was mounted (the session
        screen reads it before it brings the tab forward, so the tab's first frame shows it)."""
        super().__init__(id=id)
        self.session_id = session_id
        self.data: SessionFeedback | None = None
        self.mount_gate = MountGate()
        self._read_first = read_first

    READ = "feedback"  # the name of its read_job's answer (screens/opening.py)

    @staticmethod
    def read_job(session_id: int) -> Callable[[Db], SessionFeedback]:
        """What the panel shows, as one unit of work to run before mounting it."""
        from circles.services import feedback

        return lambda db: feedback.session_feedback(db, session_id)

    def compose(self) -> ComposeResult:
        # Not read first: the answers are asked for before the widgets are built, so the
        # queries run while the tab is styled and laid out, instead of after; they are handed
        # over once the widgets are mounted (screens/work.py: MountGate).
        if self._read_first is None:
            self.reload()
        yield Static("Loading feedback…", id="feedback-summary", markup=False)
        yield Static("", id="feedback-settings", markup=False)
        with Horizontal(id="feedback-body"):
            with VerticalScroll(id="feedback-left"):
                yield Static("Ratings", classes="feedback-heading")
                yield Static("", id="feedback-bars", markup=False)
                yield Static("What people learned", classes="feedback-heading")
                yield Static("", id="feedback-learned", markup=False)
                yield Static("Notes for the presenter", classes="feedback-heading", id="feedback-notes-title")
                yield Static("", id="feedback-notes", markup=False)
            with Vertical(id="feedback-right"):
                yield Static(
                    "Came and not answered yet", classes="section-title", id="feedback-missing-title"
                )
                yield Table(id="feedback-missing", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#feedback-missing", DataTable).add_columns("Name", "E-mail")
        self.focus_list()
        self.mount_gate.open()
        if self._read_first is not None:  # shown in the frame that first shows the panel
            self._read_first.take(self, self.READ, SessionFeedback, self.show, self.reload)

    def focus_list(self) -> None:
        self.query_one("#feedback-missing", DataTable).focus()

    def reload(self) -> None:
        run_db(self, *self.reading()[:2], group="feedback")

    def reading(self) -> Read:
        """Its read, for the session screen to run in turn with its own (read_in_turn)."""
        return (self.mount_gate.after(self.read_job(self.session_id)), self.show, None)

    def show(self, data: SessionFeedback) -> None:
        self.data = data
        self.query_one("#feedback-summary", Static).update(summary_text(data))
        self.query_one("#feedback-settings", Static).update(settings_text(data))
        self.query_one("#feedback-bars", Static).update(
            rating_bars(data) if data.answers else "No ratings yet."
        )
        lines = [
            f"• {a.learned}" + (f"  ({a.person_name})" if a.person_name else "")
            for a in data.answers
            if a.learned
        ]
        self.query_one("#feedback-learned", Static).update(
            "\n".join(lines) or "Nothing yet: check-out (o) asks each person for one thing they learned."
        )
        who = f" ({data.presenters})" if data.presenters else ""
        self.query_one("#feedback-notes-title", Static).update(f"Notes for the presenter{who}")
        notes = [f"• {a.for_presenter}" for a in data.answers if a.for_presenter]
        self.query_one("#feedback-notes", Static).update("\n".join(notes) or "None.")
        missing = data.missing
        self.query_one("#feedback-missing-title", Static).update(
            f"Came and not answered yet ({len(missing)})"
        )
        table = self.query_one("#feedback-missing", DataTable)
        table.clear()
        for m in missing:
            table.add_row(*safe(m.name, m.email or ""), key=str(m.person_id))
        self.post_message(self.Loaded(self, data))

    @work
    async def action_toggle_anonymous(self) -> None:
        if self.data is None:
            return
        turning_on = not self.data.settings.anonymous
        question = (
            f"Make new answers in {self.data.session.circle_name} anonymous? {ANONYMOUS_MEANS} "
            "Answers already given keep their names."
            if turning_on
            else f"Store new answers in {self.data.session.circle_name} with names? "
            "Answers already given anonymously stay anonymous."
        )
        if await self.app.push_screen_wait(ConfirmScreen(question, "Anonymous" if turning_on else "Named")):
            self._save_settings(anonymous=turning_on)

    def action_toggle_share(self) -> None:
        if self.data is not None:
            self._save_settings(share=not self.data.settings.share_with_presenter)

    def _save_settings(self, *, anonymous: bool | None = None, share: bool | None = None) -> None:
        from circles.services import feedback

        assert self.data is not None
        circle_id = self.data.session.circle_id
        run_db(
            self,
            lambda db: feedback.set_settings(db, circle_id, anonymous=anonymous, share_with_presenter=share),
            lambda _: self.reload(),
            write=True,
            group="settings",
        )

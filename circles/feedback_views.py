"""Read models of feedback and recognition: plain frozen dataclasses, safe to keep on screens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from circles.views import SessionView

RATINGS = (1, 2, 3, 4, 5)

ANONYMOUS_MEANS = (
    "Anonymous: answers are stored without any link to the person who gave them (no name, no id, "
    "no time of their own), so no screen, export or query can tell whose an answer is. circles "
    "still records who has answered, apart from the answers, so it can list who has not. With "
    "only one or two answers to a session, people may still guess whose they are."
)


@dataclass(frozen=True, slots=True)
class FeedbackSettings:
    """How a circle asks for feedback (a circle never set up has the defaults)."""

    circle_id: int
    anonymous: bool = False
    share_with_presenter: bool = True
    version: int = 0  # 0: never saved


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer about a session. ``person_id`` is None when it was given anonymously."""

    id: str
    session_id: int
    person_id: int | None
    person_name: str | None
    rating: int
    learned: str
    for_presenter: str

    @property
    def anonymous(self) -> bool:
        return self.person_id is None


@dataclass(frozen=True, slots=True)
class Saved:
    """What adding an answer did: ``replaced`` says an earlier answer of theirs was replaced."""

    answer: Answer
    person_name: str
    session_label: str
    replaced: bool

    @property
    def message(self) -> str:
        # An anonymous answer's message names who answered but says nothing of what: a rating
        # beside a name is exactly the tie anonymity promises never to print.
        how = "anonymously, without their name" if self.answer.anonymous else f"rated {self.answer.rating}"
        if self.replaced:
            return f"Replaced {self.person_name}'s earlier answer about {self.session_label} ({how})."
        return f"Saved {self.person_name}'s answer about {self.session_label} ({how})."


@dataclass(frozen=True, slots=True)
class Attendee:
    """Someone who came to a session, and whether they have answered (not what)."""

    person_id: int
    name: str
    email: str | None
    answered: bool
    # Their rating and line when their answer is shown with names (see feedback._answers);
    # None and "" when it is anonymous, not given yet, or the session has anonymous answers.
    rating: int | None
    learned: str = ""


@dataclass(frozen=True, slots=True)
class MissedSession:
    session_id: int
    day: date
    title: str


@dataclass(frozen=True, slots=True)
class NonResponder:
    """Someone who came and has not answered; with a circle, every session they have not answered."""

    person_id: int
    name: str
    email: str | None
    sessions: list[MissedSession] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SessionFeedback:
    """A session's Feedback tab: settings, the answers, who came and who has answered."""

    session: SessionView
    settings: FeedbackSettings
    answers: list[Answer]
    attendees: list[Attendee]
    presenters: str  # who presented, as the agenda names them ("Ana, Bo"), or ""
    closed: str | None = None  # why no answer can be given now (not started, cancelled)

    @property
    def responded(self) -> int:
        return sum(1 for a in self.attendees if a.answered)

    @property
    def response_rate(self) -> float | None:
        return self.responded / len(self.attendees) if self.attendees else None

    @property
    def mean(self) -> float | None:
        return sum(a.rating for a in self.answers) / len(self.answers) if self.answers else None

    @property
    def distribution(self) -> dict[int, int]:
        counts = dict.fromkeys(RATINGS, 0)
        for a in self.answers:
            counts[a.rating] += 1
        return counts

    @property
    def missing(self) -> list[Attendee]:
        return [a for a in self.attendees if not a.answered]


# -- recognition ---------------------------------------------------------------------------------

TALK_MILESTONES = (1, 5, 10, 25)
# The lengths of attendance streak the store keeps (table streak_milestone, frozen in migration 0100).
STREAK_MILESTONES = (5, 10, 25)


@dataclass(frozen=True, slots=True)
class ThanksView:
    id: int
    person_id: int
    person_name: str
    given_by: str | None
    text: str
    day: date
    session_id: int | None
    session_label: str | None


@dataclass(frozen=True, slots=True)
class Talk:
    session_id: int
    day: date
    circle: str
    title: str
    number: int  # their how-manieth talk ever (1: their first)

    @property
    def milestone(self) -> int | None:
        return self.number if self.number in TALK_MILESTONES else None


@dataclass(frozen=True, slots=True)
class Streak:
    """A run of sessions of one circle someone came to in a row, as long as a milestone."""

    circle: str
    sessions: int
    day: date  # the session that made it this long


@dataclass(frozen=True, slots=True)
class MentoringDone:
    pairs_completed: int  # mentoring and reverse-mentoring pairs completed in the period
    meetings: int  # meetings of any pair of theirs held in the period
    minutes: int  # their length, or the programme's usual length when not logged
    as_mentor: bool

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True, slots=True)
class FeedbackReceived:
    """Feedback on the sessions someone presented, in circles that share it with presenters."""

    ratings: int
    rating_sum: int
    notes: list[str]
    # How many notes, when they were counted rather than read (recognition.ledger(notes=False)).
    note_count: int | None = None

    @property
    def mean(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def noted(self) -> int:
        """How many notes were written for the presenter."""
        return len(self.notes) if self.note_count is None else self.note_count


@dataclass(frozen=True, slots=True)
class Recognised:
    """Everything one person is recognised for in a period; nobody appears with nothing."""

    person_id: int
    name: str
    team: str | None
    talks: list[Talk] = field(default_factory=list)
    streaks: list[Streak] = field(default_factory=list)
    mentoring: MentoringDone | None = None
    feedback: FeedbackReceived | None = None
    thanks: list[ThanksView] = field(default_factory=list)

    @property
    def milestones(self) -> list[Talk]:
        return [t for t in self.talks if t.milestone is not None]


@dataclass(frozen=True, slots=True)
class LedgerPeriod:
    """What a ledger covers: its days and its circle (None: all)."""

    since: date | None
    until: date
    circle: str | None

    @property
    def period(self) -> str:
        """The period as the ledger's heading and status say it."""
        if self.since == self.until:  # this month, on its first day
            return f"{self.until:%d %b %Y}"
        start = f"{self.since:%d %b %Y}" if self.since else "the beginning"
        return f"{start} to {self.until:%d %b %Y}"


@dataclass(frozen=True, slots=True)
class Ledger(LedgerPeriod):
    people: list[Recognised]

    def shown_names(self) -> dict[int, str]:
        """Each person's name as a list shows it: namesakes (two Ada Bauers) get their team,
        and the person's number where the team does not tell them apart either."""
        return tell_apart([(r.person_id, r.name, r.team) for r in self.people])


class Named(NamedTuple):
    """Someone a ledger lists, without what they did."""

    person_id: int
    name: str
    team: str | None


@dataclass(frozen=True, slots=True)
class LedgerNames(LedgerPeriod):
    """Everyone a ledger lists, in its order (by name), without what they did: a screen lists
    them all and reads what they did a page at a time (recognition.ledger with ``people``)."""

    people: list[Named]

    def shown_names(self) -> dict[int, str]:
        """As Ledger.shown_names: namesakes are told apart among everyone listed."""
        return tell_apart(self.people)


def tell_apart(people: Sequence[tuple[int, str, str | None]]) -> dict[int, str]:
    """(person id, name, team) to the name shown: as written, unless another has it too."""
    by_name: dict[str, list[tuple[int, str, str | None]]] = {}
    for person in people:
        by_name.setdefault(" ".join(person[1].casefold().split()), []).append(person)
    shown: dict[int, str] = {}
    for same in by_name.values():
        if len(same) == 1:  # most names: nobody else's
            shown[same[0][0]] = same[0][1]
            continue
        teams = [(team or "").casefold() for _, _, team in same]
        for person_id, name, team in same:
            if team and teams.count(team.casefold()) == 1:
                shown[person_id] = f"{name} ({team})"
            else:
                shown[person_id] = f"{name} ({team + ', ' if team else ''}no. {person_id})"
    return shown

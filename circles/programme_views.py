"""Read models of mentorship programmes: frozen dataclasses the services hand to screens and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from circles.days import day_said
from models.enums import PairStatus, ParticipantRole, ProgrammeKind

# A pause with no end: set when someone stopped answering "did you meet?" (a "ghost").
UNTIL_RESUMED = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    id: int
    name: str
    kind: ProgrammeKind
    starts_on: date | None
    ends_on: date | None
    cadence: str | None
    meeting_minutes: int
    group_size: int
    allow_same_team: bool
    no_repeat_weeks: int | None
    version: int
    archived_at: datetime | None = None  # archived: hidden from lists, history kept

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def repeat_rule(self) -> str:
        if self.no_repeat_weeks is None:
            return "no repeat until everyone has met everyone else"
        return f"no repeat within {self.no_repeat_weeks} weeks"


@dataclass(frozen=True, slots=True)
class ProgrammeSummary:
    programme: ProgrammeView
    participants: int
    active_pairs: int
    rounds: int
    last_round_on: date | None


@dataclass(frozen=True, slots=True)
class ParticipantView:
    id: int
    programme_id: int
    person_id: int
    name: str
    email: str | None  # people may be added without an address
    team: str | None
    role: ParticipantRole
    capacity: int
    offers: tuple[str, ...]
    wants: tuple[str, ...]
    timezone: str  # as given, else from their circles, else UTC
    timezone_given: bool
    since: date | None
    paused_until: date | None
    paused_reason: str
    answers_from: date | None
    joined_at: datetime
    left_at: datetime | None
    avoid: tuple[str, ...]  # e-mail addresses
    active_pairs: int
    version: int
    # False once they are marked inactive in the directory (they left the organisation):
    # matching leaves them out, and their programme's list says so.
    in_organisation: bool

    def paused_on(self, day: date) -> bool:
        return self.paused_until is not None and self.paused_until >= day

    def pause_text(self, today: date) -> str:
        """'paused until 01 Apr (holiday)', the year said only when it is not this one."""
        if self.paused_until is None:
            return ""
        until = (
            "until resumed"
            if self.paused_until == UNTIL_RESUMED
            else f"until {day_said(self.paused_until, today)}"
        )
        return f"paused {until}" + (f" ({self.paused_reason})" if self.paused_reason else "")

    def standing(self, today: date) -> str:
        """Why matching leaves them out, if it does: 'inactive in the directory' (they left the
        organisation), else their pause; '' when they are matched as anyone is."""
        return "inactive in the directory" if not self.in_organisation else self.pause_text(today)


@dataclass(frozen=True, slots=True)
class PairPerson:
    person_id: int
    name: str
    email: str | None  # people may be added without an address
    role: ParticipantRole


@dataclass(frozen=True, slots=True)
class PairView:
    id: int
    programme_id: int
    programme_name: str
    round_number: int
    status: PairStatus
    started_on: date
    ended_on: date | None
    end_reason: str
    reasons: str
    met: bool | None  # "did you meet?": None until answered
    people: tuple[PairPerson, ...]  # the mentor first
    meetings: int  # logged
    last_meeting: date | None
    ics_uid: str
    ics_sequence: int
    version: int
    kind: ProgrammeKind  # its programme's

    @property
    def meetings_held(self) -> int:
        """Meetings held by the mentorship's rule, the one the programme's report and
        Organisation count by (success.mentoring): a buddy or coffee pair's "yes, we met" is its
        round's meeting when none was logged, which nobody in a round does; other pairs' are the
        meetings logged. The pairs tab, the pair and a person's page said 0 of a pair that met."""
        if self.kind.has_rounds and self.met and not self.meetings:
            return 1
        return self.meetings

    @property
    def names(self) -> str:
        return " & ".join(p.name for p in self.people)

    @property
    def label(self) -> str:
        return f"pair {self.id} ({self.names})"


@dataclass(frozen=True, slots=True)
class MeetingView:
    id: int
    pair_id: int
    held_on: date
    minutes: int | None
    note: str


@dataclass(frozen=True, slots=True)
class GoalView:
    id: int
    pair_id: int
    position: int
    text: str
    done: bool
    done_on: date | None


@dataclass(frozen=True, slots=True)
class PairDetail:
    pair: PairView
    programme: ProgrammeView
    goals: list[GoalView]
    meetings: list[MeetingView]
    planned: int  # meetings the cadence planned from its start until today (or its end)


@dataclass(frozen=True, slots=True)
class RoundView:
    id: int
    programme_id: int
    number: int
    held_on: date
    seed: int
    pairs: int
    met: int
    not_met: int
    no_answer: int


@dataclass(frozen=True, slots=True)
class ProposedGroup:
    people: tuple[PairPerson, ...]  # the mentor first
    reasons: str
    score: float
    locked: bool

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(p.person_id for p in self.people)

    @property
    def names(self) -> str:
        return " & ".join(p.name for p in self.people)


@dataclass(frozen=True, slots=True)
class LeftOut:
    person: PairPerson
    reason: str


@dataclass(frozen=True, slots=True)
class SetAside:
    """A lock the facilitator made that no longer holds (someone left, paused, or a rule)."""

    people: tuple[PairPerson, ...]
    reason: str

    @property
    def names(self) -> str:
        return " & ".join(p.name for p in self.people)


@dataclass(frozen=True, slots=True)
class ProposalView:
    """What a matching run proposes; nothing is stored until it is confirmed."""

    programme: ProgrammeView
    on: date
    seed: int
    groups: list[ProposedGroup]
    unmatched: list[LeftOut]
    ghosts: list[PairPerson]  # paused by confirming this: three rounds without an answer
    # The facilitator's rejections (never proposed again here), and locks that no longer hold.
    rejected: list[tuple[PairPerson, PairPerson]] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    @property
    def signature(self) -> list[tuple[int, ...]]:
        return [g.ids for g in self.groups]


@dataclass(frozen=True, slots=True)
class ConfirmedRound:
    round: RoundView
    pairs: list[PairView]
    unmatched: list[LeftOut]
    ghosts: list[PairPerson]
    completed: int  # the previous round's pairs closed by this one


@dataclass(frozen=True, slots=True)
class ProgrammeReport:
    programme: ProgrammeView
    pairs: int
    active: int
    completed: int
    ended_early: int
    meetings_held: int  # of those planned: each pair's at most its own planned
    meetings_planned: int
    meetings_met: int  # every meeting, planned or not (success.ProgrammeEngagement)
    rounds: int
    answered_met: int
    answered_not_met: int
    no_answer: int
    rows: list[tuple[PairView, int]]  # each pair with the meetings its cadence planned

    @property
    def completion(self) -> float | None:
        """Of the pairs that have ended, the share that completed (rather than ended early)."""
        ended = self.completed + self.ended_early
        return self.completed / ended if ended else None

    @property
    def held_share(self) -> float | None:
        return self.meetings_held / self.meetings_planned if self.meetings_planned else None

"""Whether the programme works: the figures' read models, and what each figure means.

No SQL here, so screens may import it. The figures are computed in
``circles.services.success``; ``DEFINITIONS`` is what the app shows on a figure's ``?``,
what ``circles report`` prints under ``--explain``, and what the README repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report's own read models; importing them loads SQLAlchemy
    from circles.services.participation import Scope
    from circles.services.reports import Conversion, NoShows, ParticipationPoint, PresenterDiversity

RETENTION_MONTHS = (3, 6)

DEFINITIONS: dict[str, tuple[str, str]] = {
    "participation": (
        "Participation",
        "Of the people expected at held sessions (members of the circle when it started), the share "
        "who came (checked in present or late). A held session is one not cancelled that has ended, "
        "or has begun and has someone checked in (or was recorded held). "
        "Walk-ins come but are not expected, so they do not count here.",
    ),
    "participation_trend": (
        "Participation trend",
        "The participation rate month by month (UTC months). The change is the rate over the later "
        "half of the expected attendances minus the rate over the earlier half, in percentage "
        "points (the month where the halves meet shared between them), so a month only begun "
        "weighs as little as it holds.",
    ),
    "conversion": (
        "RSVP to attendance",
        "Of the expected people whose answer was yes (their answer for the session, else their answer "
        "for the whole series), the share who came. The other answers (maybe, no, none) are shown "
        "beside it the same way.",
    ),
    "no_shows": (
        "No-shows",
        "Of the expected people who said yes, the share who were marked absent or never checked in. "
        "Excused is not a no-show.",
    ),
    "retention": (
        "Retention after 3 and 6 months",
        "Members whose 3 (or 6) months in a circle were up during the period, at least a month ago: "
        "the share of them who came to one of its sessions in the month after that date. Someone who "
        "left the circle before it counts as not retained.",
    ),
    "presenter_diversity": (
        "Presenter diversity",
        "Of the members expected at held sessions in the period (counted once per circle), the share "
        "who presented at one of them: as the session's presenter or an agenda item's. Guests are not "
        "members, so they are not counted.",
    ),
    "satisfaction": (
        "Satisfaction",
        "The mean of the ratings (1 to 5) given about held sessions in the period, named and "
        "anonymous alike, with how many ratings there are.",
    ),
    "response_rate": (
        "Response rate",
        "Of the people who came to held sessions in the period (walk-ins too), counted once per "
        "session, the share who answered the feedback.",
    ),
    "satisfaction_trend": (
        "Satisfaction trend",
        "The mean rating month by month (UTC months). The change is the mean over the later half of "
        "the ratings minus the mean over the earlier half, in rating points (the month where the "
        "halves meet shared between them).",
    ),
    "pairs_active": (
        "Pairs active",
        "Mentoring, reverse-mentoring, buddy and coffee pairs that existed on at least one day of the "
        "period (started by its end, not ended before its start).",
    ),
    "meetings": (
        "Meetings held against planned",
        "Meetings the pairs logged in the period, against the meetings their programme's cadence "
        "planned for them in it (from the pair's start to its end, or today); a pair's meetings "
        "count up to its own planned ones, so one held beyond them, or in a period that planned it "
        "none, adds nothing. A buddy or coffee round plans one meeting per pair, in the period when "
        "the round began, and a pair held it that logged a meeting or answered yes to 'did you meet?'.",
    ),
    "completion": (
        "Completion",
        "Of the pairs that ended in the period, the share that completed rather than ended early.",
    ),
}


def explain(key: str) -> str:
    label, text = DEFINITIONS[key]
    return f"{label}: {text}"


def _rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str  # YYYY-MM
    value: float | None
    count: int  # what the value is made of (people expected, or ratings)


@dataclass(frozen=True, slots=True)
class Trend:
    points: list[TrendPoint]
    change: float | None  # later half of what is counted minus earlier half


@dataclass(frozen=True, slots=True)
class RetentionAfter:
    months: int
    members: int
    still_attending: int

    @property
    def rate(self) -> float | None:
        return _rate(self.still_attending, self.members)


@dataclass(frozen=True, slots=True)
class Satisfaction:
    ratings: int
    rating_sum: int
    attendees: int  # (session, person) who came
    responders: int  # of them, answered
    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # how many 1s .. 5s

    @property
    def mean(self) -> float | None:
        return _rate(self.rating_sum, self.ratings)

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responders, self.attendees)


@dataclass(frozen=True, slots=True)
class SessionSatisfaction:
    session_id: int
    day: date
    ratings: int
    rating_sum: int
    attendees: int
    responders: int

    @property
    def mean(self) -> float | None:
        return _rate(self.rating_sum, self.ratings)

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responders, self.attendees)


@dataclass(frozen=True, slots=True)
class TeamPresenters:
    team: str  # "" for people without a team
    members: int
    presented: int

    @property
    def share(self) -> float | None:
        return _rate(self.presented, self.members)


@dataclass(frozen=True, slots=True)
class ProgrammeEngagement:
    programme_id: int
    programme: str
    kind: str
    pairs_active: int
    meetings_held: int  # of those planned: each pair's at most its own planned
    meetings_planned: int
    completed: int
    ended_early: int
    # Every meeting the pairs had in the period, planned or not: a programme without a cadence
    # plans none, and its pairs' meetings are said so rather than as "0 of 0".
    meetings_met: int = 0


@dataclass(frozen=True, slots=True)
class Mentoring:
    programmes: list[ProgrammeEngagement]

    @property
    def pairs_active(self) -> int:
        return sum(p.pairs_active for p in self.programmes)

    @property
    def meetings_held(self) -> int:
        return sum(p.meetings_held for p in self.programmes)

    @property
    def meetings_planned(self) -> int:
        return sum(p.meetings_planned for p in self.programmes)

    @property
    def held_share(self) -> float | None:
        return _rate(self.meetings_held, self.meetings_planned)

    @property
    def completed(self) -> int:
        return sum(p.completed for p in self.programmes)

    @property
    def ended_early(self) -> int:
        return sum(p.ended_early for p in self.programmes)

    @property
    def completion(self) -> float | None:
        return _rate(self.completed, self.completed + self.ended_early)


@dataclass(frozen=True, slots=True)
class CircleSuccess:
    """One circle's row of the organisation's table."""

    circle_id: int
    circle: str
    sessions: int
    expected: int
    attended: int
    members: int
    presenters: int
    ratings: int
    rating_sum: int
    attendees: int
    responders: int

    @property
    def participation(self) -> float | None:
        return _rate(self.attended, self.expected)

    @property
    def presenter_share(self) -> float | None:
        return _rate(self.presenters, self.members)

    @property
    def mean_rating(self) -> float | None:
        return _rate(self.rating_sum, self.ratings)

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responders, self.attendees)


@dataclass(frozen=True, slots=True)
class SuccessReport:
    scope: Scope
    circle_name: str | None
    participation: list[ParticipationPoint]  # per month
    participation_trend: Trend
    conversion: list[Conversion]
    no_shows: NoShows
    retention: list[RetentionAfter]
    presenters: PresenterDiversity
    satisfaction: Satisfaction
    satisfaction_trend: Trend
    mentoring: Mentoring | None  # None for one circle: pairs belong to programmes, not circles
    circles: list[CircleSuccess] = field(default_factory=list)

    @property
    def sessions(self) -> int:
        return sum(p.sessions for p in self.participation)

    @property
    def expected(self) -> int:
        return sum(p.expected for p in self.participation)

    @property
    def attended(self) -> int:
        return sum(p.attended for p in self.participation)

    @property
    def participation_rate(self) -> float | None:
        return _rate(self.attended, self.expected)

    @property
    def said_yes(self) -> Conversion | None:
        return next((c for c in self.conversion if c.rsvp.value == "yes"), None)

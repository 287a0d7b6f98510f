"""Read models: plain frozen dataclasses the services hand out, safe to keep after the
database session that produced them has closed (screens hold them for minutes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from circles.zones import time_zone
from models.enums import (
    Attended,
    CircleKind,
    MaterialKind,
    PresenterSource,
    Role,
    Rsvp,
    SessionStatus,
)


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    name: str
    email: str | None  # None: a guest who gave none
    team: str | None
    is_guest: bool
    active: bool
    version: int


@dataclass(frozen=True, slots=True)
class MeView:
    """Who the settings say you are (circles/me.py), and your circles: the ones Home lists."""

    person: PersonView
    facilitates: list[str]  # circle names
    member_of: list[str]  # circle names, now, besides those


@dataclass(frozen=True, slots=True)
class CircleView:
    id: int
    name: str
    kind: CircleKind
    description: str
    timezone: str
    location: str | None
    video_url: str | None
    cadence: str | None
    default_minutes: int
    reminder_minutes: int
    facilitator_id: int | None
    facilitator_name: str | None
    facilitator_email: str | None
    archived: bool
    ics_series_uid: str
    ics_series_sequence: int
    version: int

    @property
    def zone(self) -> ZoneInfo:
        return time_zone(self.timezone)


@dataclass(frozen=True, slots=True)
class MemberView:
    membership_id: int
    circle_id: int
    person_id: int
    name: str
    email: str | None
    team: str | None
    is_guest: bool
    role: Role
    joined_at: datetime
    left_at: datetime | None
    in_rotation: bool
    default_rsvp: Rsvp
    version: int

    @property
    def current(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    circle_id: int
    circle_name: str
    circle_kind: CircleKind
    timezone: str
    starts_at: datetime  # UTC
    minutes: int
    title: str
    location: str | None
    video_url: str | None
    status: SessionStatus
    ics_uid: str
    ics_sequence: int
    planned_starts_at: datetime  # UTC
    presenter_id: int | None
    presenter_name: str | None
    presenter_source: PresenterSource | None
    notes: str
    version: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def local_start(self) -> datetime:
        """The start on the circle's wall clock."""
        return self.starts_at.astimezone(time_zone(self.timezone))

    @property
    def local_day(self) -> date:
        return self.local_start.date()

    def days_from(self, now: datetime) -> int:
        """How many days after ``now``'s day the session is, both on the circle's wall clock:
        0 today (held or about to be: people check in early), below 0 past, above 0 to come."""
        return (self.local_day - now.astimezone(time_zone(self.timezone)).date()).days

    @property
    def label(self) -> str:
        """How a person names this session: 'Rust Lunch, Tue 17 Mar 12:00'."""
        return f"{self.circle_name}, {self.local_start:%a %d %b %Y %H:%M}"


@dataclass(frozen=True, slots=True)
class AgendaItemView:
    id: int
    session_id: int
    position: int
    title: str
    presenter_id: int | None
    presenter_name: str | None
    presenter_email: str | None
    minutes: int | None
    is_presentation: bool
    version: int


@dataclass(frozen=True, slots=True)
class AwayView:
    id: int
    person_id: int
    person_name: str
    starts_on: date
    ends_on: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One line of a session's check-in list: a member, or someone who walked in."""

    session_id: int
    person_id: int
    name: str
    email: str | None
    team: str | None
    is_member: bool
    is_guest: bool
    rsvp: Rsvp  # the session's own answer, else the member's answer for the series
    attended: Attended | None
    recorded_at: datetime | None
    note: str
    walk_in: bool


@dataclass(frozen=True, slots=True)
class Headcount:
    yes: int
    maybe: int
    no: int
    no_answer: int
    present: int
    late: int
    excused: int
    absent: int

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> Headcount:
        """From counts keyed by RSVP answer and check-in mark ("yes", "none", "present", ...)."""
        return cls(
            yes=counts.get("yes", 0),
            maybe=counts.get("maybe", 0),
            no=counts.get("no", 0),
            no_answer=counts.get("none", 0),
            present=counts.get("present", 0),
            late=counts.get("late", 0),
            excused=counts.get("excused", 0),
            absent=counts.get("absent", 0),
        )

    @property
    def expected(self) -> int:
        """Food for lunch-and-learns: everyone who said yes or maybe."""
        return self.yes + self.maybe

    @property
    def came(self) -> int:
        return self.present + self.late


@dataclass(frozen=True, slots=True)
class HomeData:
    """What Home shows: every circle's sessions in the next days, with RSVP counts and who presents."""

    empty: bool  # a brand-new store: no circle and no person yet
    upcoming: list[SessionView]
    counts: dict[int, Headcount]
    presenters: dict[int, str]  # per session, the presenters its agenda names
    # Who the person at the keyboard is (circles/me.py), by name, when the store has them;
    # then the list is of their circles only unless they asked for every circle.
    me: str | None = None
    only_mine: bool = False
    # The address that names them when nobody in the store has it (the list is of every circle).
    me_unknown: str | None = None


@dataclass(frozen=True, slots=True)
class CircleData:
    """What a circle's screen shows: its members, its sessions to come and the latest past ones
    (of ``past_total``), with RSVP counts and who presents."""

    circle: CircleView
    members: list[MemberView]
    upcoming: list[SessionView]
    past: list[SessionView]
    past_total: int
    counts: dict[int, Headcount]
    presenters: dict[int, str]


def presenter_names(rows: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Per session, the people its agenda items name, in agenda order and once each ("Ana, Bo")."""
    names: dict[int, list[str]] = {}
    for session_id, name in rows:
        if name not in names.setdefault(session_id, []):
            names[session_id].append(name)
    return {session_id: ", ".join(n) for session_id, n in names.items()}


@dataclass(frozen=True, slots=True)
class PresenterChange:
    """A session whose invite was exported naming one presenter, while another presents now."""

    session: SessionView  # as it is now: session.presenter_name presents
    exported_presenter: str | None  # whom the exported invite names
    exported_at: datetime


# -- the knowledge repository ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MaterialView:
    """A link or a file of one session."""

    id: int
    session_id: int
    position: int
    kind: MaterialKind
    title: str
    url: str | None  # an http(s) link, or
    path: str | None  # an absolute file path, as it was when added
    version: int

    @property
    def target(self) -> str:
        return self.url or self.path or ""

    @property
    def is_link(self) -> bool:
        return self.url is not None


@dataclass(frozen=True, slots=True)
class TakeawayView:
    id: int
    session_id: int
    position: int
    text: str
    version: int


@dataclass(frozen=True, slots=True)
class TopicView:
    id: int
    name: str  # as first typed
    key: str  # how it compares: any case, accents ignored

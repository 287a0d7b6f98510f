"""The tables of the store. Every schema change here needs an Alembic migration beside it."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import (
    Attended,
    CircleKind,
    DecisionKind,
    InviteMethod,
    MaterialKind,
    PairStatus,
    ParticipantRole,
    PresenterSource,
    ProgrammeKind,
    Role,
    RotationEventKind,
    Rsvp,
    SendOutcome,
    SendReason,
    SessionStatus,
)
from models.stamps import stamp_column
from models.types import UTCDateTime, enum_column

# Constraint names must be stable for Alembic (and SQLite batch mode) to find them
# again, so the convention is set before the first table is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _instant(*, nullable: bool = False, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


class Person(SQLModel, table=True):
    # The directory's order (by name as people read it, then id): its first page read from the
    # index, not from every person sorted (migrations 0210, 0350).
    __table_args__ = (sa.Index("ix_person_name_folded", "name_folded", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every backend. None for a guest
    # who gave none (a walk-in checked in by name): a unique column takes any number of NULLs.
    email: str | None = Field(default=None, max_length=254, unique=True)
    team: str | None = Field(default=None, max_length=80)
    # The name and the team as people look for them and order them: any case, no accents
    # (circles.folding.folded: 'Émile' is 'emile', filed among the E's and found by "emile").
    # Written beside them by the people service (and the demo's bulk rows), since SQLite's SQL
    # folds neither accents nor any case but ASCII's (migration 0350).
    name_folded: str = Field(default="", max_length=480, sa_column_kwargs={"server_default": ""})
    team_folded: str | None = Field(default=None, max_length=320)
    is_guest: bool = False
    active: bool = True
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class Circle(SQLModel, table=True):
    __table_args__ = (sa.Index("uq_circle_name_lower", sa.func.lower(sa.text("name")), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: CircleKind = Field(sa_column=enum_column(CircleKind, "kind", nullable=False))
    description: str = Field(default="", max_length=2000)
    timezone: str = Field(max_length=64)
    location: str | None = Field(default=None, max_length=200)
    video_url: str | None = Field(default=None, max_length=500)
    # A cadence a person can type, e.g. "weekly on tue at 12:00 for 60m"; parsed by circles.cadence.
    cadence: str | None = Field(default=None, max_length=200)
    default_minutes: int = 60
    reminder_minutes: int = 15
    facilitator_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    archived: bool = False
    ics_series_uid: str = Field(max_length=120, unique=True)
    ics_series_sequence: int = 0
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class Membership(SQLModel, table=True):
    """Who belongs to a circle. Leaving sets left_at; rows are never deleted, so history stays."""

    __table_args__ = (
        # At most one *current* membership per person and circle; past ones pile up freely.
        sa.Index(
            "uq_membership_current",
            "circle_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        ),
        # Organisation's retention finds the memberships that began in a few weeks' window
        # (migration 0230).
        sa.Index("ix_membership_joined_at", "joined_at"),
        # Organisation's presenters: a presenter's memberships of a circle and the days they
        # cover, read from the index alone (migration 0240).
        sa.Index("ix_membership_person_circle_days", "person_id", "circle_id", "joined_at", "left_at"),
        # Organisation's members: each circle's current ones counted, its later and past ones
        # found, from the index alone (migration 0280).
        sa.Index("ix_membership_circle_days", "circle_id", "left_at", "joined_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: Role = Field(sa_column=enum_column(Role, "role", nullable=False))
    joined_at: datetime = Field(sa_column=_instant())
    left_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    in_rotation: bool = True
    # The RSVP a member gives once for the whole series; a session's own answer overrides it.
    default_rsvp: Rsvp = Field(default=Rsvp.NONE, sa_column=enum_column(Rsvp, "default_rsvp", nullable=False))
    version: int = 1


class CircleSession(SQLModel, table=True):
    """One meeting of a circle. ("Session" alone would collide with the database session.)"""

    __tablename__ = "circle_session"
    __table_args__ = (
        sa.Index("ix_circle_session_circle_starts", "circle_id", "starts_at"),
        # A person's talks, newest first (the Person screen): migration 0090.
        sa.Index("ix_circle_session_presenter_starts", "presenter_id", "starts_at"),
        # A circle meets once at a time; a cancelled session's time is free again: migration 0270.
        sa.Index(
            "uq_circle_session_circle_starts",
            "circle_id",
            "starts_at",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id")
    starts_at: datetime = Field(sa_column=_instant(index=True))
    minutes: int = 60
    title: str = Field(default="", max_length=200)
    location: str | None = Field(default=None, max_length=200)
    video_url: str | None = Field(default=None, max_length=500)
    status: SessionStatus = Field(
        default=SessionStatus.SCHEDULED,
        sa_column=enum_column(SessionStatus, "status", nullable=False),
    )
    # Calendar identity: the UID never changes; SEQUENCE rises with every change an
    # attendee must see (time, length, place, title, status).
    ics_uid: str = Field(max_length=120, unique=True)
    ics_sequence: int = 0
    # The slot this session was planned in; a recurring export names it in RECURRENCE-ID
    # when the session has been moved.
    planned_starts_at: datetime = Field(sa_column=_instant())
    presenter_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    presenter_source: PresenterSource | None = Field(
        default=None,
        sa_column=enum_column(PresenterSource, "presenter_source", nullable=True),
    )
    # The session whose presenter this one's was swapped with (both say it of each other), so
    # the rotation changes only those two sessions; cleared when either presenter is set
    # another way. Migration 0180.
    swapped_with_id: int | None = Field(default=None, foreign_key="circle_session.id", ondelete="SET NULL")
    notes: str = Field(default="", max_length=20000)
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    # One item per place: a session's agenda is a total order, which the database keeps
    # even when two facilitators add items at once. Not deferrable (SQLite cannot defer
    # a unique check): services.agenda reorders in two steps instead.
    __table_args__ = (sa.UniqueConstraint("session_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE")
    position: int
    title: str = Field(max_length=200)
    presenter_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    minutes: int | None = None
    # The presentation slot: the rotation fills its presenter.
    is_presentation: bool = False
    version: int = 1


class AgendaTemplateItem(SQLModel, table=True):
    """A circle's own agenda template; circles without one use their kind's default."""

    __tablename__ = "agenda_template_item"

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", ondelete="CASCADE", index=True)
    position: int
    title: str = Field(max_length=200)
    minutes: int | None = None
    is_presentation: bool = False


class SkipDate(SQLModel, table=True):
    """A date a circle does not meet (a holiday); planning a series steps over it."""

    __tablename__ = "skip_date"
    __table_args__ = (sa.UniqueConstraint("circle_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", ondelete="CASCADE")
    day: date
    reason: str = Field(default="", max_length=200)


class Away(SQLModel, table=True):
    """A person is away from ``starts_on`` to ``ends_on``, both days included."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    starts_on: date
    ends_on: date
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class Attendance(SQLModel, table=True):
    """A person's RSVP to one session and whether they came: one row per (session, person)."""

    # On PostgreSQL the index also holds the answer and the check-in, so a session's records
    # are read from the index alone (the attendance export, once per session): migration 0190.
    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id", postgresql_include=["rsvp", "attended"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    rsvp: Rsvp = Field(default=Rsvp.NONE, sa_column=enum_column(Rsvp, "rsvp", nullable=False))
    attended: Attended | None = Field(
        default=None, sa_column=enum_column(Attended, "attended", nullable=True)
    )
    recorded_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    note: str = Field(default="", max_length=500)
    # Checked in at the door without being a member of the circle.
    walk_in: bool = False
    version: int = 1


class StreakMilestone(SQLModel, table=True):
    """An attendance streak that reached 5, 10 or 25 of its circle's held sessions in a row at a
    session: kept by the store's triggers from attendance and sessions (models/summaries.py
    says how), never written by the app. No foreign keys: each write that changes a circle's
    sessions or a person's attendance counts that circle (or person) again, deletions too."""

    __tablename__ = "streak_milestone"
    # A person's milestones: the Recognition screen reads a page of people at a time (0300).
    __table_args__ = (
        sa.Index("ix_streak_milestone_circle_person", "circle_id", "person_id"),
        sa.Index("ix_streak_milestone_person_id", "person_id"),
    )

    session_id: int = Field(primary_key=True)
    person_id: int = Field(primary_key=True)
    circle_id: int
    sessions: int


class Talk(SQLModel, table=True):
    """A talk someone gave (presenter of a session or of an agenda item of it, a session not
    cancelled), numbered over all their talks in order of start: kept by the store's triggers
    (models/summaries.py), never written by the app."""

    __table_args__ = (sa.Index("ix_talk_person_id", "person_id"),)

    session_id: int = Field(primary_key=True)
    person_id: int = Field(primary_key=True)
    number: int


class RatingCounts(SQLModel):
    """A session's ratings summed up: how many, their sum, and how many of each 1..5. Kept in
    session_feedback, and in session_figures beside the session's other figures."""

    ratings: int
    rating_sum: int
    rated_1: int
    rated_2: int
    rated_3: int
    rated_4: int
    rated_5: int


class SessionFeedback(RatingCounts, table=True):
    """A session's ratings summed up and how many of its answers carry a note for the
    presenter: kept by the store's triggers from feedback_answer (models/summaries.py), never
    written by the app."""

    __tablename__ = "session_feedback"

    session_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    notes: int  # answers with a note for the presenter (migration 0250)


class SessionExpected(SQLModel, table=True):
    """The people a session expected (members then), counted by effective RSVP and how it went
    (came, excused, missed): kept by the store's triggers from memberships, attendance and
    sessions (models/summaries.py), never written by the app."""

    __tablename__ = "session_expected"

    session_id: int = Field(primary_key=True)
    answer: str = Field(primary_key=True, max_length=13)
    how: str = Field(primary_key=True, max_length=8)
    people: int


class ResponseCounts(SQLModel):
    """Who came to a session (walk-ins too) and how many of them answered the feedback. Kept in
    session_responses, and in session_figures."""

    attendees: int
    responders: int


class SessionResponses(ResponseCounts, table=True):
    """A session's attendees and responders: kept by the store's triggers
    (models/summaries.py), never written by the app."""

    __tablename__ = "session_responses"

    session_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class TurnoutCounts(SQLModel):
    """A session's session_expected rows in one: the people it expected, who came, and per
    effective RSVP those expected and those who came, then the yes who missed. Kept in
    session_turnout, and in session_figures."""

    expected: int
    came: int
    rsvp_yes: int
    came_yes: int
    rsvp_maybe: int
    came_maybe: int
    rsvp_no: int
    came_no: int
    rsvp_none: int
    came_none: int
    missed_yes: int


class SessionTurnout(TurnoutCounts, table=True):
    """A session's turnout, kept by triggers on session_expected (migration 0200), never
    written by the app."""

    __tablename__ = "session_turnout"

    session_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class SessionFigures(TurnoutCounts, RatingCounts, ResponseCounts, table=True):
    """A session's figures in one row: its circle, start and status, its turnout (as
    session_turnout), ratings (as session_feedback) and who came and answered (as
    session_responses), zeros where those have no row. Copied by triggers from circle_session
    and the three summaries (migration 0260), never written by the app: Organisation reads its
    period's sessions here by their start, with nothing to join."""

    __tablename__ = "session_figures"
    __table_args__ = (sa.Index("ix_session_figures_circle_starts", "circle_id", "starts_at"),)

    session_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    circle_id: int
    starts_at: datetime = Field(sa_column=_instant(index=True))
    status: str = Field(max_length=20)


class RotationEvent(SQLModel, table=True):
    """The rotation's memory: assignments, swaps and skips, for the fairness ledger."""

    __tablename__ = "rotation_event"

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", ondelete="CASCADE", index=True)
    session_id: int | None = Field(default=None, foreign_key="circle_session.id", ondelete="SET NULL")
    kind: RotationEventKind = Field(sa_column=enum_column(RotationEventKind, "kind", nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    other_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    reason: str = Field(default="", max_length=300)
    recorded_at: datetime = Field(default=None, sa_column=stamp_column())


class InviteExport(SQLModel, table=True):
    """The last time a session's invite left the app (an .ics export), and whom it named.

    One row per session, replaced by each export. When the session's presenter changes
    after it, the calendars that imported it are out of date, and the facilitator is told.
    """

    __tablename__ = "invite_export"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE", unique=True)
    sequence: int
    presenter_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    exported_at: datetime = Field(sa_column=_instant())


# -- mentorship: programmes, participants, rounds, pairs ----------------------------------------


class Programme(SQLModel, table=True):
    """A mentoring, reverse-mentoring, buddy or coffee programme and its matching rules."""

    __table_args__ = (sa.Index("uq_programme_name_lower", sa.func.lower(sa.text("name")), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: ProgrammeKind = Field(sa_column=enum_column(ProgrammeKind, "programme_kind", nullable=False))
    starts_on: date | None = None
    ends_on: date | None = None
    # How often a pair meets, in the cadence phrases circles.cadence reads; on the mentor's clock.
    cadence: str | None = Field(default=None, max_length=200)
    meeting_minutes: int = 30
    group_size: int = 2  # 3: trios (buddy and coffee only)
    allow_same_team: bool = False
    # None: a pair may not meet again until one of them has met everyone else eligible.
    no_repeat_weeks: int | None = None
    # Archived: hidden from lists, its history kept; nothing new is matched in it.
    archived_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class ProgrammeParticipant(SQLModel, table=True):
    """A person in a programme. Leaving sets left_at; rows stay so past pairs keep their names."""

    __tablename__ = "programme_participant"
    __table_args__ = (
        sa.Index(
            "uq_programme_participant_current",
            "programme_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: ParticipantRole = Field(sa_column=enum_column(ParticipantRole, "participant_role", nullable=False))
    capacity: int = 1  # mentors: how many mentees at once
    offers: str = Field(default="", max_length=1000)  # topics, comma-separated as typed
    wants: str = Field(default="", max_length=1000)
    timezone: str | None = Field(default=None, max_length=64)  # None: from their circles
    # Seniority starts here when given; otherwise at their first membership of any circle.
    since: date | None = None
    paused_until: date | None = None
    paused_reason: str = Field(default="", max_length=200)
    # Rounds before this day do not count towards a pause for not answering (set on resuming).
    answers_from: date | None = None
    joined_at: datetime = Field(sa_column=_instant())
    left_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    version: int = 1


class ProgrammeAvoid(SQLModel, table=True):
    """Do-not-pair: the participant is never matched with this person (it works both ways)."""

    __tablename__ = "programme_avoid"
    __table_args__ = (sa.UniqueConstraint("participant_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="programme_participant.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")


class ProgrammeRound(SQLModel, table=True):
    """One confirmed matching: a mentoring intake, or one round of a buddy or coffee programme."""

    __tablename__ = "programme_round"
    __table_args__ = (sa.UniqueConstraint("programme_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    number: int
    held_on: date
    seed: int = 0
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class ProgrammePair(SQLModel, table=True):
    """A confirmed pair (or trio). Its people are in pair_member."""

    __tablename__ = "programme_pair"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    round_id: int = Field(foreign_key="programme_round.id", ondelete="CASCADE", index=True)
    status: PairStatus = Field(
        default=PairStatus.ACTIVE, sa_column=enum_column(PairStatus, "pair_status", nullable=False)
    )
    started_on: date
    ended_on: date | None = None
    end_reason: str = Field(default="", max_length=300)
    reasons: str = Field(default="", max_length=500)  # why they were matched, as proposed
    # "Did you meet?" for a round: None until someone answers.
    met: bool | None = None
    ics_uid: str = Field(max_length=120, unique=True)
    ics_sequence: int = 0
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class PairMember(SQLModel, table=True):
    __tablename__ = "pair_member"
    __table_args__ = (sa.UniqueConstraint("pair_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="programme_pair.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: ParticipantRole = Field(sa_column=enum_column(ParticipantRole, "pair_member_role", nullable=False))
    position: int = 0  # the mentor (or the round's host) first


class PairMeeting(SQLModel, table=True):
    """A meeting a pair held: only these count as the pair having met."""

    __tablename__ = "pair_meeting"

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="programme_pair.id", ondelete="CASCADE", index=True)
    held_on: date
    minutes: int | None = None
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class PairGoal(SQLModel, table=True):
    __tablename__ = "pair_goal"

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="programme_pair.id", ondelete="CASCADE", index=True)
    position: int
    text: str = Field(max_length=300)
    done: bool = False
    done_on: date | None = None
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class ProposalDecision(SQLModel, table=True):
    """A facilitator's decision about proposals, kept until the next confirm (a lock) or for good
    (a rejection), so every screen and command that matches the programme honours it.

    A lock keeps a group as it is, its people in order (the mentor first); a rejection names
    two people, the lower id first, who are never proposed together again in this programme.
    """

    __tablename__ = "proposal_decision"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    decision: DecisionKind = Field(
        sa_column=enum_column(DecisionKind, "proposal_decision_kind", nullable=False)
    )
    first_person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    second_person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    third_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    created_at: datetime = Field(default=None, sa_column=stamp_column())


# -- feedback after sessions, and thanks ------------------------------------------------------


class FeedbackSetting(SQLModel, table=True):
    """How a circle asks for feedback. A circle without a row uses the defaults below."""

    __tablename__ = "feedback_setting"

    circle_id: int = Field(foreign_key="circle.id", primary_key=True, ondelete="CASCADE")
    # Answers are stored with no link to the person (see FeedbackAnswer).
    anonymous: bool = False
    # The notes meant for the presenter reach them (their recognition ledger shows them).
    share_with_presenter: bool = True
    version: int = 1


class FeedbackAnswer(SQLModel, table=True):
    """One answer about a session: a rating, one thing learned, a note for the presenter.

    A named answer carries its author; an anonymous one carries nothing that leads back to
    them: its id is random, it has no time of its own (the session's date is its date), and
    a session's anonymous answers are rewritten together, in id order, whenever one is added
    (services/feedback.py), so neither row order nor write order pairs them with
    feedback_response. SQLite keeps the rows in id order (no rowid).
    """

    __tablename__ = "feedback_answer"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.Index("ix_feedback_answer_session_id", "session_id"),
        sa.Index(
            "uq_feedback_answer_named",
            "session_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("person_id IS NOT NULL"),
            postgresql_where=sa.text("person_id IS NOT NULL"),
        ),
        # The notes for presenters, a tenth of the answers: Recognition reads them alone
        # (migration 0100).
        sa.Index(
            "ix_feedback_answer_notes",
            "session_id",
            sqlite_where=sa.text("for_presenter <> ''"),
            postgresql_where=sa.text("for_presenter <> ''"),
        ),
        {"sqlite_with_rowid": False},
    )

    id: str = Field(primary_key=True, max_length=32)  # random hex, never a sequence
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    rating: int
    learned: str = Field(default="", max_length=300)
    for_presenter: str = Field(default="", max_length=2000)


class FeedbackResponse(SQLModel, table=True):
    """Who has answered about a session (for reminders), kept apart from what they answered."""

    __tablename__ = "feedback_response"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    # The imported row this answer came from (a hash of the form's own row id), so that
    # importing the same file again adds nothing; None when typed in.
    source: str | None = Field(default=None, max_length=64)


class Thanks(SQLModel, table=True):
    """Thanks someone recorded: 'thanks to Ada for the Rust talk', maybe for one session."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    given_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    session_id: int | None = Field(default=None, foreign_key="circle_session.id", ondelete="SET NULL")
    text: str = Field(max_length=300)
    given_at: datetime = Field(default=None, sa_column=stamp_column(index=True))


# -- knowledge: materials, takeaways, topics, and the search index ----------------------------


class Material(SQLModel, table=True):
    """A link (http or https) or a file a session used or produced: slides, a recording, a reading."""

    __table_args__ = (sa.CheckConstraint("(url IS NULL) <> (path IS NULL)", name="link_or_file"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE", index=True)
    position: int
    kind: MaterialKind = Field(sa_column=enum_column(MaterialKind, "material_kind", nullable=False))
    title: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    path: str | None = Field(default=None, max_length=1000)  # absolute, as it was when added
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class Takeaway(SQLModel, table=True):
    """A short line the facilitator writes after a session: something it taught."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE", index=True)
    position: int
    text: str = Field(max_length=500)
    version: int = 1
    created_at: datetime = Field(default=None, sa_column=stamp_column())


class Topic(SQLModel, table=True):
    """A free-text tag. ``key`` is how topics compare (any case, accents ignored); ``name`` is
    how it was first typed, and how it is shown."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    key: str = Field(max_length=80, unique=True)


class SessionTopic(SQLModel, table=True):
    __tablename__ = "session_topic"

    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE", primary_key=True, index=True)


class AgendaItemTopic(SQLModel, table=True):
    __tablename__ = "agenda_item_topic"

    agenda_item_id: int = Field(foreign_key="agenda_item.id", ondelete="CASCADE", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE", primary_key=True, index=True)


class SearchDoc(SQLModel, table=True):
    """One searchable thing (a circle, person, session, agenda item, material or takeaway, or
    what people learned at a session: its feedback lines, kind "learned", ref_id the session,
    with no author) as the full-text index sees it. Triggers made by migrations 0030 and 0050
    write these rows whenever
    their source changes, in the same transaction; the app only reads them. The index itself
    is beside this table: the FTS5 table search_fts on SQLite, the generated tsvector column
    search_vector with a GIN index on PostgreSQL (neither is in this model: see
    models/search_schema.py)."""

    __tablename__ = "search_doc"
    __table_args__ = (sa.UniqueConstraint("kind", "ref_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # circle, person, session, agenda_item, material, takeaway, learned
    ref_id: int  # the id in the source's own table
    session_id: int | None = Field(default=None, index=True)  # what a hit opens, for the kinds in one
    circle_id: int | None = None
    title: str = Field(default="", sa_type=sa.Text)
    body: str = Field(default="", sa_type=sa.Text)
    tags: str = Field(default="", sa_type=sa.Text)  # topics, presenters, the circle's name


class InviteSend(SQLModel, table=True):
    """The send log: one row per e-mailed invite or cancellation, written (as ``failed``, not
    confirmed) before it goes to the server, so a send made at the same time leaves it alone,
    and completed as the server answers.

    What went to whom decides what goes next: only what changed since the last message a person's
    server accepted (outcome ``sent``). A ``failed`` row is history; the message goes again.
    """

    __tablename__ = "invite_send"
    __table_args__ = (sa.Index("ix_invite_send_session_person", "session_id", "person_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    email: str = Field(max_length=254)  # the address it went to (people change theirs)
    uid: str = Field(max_length=120)
    sequence: int
    method: InviteMethod = Field(sa_column=enum_column(InviteMethod, "method", nullable=False))
    reason: SendReason = Field(sa_column=enum_column(SendReason, "reason", nullable=False))
    # What the invite showed this person (time, place, title, agenda, presenter, notes), hashed:
    # a change at the same SEQUENCE (a new presenter) is found by comparing it.
    fingerprint: str = Field(max_length=64)
    presenter_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    outcome: SendOutcome = Field(sa_column=enum_column(SendOutcome, "outcome", nullable=False))
    detail: str = Field(default="", max_length=300)  # the server's answer when it failed
    sent_at: datetime = Field(sa_column=_instant())


class InviteReply(SQLModel, table=True):
    """An RSVP reply (iTIP REPLY) applied to the store: a re-import of the same mailbox, or an
    older reply found later, is then not applied over the answer already taken."""

    __tablename__ = "invite_reply"
    __table_args__ = (sa.Index("ix_invite_reply_circle_person", "circle_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", ondelete="CASCADE")
    # None for a reply to a whole series (its answer is the member's default RSVP).
    session_id: int | None = Field(
        default=None, foreign_key="circle_session.id", ondelete="CASCADE", index=True
    )
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    uid: str = Field(max_length=120)
    sequence: int
    stamp: datetime | None = Field(default=None, sa_column=_instant(nullable=True))  # its DTSTAMP
    rsvp: Rsvp = Field(sa_column=enum_column(Rsvp, "rsvp", nullable=False))
    imported_at: datetime = Field(sa_column=_instant())


class CaldavEvent(SQLModel, table=True):
    """A session as it was last put on a shared CalDAV calendar: where, and the server's ETag, so
    the next update says If-Match and never overwrites an edit made there meanwhile."""

    __tablename__ = "caldav_event"
    __table_args__ = (sa.UniqueConstraint("calendar_url", "session_id"),)

    id: int | None = Field(default=None, primary_key=True)
    calendar_url: str = Field(max_length=500)
    session_id: int = Field(foreign_key="circle_session.id", ondelete="CASCADE", index=True)
    href: str = Field(max_length=1000)
    etag: str | None = Field(default=None, max_length=200)
    sequence: int
    fingerprint: str = Field(max_length=64)
    cancelled: bool = False
    published_at: datetime = Field(sa_column=_instant())

"""Participation reports: who comes, who drops off, who presents; every figure aggregated in SQL.

What the figures count (sessions in scope, expected, attended, walk-ins, presented) is defined
once in ``participation``, which the attendance export counts with too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles.services import circle_records
from circles.services.participation import (
    Scope,
    came,
    expected_join,
    in_scope,
    member_presented,
    one_if,
    walked_in,
)
from circles.services.sql import ids, select_columns, stream_rows
from circles.zones import time_zone
from models.enums import Rsvp
from models.tables import Attendance, Circle, CircleSession, Membership, Person, SessionExpected

RETENTION_STEPS = (1, 2, 4, 8, 12)


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as a dash, not 0%)."""
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class ParticipationPoint:
    period: str  # a session's local date (one circle) or a month, YYYY-MM (several circles)
    sessions: int
    expected: int
    attended: int

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.expected)


@dataclass(frozen=True, slots=True)
class NoShows:
    said_yes: int  # expected people whose effective RSVP was yes
    no_shows: int  # of them: absent or never checked in (excused is not a no-show)

    @property
    def rate(self) -> float | None:
        return rate(self.no_shows, self.said_yes)


@dataclass(frozen=True, slots=True)
class Conversion:
    rsvp: Rsvp
    answered: int
    attended: int

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.answered)


@dataclass(frozen=True, slots=True)
class RetentionPoint:
    """Of the members whose circle held more than ``after`` sessions since they joined, how many
    came to at least one session after their first ``after`` (leaving counts as dropping off)."""

    after: int
    members: int
    still_attending: int

    @property
    def rate(self) -> float | None:
        return rate(self.still_attending, self.members)


@dataclass(frozen=True, slots=True)
class PresenterDiversity:
    """Members (expected at one or more held sessions) and how many of them presented there."""

    members: int
    presented: int

    @property
    def share(self) -> float | None:
        return rate(self.presented, self.members)


@dataclass(frozen=True, slots=True)
class PersonSummary:
    circle_id: int
    circle: str
    person_id: int
    person: str
    email: str | None
    team: str | None
    expected: int
    attended: int  # of the expected sessions
    walk_ins: int  # attended without being expected

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.expected)


@dataclass(frozen=True, slots=True)
class CircleParticipation:
    circle_id: int
    circle: str
    sessions: int
    expected: int
    attended: int
    walk_ins: int

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.expected)

    @property
    def average_headcount(self) -> float | None:
        return rate(self.attended + self.walk_ins, self.sessions)


@dataclass(frozen=True, slots=True)
class Report:
    scope: Scope
    circle_name: str | None
    participation: list[ParticipationPoint]
    no_shows: NoShows
    conversion: list[Conversion]
    retention: list[RetentionPoint]  # empty when not asked for (build_report's retention_curve)
    presenters: PresenterDiversity
    circles: list[CircleParticipation]  # empty when not asked for (build_report's per_circle)

    @property
    def totals(self) -> ParticipationPoint:
        return ParticipationPoint(
            period="all",
            sessions=sum(p.sessions for p in self.participation),
            expected=sum(p.expected for p in self.participation),
            attended=sum(p.attended for p in self.participation),
        )


def month_of(dialect: str, column: Any) -> Any:
    """SQL: the UTC month (YYYY-MM) of a timestamp column, on the backend named ``dialect``."""
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


# --- the figures ---------------------------------------------------------------------


# Each figure below takes ``held``, in_scope(db, scope), when its caller has it already: each
# in_scope reads the store's clock and its sessions under way (a statement), and a circle's
# Stats tab asked for them once per figure.
Held = list[Any] | None


def _expected(db: Session, scope: Scope, *group: Any, held: Held = None) -> Any:
    """SQL: the people held sessions in scope expected, summed by ``group``: how many, and how
    many came. From each session's as the store counts them (table session_expected, migration
    0100: members then, by effective RSVP and how it went; the definitions of
    ``participation``), not from every member and attendance row of the period again."""
    s, e = CircleSession, SessionExpected
    came_n = sa.func.sum(sa.case((col(e.how) == "came", e.people), else_=0))
    return (
        select_columns(*group, sa.func.sum(e.people), came_n)
        .select_from(s)
        .join(e, col(e.session_id) == s.id)
        .where(*in_scope(db, scope, held))
        .group_by(*group)
    )


def participation_over_time(
    db: Session, scope: Scope, *, by: str | None = None, held: Held = None
) -> list[ParticipationPoint]:
    """Attended of expected, per session (one circle) or per month (several), oldest first."""
    by = by or ("session" if scope.circle_id is not None else "month")
    s = CircleSession
    if by == "session":
        stmt = _expected(db, scope, col(s.id), col(s.starts_at), col(Circle.timezone), held=held)
        stmt = stmt.join(Circle, col(Circle.id) == s.circle_id).order_by(col(s.starts_at), col(s.id))
        return [
            ParticipationPoint(
                period=starts.astimezone(time_zone(tz)).date().isoformat(),
                sessions=1,
                expected=int(expected),
                attended=int(came_n),
            )
            for _sid, starts, tz, expected, came_n in db.exec(stmt)
        ]
    if by != "month":
        raise ValueError(f"by must be 'session' or 'month', not {by!r}")
    month = month_of(db.get_bind().dialect.name, s.starts_at).label("month")
    # The sessions of each month that expected anybody (each has rows in session_expected).
    stmt = (
        _expected(db, scope, month, held=held)
        .add_columns(sa.func.count(sa.distinct(col(s.id))))
        .order_by(month)
    )
    return [
        ParticipationPoint(period=period, sessions=n, expected=int(expected), attended=int(came_n))
        for period, expected, came_n, n in db.exec(stmt)
    ]


def no_shows(db: Session, scope: Scope, *, held: Held = None) -> NoShows:
    """Expected people whose RSVP was yes, and how many of them did not come (absent or
    unrecorded: 'missed' in session_expected; excused is not a no-show)."""
    e = SessionExpected
    missed = sa.func.sum(sa.case((col(e.how) == "missed", e.people), else_=0))
    stmt = _expected(db, scope, held=held).add_columns(missed).where(col(e.answer) == Rsvp.YES.value)
    said_yes, _came, missed_n = db.exec(stmt).one()
    return NoShows(said_yes=int(said_yes or 0), no_shows=int(missed_n or 0))


def conversion(db: Session, scope: Scope, *, held: Held = None) -> list[Conversion]:
    """For each RSVP answer (yes, maybe, no, none): how many expected people gave it, how many came."""
    found = {
        Rsvp(r): (int(n), int(c))
        for r, n, c in db.exec(_expected(db, scope, col(SessionExpected.answer), held=held))
    }
    return [
        Conversion(rsvp=r, answered=found.get(r, (0, 0))[0], attended=found.get(r, (0, 0))[1]) for r in Rsvp
    ]


def _per_session_figures(
    db: Session, scope: Scope, held: Held
) -> tuple[list[ParticipationPoint], NoShows, list[Conversion]]:
    """One circle's participation per session, no-shows and RSVP conversion, as the three
    functions above give them, from one statement: per session, its expected people and how
    many came, then the same for each answer, and how many who said yes missed it. A circle's
    Stats tab waits for them before it comes forward; read apart they were three statements
    over the same rows, a round trip each on PostgreSQL. (One row per session: grouped by
    session and answer, each session's start was read and converted once per answer.)"""
    s, e = CircleSession, SessionExpected
    answer, how = col(e.answer), col(e.how)

    def people(*conditions: Any) -> Any:
        return sa.func.sum(sa.case((sa.and_(*conditions), e.people), else_=0))

    per_answer = [
        column
        for r in Rsvp
        for column in (people(answer == r.value), people(answer == r.value, how == "came"))
    ]
    stmt = (
        _expected(db, scope, col(s.id), col(s.starts_at), col(Circle.timezone), held=held)
        .add_columns(*per_answer, people(answer == Rsvp.YES.value, how == "missed"))
        .join(Circle, col(Circle.id) == s.circle_id)
        .order_by(col(s.starts_at), col(s.id))
    )
    points = []
    answers = [0] * (2 * len(Rsvp))
    missed = 0
    for _sid, starts, tz, expected, came_n, *by_answer, missed_n in db.exec(stmt):
        points.append(
            ParticipationPoint(
                period=starts.astimezone(time_zone(tz)).date().isoformat(),
                sessions=1,
                expected=int(expected),
                attended=int(came_n),
            )
        )
        answers = [total + int(n) for total, n in zip(answers, by_answer, strict=True)]
        missed += int(missed_n)
    conversions = [
        Conversion(rsvp=r, answered=answers[2 * i], attended=answers[2 * i + 1]) for i, r in enumerate(Rsvp)
    ]
    yes = list(Rsvp).index(Rsvp.YES)
    return points, NoShows(said_yes=answers[2 * yes], no_shows=missed), conversions


def retention(
    db: Session, scope: Scope, steps: Sequence[int] = RETENTION_STEPS, *, held: Held = None
) -> list[RetentionPoint]:
    """The retention curve: for each N in ``steps``, members still coming after their first N sessions.

    A membership's sessions are numbered from the first held one after it began and keep
    counting after it ended, so leaving a circle counts as dropping off.
    """
    s, m, a = CircleSession, Membership, Attendance
    # Each circle's held sessions numbered once, oldest first: a membership's are the circle's
    # from the first after it began, numbered from there. Numbering every (membership, session)
    # pair instead looked up each member's attendance row at each session (the huge demo's
    # busiest circle: 3,900 lookups and a sort, a third of its Stats tab's reading).
    numbered = (
        select(
            col(s.id).label("id"),
            col(s.circle_id).label("circle_id"),
            col(s.starts_at).label("starts_at"),
            sa.func.row_number()
            .over(partition_by=col(s.circle_id), order_by=(col(s.starts_at), col(s.id)))
            .label("g"),
        )
        .where(*in_scope(db, scope, held))
        .cte("numbered")
    )
    since_joining = sa.and_(numbered.c.circle_id == m.circle_id, numbered.c.starts_at >= m.joined_at)
    held_since = (
        select_columns(
            col(m.id).label("mid"),
            col(m.circle_id).label("circle_id"),
            col(m.person_id).label("person_id"),
            sa.func.min(numbered.c.g).label("first"),
            sa.func.max(numbered.c.g).label("last"),
        )
        .join_from(m, numbered, since_joining)
        .group_by(col(m.id), col(m.circle_id), col(m.person_id))
        .subquery()
    )
    # The last session each person came to, read session by session: a member's if it is one
    # of theirs (numbered from their first or later).
    came_last = (
        select(
            numbered.c.circle_id, col(a.person_id).label("person_id"), sa.func.max(numbered.c.g).label("g")
        )
        .join_from(numbered, a, sa.and_(col(a.session_id) == numbered.c.id, came(a)))
        .group_by(numbered.c.circle_id, col(a.person_id))
        .subquery()
    )
    last_came = sa.case((came_last.c.g >= held_since.c.first, came_last.c.g - held_since.c.first + 1))
    per_member = (
        select((held_since.c.last - held_since.c.first + 1).label("total"), last_came.label("last_came"))
        .select_from(held_since)
        .join(
            came_last,
            sa.and_(
                came_last.c.circle_id == held_since.c.circle_id,
                came_last.c.person_id == held_since.c.person_id,
            ),
            isouter=True,
        )
        .subquery()
    )
    columns = []
    for n in steps:
        cohort = per_member.c.total > n
        columns.append(sa.func.coalesce(sa.func.sum(one_if(cohort)), 0))
        columns.append(sa.func.coalesce(sa.func.sum(one_if(sa.and_(cohort, per_member.c.last_came > n))), 0))
    row = db.exec(select(*columns)).one()
    return [
        RetentionPoint(after=n, members=row[2 * i], still_attending=row[2 * i + 1])
        for i, n in enumerate(steps)
    ]


def presenter_diversity(db: Session, scope: Scope, *, held: Held = None) -> PresenterDiversity:
    """The share of members (per circle) who presented at a held session while they were members."""
    # The (circle, member) pairs as the success report counts them, from the talks the store
    # keeps (table talk, migration 0100), rather than asking of every member and session
    # whether they presented: the same figures, in half the time.
    pairs = member_presented(db, scope, held)
    members_n, presenters_n = db.exec(
        select(sa.func.count(), sa.func.coalesce(sa.func.sum(pairs.c.presented), 0))
    ).one()
    return PresenterDiversity(members=int(members_n), presented=int(presenters_n))


def _walk_ins(db: Session, scope: Scope, held: Held = None) -> Any:
    """SQL: (circle_id, person_id) of every walk-in check-in at a held session in scope."""
    s, a = CircleSession, Attendance
    return (
        select(col(s.circle_id).label("circle_id"), col(a.person_id).label("person_id"))
        .select_from(a)
        .join(s, col(s.id) == a.session_id)
        .where(*in_scope(db, scope, held), came(a), walked_in(a.person_id))
    )


def circle_summaries(db: Session, scope: Scope, *, held: Held = None) -> list[CircleParticipation]:
    """Per circle: sessions held, expected, attended of expected, walk-ins."""
    s = CircleSession
    conditions = in_scope(db, scope, held)
    sessions = dict(
        db.exec(select(col(s.circle_id), sa.func.count()).where(*conditions).group_by(col(s.circle_id))).all()
    )
    expected = {
        cid: (int(n), int(c))
        for cid, n, c in db.exec(_expected(db, scope, col(s.circle_id), held=conditions))
    }
    walk = _walk_ins(db, scope, conditions).subquery()
    walk_ins = dict(db.exec(select(walk.c.circle_id, sa.func.count()).group_by(walk.c.circle_id)).all())
    names = db.exec(
        select(ids(Circle.id), Circle.name)
        .where(col(Circle.id).in_(sessions.keys()))
        .order_by(sa.func.lower(Circle.name))
    )
    return [
        CircleParticipation(
            circle_id=cid,
            circle=name,
            sessions=sessions[cid],
            expected=expected.get(cid, (0, 0))[0],
            attended=expected.get(cid, (0, 0))[1],
            walk_ins=walk_ins.get(cid, 0),
        )
        for cid, name in names
    ]


def person_summaries_stmt(db: Session, scope: Scope) -> Any:
    """SQL for :func:`person_summaries`: one row per circle and person, in circle then name order."""
    s = CircleSession
    held = in_scope(db, scope)
    one, zero = sa.literal(1, sa.Integer), sa.literal(0, sa.Integer)
    expected = expected_join(
        select_columns(
            col(Membership.circle_id).label("circle_id"),
            col(Membership.person_id).label("person_id"),
            one.label("expected"),
            one_if(came()).label("attended"),
            zero.label("walk_ins"),
        ).select_from(s)
    ).where(*held)
    walk = _walk_ins(db, scope, held).subquery()
    walk_rows = select_columns(walk.c.circle_id, walk.c.person_id, zero, zero, one)
    u = sa.union_all(expected, walk_rows).subquery()
    return (
        select_columns(
            u.c.circle_id,
            Circle.name,
            u.c.person_id,
            Person.name,
            Person.email,
            Person.team,
            sa.func.sum(u.c.expected),
            sa.func.sum(u.c.attended),
            sa.func.sum(u.c.walk_ins),
        )
        .select_from(u)
        .join(Circle, col(Circle.id) == u.c.circle_id)
        .join(Person, col(Person.id) == u.c.person_id)
        .group_by(
            u.c.circle_id,
            col(Circle.name),
            u.c.person_id,
            col(Person.name),
            col(Person.name_folded),
            col(Person.email),
            col(Person.team),
        )
        .order_by(sa.func.lower(Circle.name), u.c.circle_id, col(Person.name_folded), u.c.person_id)
    )


def person_summaries(db: Session, scope: Scope, *, batch: int = 2000) -> Iterator[PersonSummary]:
    """Per circle and person: sessions expected at, attended, walk-ins. Streamed, so memory stays flat."""
    rows = stream_rows(db.connection(), person_summaries_stmt(db, scope), size=batch)
    for cid, circle, pid, person, email, team, expected, attended, walk_ins in rows:
        yield PersonSummary(
            circle_id=cid,
            circle=circle,
            person_id=pid,
            person=person,
            email=email,
            team=team,
            expected=int(expected),
            attended=int(attended),
            walk_ins=int(walk_ins),
        )


def build_report(
    db: Session,
    scope: Scope,
    *,
    per_circle: bool = True,
    retention_curve: bool = True,
    presenters: PresenterDiversity | None = None,
    held: Held = None,
) -> Report:
    """Every figure of the report (a dozen GROUP BY queries, no rows loaded into Python).
    ``per_circle=False`` leaves the table of circles out: a circle's Stats tab shows the
    figures of that one circle, and the walk-ins were a fifth of its reading.
    ``retention_curve=False`` leaves the retention after N sessions out (a window over
    memberships and sessions): the text report gives retention in months instead.
    ``presenters``: the presenter diversity, when the caller has summed it already (the Stats
    tab, from its presenters by team). ``held``: in_scope(db, scope), when the caller reads
    other figures of the same scope too (the Stats tab)."""
    circle_name = circle_records.get_circle(db, scope.circle_id).name if scope.circle_id is not None else None
    held = in_scope(db, scope, held)  # the store's clock and sessions under way, read once for all
    if scope.circle_id is not None:  # per session: the three figures from one statement
        points, shows, conversions = _per_session_figures(db, scope, held)
    else:
        points = participation_over_time(db, scope, held=held)
        shows, conversions = no_shows(db, scope, held=held), conversion(db, scope, held=held)
    return Report(
        scope=scope,
        circle_name=circle_name,
        participation=points,
        no_shows=shows,
        conversion=conversions,
        retention=retention(db, scope, held=held) if retention_curve else [],
        presenters=presenter_diversity(db, scope, held=held) if presenters is None else presenters,
        circles=circle_summaries(db, scope, held=held) if per_circle else [],
    )

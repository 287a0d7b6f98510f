"""What participation means, once, in SQL: which sessions are in scope, who was expected, who
came, who walked in, who presented. Reports and attendance exports both count with these.

- A session is *in scope* when it has been held (circles/held.py: not cancelled, and ended by
  the store's clock or its attendance taken), in the scope's circle and local days. A session
  still to come, or under way with nobody checked in yet, has no attendance to report, so
  neither the report nor the export lists it.
- A person is *expected* at a session when a membership of theirs covered its start
  (``joined_at <= starts_at`` and ``left_at`` unset or later), as on the check-in roster.
- *Attended* means checked in present or late. Excused and absent are not attended.
- A *walk-in* is someone with a record for a session they were not expected at; checked in
  (present or late), they count as attended in their own column but never as expected, so a
  rate (attended of expected / expected) stays between 0 and 1.
- A person *presented* at a session when they are its presenter or present an agenda item.
- The *effective RSVP* is the session's own answer unless it is 'none', else the member's
  answer for the series (the roster's rule, ``attendance.roster``; session_turnout sums it).
- Away periods do not change who is expected: a member away is expected and absent, which
  is what organizers asked to see (the rotation, not the report, skips people who are away).
- Date ranges are local days of each circle's timezone, both ends included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from circles import held, validate
from circles.services import circle_records
from circles.services.attendance import member_at_session
from circles.services.clock import now
from circles.zones import time_zone
from models.enums import Attended
from models.tables import AgendaItem, Attendance, Circle, CircleSession, Membership, SessionFigures, Talk
from models.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class Scope:
    """Which sessions a report or export covers: one circle or all, and local days (inclusive)."""

    circle_id: int | None = None
    since: date | None = None
    until: date | None = None


def make_scope(
    db: Session,
    *,
    circle: str | int | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
) -> Scope:
    """A Scope from what a person typed: a circle name or id, and dates like 2026-03-17."""
    circle_id = None
    if circle is not None and str(circle).strip():
        circle_id = circle_records.find_circle(db, str(circle)).id
    first = validate.parse_date(since, "since") if since else None
    last = validate.parse_date(until, "until") if until else None
    if first and last:
        validate.date_range(first, last, start_field="since", end_field="until")
    return Scope(circle_id=circle_id, since=first, until=last)


@dataclass(frozen=True, slots=True)
class ScopeShape:
    """What a statement over a scope is built for: whether it has a circle and which ends of a
    period, and how many time zones the period's days are counted in. The circle, the bounds
    and the clock are bound when the statement runs, so one built for a shape serves every
    scope of that shape: SQLAlchemy builds and keys a statement each time one is made, some
    20 ms of processor time of the success report's last 3 months on the large demo."""

    circle: bool = False
    since: bool = False
    until: bool = False
    zones: int = 0
    # Whether some sessions are under way and not held yet (circles/held.py, "pending"), to be
    # left out by id: most of the time none are, and the statement then asks nothing of each
    # session's id (a fifth of the success report over the whole large demo on SQLite).
    pending: bool = False


@dataclass(frozen=True, slots=True)
class BoundScope:
    """A scope as a statement built for its shape takes it: the shape, and the values of its
    bound parameters (named as ``held_sessions`` and ``local_days`` name them)."""

    shape: ScopeShape
    values: dict[str, Any]


# The time zones of every circle, or of one: a period's local days are set per zone in use.
_ZONES = select(Circle.timezone).group_by(col(Circle.timezone))
_CIRCLE_ZONES = _ZONES.where(Circle.id == sa.bindparam("circle_id"))


def bind_scope(db: Session, scope: Scope) -> BoundScope:
    """The shape of ``scope`` and its values, the store's clock and time zones read once."""
    at = now(db)
    values: dict[str, Any] = {"now": at}
    pending = _pending(db, at)
    if pending is not None:
        values["pending"] = pending
        values["settled"] = held.settled(at)
    if scope.circle_id is not None:
        values["circle_id"] = scope.circle_id
    zones: list[str] = []
    if scope.since is not None or scope.until is not None:
        zones_of = _ZONES if scope.circle_id is None else _CIRCLE_ZONES
        zones = list(db.exec(zones_of, params={"circle_id": scope.circle_id}))
    for i, tz in enumerate(zones):
        zone = time_zone(tz)
        values[f"zone_{i}"] = tz
        if scope.since is not None:
            values[f"since_{i}"] = datetime.combine(scope.since, time(0), zone)
        if scope.until is not None:
            values[f"until_{i}"] = datetime.combine(scope.until + timedelta(days=1), time(0), zone)
    if zones and scope.since is not None:
        values["starts_from"] = min(values[f"since_{i}"] for i in range(len(zones)))
    if zones and scope.until is not None:
        values["starts_before"] = max(values[f"until_{i}"] for i in range(len(zones)))
    if scope.since is not None:
        values["earliest"] = earliest(scope.since)
    if scope.until is not None:  # an instant before the third day after the period, in any zone
        values["earliest_after"] = earliest(scope.until + timedelta(days=3))
    shape = ScopeShape(
        scope.circle_id is not None,
        scope.since is not None,
        scope.until is not None,
        len(zones),
        pending is not None,
    )
    return BoundScope(shape, values)


def _pending(db: Session, at: datetime) -> str | None:
    """The sessions pending at ``at`` (circles/held.py: under way, not held yet), as the value
    held_sessions' statements take; None when there are none."""
    dialect = db.get_bind().dialect.name
    found = list(db.execute(_pending_statement(dialect), {"now": at, "settled": held.settled(at)}).scalars())
    return held.pending_value(dialect, found) if found else None


@cache
def _pending_statement(dialect: str) -> sa.TextClause:
    instant = UTCDateTime()
    return sa.text(held.pending(dialect, now=":now", settled=":settled")).bindparams(
        sa.bindparam("now", type_=instant), sa.bindparam("settled", type_=instant)
    )


# How a statement gets a scope's value by its name: ``sa.bindparam`` for a statement kept and
# run with the values, or the value itself (in_scope's, made for one scope).
Value = Callable[[str], Any]


def in_scope(db: Session, scope: Scope, held: list[Any] | None = None) -> list[Any]:
    """Conditions on CircleSession: it has been held by the store's clock (circles/held.py) and
    falls in the scope's circle and local days (``held_sessions`` with the values). ``held``:
    these conditions, when the caller has them already (reading them is a statement: the
    store's sessions under way), returned as they are."""
    if held is not None:
        return held
    bound = bind_scope(db, scope)
    return held_sessions(bound.shape, bound.values.__getitem__)


def held_sessions(shape: ScopeShape, value: Value = sa.bindparam, *, figures: bool = False) -> list[Any]:
    """Conditions on CircleSession, for a scope of ``shape``: it has been held by the store's
    clock (circles/held.py: not cancelled, and ended or its attendance taken) and falls in the
    scope's circle and local days. ``figures``: the same conditions on SessionFigures, which
    keeps each session's circle, start and status (migration 0260).

    Local days differ per timezone, so the date bounds are set once per timezone in use
    (a handful), which keeps the filter exact and in SQL.
    """
    session_id: Any
    if figures:
        session_id, starts_at = col(SessionFigures.session_id), col(SessionFigures.starts_at)
        status, circle_id = col(SessionFigures.status), col(SessionFigures.circle_id)
    else:
        session_id, starts_at = col(CircleSession.id), col(CircleSession.starts_at)
        status, circle_id = col(CircleSession.status), col(CircleSession.circle_id)
    # The instants' type: what the store keeps (SQLite's text).
    instant = UTCDateTime()
    conditions: list[Any] = [
        _Held(
            starts_at=starts_at,
            status=status,
            session_id=session_id,
            now=sa.type_coerce(value("now"), instant),
            pending=sa.type_coerce(value("pending"), sa.String()) if shape.pending else None,
            settled=sa.type_coerce(value("settled"), instant) if shape.pending else None,
        ),
        *local_days(shape, starts_at, circle_id, value),
    ]
    # The same days once more, from the earliest zone's first instant to the latest's last: a
    # range PostgreSQL's planner can take to the index on the start (it read every session of
    # the store through the OR above, and hashed every session's expected people to join them).
    if shape.zones and shape.since:
        conditions.append(starts_at >= value("starts_from"))
    if shape.zones and shape.until:
        conditions.append(starts_at < value("starts_before"))
    return conditions


class _Held(FunctionElement[bool]):
    """SQL: the session of these columns has been held by the instant ``now``; ``pending`` and
    ``settled``, given together, are the sessions pending then (``_pending``) and the instant
    they were looked for from. circles/held.py's text, the one the whole store's export runs,
    with the columns and values as the statement names them."""

    name = "held"
    type = sa.Boolean()
    inherit_cache = True

    def __init__(
        self,
        *,
        starts_at: Any,
        status: Any,
        session_id: Any,
        now: Any,
        pending: Any | None = None,
        settled: Any | None = None,
    ) -> None:
        if (pending is None) != (settled is None):
            raise ValueError("the pending sessions come with the instant they were looked for from")
        looked_up = () if pending is None else (pending, settled)
        # Clauses in this order (a FunctionElement keeps them as a list); _held_text reads them.
        super().__init__(starts_at, status, session_id, now, *looked_up)

    def self_group(self, against: Any = None) -> Any:
        # A condition as it is, in its own parentheses: not "(...) = 1", as SQLAlchemy writes
        # a boolean value for SQLite, which then reads no index through it.
        return self


@compiles(_Held)
def _held_text(element: _Held, compiler: SQLCompiler, **kw: Any) -> str:
    starts_at, status, session_id, now, *looked_up = (compiler.process(c, **kw) for c in element.clauses)
    pending, settled = looked_up or (None, None)
    text = held.held(
        compiler.dialect.name,
        now=now,
        pending=pending,
        settled=settled,
        starts_at=starts_at,
        status=status,
        session_id=session_id,
    )
    return f"({text})"


def local_days(shape: ScopeShape, when: Any, circle_id: Any, value: Value = sa.bindparam) -> list[Any]:
    """Conditions: the instant ``when`` falls on the local days of a scope of ``shape`` in the
    circle ``circle_id`` (a session's start, or another instant of a circle's). ``circle_id``: a
    column, or an expression of one."""
    circle = circle_id if isinstance(circle_id, sa.ColumnElement) else col(circle_id)
    conditions: list[Any] = []
    if shape.circle:
        conditions.append(circle_id == value("circle_id"))
    if not shape.since and not shape.until:
        return conditions
    per_zone = []
    for i in range(shape.zones):
        zone = select(Circle.id).where(Circle.timezone == value(f"zone_{i}"))
        bounds: list[Any] = [circle.in_(zone)]
        if shape.since:
            bounds.append(when >= value(f"since_{i}"))
        if shape.until:
            bounds.append(when < value(f"until_{i}"))
        per_zone.append(sa.and_(*bounds))
    conditions.append(sa.or_(*per_zone) if per_zone else sa.false())
    return conditions


def came(a: Any = Attendance) -> Any:
    """SQL: attendance row ``a`` says the person came (present or late)."""
    return col(a.attended).in_([Attended.PRESENT, Attended.LATE])


def one_if(condition: Any) -> Any:
    """SQL: 1 where ``condition`` holds, else 0 (never NULL), for sums."""
    return sa.case((condition, 1), else_=0)


def expected_join(stmt: Any, m: Any = Membership, a: Any = Attendance) -> Any:
    """Add the expected people to a statement over CircleSession, with their attendance row if any."""
    return stmt.join(m, member_at_session(m, CircleSession)).join(
        a, sa.and_(a.session_id == CircleSession.id, a.person_id == m.person_id), isouter=True
    )


def walked_in(person_id: Any) -> Any:
    """SQL: ``person_id`` had no membership covering CircleSession's start (a walk-in)."""
    other = aliased(Membership)
    return ~sa.exists(
        select(other.id).where(member_at_session(other, CircleSession), other.person_id == person_id)
    )


def presented(person_id: Any) -> Any:
    """SQL: ``person_id`` is CircleSession's presenter or presents one of its agenda items."""
    return sa.or_(
        CircleSession.presenter_id == person_id,
        sa.exists(
            select(AgendaItem.id).where(
                AgendaItem.session_id == CircleSession.id, AgendaItem.presenter_id == person_id
            )
        ),
    )


# -- presenters --------------------------------------------------------------------------------


def earliest(day: date) -> datetime:
    """An instant before ``day`` begins in any time zone (UTC-12 to UTC+14)."""
    return datetime.combine(day - timedelta(days=1), time(0), UTC)


def member_presented(db: Session, scope: Scope, held: list[Any] | None = None) -> Any:
    """SQL subquery: (circle, person) for members expected at held sessions in scope, and
    whether they presented at one while a member (presenter diversity, kept per member), for
    the success report and a circle's Stats tab alike. ``held``: ``in_scope(db, scope)``, when
    the caller has it already."""
    pairs = member_presented_for(
        in_scope(db, scope, held), earliest(scope.since) if scope.since is not None else None
    )
    if scope.circle_id is None:
        return pairs
    # One circle's pairs, said so again: PostgreSQL then looks the circle's few dozen
    # memberships up by circle. Found only through the circle's first held session (a grouped
    # subquery the planner does not see into), it read and hashed every membership of the
    # store (the large demo's 11,552 for its busiest circle's 47, the huge demo's 117,130).
    return sa.select(pairs).where(pairs.c.circle_id == scope.circle_id).subquery()


def member_presented_for(held: list[Any], since: Any = None) -> Any:
    """member_presented's subquery, for the held sessions ``held`` (conditions on CircleSession)
    of a period from ``since`` (an instant before its first day in any zone, or None). The few
    presenters are found first and joined to the many members, rather than asking of every
    member and session whether they presented."""
    members, presenters = (
        select(pairs.c.circle_id, pairs.c.person_id).group_by(pairs.c.circle_id, pairs.c.person_id).subquery()
        for pairs in (expected_members(held, since), presented_while_members(held))
    )
    return (
        select(
            members.c.circle_id,
            members.c.person_id,
            one_if(col(presenters.c.person_id).is_not(None)).label("presented"),
        )
        .select_from(members)
        .join(
            presenters,
            sa.and_(
                presenters.c.circle_id == members.c.circle_id, presenters.c.person_id == members.c.person_id
            ),
            isouter=True,
        )
        .subquery()
    )


def member_counts(sessions: Any, shape: ScopeShape) -> Any:
    """SQL subquery (circle_id, members): per circle with held sessions in scope, how many people
    were expected at one (a membership covered its start), as expected_members finds them
    and count(DISTINCT person_id) counts them. ``sessions``: those held sessions (id, circle_id
    and starts_at, a CTE) of a scope of ``shape``.

    Counted without reading each membership's days: on the huge demo the last 3 months' 3,000
    circles have 108,800 memberships covering a session, and reading each one's days and
    making the people distinct per circle was a third of the Organisation screen's statement.

    - A *current* membership covers one of the circle's held sessions exactly when it began by
      the last of them: every current one is counted by circle from an index alone, less those
      that began later (today's joiners, mostly none), each a person of its own (one current
      membership per person and circle).
    - A *past* one can only cover one if it ended after the first of them: those few are asked
      whether a held session of their circle between its first and last fell in them (between
      the two, a held session is in the period's days: no test of the days per time zone, whose
      cost PostgreSQL's planner charged to each circle and then compiled the statement by JIT,
      1.2 s), and counted once per person with no current membership counted already
      (someone who left and came back, or was given overlapping past ones).

    The later and past ones are counted per circle in a subquery each, looked up by circle
    and day (migration 0280), so that neither database reads every membership to join it to
    the circles' spans (SQLite did, probing the spans for each of the 117,000)."""
    m, s = Membership, CircleSession
    spans = (
        select(
            sessions.c.circle_id.label("circle_id"),
            sa.func.min(sessions.c.starts_at).label("first"),
            sa.func.max(sessions.c.starts_at).label("last"),
        )
        .group_by(sessions.c.circle_id)
        .cte("spans")
    )
    one_circle = [m.circle_id == sa.bindparam("circle_id")] if shape.circle else []  # not all circles'
    current = (
        select(col(m.circle_id).label("circle_id"), sa.func.count().label("members"))
        .where(col(m.left_at).is_(None), *one_circle)
        .group_by(col(m.circle_id))
        .subquery("current_members")
    )
    later = (
        select(sa.func.count())
        .where(m.circle_id == spans.c.circle_id, col(m.left_at).is_(None), col(m.joined_at) > spans.c.last)
        .scalar_subquery()
    )
    held_then = sa.exists(
        select(s.id)
        .where(
            member_at_session(m, s),
            s.starts_at >= spans.c.first,
            s.starts_at <= spans.c.last,
            *held_sessions(ScopeShape(pending=shape.pending)),
        )
        # The membership asked about, and its circle's span two levels up.
        .correlate(m, spans)
    )
    now_member = aliased(Membership, name="current_membership")
    past = (
        select(sa.func.count(sa.distinct(col(m.person_id))))
        .where(
            m.circle_id == spans.c.circle_id,
            col(m.left_at).is_not(None),
            col(m.left_at) > spans.c.first,
            sa.or_(col(m.joined_at) <= spans.c.first, held_then),
            ~sa.exists(
                select(now_member.id)
                .where(
                    now_member.circle_id == m.circle_id,
                    now_member.person_id == m.person_id,
                    col(now_member.left_at).is_(None),
                    col(now_member.joined_at) <= spans.c.last,
                )
                # The membership asked about, and its circle's span two levels up.
                .correlate(m, spans)
            ),
        )
        .scalar_subquery()
    )
    return (
        select(
            spans.c.circle_id,
            (sa.func.coalesce(current.c.members, 0) - later + past).label("members"),
        )
        .select_from(spans)
        .join(current, current.c.circle_id == spans.c.circle_id, isouter=True)
        .subquery("member_counts")
    )


def expected_members(held: list[Any], since: Any = None) -> Any:
    """SQL subquery of (circle, person): the members expected at the held sessions ``held``
    (conditions on CircleSession) of a period from ``since`` (an instant before its first day in
    any zone, or None).

    A pair may come more than once (a member who left and came back): counted per circle
    with count(DISTINCT person_id), or grouped. Made distinct here, each was grouped by pair
    and the groups counted again, a sort of ten thousand members on the large demo the count
    per circle does without.

    A membership that began after its circle's first of them asks whether a session of its
    circle passes the period's tests (``held``), not whether one of those sessions' ids is among
    the selected ones: PostgreSQL made that a hash of every selected id, built again for each
    membership asking once the hash outgrew its memory (work_mem), which the huge demo's
    287,000 held sessions of all time did: the report over all time ran for over eleven minutes,
    where it takes 3.4 s now (and 12 months 0.99 -> 0.81 s). Planning the tests a second time
    costs the server a few milliseconds."""
    s, m = CircleSession, Membership
    # Each membership asks whether a held session in scope fell in it (the circle's sessions
    # by start, from the period's first instant in any zone), rather than every session of
    # the period being joined to all its circle's members and the pairs grouped again.
    near = [s.starts_at >= since] if since is not None else []
    # Most memberships cover their circle's first held session in scope: they are in without
    # asking (the ask, a look into the circle's sessions per membership, was most of the
    # query); only the others ask of the circle's later sessions. Circles without a held
    # session in scope have no first and no members here.
    firsts = (
        select(col(s.circle_id).label("circle_id"), sa.func.min(s.starts_at).label("starts_at"))
        .where(*held)
        .group_by(col(s.circle_id))
        .subquery()
    )
    first = firsts.c.starts_at
    return (
        select(col(m.circle_id).label("circle_id"), col(m.person_id).label("person_id"))
        .join(firsts, firsts.c.circle_id == m.circle_id)
        .where(
            # Left before the circle's first held session in scope, a membership covers none:
            # ruled out here, not each asked of the circle's sessions (the large demo's 777 who
            # left, every one of them before the period).
            sa.or_(col(m.left_at).is_(None), col(m.left_at) > first),
            sa.or_(
                col(m.joined_at) <= first,
                # By the circle's index on circle_session, which the selected sessions lack.
                sa.exists(select(s.id).where(member_at_session(m, s), *near, *held)),
            ),
        )
        .subquery()
    )


def presented_while_members(held: list[Any], sessions: Any = None) -> Any:
    """SQL subquery of (circle, person): who presented at a held session ``held`` (conditions on
    CircleSession) while a member of its circle. Every presenter is among expected_members (found
    by a membership covering a held session), so a count per circle needs no join of the two.
    A presenter of two sessions comes twice: count them with count(DISTINCT person_id).

    ``sessions``: those held sessions (their id, circle_id and starts_at) as the caller's
    statement selects them already for other sums (a CTE), read there rather than selected from
    circle_session again (the success report)."""
    if sessions is None:
        source, where = CircleSession, held
        session_id, circle_id, starts_at = (
            col(CircleSession.id),
            col(CircleSession.circle_id),
            col(CircleSession.starts_at),
        )
    else:
        source, where = sessions, []
        session_id, circle_id, starts_at = sessions.c.id, sessions.c.circle_id, sessions.c.starts_at
    # Who presented what: the store keeps it (table talk, migration 0100: each session's
    # presenter and its agenda items' presenters, cancelled sessions left out), rather than the
    # two joined again here and made distinct.
    t = Talk
    member = aliased(Membership, name="presenter_membership")
    return (
        select(circle_id.label("circle_id"), col(t.person_id).label("person_id"))
        .select_from(t)
        .join(source, session_id == t.session_id)
        # A member at the session (as member_at_session says) found by the presenter's own
        # memberships (a few), not by their circle's (dozens each): "+ 0" keeps SQLite, which
        # has no statistics to tell the two apart, off the circle's index. Half the query. Their
        # circle and days are read from the index by person and circle alone (migration 0240),
        # not from the table for each talk (a quarter of the huge demo's statement on SQLite).
        .join(
            member,
            sa.and_(
                col(member.person_id) == t.person_id,
                col(member.circle_id) + 0 == circle_id,
                col(member.joined_at) <= starts_at,
                sa.or_(col(member.left_at).is_(None), col(member.left_at) > starts_at),
            ),
        )
        .where(*where)
        .subquery()
    )

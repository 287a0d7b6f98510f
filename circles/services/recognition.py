"""Recognition, derived from what people did (never typed twice), plus the thanks people record.

For a period, per person: the talks they gave (numbered over all their talks ever, so a first
talk and the 1st, 5th, 10th and 25th are milestones), attendance streaks that reached 5, 10
or 25 sessions, mentoring (pairs completed, meetings held, hours), feedback on the
sessions they presented where their circle shares it with presenters, and thanks. Every part
is one query; someone with nothing in the period is not listed.

An *attendance streak* is a run of one circle's held sessions, one after the other in the
circle's own order, that a person came to (present or late). A cancelled session is not held:
it neither counts nor breaks a streak, and neither do weeks without any session. Any held
session of the circle they did not come to ends it, whatever the reason (absent, excused, never
checked in, not a member then); a run starts at the first session they came to. A streak is
listed when it reaches 5, 10 or 25 sessions on a day of the period (the longest one reached).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from circles import validate
from circles.collector import collector_held
from circles.days import weekday_said
from circles.errors import InvalidInput
from circles.feedback_views import (
    STREAK_MILESTONES,
    FeedbackReceived,
    Ledger,
    LedgerNames,
    MentoringDone,
    Named,
    Recognised,
    Streak,
    Talk,
    ThanksView,
)
from circles.services import people, sessions
from circles.services.clock import now, today
from circles.services.participation import (
    BoundScope,
    Scope,
    ScopeShape,
    bind_scope,
    held_sessions,
    make_scope,
    one_if,
)
from circles.services.sql import all_rows, kept, select_columns
from circles.zones import time_zone
from models.enums import PairStatus, ProgrammeKind
from models.tables import (
    Circle,
    CircleSession,
    FeedbackAnswer,
    FeedbackSetting,
    PairMeeting,
    PairMember,
    Person,
    Programme,
    ProgrammePair,
    SessionFeedback,
    StreakMilestone,
    Thanks,
)
from models.tables import Talk as TalkRow

THANKS_MAX = 300


# -- thanks ------------------------------------------------------------------------------------


def add_thanks(
    db: Session, *, person: str, text: str, session_id: int | None = None, given_by: str | None = None
) -> ThanksView:
    """Record thanks to someone (by e-mail or id), maybe for one session, maybe from someone."""
    to = people.find_person(db, person)
    words = validate.text(text, "for", max_length=THANKS_MAX, required=True)
    words = " ".join(words.split())
    by = people.find_person(db, given_by) if given_by else None
    if by is not None and by.id == to.id:
        # By name: the form picks people by name (given_by is then an id, which said nothing).
        raise InvalidInput("from", by.name, "is the person being thanked; thanks come from someone else")
    label = sessions.get_session(db, session_id).label if session_id is not None else None
    row = Thanks(
        person_id=to.id,
        given_by_id=by.id if by else None,
        session_id=session_id,
        text=words,
    )
    db.add(row)
    db.flush()
    assert row.id is not None
    return ThanksView(row.id, to.id, to.name, by.name if by else None, words, today(db), session_id, label)


# -- the period --------------------------------------------------------------------------------


def period_scope(
    db: Session,
    *,
    circle: str | int | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    zone: str = "UTC",
) -> Scope:
    """The digest's period: by default this month so far; ``until`` is never after today. Both
    on the clock of ``zone``, the reader's (see ledger)."""
    day = now(db).astimezone(time_zone(zone)).date()
    scope = make_scope(db, circle=circle, since=since, until=until)
    first = scope.since if scope.since is not None or since not in (None, "") else day.replace(day=1)
    last = min(scope.until, day) if scope.until is not None else day
    if first is not None and last < first:
        raise InvalidInput("since", first.isoformat(), "is after today; recognition looks back")
    return Scope(circle_id=scope.circle_id, since=first, until=last)


def _days(shape: ScopeShape, column: Any) -> list[Any]:
    """Conditions on a date column for the scope's days (bound by _bound)."""
    found = [column <= sa.bindparam("last_day")] if shape.until else []
    if shape.since:
        found.append(column >= sa.bindparam("first_day"))
    return found


def _instants(shape: ScopeShape, column: Any) -> list[Any]:
    """Conditions on an instant for the scope's days, in the reader's zone (see _bound)."""
    found = []
    if shape.until:
        found.append(column < sa.bindparam("before_instant"))
    if shape.since:
        found.append(column >= sa.bindparam("from_instant"))
    return found


def _bound(db: Session, scope: Scope, zone: str) -> BoundScope:
    """The scope as the ledger's statements take it: in_scope's values (the store's clock and
    the period's time zones, read once for all parts), and the days as dates, and as instants
    where the days begin in ``zone``: thanks belong to no circle, so their day is the reader's."""
    bound = bind_scope(db, scope)
    values = bound.values
    midnight = time(0, tzinfo=time_zone(zone))
    if scope.since is not None:
        values["first_day"] = scope.since
        values["from_instant"] = datetime.combine(scope.since, midnight).astimezone(UTC)
    if scope.until is not None:
        values["last_day"] = scope.until
        values["before_instant"] = datetime.combine(scope.until + timedelta(days=1), midnight).astimezone(UTC)
    return bound


# -- reading -----------------------------------------------------------------------------------


def _of_person(person_id: Any, column: Any) -> Any:
    """SQL: a person's ``column``, looked up by id for each row. For the few hundred rows of a
    period's thanks or completed pairs: joined instead, PostgreSQL read and hashed all 10,000
    people of the large demo (each time, for each of the two), to name a few hundred of them."""
    return select(column).where(col(Person.id) == person_id).scalar_subquery()


# (name, team) by person id: mentoring and thanks read them with their rows (a few hundred, by
# id, _of_person); everyone else recognised is named once, at the end (_name).
Names = dict[int, tuple[str, str | None]]


def _as_stored(instant: Any) -> Any:
    """SQL: an instant column as the driver gives it (SQLite's text, psycopg's datetime), for
    _local_day: a year's ledger reads 30,000 of them, of far fewer sessions."""
    return sa.type_coerce(instant, sa.types.NullType())


@lru_cache(maxsize=4096)
def _local_day(stored: str | datetime, tz: str) -> date:
    """The day, in time zone ``tz``, of an instant as _as_stored gives it (SQLite keeps naive
    UTC text, models/types.py)."""
    at = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(time_zone(tz)).date()


# -- circles and people ------------------------------------------------------------------------


class _CircleFacts(NamedTuple):
    name: str
    timezone: str


_CIRCLES = select(Circle.id, Circle.name, Circle.timezone)


def _circles(db: Session) -> dict[int, _CircleFacts]:
    """Every circle's name and time zone, read once for the talks and streaks (a few hundred
    rows): joined to each of a year's 15,000 talks and 10,000 streaks, the same few hundred
    were looked up and made Python strings again for each row."""
    return {cid: _CircleFacts(name, tz) for cid, name, tz in all_rows(db, _CIRCLES)}


def _among(column: Any, dialect: str, name: str = "people") -> Any:
    """SQL: ``column`` is one of the ids bound as ``name``, one value whatever their number
    (_ids_value): psycopg takes 65,535 bound values in a statement and SQLite 32,766."""
    if dialect == "postgresql":
        return column == sa.func.any(sa.cast(sa.bindparam(name), postgresql.ARRAY(sa.Integer)))
    return column.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(sa.bindparam(name))))


def _only(person_id: Any, among: str | None) -> list[Any]:
    """Conditions: ``person_id`` is one of the people bound as "people", when ``among`` (the
    dialect) says a statement reads only some people; none otherwise."""
    return [_among(col(person_id), among)] if among is not None else []


def _their_sessions(rows: Any, among: str | None) -> list[Any]:
    """Conditions on CircleSession, on PostgreSQL when a statement reads only some people: the
    session is one of theirs in ``rows`` (talk or streak_milestone), as an array read first. The
    period's held sessions are found through the time zones' circles (participation.local_days),
    which PostgreSQL checks once over a scan of the period's sessions but per row when it looks
    sessions up by id, so it scanned every session of the period for a page of people (a month
    of the huge demo: 12,500 sessions, 15 to 120 ms a statement, for their 36 talks; 4 ms so)."""
    if among != "postgresql":
        return []
    theirs = select(rows.session_id).where(_among(col(rows.person_id), among))
    return [col(CircleSession.id) == sa.func.any(sa.func.array(theirs.scalar_subquery()))]


def _ids_value(db: Session, ids: Collection[int]) -> Any:
    """``ids`` as _among binds them: an array for psycopg, JSON text for SQLite's json_each."""
    ordered = sorted(ids)
    return ordered if db.get_bind().dialect.name == "postgresql" else json.dumps(ordered)


@kept
def _names_sql(dialect: str) -> Any:
    return select_columns(Person.id, Person.name, Person.team).where(_among(col(Person.id), dialect, "ids"))


def _name(db: Session, names: Names, ids: set[int]) -> None:
    """Puts in ``names`` the name and team of each of ``ids`` not there yet, in one statement
    whatever their number (the ids are one value). Read once for the talks and streaks: joined
    to each of their rows, a year's 25,000 rows looked up their 7,000 people one by one, in the
    order of the sessions, and made each name a Python string again. Asked even when nobody is
    missing (a statement that finds nothing): the app's warm-up reads a month long past, where
    nobody is recognised, and has it compiled then, not at the first Recognition opened
    (screens/preload.py)."""
    missing = ids - names.keys()
    dialect = db.get_bind().dialect.name
    for pid, name, team in all_rows(db, _names_sql(dialect), {"ids": _ids_value(db, missing)}):
        names[pid] = (name, team)


# -- talks and the feedback on them ------------------------------------------------------------


def _talks(
    db: Session, bound: BoundScope, circles: dict[int, _CircleFacts], among: str | None = None
) -> dict[int, list[Talk]]:
    """Talks in the period, numbered over each person's talks ever (a first talk is number 1).

    The store keeps every talk numbered (table talk, kept by the triggers of migration 0100 on
    every change to who presents and to sessions): a period's are read by its held sessions.
    Talks at sessions not yet held are numbered after all held ones, so they change no number
    shown here.
    """
    talks: dict[int, list[Talk]] = defaultdict(list)
    for pid, sid, starts, title, circle_id, n in all_rows(db, _talks_sql(bound.shape, among), bound.values):
        circle = circles[circle_id]
        talks[pid].append(Talk(sid, _local_day(starts, circle.timezone), circle.name, title, n))
    return talks


@kept
def _talks_sql(shape: ScopeShape, among: str | None) -> Any:
    s, t = CircleSession, TalkRow
    return (
        select_columns(t.person_id, s.id, _as_stored(s.starts_at), s.title, s.circle_id, t.number)
        .select_from(s)
        .join(t, col(t.session_id) == s.id)
        .where(*held_sessions(shape), *_only(t.person_id, among), *_their_sessions(t, among))
        .order_by(col(s.starts_at), col(s.id))
    )


def _feedback_received(
    db: Session, bound: BoundScope, *, notes: bool, among: str | None = None
) -> dict[int, FeedbackReceived]:
    """Per presenter, the feedback on the sessions they presented in the period where the circle
    shares it with them (see "feedback for presenters" below), added up per presenter in SQL."""
    read = _notes(db, bound, among) if notes else {}
    return {
        pid: FeedbackReceived(int(ratings), int(total), read.get(pid, []), None if notes else int(noted))
        for pid, ratings, total, noted in all_rows(db, _feedback_sql(bound.shape, notes, among), bound.values)
    }


@kept
def _feedback_sql(shape: ScopeShape, notes: bool, among: str | None) -> Any:
    s, t, sf = CircleSession, TalkRow, SessionFeedback
    shared = sa.func.coalesce(FeedbackSetting.share_with_presenter, sa.true())
    # Only the sessions summed up in session_feedback: a session without one has no answer. The
    # Markdown only counts the notes: each session's are counted there too (migration 0250, as
    # _written() spells a note); read apart otherwise (_notes).
    return (
        select_columns(
            t.person_id,
            sa.func.sum(sf.ratings),
            sa.func.sum(sf.rating_sum),
            sa.literal_column("0") if notes else sa.func.sum(sf.notes),
        )
        .select_from(s)
        .join(t, col(t.session_id) == s.id)
        .join(sf, col(sf.session_id) == s.id)
        .join(FeedbackSetting, col(FeedbackSetting.circle_id) == s.circle_id, isouter=True)
        .where(shared, *held_sessions(shape), *_only(t.person_id, among), *_their_sessions(t, among))
        .group_by(col(t.person_id))
    )


# -- streaks -----------------------------------------------------------------------------------


def _streaks(
    db: Session, bound: BoundScope, circles: dict[int, _CircleFacts], among: str | None = None
) -> dict[int, list[Streak]]:
    """Streak milestones reached in the period (see the module's definition).

    The store keeps every milestone ever reached (table streak_milestone, kept by the triggers
    of migration 0100 on every write to sessions and attendance): a period's are read by its
    held sessions, instead of numbering months of attendance in window functions each time.
    """
    found: dict[int, list[Streak]] = defaultdict(list)
    for pid, circle_id, *firsts in all_rows(db, _streaks_sql(bound.shape, among), bound.values):
        # The longest reached in the period, on the first day it was.
        length, starts = next((n, at) for n, at in zip(_LONGEST_FIRST, firsts, strict=True) if at is not None)
        circle = circles[circle_id]
        found[pid].append(Streak(circle.name, length, _local_day(starts, circle.timezone)))
    for streaks in found.values():  # one per circle (circle names are unique): by day, then circle
        if len(streaks) > 1:
            streaks.sort(key=_by_day)
    return found


_LONGEST_FIRST = sorted(STREAK_MILESTONES, reverse=True)


@kept
def _streaks_sql(shape: ScopeShape, among: str | None) -> Any:
    s, m = CircleSession, StreakMilestone
    # Per person and circle, the first start at which each length was reached in the period, in
    # one GROUP BY: the longest one's is the milestone shown. Ranked in a window over the
    # period's milestones (a year's 25,000, sorted by person, circle, length and start) it took
    # half as long again.
    firsts = [
        _as_stored(sa.func.min(sa.case((col(m.sessions) == length, col(s.starts_at)))))
        for length in _LONGEST_FIRST
    ]
    return (
        select_columns(col(m.person_id), col(s.circle_id), *firsts)
        .select_from(s)
        .join(m, col(m.session_id) == s.id)
        .where(*held_sessions(shape), *_only(m.person_id, among), *_their_sessions(m, among))
        .group_by(col(m.person_id), col(s.circle_id))
    )


def _by_day(streak: Streak) -> tuple[date, str]:
    return streak.day, streak.circle


# -- mentoring ---------------------------------------------------------------------------------


def _mentoring(
    db: Session, bound: BoundScope, names: Names, among: str | None = None
) -> dict[int, MentoringDone]:
    """Per person: mentoring pairs completed, meetings held and their minutes, in the period.
    ``names`` gets each person's name and team (read with the counts: a month names hundreds
    who did nothing else, and asking for them by id was a query of its own)."""
    completed_sql, held_sql = _mentoring_sql(bound.shape, db.get_bind().dialect.name, among is not None)
    completed = {}
    for pid, count, mentor, name, team in all_rows(db, completed_sql, bound.values):
        completed[pid] = (int(count), bool(mentor))
        names[pid] = (name, team)
    held = {}
    for pid, n, total, mentor, name, team in all_rows(db, held_sql, bound.values):
        held[pid] = (int(n), int(total), bool(mentor))
        names[pid] = (name, team)
    found = {}
    for pid in set(completed) | set(held):
        n, total, mentor = held.get(pid, (0, 0, False))
        pairs, a_mentor_too = completed.get(pid, (0, False))
        found[pid] = MentoringDone(pairs, n, total, mentor or a_mentor_too)
    return found


@kept
def _mentoring_sql(shape: ScopeShape, dialect: str, some: bool) -> tuple[Any, Any]:
    """Per person: the mentoring pairs they completed in the period, and the meetings held."""
    pm, pair, meeting, p = PairMember, ProgrammePair, PairMeeting, Programme
    # Grouped by the bare column, SQLite read every pair's members in the order of its index on
    # the person (a sort saved) and looked up each one's pair and meetings, to keep the few of
    # the period: on the huge demo 17 and 28 ms of a month's Recognition for no row at all. "+ 0"
    # leaves it the period's pairs and meetings to read first (2 and 1 ms), sorted after.
    person: Any = col(pm.person_id) + 0 if dialect == "sqlite" else col(pm.person_id)
    mentoring = col(p.kind).in_([ProgrammeKind.MENTORING, ProgrammeKind.REVERSE_MENTORING])
    # Someone who completed pairs did so as mentor if they are the mentor of any pair.
    other, other_pair = aliased(PairMember), aliased(ProgrammePair)
    a_mentor = (
        sa.exists()
        .where(col(other.person_id) == person, col(other.role) == "mentor")
        .where(col(other_pair.id) == other.pair_id)
    )
    completed = (
        select_columns(
            person,
            sa.func.count(),
            a_mentor,
            _of_person(person, Person.name),
            _of_person(person, Person.team),
        )
        .select_from(pm)
        .join(pair, col(pair.id) == pm.pair_id)
        .join(p, col(p.id) == pair.programme_id)
        .where(mentoring, pair.status == PairStatus.COMPLETED, *_days(shape, pair.ended_on))
        .where(*_only(pm.person_id, dialect if some else None))
        .group_by(person)
    )
    minutes = sa.func.coalesce(meeting.minutes, p.meeting_minutes)
    held = (
        select_columns(
            person,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(minutes), 0),
            sa.func.max(one_if(pm.role == "mentor")),
            _of_person(person, Person.name),
            _of_person(person, Person.team),
        )
        .select_from(pm)
        .join(pair, col(pair.id) == pm.pair_id)
        .join(meeting, col(meeting.pair_id) == pair.id)
        .join(p, col(p.id) == pair.programme_id)
        .where(*_days(shape, meeting.held_on), *_only(pm.person_id, dialect if some else None))
        .group_by(person)
    )
    return completed, held


# -- feedback for presenters -------------------------------------------------------------------
#
# A presenter's feedback is the ratings and notes on the sessions they presented, where the
# circle shares them: each session's ratings and how many notes as the store sums them up
# (table session_feedback, migrations 0100 and 0250), added up per presenter in SQL
# (_feedback_sql); the notes themselves, when listed, by their own index (a tenth of the
# answers). Someone is given feedback when at least one of those sessions has ratings summed up.


def _written() -> Any:
    """SQL: the answer has a note for the presenter. Spelled as the index's condition (no bound
    value), so both databases read the index; session_feedback's count of notes (migration 0250)
    spells it the same way."""
    return col(FeedbackAnswer.for_presenter) != sa.literal_column("''")


def _notes(db: Session, bound: BoundScope, among: str | None = None) -> dict[int, list[str]]:
    """The notes written for each presenter on the sessions they presented where the circle
    shares them, by session start and then text."""
    found: dict[int, list[str]] = defaultdict(list)
    for pid, note in all_rows(db, _notes_sql(bound.shape, among), bound.values):
        found[pid].append(note)
    return found


@kept
def _notes_sql(shape: ScopeShape, among: str | None) -> Any:
    s, t, f = CircleSession, TalkRow, FeedbackAnswer
    shared = sa.func.coalesce(FeedbackSetting.share_with_presenter, sa.true())
    return (
        select(t.person_id, f.for_presenter)
        .select_from(s)
        .join(t, col(t.session_id) == s.id)
        .join(FeedbackSetting, col(FeedbackSetting.circle_id) == s.circle_id, isouter=True)
        .join(f, col(f.session_id) == s.id)
        .where(shared, _written(), *held_sessions(shape), *_only(t.person_id, among))
        .where(*_their_sessions(t, among))
        .order_by(col(s.starts_at), col(f.for_presenter))
    )


# -- thanks ------------------------------------------------------------------------------------


def _thanks(
    db: Session, bound: BoundScope, names: Names, zone: str, among: str | None = None
) -> dict[int, list[ThanksView]]:
    """Thanks given in the period, by the person thanked, each dated in ``zone``; ``names`` gets
    their name and team."""
    found: dict[int, list[ThanksView]] = defaultdict(list)
    reader = time_zone(zone)
    at = now(db)
    for tid, pid, text, given_at, sid, name, team, from_name, starts, circle, tz in all_rows(
        db, _thanks_sql(bound.shape, among), bound.values
    ):
        names[pid] = (name, team)
        label = (
            f"{circle}, {weekday_said(starts.astimezone(time_zone(tz)), at)}" if starts is not None else None
        )
        day = given_at.astimezone(reader).date()
        found[pid].append(ThanksView(tid, pid, name, from_name, text, day, sid, label))
    return found


@kept
def _thanks_sql(shape: ScopeShape, among: str | None) -> Any:
    t, s = Thanks, CircleSession
    stmt = (
        select_columns(
            t.id,
            t.person_id,
            t.text,
            t.given_at,
            t.session_id,
            _of_person(t.person_id, Person.name),
            _of_person(t.person_id, Person.team),
            _of_person(t.given_by_id, Person.name),
            s.starts_at,
            Circle.name,
            Circle.timezone,
        )
        .select_from(t)
        .join(s, col(s.id) == t.session_id, isouter=True)
        .join(Circle, col(Circle.id) == s.circle_id, isouter=True)
        .where(*_instants(shape, t.given_at), *_only(t.person_id, among))
        .order_by(col(t.given_at), col(t.id))
    )
    return stmt.where(s.circle_id == sa.bindparam("circle_id")) if shape.circle else stmt


# -- the ledger --------------------------------------------------------------------------------


def _in_ledger_order(person: Recognised | Named) -> tuple[str, int]:
    """The ledger's order, by name (as a person reads it) then id: ledger and ledger_names
    list the same people in it, so a page of one is that part of the other."""
    return person.name.casefold(), person.person_id


def ledger(
    db: Session,
    scope: Scope,
    *,
    notes: bool = True,
    zone: str = "UTC",
    people: Collection[int] | None = None,
) -> Ledger:
    """Everyone recognised in the scope's period (see period_scope), by name. Without ``notes``
    the notes written for presenters are counted, not read (the Markdown digest only counts
    them: a year has 15,000). A talk's or a streak's day is its circle's; thanks belong to no
    circle, so the period's days and each thanks' date are those of ``zone``, the reader's: in a
    Sydney morning on the 1st, UTC's days put the thanks just given in last month's ledger.
    ``people``: only these of them (by id), as a screen reads a page of ledger_names; each
    part then reads their rows alone."""
    with collector_held():  # tens of thousands of small objects, none in a cycle (collector.py)
        return _ledger(db, scope, notes=notes, zone=zone, people=people)


def _ledger(db: Session, scope: Scope, *, notes: bool, zone: str, people: Collection[int] | None) -> Ledger:
    names: Names = {}
    bound = _bound(db, scope, zone)
    among = None
    if people is not None:
        among = db.get_bind().dialect.name
        bound.values["people"] = _ids_value(db, people)
    circles = _circles(db)
    talks = _talks(db, bound, circles, among)
    feedback = _feedback_received(db, bound, notes=notes, among=among)
    streaks = _streaks(db, bound, circles, among)
    mentoring = _mentoring(db, bound, names, among) if scope.circle_id is None else {}
    thanks = _thanks(db, bound, names, zone, among)
    # Everyone given feedback gave a talk in the period: named with it.
    ids = set(talks) | set(streaks) | set(mentoring) | set(thanks)
    _name(db, names, ids)
    recognised = [
        Recognised(
            person_id=pid,
            name=names[pid][0],
            team=names[pid][1],
            talks=talks.get(pid, []),
            streaks=streaks.get(pid, []),
            mentoring=mentoring.get(pid),
            feedback=feedback.get(pid),
            thanks=thanks.get(pid, []),
        )
        for pid in ids
    ]
    recognised.sort(key=_in_ledger_order)
    assert scope.until is not None
    circle = circles[scope.circle_id].name if scope.circle_id is not None else None
    return Ledger(since=scope.since, until=scope.until, circle=circle, people=recognised)


def talks(db: Session, scope: Scope) -> list[Talk]:
    """Every talk the scope's period recognises, as the ledger lists them (by start)."""
    by_person = _talks(db, _bound(db, scope, "UTC"), _circles(db))  # a talk's day is its circle's
    return [t for found in by_person.values() for t in found]


# -- who is recognised -------------------------------------------------------------------------


def ledger_names(db: Session, scope: Scope, *, zone: str = "UTC") -> LedgerNames:
    """Everyone ``ledger`` lists for the same scope and zone, in its order, with their name and
    team only: a month of the huge demo lists 26,000 people, and what each did took most of a
    second to read (its notes, talks and streaks) for a screen that shows a screenful of them.
    One statement: the ids of each part, in a union, named."""
    bound = _bound(db, scope, zone)
    dialect = db.get_bind().dialect.name
    rows = all_rows(db, _ledger_names_sql(bound.shape, dialect), bound.values)
    people = [Named(pid, name, team) for pid, name, team in rows]
    people.sort(key=_in_ledger_order)
    circle = None
    if scope.circle_id is not None:
        circle = db.exec(select(Circle.name).where(Circle.id == scope.circle_id)).one()
    assert scope.until is not None
    return LedgerNames(since=scope.since, until=scope.until, circle=circle, people=people)


@kept
def _ledger_names_sql(shape: ScopeShape, dialect: str) -> Any:
    s, t, m, th = CircleSession, TalkRow, StreakMilestone, Thanks
    # The period's held sessions once, for the talks and the streaks: asked of each of their
    # sessions in each part, the month's 13,000 sessions were checked twice (held, and in which
    # of the time zones' days).
    held = select(s.id).where(*held_sessions(shape)).cte("held").prefix_with("MATERIALIZED")
    in_held = sa.select(held.c.id)
    parts: list[Any] = [
        select(t.person_id).where(col(t.session_id).in_(in_held)),
        select(m.person_id).where(col(m.session_id).in_(in_held)),
    ]
    # Thanks, as _thanks_sql reads them: about a session of the circle, when there is one.
    thanked = select(th.person_id).where(*_instants(shape, th.given_at))
    if shape.circle:
        thanked = thanked.join(s, col(s.id) == th.session_id).where(s.circle_id == sa.bindparam("circle_id"))
    parts.append(thanked)
    if not shape.circle:  # mentoring belongs to no circle (see _ledger)
        completed, met = _mentoring_sql(shape, dialect, False)
        parts += [_first_column(completed), _first_column(met)]
    ids = sa.union(*parts).subquery()
    return select_columns(Person.id, Person.name, Person.team).where(col(Person.id).in_(sa.select(ids.c[0])))


def _first_column(statement: Any) -> Any:
    """``statement`` reading its first column only (a person's id), for a union of ids."""
    return statement.with_only_columns(next(iter(statement.selected_columns)))

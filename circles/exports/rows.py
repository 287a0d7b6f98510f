"""The attendance rows of an export, streamed from the database in order (never fetched whole).

One row per person and session in scope (``participation.in_scope``: sessions that have been
held, circles/held.py): everyone expected there (members at its start), and everyone else
with a record for it (walk-ins, or an RSVP from a non-member). A session still to come, or
under way with nobody checked in yet, has no attendance yet, so it is not in the export: its
RSVPs are the session's headcount.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from circles.exports.columns import COLUMNS as COLUMNS
from circles.exports.columns import KEYS as KEYS
from circles.services.participation import Scope, expected_join, in_scope, presented, walked_in
from circles.zones import time_zone
from models.enums import Rsvp
from models.tables import Attendance, Circle, CircleSession, Membership, Person

BATCH = 5000

Progress = Callable[[int, int | None], None]
"""Called as ``progress(rows_done, rows_total_or_None)`` every batch and once at the end."""


class AttendanceRow(NamedTuple):
    circle: str
    day: date  # local to the circle's timezone
    title: str
    person: str
    email: str | None
    team: str | None
    rsvp: str  # the effective answer: yes, maybe, no or none
    attended: str | None  # present, late, excused, absent, or None when nobody checked
    presenter: bool
    walk_in: bool  # not a member at the session's start (participation.walked_in)


def _text(expression: Any) -> Any:
    # Plain strings on the way out: enum and timestamp result processors would run on every
    # one of a million rows; the few values that need converting are converted per session.
    return sa.type_coerce(expression, sa.String)


def _pairs(db: Session, scope: Scope) -> Any:
    """SQL: (session, person, series answer, own answer, attended, walk-in) for expected people
    and others; each branch knows which it is, so the walk-in mark is a constant of its branch."""
    s, m, a = CircleSession, Membership, Attendance
    expected = expected_join(
        sa.select(
            col(s.id).label("session_id"),
            col(m.person_id).label("person_id"),
            _text(m.default_rsvp).label("series_rsvp"),
            _text(a.rsvp).label("rsvp"),
            _text(a.attended).label("attended"),
            sa.literal(0).label("walk_in"),
        ).select_from(s)
    ).where(*in_scope(db, scope))
    others = (
        sa.select(
            col(a.session_id),
            col(a.person_id),
            sa.null().label("series_rsvp"),
            _text(a.rsvp),
            _text(a.attended),
            sa.literal(1).label("walk_in"),
        )
        .select_from(a)
        .join(s, col(s.id) == a.session_id)
        .where(*in_scope(db, scope), walked_in(a.person_id))
    )
    return sa.union_all(expected, others).subquery("pairs")


def rows_statement(db: Session, scope: Scope) -> Any:
    """The whole export as one ordered SELECT (circle, session start, person name)."""
    s, c, p = CircleSession, Circle, Person
    u = _pairs(db, scope)
    answer = sa.case(
        (sa.and_(u.c.rsvp.is_not(None), u.c.rsvp != Rsvp.NONE.value), u.c.rsvp),
        else_=sa.func.coalesce(u.c.series_rsvp, u.c.rsvp, Rsvp.NONE.value),
    )
    return (
        sa.select(
            col(c.name),
            _text(s.starts_at),
            col(c.timezone),
            col(s.title),
            col(s.id),
            col(p.id),
            col(p.name),
            col(p.email),
            col(p.team),
            answer,
            u.c.attended,
            # 0 or 1, never NULL (a session without a presenter makes the comparison NULL).
            sa.case((presented(u.c.person_id), 1), else_=0),
            u.c.walk_in,
        )
        .select_from(u)
        .join(s, col(s.id) == u.c.session_id)
        .join(c, col(c.id) == s.circle_id)
        .join(p, col(p.id) == u.c.person_id)
        .order_by(
            sa.func.lower(c.name), col(c.id), col(s.starts_at), col(s.id), col(p.name_folded), col(p.id)
        )
    )


def count_rows(db: Session, scope: Scope) -> int:
    """How many rows the export will have (one more pass over the data: only for a progress bar)."""
    return int(db.execute(sa.select(sa.func.count()).select_from(_pairs(db, scope))).scalar_one())


def _local_day(starts: str | datetime, tz: str) -> date:
    # SQLite hands back the stored UTC text, PostgreSQL an aware datetime.
    instant = datetime.fromisoformat(starts) if isinstance(starts, str) else starts
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(time_zone(tz)).date()


@dataclass(frozen=True, slots=True)
class CellStyle:
    """How a format wants its cells, applied while the rows stream (text once per distinct value)."""

    text: Callable[[str], Any]  # circle, title, person, email, team
    day: Callable[[date], Any]
    missing: Any  # an empty e-mail, team or attended
    flag: tuple[Any, Any]  # (no, yes): presenter, walk-in


RAW = CellStyle(text=lambda v: v, day=lambda d: d, missing=None, flag=(False, True))


def attendance_batches(
    db: Session, scope: Scope, *, batch: int = BATCH, style: CellStyle = RAW
) -> Iterator[list[tuple[Any, ...]]]:
    """Every row of the export, in order, as lists of ``batch`` rows (server-side cursor on
    PostgreSQL; SQLite steps through its result), so memory stays flat however many rows.

    Rows come in the ``style`` of the format that writes them: each session's cells and
    each person's cells are made once and reused, which keeps the per-row work small.
    """
    connection = db.connection()
    statement = rows_statement(db, scope)
    if connection.dialect.name == "sqlite":
        # sqlite3 steps through a result as it is fetched, so it streams as it is. Every
        # column is plain text or an integer, with nothing for SQLAlchemy to convert, so
        # the rows are read from the DBAPI cursor directly: a third of the export's time.
        result = connection.execute(statement)
        cursor = result.cursor
        parts: Iterator[Any] = iter(lambda: cursor.fetchmany(batch), [])
    else:
        # Options on the statement, not the connection, whose options would stay behind.
        result = connection.execute(statement.execution_options(stream_results=True, yield_per=batch))
        parts = result.partitions(batch)
    text, day, missing = style.text, style.day, style.missing
    flag = style.flag
    sessions: dict[int, tuple[Any, ...]] = {}
    people: dict[int, tuple[Any, ...]] = {}

    def session_cells(sid: int, circle: str, starts: str | datetime, tz: str, title: str) -> tuple[Any, ...]:
        if len(sessions) > 10_000:
            sessions.clear()  # rows come session by session: old sessions never return
        cells = sessions[sid] = (text(circle), day(_local_day(starts, tz)), text(title))
        return cells

    def person_cells(pid: int, name: str, email: str | None, team: str | None) -> tuple[Any, ...]:
        cells = (
            text(name),
            missing if email is None else text(email),
            missing if team is None else text(team),
        )
        if len(people) < 200_000:
            people[pid] = cells
        return cells

    session_known, person_known = sessions.get, people.get
    with result:
        for part in parts:
            # One comprehension per batch: the cheapest loop Python has, and the hot one.
            yield [
                (
                    *(session_known(sid) or session_cells(sid, circle, starts, tz, title)),
                    *(person_known(pid) or person_cells(pid, name, email, team)),
                    answer,
                    missing if attended is None else attended,
                    flag[is_presenter],
                    flag[is_walk_in],
                )
                for (
                    circle,
                    starts,
                    tz,
                    title,
                    sid,
                    pid,
                    name,
                    email,
                    team,
                    answer,
                    attended,
                    is_presenter,
                    is_walk_in,
                ) in part
            ]


def attendance_rows(db: Session, scope: Scope, *, batch: int = BATCH) -> Iterator[AttendanceRow]:
    """Every row of the export as :class:`AttendanceRow` values, one at a time."""
    for part in attendance_batches(db, scope, batch=batch):
        for row in part:
            yield AttendanceRow(*row)

"""The attendance CSV made by the database itself, so that Python only moves bytes.

The CSV is what writers.write_csv makes of rows.attendance_batches (every cell quoted, text
that a spreadsheet would run neutralised, the session's day local to its circle), byte for
byte: tests/test_export_attendance.py compares the two. Here the work per row is done in SQL:

- PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT csv, FORCE_QUOTE *)`` of a query that
  neutralises the text and takes each session's local day with ``AT TIME ZONE``, once per
  session and person (exports/attendance_copy.py, with the scope's conditions from
  participation.in_scope); each row's ending becomes CSV's CRLF on the way to the file.
- SQLite: each line is built by the query. What is per session (circle, local day, title) and
  per person (name, e-mail, team) is made once, in Python, by two SQL functions called while
  the query gathers sessions and people; the lines join them with the answer, the check-in and
  the presenter mark. The order comes from the indexes (circles by lower(name), sessions by
  circle and start), so only each session's people are sorted, and memory stays flat.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from datetime import date
from operator import itemgetter
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlmodel import Session, col

from circles.exports import attendance_copy
from circles.exports.cells import safe_text
from circles.exports.columns import HEADER, quoted
from circles.exports.rows import BATCH, _local_day
from circles.services.participation import Scope, expected_join, in_scope, walked_in
from circles.services.sql import literal_sql
from models.enums import Rsvp
from models.tables import AgendaItem, Attendance, Circle, CircleSession, Membership, Person

Tick = Callable[[int], None]

# The index that gives circles in the export's order (lower(name) is unique among circles).
CIRCLE_ORDER_INDEX = "uq_circle_name_lower"


def write_attendance_csv(db: Session, out: BinaryIO, scope: Scope, *, excel: bool, tick: Tick) -> int:
    """Write the attendance CSV of ``scope`` to ``out``; returns the number of rows."""
    if excel:
        out.write(codecs.BOM_UTF8)
    out.write(HEADER.encode("utf-8"))
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        written = _copy_out(connection, scope, db, out, tick)
    else:
        written = _sqlite_lines(connection, scope, db, out, tick)
    if not written:
        tick(0)
    return written


# --- PostgreSQL ------------------------------------------------------------------------------


def _copy_out(connection: Any, scope: Scope, db: Session, out: BinaryIO, tick: Tick) -> int:
    conditions = literal_sql(connection, sa.and_(*in_scope(db, scope)))
    with connection.connection.driver_connection.cursor() as cursor:
        return attendance_copy.copy_out(cursor, conditions, out, tick)


# --- SQLite ----------------------------------------------------------------------------------


def _session_cells(circle: str, starts: str, zone: str, title: str) -> str:
    day: date = _local_day(starts, zone)
    return f"{quoted(safe_text(circle))},{quoted(day.isoformat())},{quoted(safe_text(title))},"


def _person_cells(name: str, email: str | None, team: str | None) -> str:
    return f"{quoted(safe_text(name))},{quoted(safe_text(email or ''))},{quoted(safe_text(team or ''))},"


def lines_statement(db: Session, scope: Scope) -> Any:
    """SQL (SQLite): the export as (line, order keys...), each line a whole CSV row with its CRLF."""
    s, c, m, a, ai = CircleSession, Circle, Membership, Attendance, AgendaItem
    happened = in_scope(db, scope)  # once: the store's clock is read once for the whole export
    # Who presented, per session, as ",12,40,": a row's presenter mark is a substring test.
    agenda_presenters = (
        sa.select(sa.func.group_concat(ai.presenter_id, ","))
        .where(col(ai.session_id) == s.id)
        .scalar_subquery()
    )
    heads = (
        sa.select(
            col(s.id).label("session_id"),
            sa.func.circles_export_session(
                col(c.name),
                sa.type_coerce(s.starts_at, sa.String),
                col(c.timezone),
                col(s.title),
                type_=sa.String,
            ).label("cells"),
            (
                ","
                + sa.func.coalesce(sa.cast(s.presenter_id, sa.String), "")
                + ","
                + sa.func.coalesce(agenda_presenters, "")
                + ","
            ).label("presenters"),
        )
        .select_from(s)
        .join(c, col(c.id) == s.circle_id)
        .where(*happened)
        .cte("export_sessions")
    )
    people = sa.select(
        col(Person.id).label("id"),
        sa.func.circles_export_person(
            col(Person.name), col(Person.email), col(Person.team), type_=sa.String
        ).label("cells"),
        sa.func.row_number().over(order_by=(sa.func.lower(Person.name), col(Person.id))).label("n"),
    ).cte("export_people")

    def line(series: Any) -> Any:
        answer = sa.case(
            (sa.and_(col(a.rsvp).is_not(None), col(a.rsvp) != Rsvp.NONE), sa.type_coerce(a.rsvp, sa.String)),
            else_=sa.func.coalesce(series, sa.type_coerce(a.rsvp, sa.String), Rsvp.NONE.value),
        )
        mark = sa.case(
            (
                sa.func.instr(heads.c.presenters, "," + sa.cast(people.c.id, sa.String) + ",") > 0,
                '","yes"\r\n',
            ),
            else_='","no"\r\n',
        )
        text = (
            heads.c.cells
            + people.c.cells
            + '"'
            + answer
            + '","'
            + sa.func.coalesce(sa.type_coerce(a.attended, sa.String), "")
            + mark
        )
        return sa.type_coerce(text, sa.String).label("line")

    def keys() -> list[Any]:
        return [
            sa.func.lower(c.name).label("k1"),
            col(c.id).label("k2"),
            sa.type_coerce(s.starts_at, sa.String).label("k3"),
            col(s.id).label("k4"),
            people.c.n.label("k5"),
        ]

    sessions = sa.select().select_from(c).join(s, col(s.circle_id) == c.id)
    expected = (
        expected_join(sessions.add_columns(line(sa.type_coerce(Membership.default_rsvp, sa.String)), *keys()))
        .join(heads, heads.c.session_id == s.id)
        .join(people, people.c.id == m.person_id)
        .where(*happened)
    )
    others = (
        sessions.add_columns(line(sa.null()), *keys())
        .join(heads, heads.c.session_id == s.id)
        .join(a, col(a.session_id) == s.id)
        .join(people, people.c.id == a.person_id)
        .where(*happened, walked_in(a.person_id))
    )
    return sa.union_all(expected, others).order_by(*(sa.literal_column(f"k{i}") for i in range(1, 6)))


def _sqlite_lines(connection: Any, scope: Scope, db: Session, out: BinaryIO, tick: Tick) -> int:
    raw = connection.connection.driver_connection
    raw.create_function("circles_export_session", 4, _session_cells, deterministic=True)
    raw.create_function("circles_export_person", 3, _person_cells, deterministic=True)
    dialect = connection.dialect
    compiled = lines_statement(db, scope).compile(dialect=dialect)
    query = str(compiled)
    if _has_index(connection, CIRCLE_ORDER_INDEX):
        # Circles in order from their index: SQLite then sorts each session's people alone,
        # instead of the whole export (its planner does not always see it by itself).
        query = query.replace("FROM circle JOIN", f"FROM circle INDEXED BY {CIRCLE_ORDER_INDEX} JOIN")
    result = connection.exec_driver_sql(query, tuple(_bound(compiled, dialect)))
    cursor = result.cursor
    first = itemgetter(0)
    written = 0
    with result:
        for part in iter(lambda: cursor.fetchmany(BATCH), []):
            out.write("".join(map(first, part)).encode("utf-8"))
            written += len(part)
            tick(written)
    return written


def _bound(compiled: Any, dialect: Any) -> Iterator[Any]:
    """The statement's parameters in order, as the driver takes them (instants as UTC text)."""
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        yield bind.effective_value if process is None else process(bind.effective_value)


def _has_index(connection: Any, name: str) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).first()
    return found is not None

"""The attendance CSV made by the database itself, so that Python only moves bytes.

The CSV is what writers.write_csv makes of rows.attendance_batches (every cell quoted, text
that a spreadsheet would run neutralised, the session's day local to its circle), byte for
byte: tests/test_export_attendance.py compares the two. Here the work per row is done in SQL:

- PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT csv, FORCE_QUOTE *)`` of a query that
  neutralises the text and takes each session's local day with ``AT TIME ZONE``, once per
  session and person (see copy_statement); COPY sends one message per row, whose ending
  becomes CSV's CRLF on the way to the file.
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
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, col

from circles.exports.cells import DANGEROUS_FIRST, safe_text
from circles.exports.rows import BATCH, COLUMNS, _local_day
from circles.services.attendance import member_at_session
from circles.services.participation import Scope, expected_join, in_scope, walked_in
from circles.services.sql import literal_sql
from models.enums import Rsvp
from models.tables import AgendaItem, Attendance, Circle, CircleSession, Membership, Person

Tick = Callable[[int], None]

# The index that gives circles in the export's order (lower(name) is unique among circles).
CIRCLE_ORDER_INDEX = "uq_circle_name_lower"


def quoted(value: str) -> str:
    """One CSV cell as csv.writer quotes every cell: in double quotes, inner quotes doubled."""
    return '"' + value.replace('"', '""') + '"'


HEADER = ",".join(quoted(c) for c in COLUMNS) + "\r\n"


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


def _neutralised(text: Any) -> Any:
    """SQL: ``text`` made inert for a spreadsheet, as cells.safe_text does."""
    return sa.case(
        (sa.func.left(text, 1).in_(sorted(DANGEROUS_FIRST)), sa.literal("'") + text),
        else_=text,
    )


def copy_statement(db: Session, scope: Scope) -> Any:
    """The export's rows as the CSV's nine text cells, in order (rows.rows_statement's order).

    Shaped for PostgreSQL's executor, a million rows at a time, so that nothing is sorted
    but a few thousand sessions once and each session's few dozen people:
    - the sessions in scope come first, numbered in the export's order, with their cells
      (circle, local day, title) and who presents at them made once each;
    - then, per session (a LATERAL subquery), who was expected (the circle's memberships,
      by their circle index) and what was recorded (the session's attendance, by its
      (session_id, person_id) index) meet in a small full join on the person: a record with
      nobody expected is a walk-in. Each session's people are sorted there by their place in
      the export's order of people, read from one array made once (people numbered by
      lower(name), id, at the index of their id): a lookup, where a join would be hashed;
    - each person's cells (name, e-mail, team) are made once: the lookup by id is memoised.

    The order is the plan's, with no ORDER BY over the whole: the sessions come in their
    order (a subquery's ORDER BY is kept, and the LATERAL subqueries that depend on them
    can only be the inner side of nested loops, which keep the outer side's order), each
    with its people in theirs. An ORDER BY over the whole sorted a million wide rows (spilling
    to disk), or with the sessions known to be in order an Incremental Sort that still
    copied each row once more: a third of the server's time either way.
    """
    s, c, p, m, a, ai = CircleSession, Circle, Person, Membership, Attendance, AgendaItem
    happened = in_scope(db, scope)  # once: the store's clock is read once for the whole export
    ids = postgresql.ARRAY(sa.Integer)
    agenda_presenters = (
        sa.select(sa.func.array_agg(ai.presenter_id)).where(col(ai.session_id) == s.id).scalar_subquery()
    )
    heads = (
        sa.select(
            col(s.id).label("id"),
            col(s.circle_id).label("circle_id"),
            col(s.starts_at).label("starts_at"),
            col(s.presenter_id).label("presenter_id"),
            sa.type_coerce(agenda_presenters, ids).label("agenda_presenters"),
            sa.func.row_number()
            .over(order_by=(sa.func.lower(c.name), col(c.id), col(s.starts_at), col(s.id)))
            .label("n"),
            _neutralised(col(c.name)).label("circle"),
            sa.func.to_char(sa.func.timezone(c.timezone, s.starts_at), "YYYY-MM-DD").label("day"),
            _neutralised(col(s.title)).label("title"),
        )
        .select_from(s)
        .join(c, col(c.id) == s.circle_id)
        .where(*happened)
        .order_by(sa.literal_column("n"))
        .subquery("heads")
    )
    h = heads.c
    expected = (
        sa.select(
            col(m.person_id).label("person_id"),
            sa.type_coerce(m.default_rsvp, sa.String).label("series_rsvp"),
        )
        .where(member_at_session(m, h))
        .correlate(heads)
        .subquery("expected")
    )
    recorded = (
        sa.select(
            col(a.person_id).label("person_id"),
            sa.type_coerce(a.rsvp, sa.String).label("rsvp"),
            sa.type_coerce(a.attended, sa.String).label("attended"),
        )
        .where(col(a.session_id) == h.id)
        .correlate(heads)
        .subquery("recorded")
    )
    e, r = expected.c, recorded.c
    person_id = sa.func.coalesce(e.person_id, r.person_id)
    pairs = (
        sa.select(person_id.label("person_id"), e.series_rsvp, r.rsvp, r.attended)
        .select_from(expected.join(recorded, r.person_id == e.person_id, full=True))
        .order_by(sa.type_coerce(_people_order(), ids)[person_id])
        .lateral("pairs")
    )
    u = pairs.c
    people = (
        sa.select(
            _neutralised(col(p.name)).label("name"),
            _neutralised(sa.func.coalesce(p.email, "")).label("email"),
            _neutralised(sa.func.coalesce(p.team, "")).label("team"),
        )
        .where(col(p.id) == u.person_id)
        .correlate(pairs)
        .offset(0)  # a subquery of its own, whose answers per person are memoised
        .lateral("people")
    )
    answer = sa.case(
        (sa.and_(u.rsvp.is_not(None), u.rsvp != Rsvp.NONE.value), u.rsvp),
        else_=sa.func.coalesce(u.series_rsvp, u.rsvp, Rsvp.NONE.value),
    )
    presents = sa.or_(h.presenter_id == u.person_id, u.person_id == sa.any_(h.agenda_presenters))
    return (
        sa.select(
            h.circle,
            h.day,
            h.title,
            people.c.name,
            people.c.email,
            people.c.team,
            answer,
            sa.func.coalesce(u.attended, ""),
            sa.case((presents, "yes"), else_="no"),
        )
        .select_from(heads)
        .join(pairs, sa.true())
        .join(people, sa.true())
    )


def _people_order() -> Any:
    """SQL: every person's place in the export's order of people (lower(name), then id), as
    an array indexed by person id (0 where no person has that id), made once per export."""
    p = Person
    numbered = sa.select(
        col(p.id).label("id"),
        sa.func.row_number().over(order_by=(sa.func.lower(p.name), col(p.id))).label("n"),
    ).subquery("numbered")
    last = sa.select(sa.func.max(p.id)).scalar_subquery()
    ids = sa.func.generate_series(1, last).table_valued("i").render_derived(name="ids")
    return (
        sa.select(sa.func.array_agg(aggregate_order_by(sa.func.coalesce(numbered.c.n, 0), ids.c.i)))
        .select_from(ids.join(numbered, numbered.c.id == ids.c.i, isouter=True))
        .scalar_subquery()
    )


# Settings for the export's own transaction (SET LOCAL: gone when it ends, so the pooled
# connection goes back as it was). JIT compiles the million-row plan for seconds and saves
# less than that; 64 MB lets the final sort merge its spilled runs in fewer passes.
COPY_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")


def _copy_out(connection: Any, scope: Scope, db: Session, out: BinaryIO, tick: Tick) -> int:
    # COPY takes no parameters: the values (the scope's instants, the enum texts) are written in.
    query = literal_sql(connection, copy_statement(db, scope))
    cursor = connection.connection.driver_connection.cursor()
    for setting in COPY_SETTINGS:
        cursor.execute(setting)
    written = 0
    with cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)") as copy:
        lines: list[bytes] = []
        for row in copy:
            # One message per row, ending in "\n" (a newline inside a cell is quoted within it).
            lines.append(bytes(row[:-1]))
            if len(lines) == BATCH:
                written += _write_crlf(out, lines)
                tick(written)
        if lines:
            written += _write_crlf(out, lines)
            tick(written)
    return written


def _write_crlf(out: BinaryIO, lines: list[bytes]) -> int:
    out.write(b"\r\n".join(lines) + b"\r\n")
    n = len(lines)
    lines.clear()
    return n


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

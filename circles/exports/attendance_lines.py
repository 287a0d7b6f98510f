"""The attendance CSV on SQLite: one query whose every row is a whole CSV line, in order, written
to the file as it comes. Plain sqlite3 and SQL text, no SQLAlchemy: a whole-store export from
the command line runs it before the store's modules load (0.6 s of imports and 50 MB, a
sixth of the export of the large store; circles/cli/export_attendance.py), and the store runs
it too (circles/exports/attendance_csv.py) with the scope's conditions written by
participation.py.

The bytes are what writers.write_csv makes of rows.attendance_batches (every cell quoted,
text that a spreadsheet would run neutralised, the session's day local to its circle):
tests/test_export_attendance_csv.py compares the two. Who is expected (a membership covering
the session's start), the effective answer and who presented are participation.py's rules,
written out here in SQL; that test fails if the two part.

What is per session (circle, local day, title) and per person (name, e-mail, team) is made
once, in Python, by two SQL functions called while the query gathers sessions and people; the
lines join them with the answer, the check-in and the presenter mark. The order comes from the
indexes (circles by lower(name), sessions by circle and start), so only each circle's rows are
sorted, and memory stays flat.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from circles.exports.cells import safe_text
from circles.exports.columns import Tick, quoted, write_framed
from circles.held import held_by
from circles.zones import time_zone

BATCH = 5000
# The index that gives circles in the export's order (lower(name) is unique among circles).
CIRCLE_ORDER_INDEX = "uq_circle_name_lower"

# Each line: the session's cells, the person's, then the answer (the session's own unless it is
# 'none', else the series answer of a member), the check-in and whether they presented (the
# session's presenter or an agenda item's: a substring test on ",12,40,"), with the walk-in
# mark and the line's end: {ending} names the pair of endings (a member's, or a walk-in's, as
# each part of the query has only one kind of row).
_LINE = """
export_sessions.cells || export_people.cells || '"'
|| CASE WHEN attendance.rsvp IS NOT NULL AND attendance.rsvp != 'none' THEN attendance.rsvp
        ELSE coalesce({series}, attendance.rsvp, 'none') END
|| '","' || coalesce(attendance.attended, '')
|| CASE WHEN instr(export_sessions.presenters, ',' || export_people.id || ',') > 0
        THEN :{ending}_presenter ELSE :{ending}_not_presenter END AS line,
lower(circle.name) AS k1, circle.id AS k2, circle_session.starts_at AS k3, circle_session.id AS k4,
export_people.n AS k5
"""
_MEMBER_AT_SESSION = """
{m}.circle_id = circle_session.circle_id AND {m}.joined_at <= circle_session.starts_at
AND ({m}.left_at IS NULL OR {m}.left_at > circle_session.starts_at)
"""
# {circles}: the circle table, read in the order of CIRCLE_ORDER_INDEX where it is there.
QUERY = f"""
WITH export_sessions AS (
    SELECT circle_session.id AS session_id,
           circles_export_session(circle.name, circle_session.starts_at, circle.timezone,
                                  circle_session.title) AS cells,
           ',' || coalesce(circle_session.presenter_id, '') || ','
           || coalesce((SELECT group_concat(agenda_item.presenter_id, ',') FROM agenda_item
                        WHERE agenda_item.session_id = circle_session.id), '') || ',' AS presenters
    FROM circle_session JOIN circle ON circle.id = circle_session.circle_id
    WHERE {{scope}}
),
export_people AS (
    SELECT person.id AS id,
           circles_export_person(person.name, person.email, person.team) AS cells,
           row_number() OVER (ORDER BY person.name_folded, person.id) AS n
    FROM person
)
SELECT {_LINE.format(series="membership.default_rsvp", ending="member")}
FROM {{circles}} JOIN circle_session ON circle_session.circle_id = circle.id
JOIN membership ON {_MEMBER_AT_SESSION.format(m="membership")}
LEFT JOIN attendance ON attendance.session_id = circle_session.id
     AND attendance.person_id = membership.person_id
JOIN export_sessions ON export_sessions.session_id = circle_session.id
JOIN export_people ON export_people.id = membership.person_id
WHERE {{scope}}
UNION ALL
SELECT {_LINE.format(series="NULL", ending="walk_in")}
FROM {{circles}} JOIN circle_session ON circle_session.circle_id = circle.id
JOIN export_sessions ON export_sessions.session_id = circle_session.id
JOIN attendance ON attendance.session_id = circle_session.id
JOIN export_people ON export_people.id = attendance.person_id
WHERE {{scope}} AND NOT EXISTS (
    SELECT 1 FROM membership AS member WHERE {_MEMBER_AT_SESSION.format(m="member")}
    AND member.person_id = attendance.person_id
)
ORDER BY k1, k2, k3, k4, k5
"""
# The presenter mark, the walk-in mark and the line's end (csv.writer ends a row with "\r\n").
_ENDINGS = {
    "member_presenter": '","yes","no"\r\n',
    "member_not_presenter": '","no","no"\r\n',
    "walk_in_presenter": '","yes","yes"\r\n',
    "walk_in_not_presenter": '","no","yes"\r\n',
}


def local_day(starts: str, zone: str) -> date:
    """The day a session starting at ``starts`` (stored UTC text) falls on in ``zone``."""
    return datetime.fromisoformat(starts).replace(tzinfo=UTC).astimezone(time_zone(zone)).date()


def _session_cells(circle: str, starts: str, zone: str, title: str) -> str:
    day = local_day(starts, zone)
    return f"{quoted(safe_text(circle))},{quoted(day.isoformat())},{quoted(safe_text(title))},"


def _person_cells(name: str, email: str | None, team: str | None) -> str:
    return f"{quoted(safe_text(name))},{quoted(safe_text(email or ''))},{quoted(safe_text(team or ''))},"


def happened(connection: sqlite3.Connection, now: datetime) -> str:
    """SQL: the sessions of the whole store held by ``now`` (circles/held.py's rule)."""
    return held_by("sqlite", now, lambda sql: [i for (i,) in connection.execute(sql)])


def connect(path: Path) -> sqlite3.Connection | None:
    """A read-only sqlite3 connection to the store at ``path``, if it is at this version's schema;
    None when the store has to be opened instead (no such file, another schema, a damaged file:
    the store says what is wrong)."""
    from models.location import read_only_uri
    from models.schema import SCHEMA_HEAD

    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        if connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]:
            return connection
    except sqlite3.Error:
        pass
    connection.close()
    return None


def write_csv(connection: sqlite3.Connection, scope: str, out: BinaryIO, *, excel: bool, tick: Tick) -> int:
    """The whole CSV of ``scope``: byte order mark (``excel``), header and rows; returns the rows."""
    return write_framed(out, excel=excel, tick=tick, rows=lambda: write_lines(connection, scope, out, tick))


def _add_functions(connection: sqlite3.Connection) -> None:
    connection.create_function("circles_export_session", 4, _session_cells, deterministic=True)
    connection.create_function("circles_export_person", 3, _person_cells, deterministic=True)


def write_lines(connection: sqlite3.Connection, scope: str, out: BinaryIO, tick: Tick) -> int:
    """Write the rows of the export of ``scope`` (SQL conditions on circle_session) to ``out``
    with a sqlite3 connection; returns how many."""
    _add_functions(connection)
    circles = "circle"
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (CIRCLE_ORDER_INDEX,)
    ).fetchone()
    if found is not None:
        # Circles in order from their index: SQLite then sorts each circle's rows alone,
        # instead of the whole export (its planner does not always see it by itself).
        circles = f"circle INDEXED BY {CIRCLE_ORDER_INDEX}"
    cursor = connection.execute(QUERY.format(scope=scope, circles=circles), _ENDINGS)
    first = itemgetter(0)
    written = 0
    try:
        for part in iter(lambda: cursor.fetchmany(BATCH), []):
            out.write("".join(map(first, part)).encode("utf-8"))
            written += len(part)
            tick(written)
    finally:
        cursor.close()
    return written


def count_rows(connection: sqlite3.Connection, scope: str) -> int:
    """How many rows the export of ``scope`` has (one more pass, for a progress total)."""
    _add_functions(connection)
    query = QUERY.format(scope=scope, circles="circle")
    found = connection.execute(f"SELECT count(*) FROM ({query}) AS export", _ENDINGS).fetchone()
    return int(found[0])

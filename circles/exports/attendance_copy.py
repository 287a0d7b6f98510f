"""The attendance CSV on PostgreSQL: one COPY of a query that makes every line, in order, and
joins each session's lines into one value, which goes to the file as it comes; from the command
line two such COPYs on two connections sharing one snapshot, each making every other block of
sessions, so that two server backends work at once (exports/attendance_parts.py). Plain psycopg
and SQL text, no SQLAlchemy: a whole-store export from the command line runs it before the
store's modules load (half a second of imports, a third of the export;
circles/cli/export_attendance.py), and the store runs it too (circles/exports/attendance_csv.py)
with the scope's conditions written by participation.py.

The bytes are what writers.write_csv makes of rows.attendance_batches (every cell quoted,
text that a spreadsheet would run neutralised, the session's day local to its circle):
tests/test_export_attendance_csv.py compares the two. Who is expected (a membership covering
the session's start), the effective answer and who presented are participation.py's rules,
written out here in SQL; that test fails if the two part.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO

from circles.exports import attendance_parts
from circles.exports.cells import DANGEROUS_FIRST
from circles.exports.columns import Tick, write_framed
from circles.held import held_by

SESSIONS_AT_ONCE = 200  # written to the file together: a few thousand rows
# Opens another read-only connection to the same store (None when it cannot).
Another = Callable[[], Any | None]
# The first characters that make a spreadsheet run a cell (cells.safe_text), as code points.
_DANGEROUS = ", ".join(str(ord(c)) for c in sorted(DANGEROUS_FIRST))


def _safe(text: str) -> str:
    """SQL: ``text`` made inert for a spreadsheet, as cells.safe_text does (ascii('') is 0)."""
    return f"CASE WHEN ascii({text}) IN ({_DANGEROUS}) THEN '''' || {text} ELSE {text} END"


def _quoted(text: str) -> str:
    """SQL: ``text`` as one CSV cell, as csv.writer quotes every cell (columns.quoted)."""
    return "'\"' || replace(" + text + ", '\"', '\"\"') || '\"'"


# Shaped for PostgreSQL's executor, a million rows at a time, so that nothing is sorted but
# the sessions in scope (a few thousand) once and each session's few dozen people:
# - the sessions come first, numbered in the export's order, with their cells (circle, local
#   day, title) and who presents at them (the presenter, the agenda's) made once each;
# - then, per session (a LATERAL subquery), who was expected (the circle's memberships, by
#   their circle index) and what was recorded (the session's attendance, by its (session_id,
#   person_id) index) meet in a small full join on the person: a record with nobody
#   expected is a walk-in. Each session's people are sorted there by their place in the
#   export's order of people (their folded name, then id), read from one array made once, at the
#   index of their id: a lookup, where a join would be hashed again for every session;
# - each person's cells (name, e-mail, team) are made once: the lookup by id, a subquery of
#   its own (OFFSET 0), is memoised.
# The sessions are numbered over the whole scope first (``numbered``), then kept to one part's
# ({part}: every other block of SESSIONS_AT_ONCE sessions when two connections share the work,
# attendance_parts.py), and only then are their cells and presenters made: once per session
# of the part. The ORDER BY on ``heads`` keeps it a subquery of its own in that order; without
# it the presenters' subquery was run again on every row (over twice the server's time).
# The order is the plan's, without an ORDER BY over the whole: a subquery's ORDER BY is kept,
# and LATERAL subqueries that depend on it can only be the inner side of nested loops, which
# keep their outer side's order. An ORDER BY over the whole sorted a million wide rows
# (spilling to disk), or, told the sessions were in order, sorted each session's rows again
# in an Incremental Sort: a third of the server's time either way.
# Each row of the export, in order: its session (n) and that session's cells (``head``, made
# once per session), then the rest of its line: the person's cells (made once per person, with
# the answer's opening quote), the answer, the check-in, the presenter mark and the walk-in mark
# (nobody expected: only a member's series answer is never NULL) with the line's end (words of
# a fixed few, never quoted inside; the marks and the end are one constant). The
# session's cells are not put on each line here: QUERY puts them between the lines.
ROWS = f"""
SELECT heads.n, heads.cells AS head, people.cells
       || CASE WHEN pairs.rsvp IS NOT NULL AND pairs.rsvp != 'none' THEN pairs.rsvp
               ELSE coalesce(pairs.series_rsvp, pairs.rsvp, 'none') END
       || '","' || coalesce(pairs.attended, '')
       || CASE WHEN heads.presenter_id = pairs.person_id OR pairs.person_id = ANY (heads.presenters)
               THEN CASE WHEN pairs.series_rsvp IS NULL THEN E'","yes","yes"\\r\\n'
                         ELSE E'","yes","no"\\r\\n' END
               ELSE CASE WHEN pairs.series_rsvp IS NULL THEN E'","no","yes"\\r\\n'
                         ELSE E'","no","no"\\r\\n' END END AS line
FROM (
    SELECT numbered.id, numbered.circle_id, numbered.starts_at, numbered.presenter_id, numbered.n,
           (SELECT array_agg(agenda_item.presenter_id) FROM agenda_item
            WHERE agenda_item.session_id = numbered.id) AS presenters,
           {_quoted(_safe("numbered.circle_name"))} || ','
           || {_quoted("to_char(numbered.starts_at AT TIME ZONE numbered.timezone, 'YYYY-MM-DD')")}
           || ',' || {_quoted(_safe("numbered.title"))} || ',' AS cells
    FROM (
        SELECT circle_session.id, circle_session.circle_id, circle_session.starts_at,
               circle_session.presenter_id, circle_session.title, circle.name AS circle_name,
               circle.timezone,
               row_number() OVER (ORDER BY lower(circle.name), circle.id, circle_session.starts_at,
                                           circle_session.id) AS n
        FROM circle_session JOIN circle ON circle.id = circle_session.circle_id
        WHERE {{scope}}
        ORDER BY n
    ) AS numbered
    WHERE {{part}}
    ORDER BY numbered.n
) AS heads
CROSS JOIN LATERAL (
    SELECT coalesce(expected.person_id, recorded.person_id) AS person_id,
           expected.series_rsvp, recorded.rsvp, recorded.attended
    FROM (
        SELECT membership.person_id, membership.default_rsvp AS series_rsvp FROM membership
        WHERE membership.circle_id = heads.circle_id AND membership.joined_at <= heads.starts_at
          AND (membership.left_at IS NULL OR membership.left_at > heads.starts_at)
    ) AS expected
    FULL JOIN (
        SELECT attendance.person_id, attendance.rsvp, attendance.attended FROM attendance
        WHERE attendance.session_id = heads.id
    ) AS recorded ON recorded.person_id = expected.person_id
    ORDER BY (
        SELECT array_agg(coalesce(numbered.n, 0) ORDER BY ids.i)
        FROM generate_series(1, (SELECT max(person.id) FROM person)) AS ids (i)
        LEFT JOIN (
            SELECT person.id, row_number() OVER (ORDER BY person.name_folded, person.id) AS n
            FROM person
        ) AS numbered ON numbered.id = ids.i
    )[coalesce(expected.person_id, recorded.person_id)]
) AS pairs
CROSS JOIN LATERAL (
    SELECT {_quoted(_safe("person.name"))} || ','
           || {_quoted(_safe("coalesce(person.email, '')"))} || ','
           || {_quoted(_safe("coalesce(person.team, '')"))} || ',"' AS cells
    FROM person WHERE person.id = pairs.person_id
    OFFSET 0
) AS people
"""
# Each session's lines as one value (bytes: nothing decoded), with how many: the client moves
# a few thousand values, where a COPY of the rows sends each of a million rows as a message of
# its own, which Python then handled one by one (half the export's processor time). Each
# session's lines are joined in the order ROWS gives them, and the sessions come in it: a
# GROUP BY over input already in its order is a group aggregate, no sort.
# The session's cells go between its lines as string_agg's separator, and once before the
# first (the one place string_agg puts no separator): appended by the aggregate rather than
# concatenated onto each line first, a copy fewer per row. min() is the cheapest way to have
# a value the group shares (the cells are the same on each of its rows); COLLATE "C" makes
# its comparison a plain byte comparison, whatever the database's collation.
QUERY = f"""
SELECT rows.n, convert_to(min(rows.head COLLATE "C") || string_agg(rows.line, rows.head), 'UTF8'),
       count(*)
FROM ({ROWS}) AS rows
GROUP BY rows.n
ORDER BY rows.n
"""

# Settings for the export's own transaction (SET LOCAL: gone when it ends, so a pooled
# connection goes back as it was): JIT compiles the million-row plan for longer than it saves.
SETTINGS = ("SET LOCAL jit = off",)


def happened(cursor: Any, now: datetime) -> str:
    """SQL: the sessions of the whole store held by ``now`` (circles/held.py's rule), asked on
    the psycopg ``cursor``."""
    return held_by("postgresql", now, lambda sql: [i for (i,) in cursor.execute(sql).fetchall()])


def connect(setting: str) -> Any | None:
    """A read-only psycopg connection to the PostgreSQL store ``setting`` (a --db value) names,
    if it is at this version's schema; None when the store has to be opened instead (not a
    PostgreSQL URL, no server, a database to upgrade: the store says what is wrong)."""
    from circles.glance_postgres import CONNECT_TIMEOUT_SECONDS, postgres_conninfo
    from models.schema import SCHEMA_HEAD

    conninfo = postgres_conninfo(setting)
    if conninfo is None:
        return None
    import psycopg

    try:
        connection = psycopg.connect(
            conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS, prepare_threshold=None
        )
    except (psycopg.Error, ValueError):
        return None
    try:
        connection.read_only = True
        # One snapshot for the export's every statement (the sessions held, the count, the
        # rows), which a second connection can share (copy_out).
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        if connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]:
            connection.rollback()  # the check's transaction: the export's starts afresh
            return connection
    except psycopg.Error:
        pass
    connection.close()
    return None


# How many rows the export of a scope has, without making them: each session's full join of
# who was expected (E) and what was recorded (R) has |E| + |R| rows less one for each record
# that met anyone expected (an expected person meets at most one record: attendance is unique
# per session and person). Three counts over hash joins, where counting ROWS ran its
# per-session joins and sorts (1.5 s of a 4.8 s export of the large demo from a terminal).
_SESSIONS = "circle_session JOIN circle ON circle.id = circle_session.circle_id"
_COVERS = """membership.circle_id = circle_session.circle_id
  AND membership.joined_at <= circle_session.starts_at
  AND (membership.left_at IS NULL OR membership.left_at > circle_session.starts_at)"""
COUNT = f"""
SELECT (SELECT count(*) FROM {_SESSIONS} JOIN membership ON {_COVERS} WHERE {{scope}})
     + (SELECT count(*) FROM {_SESSIONS} JOIN attendance ON attendance.session_id = circle_session.id
        WHERE {{scope}})
     - (SELECT count(*) FROM {_SESSIONS} JOIN attendance ON attendance.session_id = circle_session.id
        WHERE {{scope}} AND EXISTS (SELECT FROM membership
                                   WHERE {_COVERS} AND membership.person_id = attendance.person_id))
"""


def count_rows(cursor: Any, scope: str) -> int:
    """How many rows the export of ``scope`` has (one more pass, for a progress total)."""
    found = cursor.execute(COUNT.format(scope=scope)).fetchone()
    return int(found[0])


def write_csv(
    cursor: Any, scope: str, out: BinaryIO, *, excel: bool, tick: Tick, another: Another | None = None
) -> int:
    """The whole CSV of ``scope``: byte order mark (``excel``), header and rows; returns the rows."""
    return write_framed(
        out, excel=excel, tick=tick, rows=lambda: copy_out(cursor, scope, out, tick, another=another)
    )


def copy_out(cursor: Any, scope: str, out: BinaryIO, tick: Tick, *, another: Another | None = None) -> int:
    """Write the rows of the export of ``scope`` (SQL conditions on circle_session) to ``out``
    with a psycopg cursor inside a transaction; returns how many. With ``another``, which opens
    a second connection, and a REPEATABLE READ transaction, two backends make it at once."""
    helper = _sharing_snapshot(cursor, another) if another is not None else None
    try:
        cursors = [cursor] if helper is None else [cursor, helper.cursor()]
        for each in cursors:
            for setting in SETTINGS:
                each.execute(setting)
        # COPY takes no parameters: the scope's values are written in. Binary, so that each
        # session's lines come as the bytes they are (psycopg reads the format's framing).
        queries = [
            f"COPY ({QUERY.format(scope=scope, part=_part(i, len(cursors)))}) TO STDOUT (FORMAT binary)"
            for i in range(len(cursors))
        ]
        return attendance_parts.write_parts(cursors, queries, out, tick, SESSIONS_AT_ONCE)
    finally:
        if helper is not None:
            helper.close()


def _part(part: int, parts: int) -> str:
    """SQL: the sessions of part ``part`` of ``parts``: every ``parts``-th block, by number."""
    if parts == 1:
        return "true"
    return f"(numbered.n - 1) / {SESSIONS_AT_ONCE} % {parts} = {part}"


def _sharing_snapshot(cursor: Any, another: Another) -> Any | None:
    """A second connection that sees what ``cursor``'s transaction sees (its snapshot), in a
    transaction of its own; None when there is none to be had or the transaction's statements
    each see their own moment (READ COMMITTED: the two would not see the same rows)."""
    import psycopg

    found = cursor.execute("SHOW transaction_isolation").fetchone()
    if found is None or found[0] != "repeatable read":
        return None
    snapshot = cursor.execute("SELECT pg_export_snapshot()").fetchone()[0]
    helper = another()
    if helper is None:
        return None
    try:
        helper.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        helper.read_only = True
        helper.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # a name the server made
    except psycopg.Error:
        helper.close()
        return None
    return helper

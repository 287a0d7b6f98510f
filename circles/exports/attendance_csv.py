"""The attendance CSV made by the database itself, so that Python only moves bytes.

The CSV is what writers.write_csv makes of rows.attendance_batches (every cell quoted, text
that a spreadsheet would run neutralised, the session's day local to its circle), byte for
byte: tests/test_export_attendance.py compares the two. Here the work per row is done in SQL:

- PostgreSQL: a binary ``COPY (SELECT ...) TO STDOUT`` of a query that neutralises and quotes
  the text and takes each session's local day with ``AT TIME ZONE``, once per session and
  person, and joins each session's lines into one value (exports/attendance_copy.py, with the
  scope's conditions from participation.in_scope).
- SQLite: each line is built by the query, whose per-session and per-person cells are made
  once each (exports/attendance_lines.py, with the scope's conditions from
  participation.in_scope).
"""

from __future__ import annotations

from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlmodel import Session

from circles.exports import attendance_copy, attendance_lines
from circles.exports.columns import Tick, write_framed
from circles.services.participation import Scope, in_scope
from circles.services.sql import literal_sql


def write_attendance_csv(db: Session, out: BinaryIO, scope: Scope, *, excel: bool, tick: Tick) -> int:
    """Write the attendance CSV of ``scope`` to ``out``; returns the number of rows."""
    connection = db.connection()
    lines = _copy_out if connection.dialect.name == "postgresql" else _sqlite_lines
    return write_framed(out, excel=excel, tick=tick, rows=lambda: lines(connection, scope, db, out, tick))


# --- PostgreSQL ------------------------------------------------------------------------------


def _copy_out(connection: Any, scope: Scope, db: Session, out: BinaryIO, tick: Tick) -> int:
    conditions = literal_sql(connection, sa.and_(*in_scope(db, scope)))
    with connection.connection.driver_connection.cursor() as cursor:
        return attendance_copy.copy_out(cursor, conditions, out, tick)


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_lines(connection: Any, scope: Scope, db: Session, out: BinaryIO, tick: Tick) -> int:
    conditions = literal_sql(connection, sa.and_(*in_scope(db, scope)))
    return attendance_lines.write_lines(connection.connection.driver_connection, conditions, out, tick)

"""A session counts as held once it has ended or its attendance has been taken (circles/held.py),
not from its first minute: a session under way with nobody checked in yet is in no report,
participation figure or attendance export, on either backend and by every way the store asks.

The history is tests/attendance_fixture.py's: S5 starts Tuesday 10 March 11:00 UTC and lasts
60 minutes; Ana answered yes to it (an RSVP, an attendance row that is no check-in)."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from circles.exports import attendance_copy, attendance_lines
from circles.exports.attendance import write_attendance
from circles.exports.rows import count_rows
from circles.services import attendance, reports, sessions, success
from circles.services.participation import Scope, in_scope
from models.enums import SessionStatus
from models.store import Store
from models.tables import CircleSession
from tests.attendance_fixture import History, build
from tests.conftest import FixedClock

S5_STARTS = datetime(2026, 3, 10, 11, tzinfo=UTC)
ROWS_BEFORE = 14  # the export's rows of S1..S4 and the Night Owls' session
S5_ROWS = 3  # Ana, Cy and Dee were members at S5's start


@pytest.fixture
def history(store: Store) -> History:
    return build(store)


@dataclass(frozen=True)
class Seen:
    """Whether each part counts S5 as held."""

    in_scope: bool  # participation.in_scope, which every report and the rows export take
    report_session: bool  # the participation report's point for the session
    success_month: bool  # the success report's (Organisation's) participation in March
    expected: int  # the success report's participation denominator
    export_rows: int  # rows of the attendance CSV the store makes (SQL text, values written in)
    rows_counted: int  # rows of the export as the rows path counts them (bound values)
    whole_store_rows: int  # rows of the whole store's CSV made before the store loads


def _seen(store: Store, history: History, clock: FixedClock) -> Seen:
    with store.read() as db:
        held = set(db.exec(select(col(CircleSession.id)).where(*in_scope(db, Scope()))))
        points = reports.participation_over_time(db, Scope(circle_id=history.rust))
        report = success.success_report(db, Scope())
        counted = count_rows(db, Scope())
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope())
    return Seen(
        in_scope=history.s["S5"] in held,
        report_session="2026-03-10" in {p.period for p in points},
        success_month="2026-03" in {p.period for p in report.participation},
        expected=report.expected,
        export_rows=out.getvalue().count(b"\r\n") - 1,
        rows_counted=counted,
        whole_store_rows=_whole_store_rows(store, clock()),
    )


def _whole_store_rows(store: Store, now: datetime) -> int:
    """The rows of the whole store's CSV as the command line makes it before the store's modules
    load (psycopg's COPY, or sqlite3), by ``now``."""
    out = io.BytesIO()
    connection: Any
    if store.engine.dialect.name == "postgresql":
        connection = attendance_copy.connect(store.url.render_as_string(hide_password=False))
        assert connection is not None
        with closing(connection):
            cursor = connection.cursor()
            scope = attendance_copy.happened(cursor, now)
            return attendance_copy.write_csv(cursor, scope, out, excel=False, tick=lambda n: None)
    assert store.url.database is not None
    connection = attendance_lines.connect(Path(store.url.database))
    assert connection is not None
    with closing(connection):
        scope = attendance_lines.happened(connection, now)
        return attendance_lines.write_csv(connection, scope, out, excel=False, tick=lambda n: None)


def _not_held(seen: Seen, expected_before: int) -> None:
    assert not seen.in_scope and not seen.report_session and not seen.success_month, seen
    assert seen.expected == expected_before, seen
    assert seen.export_rows == seen.rows_counted == seen.whole_store_rows == ROWS_BEFORE, seen


def _held(seen: Seen, expected_before: int) -> None:
    assert seen.in_scope and seen.report_session and seen.success_month, seen
    assert seen.expected == expected_before + S5_ROWS, seen
    assert seen.export_rows == seen.rows_counted == seen.whole_store_rows == ROWS_BEFORE + S5_ROWS, seen


def _expected_before(store: Store) -> int:
    with store.read() as db:
        return success.success_report(db, Scope()).expected


def _check_in_cy(db: Session, history: History) -> None:
    attendance.check_in(db, session_id=history.s["S5"], person_id=history.p["cy"], attended="present")


def _record_held(db: Session, history: History) -> None:
    sessions.update_session(db, sessions.get_session(db, history.s["S5"]), status=SessionStatus.HELD)


@pytest.mark.parametrize("take", [_check_in_cy, _record_held], ids=["checked-in", "recorded-held"])
def test_a_session_under_way_is_held_once_its_attendance_is_taken(
    store: Store, history: History, clock: FixedClock, take: Callable[[Session, History], None]
) -> None:
    """30 minutes into S5, its check-in not taken yet (Ana's yes is no check-in), it is not held:
    with it, the month's participation would read 0 of 3. Once someone is checked in, or it is
    recorded held, it is."""
    before = _expected_before(store)
    clock.now = S5_STARTS + timedelta(minutes=30)
    _not_held(_seen(store, history, clock), before)
    with store.write() as db:
        take(db, history)
    _held(_seen(store, history, clock), before)


def test_a_session_that_ended_is_held_with_nobody_checked_in(
    store: Store, history: History, clock: FixedClock
) -> None:
    before = _expected_before(store)
    clock.now = S5_STARTS + timedelta(minutes=59, seconds=59)  # a second before it ends
    _not_held(_seen(store, history, clock), before)
    clock.now = S5_STARTS + timedelta(minutes=60)  # it ends
    _held(_seen(store, history, clock), before)
    clock.now = S5_STARTS + timedelta(minutes=61)  # it ended a minute ago
    _held(_seen(store, history, clock), before)


def test_a_longer_session_is_held_when_it_ends(store: Store, history: History, clock: FixedClock) -> None:
    """Its own length, not the usual hour: a whole day's session (the longest there is) is not
    held an hour in, nor 23 hours in, and is at its end."""
    before = _expected_before(store)
    with store.write() as db:
        sessions.update_session(db, sessions.get_session(db, history.s["S5"]), minutes=24 * 60)
    for hours in (1, 23):
        clock.now = S5_STARTS + timedelta(hours=hours)
        _not_held(_seen(store, history, clock), before)
    clock.now = S5_STARTS + timedelta(hours=24)
    _held(_seen(store, history, clock), before)

"""The whole store's attendance CSV on PostgreSQL, made by two server backends at once
(circles/exports/attendance_parts.py): the same bytes in the same order, from one snapshot,
and nothing left running when the file cannot be written."""

from __future__ import annotations

import errno
import io
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from circles.exports import attendance_copy, attendance_parts
from circles.services.participation import Scope
from models.store import Store
from models.tables import Person
from tests.conftest import FixedClock
from tests.test_export_attendance_csv import _awkward, _on_the_system_clock


def _postgres_only(store: Store) -> str:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("two server backends sharing a snapshot: PostgreSQL only")
    return store.url.render_as_string(hide_password=False)


def _no_readers_left() -> bool:
    return not any(isinstance(t, attendance_parts.PartReader) for t in threading.enumerate())


def test_two_connections_write_the_stores_csv_as_of_one_moment(
    store: Store, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _postgres_only(store)
    _awkward(store, clock)  # three sessions
    # Each session a block of its own: the first connection makes the first and the third,
    # the second connection the second, and the file has them in turn.
    monkeypatch.setattr(attendance_copy, "SESSIONS_AT_ONCE", 1)
    expected = _on_the_system_clock(store, Scope())
    helpers: list[Any] = []

    def another() -> Any:
        # Someone renames a person the export has on every session after the export began:
        # the second connection must see the store as the first one does, without it.
        with store.write() as db:
            db.execute(sa.update(Person).where(sa.column("name") == "@Handle").values(name="Renamed"))
        helpers.append(attendance_copy.connect(url))
        return helpers[-1]

    connection = attendance_copy.connect(url)
    assert connection is not None
    out = io.BytesIO()
    with connection:
        cursor = connection.cursor()
        held = attendance_copy.happened(cursor, datetime.now(UTC))
        written = attendance_copy.write_csv(
            cursor, held, out, excel=False, tick=lambda n: None, another=another
        )
    assert len(helpers) == 1 and helpers[0] is not None, "the second connection was asked for once"
    assert helpers[0].closed
    assert written == 15
    assert out.getvalue() == expected
    assert b"Renamed" in _on_the_system_clock(store, Scope())  # the change itself was kept
    assert _no_readers_left()


def test_a_full_disk_mid_export_leaves_no_reader_and_the_connection_usable(
    store: Store, clock: FixedClock, full_disk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _postgres_only(store)
    _awkward(store, clock)
    # Blocks of one session, one waiting per part: the first part's reader is still handing
    # over its second block when the first write fails, and must be told to stop.
    monkeypatch.setattr(attendance_copy, "SESSIONS_AT_ONCE", 1)
    monkeypatch.setattr(attendance_parts, "WAITING_BLOCKS", 1)
    helpers: list[Any] = []

    def another() -> Any:
        helpers.append(attendance_copy.connect(url))
        return helpers[-1]

    connection = attendance_copy.connect(url)
    assert connection is not None
    with connection, (full_disk_dir / "attendance.csv").open("wb", buffering=0) as out:
        cursor = connection.cursor()
        held = attendance_copy.happened(cursor, datetime.now(UTC))
        with pytest.raises(OSError) as failed:
            attendance_copy.copy_out(cursor, held, out, lambda n: None, another=another)
        assert failed.value.errno == errno.ENOSPC
        assert _no_readers_left()
        assert helpers[0] is not None and helpers[0].closed
        connection.rollback()
        assert connection.execute("SELECT 1").fetchone() == (1,)

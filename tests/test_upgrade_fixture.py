"""A store written by the first released version opens in this one with every row intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from circles.services import attendance, circle_records, fairness, people, rotation, sessions
from models.engine import sqlite_url
from models.store import Store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "first-release.store"


def _tables(path: Path, only: set[str] | None = None) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(path)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
        )
    ]
    found = {}
    for name in names:
        if only is not None and name not in only:
            continue  # a table a later version added: nothing of the old store's is in it
        cursor = conn.execute(f"SELECT * FROM {name} ORDER BY id")
        found[name] = ([d[0] for d in cursor.description], cursor.fetchall())
    conn.close()
    return found


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    if not FIXTURE.exists():
        pytest.fail(f"{FIXTURE.name} is missing: it is committed with the first release")
    copy = tmp_path / "circles.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


def test_every_table_of_the_fixture_holds_rows(old_store):
    empty = [name for name, (_, rows) in _tables(old_store).items() if not rows]
    assert empty == []


def test_the_first_release_store_opens_with_every_row_intact(old_store):
    before = _tables(old_store)
    Store.open(sqlite_url(old_store)).close()
    after = _tables(old_store, only=set(before))
    assert set(before) <= set(after)
    for name, (columns, rows) in before.items():
        new_columns, new_rows = after[name]
        keep = [new_columns.index(c) for c in columns]  # later versions may add columns
        assert [tuple(r[i] for i in keep) for r in new_rows] == rows, name


def test_the_current_services_read_the_old_store(old_store):
    store = Store.open(sqlite_url(old_store))
    with store.read() as db:
        rust = circle_records.find_circle(db, "Rust Lunch")
        assert people.count_people(db) > 40
        every = sessions.list_sessions(db, circle_id=rust.id)
        assert any(s.status.value == "cancelled" for s in every)
        assert any(e.walk_in for s in every for e in attendance.roster(db, s.id))
        assert rotation.preview(db, rust.id, count=4)
        ledger = fairness.ledger(db, rust.id)
        assert ledger.sessions_held > 0 and any(r.times_presented for r in ledger.rows)
    store.close()

"""The command line tells a failure as what it is, drawing the line the screens draw
(circles/store_access.py): the store's own failure (locked, gone, damaged) in one line with
exit status 1; a bug, SQL or not, as a bug, with its traceback in the user's log and a status
of its own, never dressed up as "the store did not answer"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

import models.engine
import models.store
from circles import error_log
from circles.cli import INTERNAL_ERROR, main
from circles.services import people
from models.engine import sqlite_url
from models.store import Store

NOT_YOUR_DATA = "circles: Something went wrong in circles (not your data): details in "


def _a_listing_with_a_bug(db: object, **_options: object) -> None:
    return {"present": 1}["presnt"]  # a typo, as bugs go


def _a_query_with_a_bug(db: sa.orm.Session, **_options: object) -> None:
    db.execute(sa.text("SELEC 1"))  # SQLite calls this an OperationalError, as it does a lost store


def _circles(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    path = tmp_path / "circles.db"
    Store.open(sqlite_url(path)).close()
    return path


@pytest.mark.parametrize("listing", [_a_listing_with_a_bug, _a_query_with_a_bug], ids=["python", "sql"])
def test_a_bug_in_a_command_says_so_and_its_traceback_goes_to_the_log(store_file, monkeypatch, listing):
    monkeypatch.setattr(people, "list_people", listing)
    result = _circles("--db", str(store_file), "person", "list")
    log = error_log.log_file()
    assert (result.exit_code, result.stdout) == (INTERNAL_ERROR, "")
    assert result.stderr == NOT_YOUR_DATA + f"{log}\n"
    text = log.read_text(encoding="utf-8")
    assert "while circles person" in text and "Traceback" in text and listing.__name__ in text
    assert ("KeyError: 'presnt'" if listing is _a_listing_with_a_bug else "SELEC") in text


def test_a_locked_store_is_told_as_the_stores_with_status_1_and_nothing_logged(store_file, monkeypatch):
    # Another program holds the write lock past every wait (here 50 ms).
    monkeypatch.setattr(models.engine, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(store_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = _circles("--db", str(store_file), "person", "add", "Ana Lima", "--email", "ana@example.org")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"circles: The store {store_file} stayed busy (database is locked); try again in a moment.\n"
    )
    assert not error_log.log_file().exists()
    with models.store.Store.open(sqlite_url(store_file)).read() as db:
        assert people.count_people(db) == 0

"""Backups and restores that cannot go ahead are refused before anything is touched; every
safety copy made is named; a full disk or a stopped process leaves no half-written file."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from circles.services import people
from models import migrate
from models.engine import sqlite_url
from models.migrate import MigrationError
from models.schema import SCHEMA_HEAD
from models.store import Store
from tests.fault_support import (
    INTERRUPTIBLE,
    fill_up,
    full_disk_dir,
    one_line_error,
    run_cli,
    small_disk_dir,
)
from tests.test_migrations import NEXT_BROKEN, NEXT_OK, _scripts_with, _use_scripts

__all__ = ["full_disk_dir", "small_disk_dir"]  # fixtures, imported to be used here

REPO = Path(__file__).resolve().parent.parent


def _store(path: Path, *names: str) -> Path:
    store = Store.open(sqlite_url(path))
    with store.write() as db:
        for name in names:
            people.add_person(db, name=name, email=f"{name.lower().replace(' ', '.')}@example.org")
    store.close()
    return path


def _names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM person ORDER BY name")]
    finally:
        conn.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backup(store: Path, to: Path) -> Path:
    assert run_cli("--db", str(store), "db", "backup", str(to)).exit_code == 0
    return to


def test_a_backup_from_a_newer_version_is_refused_before_anything_is_touched(tmp_path):
    store = _store(tmp_path / "circles.db", "Ana")
    newer = _backup(_store(tmp_path / "later.db", "Bo"), tmp_path / "later.bak")
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    conn.close()
    before = _sha(store)
    error = one_line_error(run_cli("--db", str(store), "db", "restore", str(newer), "--yes"))
    assert "newer version of circles" in error and "'f00dfeed'" in error and "Nothing restored" in error
    assert _sha(store) == before
    assert not list(tmp_path.glob("*.before-restore-*"))
    assert run_cli("--db", str(store), "person", "list").exit_code == 0  # it still opens


def test_a_restore_names_the_copy_of_what_it_replaced_and_the_upgrade_copy(tmp_path, monkeypatch):
    store = _store(tmp_path / "circles.db", "Ana")
    monday = _backup(store, tmp_path / "monday.bak")  # schema SCHEMA_HEAD
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_OK))  # circles now writes 9999
    _store(store, "Bo")
    out = run_cli("--db", str(store), "db", "restore", str(monday), "--yes").stdout
    saved = next(tmp_path.glob("circles.db.before-restore-*.bak"))
    assert f"previous contents are in {saved}" in out and f"upgraded from {SCHEMA_HEAD} to 9999" in out
    named = re.search(r"the backup as restored is kept in (\S+\.bak)", out)
    assert named is not None and _names(Path(named.group(1))) == ["Ana"]
    assert _names(store) == ["Ana"] and _names(saved) == ["Ana", "Bo"]


def test_a_restore_that_fails_after_the_safety_copy_names_it(tmp_path, monkeypatch):
    store = _store(tmp_path / "circles.db", "Ana")
    monday = _backup(store, tmp_path / "monday.bak")
    _store(store, "Bo")
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_BROKEN))  # the backup's upgrade fails
    error = one_line_error(run_cli("--db", str(store), "db", "restore", str(monday), "--yes"))
    saved = next(tmp_path.glob("circles.db.before-restore-*.bak"))
    assert f"previous contents are in {saved}" in error
    assert _names(saved) == ["Ana", "Bo"]


@pytest.mark.parametrize("alias", ["same path", "relative path", "hard link", "symbolic link"])
def test_restoring_the_store_onto_itself_is_refused_at_once(tmp_path, alias):
    store = _store(tmp_path / "circles.db", "Ana")
    given = {
        "same path": store,
        "relative path": Path("circles.db"),
        "hard link": tmp_path / "hard.db",
        "symbolic link": tmp_path / "soft.db",
    }[alias]
    if alias == "hard link":
        os.link(store, given)
    elif alias == "symbolic link":
        given.symlink_to(store)
    before = _sha(store)
    # A process of its own: before the fix it waited for ever on the lock it held itself.
    done = subprocess.run(
        [sys.executable, "-m", "circles", "--db", str(store), "db", "restore", str(given), "--yes"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 1 and "is the store itself" in done.stderr, done.stderr
    assert _sha(store) == before and not list(tmp_path.glob("*.before-restore-*"))


def test_a_restore_onto_another_programs_file_is_refused_untouched(tmp_path):
    monday = _backup(_store(tmp_path / "circles.db", "Ana"), tmp_path / "monday.bak")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    before = _sha(other)
    error = one_line_error(run_cli("--db", str(other), "db", "restore", str(monday), "--yes"))
    assert "not a circles store" in error and _sha(other) == before


def test_a_damaged_store_is_restored_and_its_bytes_kept(tmp_path):
    """What a damaged store's message says to do works."""
    monday = _backup(_store(tmp_path / "circles.db", "Ana"), tmp_path / "monday.bak")
    store = tmp_path / "circles.db"
    store.write_bytes(b"not a database any more" * 100)
    Path(f"{store}-wal").write_bytes(b"a stale journal")  # never replayed onto the backup
    out = run_cli("--db", str(store), "db", "restore", str(monday), "--yes").stdout
    saved = next(tmp_path.glob("circles.db.before-restore-*.bak"))
    assert str(saved) in out and saved.read_bytes() == b"not a database any more" * 100
    assert _names(store) == ["Ana"]


def test_a_backup_to_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, full_disk_dir):
    store = _store(tmp_path / "circles.db", *(f"Person {i}" for i in range(50)))
    target = full_disk_dir / "b.db"
    error = one_line_error(run_cli("--db", str(store), "db", "backup", str(target)))
    assert str(target) in error and "the disk is full" in error
    assert sorted(p.name for p in full_disk_dir.iterdir()) == [".filler"]


def test_no_upgrade_and_no_restore_without_room_for_the_safety_copy(tmp_path, small_disk_dir, monkeypatch):
    store = _store(small_disk_dir / "circles.db", "Ana")
    monday = _backup(store, tmp_path / "monday.bak")
    fill_up(small_disk_dir)
    before = _sha(store)
    error = one_line_error(run_cli("--db", str(store), "db", "restore", str(monday), "--yes"))
    assert "could not be saved aside" in error and "the disk is full" in error
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_OK))
    with pytest.raises(MigrationError, match=r"no copy of it could be saved first.*the disk is full"):
        Store.open(sqlite_url(store))
    assert _sha(store) == before and migrate.SCHEMA_HEAD == "9999"
    assert _names(store) == ["Ana"]
    # No copy, whole or partial: only the store (with SQLite's -wal and -shm) and the filler.
    left = {p.name for p in small_disk_dir.iterdir()} - {"circles.db-wal", "circles.db-shm"}
    assert left == {".filler", "circles.db"}


STOPPED_BACKUP = (
    INTERRUPTIBLE
    + """
import os, signal, sys
from circles.cli import main

signum, db, target = getattr(signal, sys.argv[1]), sys.argv[2], sys.argv[3]
rename = os.replace

def stopped_first(src, dst):
    # The copy is whole and about to take its name: the worst moment to be stopped.
    if str(src).endswith(".partial"):
        os.kill(os.getpid(), signum)
    rename(src, dst)

os.replace = stopped_first
main(["--db", db, "db", "backup", target])
"""
)


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_backup_stopped_by_a_signal_leaves_nothing_behind(tmp_path, signame):
    store = _store(tmp_path / "circles.db", "Ana")
    target = tmp_path / "out" / "b.db"
    target.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_BACKUP, signame, str(store), str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    signum = getattr(signal, signame)
    # TERM and HUP unwind (every finally runs) and exit with 128 + the signal, as exports do
    # (models/temp_files.py); INT is click's "Aborted!".
    assert done.returncode == (1 if signame == "SIGINT" else 128 + signum), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert list(target.parent.iterdir()) == []
    assert _names(store) == ["Ana"]


LOCKED_RESTORE = """
import sys
import models.backup
from circles.cli import main

models.backup.BUSY_SECONDS = 0.5  # the store stays locked: no need to wait the full ten seconds
main(["--db", sys.argv[1], "db", "restore", sys.argv[2], "--yes"])
"""


def test_a_restore_onto_a_store_kept_locked_gives_up_and_names_the_safety_copy(tmp_path):
    store = _store(tmp_path / "circles.db", "Ana")
    monday = _backup(store, tmp_path / "monday.bak")
    _store(store, "Bo")
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program's long write
    try:
        done = subprocess.run(
            [sys.executable, "-c", LOCKED_RESTORE, str(store), str(monday)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,  # before the fix: SQLite's backup retried the lock for ever
        )
    finally:
        holder.rollback()
        holder.close()
    saved = next(tmp_path.glob("circles.db.before-restore-*.bak"))
    assert done.returncode == 1 and "stayed locked" in done.stderr, done.stderr
    assert f"previous contents are in {saved}" in done.stderr
    assert _names(store) == ["Ana", "Bo"]


def test_a_backup_and_an_export_give_the_same_reason_for_one_disk_error(tmp_path):
    """Why a file could not be written reads the same whichever command met it (one table of
    reasons, models/temp_files.py): a backup used to say "file name too long" where an export
    said "the name is too long"."""
    store = _store(tmp_path / "circles.db", "Ana")
    too_long = tmp_path / ("x" * 300)
    backup = one_line_error(run_cli("--db", str(store), "db", "backup", f"{too_long}.db"))
    export = one_line_error(run_cli("--db", str(store), "export", "attendance", "-o", f"{too_long}.csv"))
    for error in (backup, export):
        assert "the name is too long" in error, error


def test_a_backup_and_an_export_answer_a_missing_folder_and_a_file_there_alike(tmp_path):
    """One rule for every file a command writes (circles/exports/atomic.py): a backup made the
    folders of a mistyped path where an export refused it, and said --force in a usage block."""
    store = _store(tmp_path / "circles.db", "Ana")
    typo = tmp_path / "bakups"
    backup = one_line_error(run_cli("--db", str(store), "db", "backup", str(typo / "b.db")))
    export = one_line_error(run_cli("--db", str(store), "export", "attendance", "-o", str(typo / "a.csv")))
    for error in (backup, export):
        assert f"is in a folder that does not exist ({typo})" in error, error
    assert not typo.exists()
    (tmp_path / "b.db").write_bytes(b"kept")
    (tmp_path / "a.csv").write_bytes(b"kept")
    backup = one_line_error(run_cli("--db", str(store), "db", "backup", str(tmp_path / "b.db")))
    export = one_line_error(
        run_cli("--db", str(store), "export", "attendance", "-o", str(tmp_path / "a.csv"))
    )
    for error in (backup, export):
        assert "already exists; pass --force to replace it" in error, error
    assert (tmp_path / "b.db").read_bytes() == b"kept"
    assert run_cli("--db", str(store), "db", "backup", str(tmp_path / "b.db"), "--force").exit_code == 0

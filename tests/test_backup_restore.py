"""A backup that cannot be written (a full disk) or is stopped (TERM, INT) leaves no half-written file."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from circles.services import people
from models.engine import sqlite_url
from models.store import Store
from tests.fault_support import full_disk_dir, one_line_error, run_cli, small_disk_dir

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


def test_a_backup_to_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, full_disk_dir):
    store = _store(tmp_path / "circles.db", *(f"Person {i}" for i in range(50)))
    target = full_disk_dir / "b.db"
    error = one_line_error(run_cli("--db", str(store), "db", "backup", str(target)))
    assert str(target) in error and "the disk is full" in error
    assert sorted(p.name for p in full_disk_dir.iterdir()) == [".filler"]


STOPPED_BACKUP = """
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


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
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
    # TERM ends the process as TERM would have; INT is click's "Aborted!".
    assert done.returncode in (-signum, 1), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert list(target.parent.iterdir()) == []
    assert _names(store) == ["Ana"]

"""SIGTERM or Ctrl+C in the middle of an export: the old file stays whole and nothing is left
behind, neither the export's own temporary file nor the one openpyxl writes each sheet to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.engine import sqlite_url
from models.store import Store
from tests.attendance_fixture import build
from tests.conftest import REPO
from tests.fault_support import INTERRUPTIBLE

# Exports the fixture's attendance in the child, and stops inside the export (after its first
# batch of rows is written) until a signal comes: the test sends it once READY exists.
CHILD = (
    INTERRUPTIBLE
    + """
import sys, time
from pathlib import Path
from circles.exports.attendance import ExportFormat, export_attendance
from circles.services.participation import Scope
from models.engine import sqlite_url
from models.store import Store

store_file, target, ready, fmt = sys.argv[1:]

def progress(done, total):
    if done and not Path(ready).exists():
        Path(ready).touch()
        while True:  # short sleeps: a signal landing between two is seen by the next
            time.sleep(0.05)

with Store.open(sqlite_url(Path(store_file)), migrate=False).read() as db:
    export_attendance(db, Path(target), scope=Scope(), fmt=ExportFormat(fmt), force=True, progress=progress)
"""
)


def _wait_for(path: Path, child: subprocess.Popen[bytes]) -> None:
    """Until the child says it is mid-export (or has died, which fails the test)."""
    deadline = time.monotonic() + 120  # a bound for a stuck child, not a measurement
    while not path.exists():
        if child.poll() is not None:
            _, err = child.communicate()
            pytest.fail(f"the export ended before it was signalled: {err.decode()}")
        assert time.monotonic() < deadline, "the export never got going"
        time.sleep(0.02)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
# HUP is the terminal closing under the export (an ssh session dropped): it ended the process
# on the spot, leaving the temporary file, until exports and backups shared one mechanism.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_a_signal_mid_export_leaves_the_old_file_and_nothing_else(
    tmp_path: Path, clock: object, fmt: str, signum: int
) -> None:
    store_file = tmp_path / "store.db"
    store = Store.open(sqlite_url(store_file), clock=clock)  # type: ignore[arg-type]
    build(store)
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"attendance.{fmt}"
    target.write_bytes(b"last week's export")
    temp = tmp_path / "tmp"  # openpyxl's own temporary files go here (TMPDIR)
    temp.mkdir()
    ready = tmp_path / "ready"
    env = {**os.environ, "TMPDIR": str(temp)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_file), str(target), str(ready), fmt],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for(ready, child)
    assert len(list(out.iterdir())) == 2, "mid-export: the target and its temporary file"
    if fmt == "xlsx":
        assert list(temp.iterdir()), "mid-export: openpyxl holds the sheet in a temporary file"
    child.send_signal(signum)
    child.communicate(timeout=120)
    assert child.returncode != 0
    assert [p.name for p in out.iterdir()] == [target.name]
    assert target.read_bytes() == b"last week's export"
    assert list(temp.iterdir()) == []

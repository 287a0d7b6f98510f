"""A full disk: every export ends with one line naming the file and what went wrong, and
leaves nothing behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from circles.errors import CirclesError
from models.store import Store
from tests.attendance_fixture import build
from tests.fault_support import leftovers
from tests.test_cli import Cli


@pytest.fixture
def cli(store: Store, tmp_path: Path) -> Cli:
    return Cli(store.url.render_as_string(hide_password=False), tmp_path / "home")


def _one_line(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, result.stderr


# --- exports onto a full disk ----------------------------------------------------------


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx", "a.jsonl"])
def test_an_attendance_export_onto_a_full_disk(
    cli: Cli, store: Store, full_disk_dir: Path, name: str
) -> None:
    build(store)  # sessions in February 2026: rows to write
    result = cli("export", "attendance", "-o", str(full_disk_dir / name), ok=False)
    # The XLSX export used to end in "seek of closed file", hiding the full disk.
    _one_line(result, "circles: file: cannot be written: the disk is full", name)
    assert leftovers(full_disk_dir) == []


# --- the same without a full disk: runs everywhere ---------------------------------------


def test_the_message_keeps_the_end_of_a_long_path(tmp_path: Path) -> None:
    from circles.file_errors import FileError

    long = tmp_path / ("x" * 80) / "attendance.csv"
    message = str(FileError("file", long, "written", OSError(28, "No space left on device")))
    assert message.endswith("attendance.csv')") and "the disk is full" in message
    assert isinstance(FileError("f", long, "read", OSError(13, "x")), CirclesError)

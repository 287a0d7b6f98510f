"""Terminals that are not UTF-8: output shows what it can, arguments are read as UTF-8 mode reads
them, and file names reach the disk as typed. Run in real subprocesses, in the locale given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from circles.cli.terminal import typed_path, utf8_argument
from circles.services import people
from models.engine import sqlite_url
from models.store import Store
from tests import forked
from tests.conftest import REPO
from tests.factories import person


def _run(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, "HOME": str(db.parent / "home"), **env}
    environ.pop("CIRCLES_DATABASE_URL", None)
    return forked.run_circles(
        ["--db", str(db), *args],
        capture_output=True,
        env=environ,
        cwd=REPO,
        timeout=120,
    )


# A C locale with Python's UTF-8 mode switched off: arguments arrive decoded as ASCII.
C_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "circles.db"
    store = Store.open(sqlite_url(path))
    person(store, "Łukasz Żółw", "lukasz@example.org")
    store.close()
    return path


def test_a_latin_1_terminal_gets_what_it_can_show(db: Path) -> None:
    listed = _run(db, "person", "list", PYTHONIOENCODING="latin-1")
    assert listed.returncode == 0, listed.stderr.decode("latin-1")
    assert b"?ukasz ?\xf3?w" in listed.stdout  # ó is Latin-1; Ł, Ż and ł are not
    refused = _run(db, "person", "add", "Łukasz", "--email", "lukasz@example.org", PYTHONIOENCODING="latin-1")
    assert refused.returncode == 1
    assert (
        refused.stderr == b"circles: ?ukasz ?\xf3?w already uses the e-mail address 'lukasz@example.org'.\n"
    )


def test_a_c_locale_reads_arguments_as_utf8(db: Path) -> None:
    added = _run(db, "person", "add", "Zoë Ünal", "--email", "zoe@example.org", "--team", "Müll", **C_LOCALE)
    assert added.returncode == 0, added.stderr
    assert "Added Zoë Ünal <zoe@example.org>".encode() in added.stdout
    store = Store.open(sqlite_url(db))
    with store.read() as session:
        zoe = people.find_person(session, "zoe@example.org")
    store.close()
    assert (zoe.name, zoe.team) == ("Zoë Ünal", "Müll")


def test_a_c_locale_writes_files_under_the_name_typed(db: Path) -> None:
    target = db.parent / "Łódź.csv"
    done = _run(db, "export", "attendance", "-o", str(target), **C_LOCALE)
    assert done.returncode == 0, done.stderr
    assert target.exists()
    assert f"to {target}.".encode() in done.stdout


def test_arguments_decode_as_in_utf8_mode() -> None:
    typed = "Zoë".encode().decode("ascii", "surrogateescape")  # how an ASCII locale hands it over
    assert typed == "Zo\udcc3\udcab"
    assert utf8_argument(typed) == "Zoë"
    if sys.getfilesystemencoding() == "utf-8":
        assert utf8_argument("Zoë") == "Zoë" and typed_path("Zoë") == "Zoë"
    assert utf8_argument("Bad \udce9") == "Bad \udce9"  # not UTF-8: left for the validator to name
    assert utf8_argument("plain") == "plain"


def test_the_app_without_a_terminal_says_so_instead_of_waiting_for_keys(db: Path) -> None:
    """Run from a script or cron ('circles < /dev/null'), the app drew into a pipe and waited
    for keys that never came: it never ended."""
    environ = {**os.environ, "HOME": str(db.parent / "home")}
    environ.pop("CIRCLES_DATABASE_URL", None)
    environ.pop("TEXTUAL_DRIVER", None)
    told = forked.run_circles(
        ["--db", str(db)], capture_output=True, stdin=subprocess.DEVNULL, env=environ, cwd=REPO, timeout=30
    )
    assert told.returncode == 1
    assert told.stderr.decode().startswith("circles: the app needs a terminal to read keys from and draw on")
    assert told.stdout == b""

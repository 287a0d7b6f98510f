"""A full disk, a folder that is not there, standard output that cannot be written: every
export ends with one line naming the file and what went wrong, and leaves nothing behind,
not even a cancelled session that no calendar will hear of."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from circles.errors import CirclesError
from circles.exports.invite_files import ToFile, once, write_invites
from circles.services import circle_records, invites, members, people, sessions
from models.engine import sqlite_url
from models.enums import SessionStatus
from models.store import Store
from tests import forked
from tests.attendance_fixture import build
from tests.factories import scheduled_ahead
from tests.fault_support import leftovers
from tests.test_cli import REPO, Cli
from tests.test_ics_export import FAR_AHEAD, World, _world


@pytest.fixture
def world(store: Store) -> World:
    return _world(store, first=FAR_AHEAD)  # the CLI runs on the system clock


def _one_line(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, result.stderr


def _still_scheduled(store: Store, w: World) -> None:
    with store.read() as db:
        s = sessions.get_session(db, w.sessions[0].id)
    assert (s.status, s.ics_sequence) == (SessionStatus.SCHEDULED, w.sessions[0].ics_sequence)


# --- exports onto a full disk ----------------------------------------------------------


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx", "a.jsonl"])
def test_an_attendance_export_onto_a_full_disk(
    cli: Cli, store: Store, full_disk_dir: Path, name: str
) -> None:
    build(store)  # sessions in February 2026: rows to write
    result = cli("export", "attendance", "-o", str(full_disk_dir / name), ok=False)
    # The XLSX export used to end in "seek of closed file", hiding the full disk.
    _one_line(result, "circles: --output '", f"{name}' cannot be written: the disk is full.")
    assert leftovers(full_disk_dir) == []


def test_a_calendar_export_onto_a_full_disk(cli: Cli, world: World, full_disk_dir: Path) -> None:
    result = cli("export", "ics", "--circle", "Rust Lunch", "-o", str(full_disk_dir / "x.ics"), ok=False)
    _one_line(result, "circles: --output '", "x.ics' cannot be written: the disk is full.")
    assert leftovers(full_disk_dir) == []


def test_a_cancel_onto_a_full_disk_cancels_nothing(
    store: Store, cli: Cli, world: World, full_disk_dir: Path
) -> None:
    session = str(world.sessions[0].id)
    target = str(full_disk_dir / "x.ics")
    result = cli("export", "ics", "--session", session, "--method", "cancel", "-o", target, ok=False)
    _one_line(result, "the disk is full")
    assert "Cancelled" not in result.stdout + result.stderr
    _still_scheduled(store, world)
    assert leftovers(full_disk_dir) == []


def test_one_file_per_member_onto_a_full_disk(cli: Cli, world: World, full_disk_dir: Path) -> None:
    folder = full_disk_dir / "invites"
    result = cli("export", "ics", "--circle", "Rust Lunch", "--per-member", str(folder), ok=False)
    _one_line(result, "circles: --per-member '", ".ics' cannot be written: the disk is full.")
    assert leftovers(full_disk_dir) == [], "the folder made for the files goes too"


def test_standard_output_onto_a_full_disk(cli: Cli, world: World, full_disk_dir: Path) -> None:
    with open(full_disk_dir / "out.txt", "wb") as out:
        result = forked.run_circles(
            ["--db", cli.db, "person", "list"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
            cwd=REPO,
        )
    _one_line(result, "circles: cannot write to standard output: the disk is full")


# --- the same without a full disk: runs everywhere ---------------------------------------


def test_a_cancel_into_a_missing_folder_cancels_nothing(
    store: Store, cli: Cli, world: World, tmp_path: Path
) -> None:
    target = str(tmp_path / "no-such-folder" / "x.ics")
    session = str(world.sessions[0].id)
    result = cli("export", "ics", "--session", session, "--method", "cancel", "-o", target, ok=False)
    _one_line(result, "circles: --output '", "no-such-folder/x.ics' is in a folder that does not exist")
    _still_scheduled(store, world)


def test_a_cancel_to_standard_output_that_fails_cancels_nothing(store: Store, cli: Cli, world: World) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    cancel = ["export", "ics", "--method", "cancel", "--session", str(world.sessions[0].id)]
    with open("/dev/full", "wb") as full:
        result = forked.run_circles(
            ["--db", cli.db, *cancel],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
            cwd=REPO,
        )
    _one_line(result, "circles: cannot write to standard output: the disk is full")
    _still_scheduled(store, world)


def test_a_file_never_announces_a_cancel_the_store_did_not_keep(
    store: Store, world: World, tmp_path: Path
) -> None:
    """The other order: the file is written, then the commit fails. No file is put in place."""

    @contextmanager
    def commit_fails() -> Session:  # type: ignore[misc]
        with store.write() as db:
            yield db
            raise RuntimeError("the store went away while committing")

    def cancel(db: Session) -> invites.IcsExport:
        return invites.export_session(db, world.sessions[0].id, channel="cancel")

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="went away"):
        write_invites(once(commit_fails), cancel, ToFile(out / "x.ics"))
    assert list(out.iterdir()) == []
    _still_scheduled(store, world)
    written = write_invites(once(store.write), cancel, ToFile(out / "x.ics"))
    assert written.paths == (out / "x.ics",)
    assert [s.id for s in written.export.cancelled] == [world.sessions[0].id]
    assert b"STATUS:CANCELLED" in (out / "x.ics").read_bytes()


def test_standard_output_to_dev_full_is_one_line(cli: Cli, world: World) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    for args in (["person", "list"], ["session", "list", "--json"], ["export", "attendance"]):
        with open("/dev/full", "wb") as full:
            result = forked.run_circles(
                ["--db", cli.db, *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env=cli.env,
                cwd=REPO,
            )
        _one_line(result, "circles: cannot write to standard output: the disk is full")


def test_a_reader_that_stops_early_ends_the_export_quietly(tmp_path: Path) -> None:
    """Like `circles export attendance | head -1`: no traceback, no message, status 1 (click's)."""
    store = Store.open(sqlite_url(tmp_path / "store.db"))
    first = datetime(2025, 2, 3, 12, tzinfo=UTC)
    # 60 members at 20 past sessions (scheduled before they took place): 1,200 rows, more
    # than a pipe holds.
    with store.write() as db, scheduled_ahead(db, first):
        c = circle_records.add_circle(db, name="Big Circle", kind="workshop", timezone="UTC")
        for n in range(60):
            p = people.add_person(db, name=f"Person {n}", email=f"p{n}@example.org")
            members.add_member(db, circle_id=c.id, person_id=p.id, joined_at=datetime(2025, 1, 1, tzinfo=UTC))
        for week in range(20):
            at = first + timedelta(weeks=week)
            sessions.add_session(db, circle_id=c.id, starts_at=at, title=f"Week {week}")
    store.close()
    cli = Cli(str(tmp_path / "store.db"), tmp_path / "home")
    child = subprocess.Popen(
        [sys.executable, "-m", "circles", "--db", cli.db, "export", "attendance"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.env,
        cwd=REPO,
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b'"circle"')  # one line, then the reader is gone
    child.stdout.close()
    err = child.stderr.read()
    assert child.wait(timeout=120) == 1
    assert err == b""


def test_the_message_keeps_the_end_of_a_long_path(tmp_path: Path) -> None:
    from circles.file_errors import FileError

    long = tmp_path / ("x" * 80) / "attendance.csv"
    message = str(FileError("file", long, "written", OSError(28, "No space left on device")))
    # The value shown is cut at its beginning, so the sentence still names the file.
    assert (
        message.startswith("file '...") and "/attendance.csv' cannot be written: the disk is full." in message
    )
    assert isinstance(FileError("f", long, "read", OSError(13, "x")), CirclesError)

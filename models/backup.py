"""Consistent copies of a SQLite store, taken and put back with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy.engine import Engine

from models.engine import sqlite_file
from models.folders import make_private_folder
from models.temp_files import disk_error_text, removed_unless_kept

# How long putting a backup back waits for a store another program keeps locked.
BUSY_SECONDS = 10.0

# The files SQLite may make beside a database while it is written.
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")


class BackupError(RuntimeError):
    """A copy could not be written; the message names the file and why (the disk is full...)."""


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the live store to ``target`` (0600), consistent even while others write to it."""
    source = sqlite_file(engine.url)
    if source is None:
        raise ValueError("only a SQLite file store can be backed up this way; use pg_dump for PostgreSQL")
    return copy_sqlite(source, target)


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy the database ``source`` to ``target``: written beside it as ``NAME.partial`` and
    renamed over it once whole, so ``target`` is never half-written. Raises BackupError with
    nothing left behind if it fails (a full disk) or the process is stopped meanwhile."""
    target = target.expanduser().absolute()
    partial = target.with_name(target.name + ".partial")
    try:
        make_private_folder(target.parent, parents=True)
        with ExitStack() as cleanup:
            for path in (partial, *(Path(f"{partial}{suffix}") for suffix in SQLITE_COMPANIONS)):
                path.unlink(missing_ok=True)  # left by a process killed outright (SIGKILL)
                cleanup.enter_context(removed_unless_kept(path))
            fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
            os.close(fd)
            src = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
            dst = sqlite3.connect(partial)
            try:
                with dst:
                    src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
            finally:
                dst.close()
                src.close()
            os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        why = disk_error_text(exc)
        raise BackupError(f"Cannot write the copy {target}: {why}; nothing was written.") from None
    return target


_HAS_SCHEMA_VERSION = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"


def check_backup(backup: Path) -> str:
    """The schema revision of a backup file; ValueError if it is not an intact circles store."""
    if not backup.is_file():
        raise ValueError(f"{backup} does not exist")
    try:
        check = sqlite3.connect(f"{backup.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ValueError(f"{backup} cannot be read ({exc})") from None
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()
        if result is None or result[0] != "ok":
            raise ValueError(f"{backup} is damaged: integrity check says {result[0] if result else '?'}")
        if not check.execute(_HAS_SCHEMA_VERSION).fetchone():
            # SQLite opens an empty file, or another program's database, as a database without
            # our tables: "no such table: alembic_version" said what it looked for, not what it found.
            found = (
                "it is empty"
                if backup.stat().st_size == 0
                else "it is a SQLite database, but not a circles store"
            )
            raise ValueError(f"{backup} is not a circles backup ({found})")
        revision = check.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode == sqlite3.SQLITE_NOTADB:  # a spreadsheet or a calendar given by mistake
            raise ValueError(f"{backup} is not a circles backup (it is not a SQLite database)") from None
        raise ValueError(f"{backup} is not a circles backup ({exc})") from None
    finally:
        check.close()
    if revision is None:
        raise ValueError(f"{backup} is not a circles backup (it has no schema version)")
    return str(revision[0])


def restore_sqlite(backup: Path, target: Path) -> None:
    """Put ``backup`` back over the store at ``target``, replacing its contents page by page,
    so a program that has the store open sees the change as one write."""
    busy_seconds = BUSY_SECONDS
    check_backup(backup)
    src = sqlite3.connect(f"{backup.absolute().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=busy_seconds)
    try:
        with dst:
            src.backup(dst, progress=_give_up_when_busy(target, busy_seconds))
    finally:
        dst.close()
        src.close()


def _give_up_when_busy(target: Path, seconds: float) -> Callable[[int, int, int], None]:
    # SQLite's backup is retried for as long as the target stays locked (Python's loop has
    # no limit): a store someone keeps busy is reported instead of waited on for ever.
    deadline: list[float] = []

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return
        if not deadline:
            deadline.append(time.monotonic() + seconds)
        elif time.monotonic() > deadline[0]:
            raise BackupError(f"The store {target} stayed locked by another program; nothing was restored.")

    return progress

"""Consistent copies of a SQLite store, taken and put back with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine

from models.engine import sqlite_file
from models.folders import make_private_folder


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the live store to ``target`` (0600), consistent even while others write to it."""
    source = sqlite_file(engine.url)
    if source is None:
        raise ValueError("only a SQLite file store can be backed up this way; use pg_dump for PostgreSQL")
    return copy_sqlite(source, target)


def copy_sqlite(source: Path, target: Path) -> Path:
    target = target.expanduser().absolute()
    make_private_folder(target.parent, parents=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
    finally:
        dst.close()
        src.close()
    os.replace(partial, target)
    return target


def check_backup(backup: Path) -> str:
    """The schema revision of a backup file; ValueError if it is not an intact circles store."""
    if not backup.is_file():
        raise ValueError(f"{backup} does not exist")
    check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()
        if result is None or result[0] != "ok":
            raise ValueError(f"{backup} is damaged: integrity check says {result[0] if result else '?'}")
        revision = check.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{backup} is not a circles backup ({exc})") from None
    finally:
        check.close()
    if revision is None:
        raise ValueError(f"{backup} is not a circles backup (it has no schema version)")
    return str(revision[0])


def restore_sqlite(backup: Path, target: Path) -> None:
    """Put ``backup`` back over the store at ``target``, replacing its contents page by page."""
    check_backup(backup)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=10)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()

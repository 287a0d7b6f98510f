"""Bring a store's schema up to date with Alembic, backing a SQLite file up first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.backup import BackupError, backup_sqlite, restore_sqlite
from models.engine import sqlite_file
from models.schema import SCHEMA_HEAD

# Alembic (and Mako under it) loads only when a store needs upgrading: the ~70 ms it takes
# to import are not paid by opening an up-to-date store, which is nearly every start.
if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


class MigrationError(RuntimeError):
    """The schema could not be brought up to date; the message says what was done about it."""


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None
    # What a migration did to the data that the facilitator should hear of (tell_at_upgrade).
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def head_revision(scripts: ScriptDirectory | None = None) -> str:
    from alembic.script import ScriptDirectory

    head = (scripts or ScriptDirectory.from_config(_config())).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision; None for a store with no tables yet."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


@contextmanager
def foreign_keys_deferred(conn: sa.Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrations run, as SQLite's own procedure for changing a
    table asks. Batch mode changes a table by copying it and dropping the original, and with
    foreign keys on, dropping a table others point at fails, or (ON DELETE SET NULL) quietly
    empties their references: a circle would lose its facilitator. ``check_foreign_keys``
    then checks every reference before the migration commits.

    The pragma is set on the driver's connection, outside any transaction: inside one,
    SQLite ignores it.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(conn: sa.Connection) -> None:
    """SQLite: refuse to commit a migration that left a reference to a row that is not there."""
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise MigrationError(
            f"{len(broken)} reference(s) to missing rows, the first from {table} row {rowid} to {parent}"
        )


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this version's migrations (so a store at it can be opened)."""
    if revision == SCHEMA_HEAD:  # nearly every store: no need to load Alembic to say so
        return True
    from alembic.script import ScriptDirectory

    return _known(ScriptDirectory.from_config(_config()), revision)


def _other_tables(engine: Engine) -> list[str]:
    """Tables in a store that has no schema revision: another program's, if there are any."""
    with engine.connect() as conn:
        return sorted(set(sa.inspect(conn).get_table_names()) - {"alembic_version"})


def _one_line(exc: Exception) -> str:
    # A database error's text goes on with the SQL and a link: its first line says enough.
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip()
    return f"{cause.__class__.__name__}: {text.splitlines()[0] if text else ''}"


def upgrade(engine: Engine, *, now: datetime | None = None) -> UpgradeResult:
    """Run pending migrations. A SQLite file that holds data is copied aside first and put
    back if a migration fails, so a failed upgrade never leaves a half-migrated store."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return UpgradeResult(current, SCHEMA_HEAD, None)
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _config()
    scripts = ScriptDirectory.from_config(cfg)
    head = head_revision(scripts)
    if current is not None and not _known(scripts, current):
        raise MigrationError(
            f"This store was written by a newer version of circles (schema {current!r}), or by "
            "another program; nothing was changed. Upgrade circles to open it."
        )
    if current is None and (others := _other_tables(engine)):
        # Another program's database (a SQLite file was already looked at in models/store_file.py).
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise MigrationError(
            f"This database is not a circles store (it holds the tables {shown}); nothing was "
            "changed. Give another --db, or an empty database."
        )

    backup = None
    path = sqlite_file(engine.url)
    if path is not None and current is not None:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.before-{head}-{stamp}.bak")
        try:
            backup_sqlite(engine, backup)
        except BackupError as exc:
            raise MigrationError(
                f"The store was not upgraded, as no copy of it could be saved first: {exc}"
            ) from None

    notes: list[str] = []
    try:
        with engine.connect() as conn, foreign_keys_deferred(conn), conn.begin():
            cfg.attributes["connection"] = conn
            cfg.attributes[NOTES] = notes
            command.upgrade(cfg, "head")
            check_foreign_keys(conn)
    except Exception as exc:
        reason = _one_line(exc)
        if backup is not None and path is not None:  # a backup is made of a SQLite file only
            engine.dispose()
            restore_sqlite(backup, path)
            raise MigrationError(
                f"Upgrading the store failed ({reason}); it was restored from the backup {backup}"
            ) from exc
        raise MigrationError(f"Upgrading the store failed ({reason})") from exc
    return UpgradeResult(current, head, backup, tuple(notes))


NOTES = "notes"  # where in Alembic's config attributes a migration leaves what it tells


def tell_at_upgrade(note: str) -> None:
    """For a migration that changes data a facilitator knows (cancels a session, say): ``note``,
    one or two sentences, is told when the upgrade is done, by the app and the command line
    (UpgradeResult.notes). Run by Alembic's own command line, it goes to standard error."""
    import sys

    from alembic import context

    told = context.config.attributes.get(NOTES)
    if told is None:
        print(note, file=sys.stderr)
    else:
        told.append(note)

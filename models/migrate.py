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

from models.backup import backup_sqlite, restore_sqlite
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
            f"This store was written by a newer version of circles (schema {current}); "
            "upgrade circles to open it."
        )

    backup = None
    path = sqlite_file(engine.url)
    if path is not None and current is not None:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.before-{head}-{stamp}.bak")
        backup_sqlite(engine, backup)

    try:
        with engine.connect() as conn, foreign_keys_deferred(conn), conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            check_foreign_keys(conn)
    except Exception as exc:
        if backup is not None:
            engine.dispose()
            restore_sqlite(backup, path)  # type: ignore[arg-type]
            raise MigrationError(
                f"Upgrading the store failed ({exc.__class__.__name__}: {exc}); "
                f"it was restored from the backup {backup}."
            ) from exc
        raise MigrationError(f"Upgrading the store failed: {exc}") from exc
    return UpgradeResult(current, head, backup)

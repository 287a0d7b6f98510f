"""Migrations: they build exactly the models' schema, back a SQLite file up before changing
it, put the backup back when a migration fails, and refuse a store from a newer version."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import models.migrate as migrate
from circles.services import people
from models.engine import resolve_url, sqlite_url
from models.migrate import MigrationError
from models.store import Store

MIGRATIONS = Path(migrate.__file__).parent / "migrations"
# This version's head: the made-up next release below is chained on it.
HEAD = migrate.SCHEMA_HEAD


def test_migrations_build_exactly_the_models(store):
    """What autogenerate would write next is nothing: models and migrations agree."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    with store.engine.connect() as conn:
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("circle")}
    if store.engine.dialect.name == "postgresql":  # SQLite cannot reflect expression indexes
        assert "uq_circle_name_lower" in indexes


def test_the_schema_head_names_the_newest_migration():
    assert migrate.head_revision() == migrate.SCHEMA_HEAD


def test_a_fresh_store_is_at_head_and_reopening_changes_nothing(store_url, clock):
    first = Store.open(store_url, clock=clock)
    assert first.upgraded is not None and first.upgraded.from_revision is None
    first.close()
    again = Store.open(store_url, clock=clock)
    assert again.upgraded is not None and not again.upgraded.changed and again.upgraded.backup is None
    again.close()


def test_the_default_store_is_private_to_its_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = resolve_url(None, environ={})
    path = Path(url.database)
    assert path.is_relative_to(tmp_path / "data")
    Store.open(url).close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _scripts_with(tmp_path: Path, next_migration: str) -> Path:
    """Our migrations folder plus one more revision, as a later version of circles would ship."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    # Chained on this version's head, whatever it is when branches merge.
    text = textwrap.dedent(next_migration).replace("PREVIOUS_HEAD", HEAD)
    (folder / "versions" / "9999_next.py").write_text(text)
    return folder


NEXT_OK = """
    import sqlalchemy as sa
    from alembic import op
    revision = "9999"
    down_revision = "PREVIOUS_HEAD"
    def upgrade():
        with op.batch_alter_table("person") as batch:
            batch.add_column(sa.Column("pronouns", sa.String(40), nullable=True))
    def downgrade():
        with op.batch_alter_table("person") as batch:
            batch.drop_column("pronouns")
"""

NEXT_BROKEN = """
    import sqlalchemy as sa
    from alembic import op
    revision = "9999"
    down_revision = "PREVIOUS_HEAD"
    def upgrade():
        op.execute("UPDATE person SET name = 'half-migrated'")
        op.execute("this is not SQL")
    def downgrade():
        pass
"""


def _use_scripts(monkeypatch, folder: Path) -> None:
    def config() -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(folder))
        return cfg

    monkeypatch.setattr(migrate, "_config", config)
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", migrate.head_revision())  # as that release would say


def _old_store_with_people(tmp_path: Path, clock) -> Path:
    path = tmp_path / "circles.db"
    store = Store.open(sqlite_url(path), clock=clock)
    with store.write() as db:
        people.add_person(db, name="Ana", email="ana@example.org")
        people.add_person(db, name="Bo", email="bo@example.org")
    store.close()
    return path


def test_upgrading_a_file_with_data_backs_it_up_first_and_keeps_every_row(tmp_path, monkeypatch, clock):
    path = _old_store_with_people(tmp_path, clock)
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_OK))
    store = Store.open(sqlite_url(path), clock=clock)
    result = store.upgraded
    assert result is not None and (result.from_revision, result.to_revision) == (HEAD, "9999")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, pronouns FROM person ORDER BY id").all()
    assert rows == [("Ana", None), ("Bo", None)]
    assert result.backup is not None and result.backup.name.startswith("circles.db.before-9999-")
    backup = sqlite3.connect(result.backup)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    assert backup.execute("SELECT count(*) FROM person").fetchone() == (2,)
    store.close()


def test_a_failed_migration_puts_the_backup_back(tmp_path, monkeypatch, clock):
    path = _old_store_with_people(tmp_path, clock)
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_BROKEN))
    with pytest.raises(MigrationError, match="it was restored from the backup"):
        Store.open(sqlite_url(path), clock=clock)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM person ORDER BY id").fetchall() == [("Ana",), ("Bo",)]
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_store_from_a_newer_version_is_refused_not_damaged(tmp_path, clock):
    path = _old_store_with_people(tmp_path, clock)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(MigrationError, match="written by a newer version of circles"):
        Store.open(sqlite_url(path), clock=clock)
    assert sqlite3.connect(path).execute("SELECT count(*) FROM person").fetchone() == (2,)


def test_every_migration_downgrades_and_upgrades_again(store):
    """Down to nothing and back up: each revision's downgrade is right, so it can be trusted."""
    from alembic import command

    cfg = migrate._config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with store.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(store.engine)
    with store.write() as db:
        people.add_person(db, name="Ana", email="ana@example.org")

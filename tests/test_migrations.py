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
from click.testing import CliRunner
from sqlmodel import SQLModel

import models.migrate as migrate
from circles.cli import main
from circles.services import people
from models.engine import resolve_url, sqlite_url
from models.migrate import MigrationError
from models.schema import SCHEMA_HEAD
from models.search_schema import include_object
from models.store import Store

MIGRATIONS = Path(migrate.__file__).parent / "migrations"
HEAD = SCHEMA_HEAD  # tests below make a later release, whose head is another


def test_migrations_build_exactly_the_models(store):
    """What autogenerate would write next is nothing: models and migrations agree."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
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
    Store.open(url, create_folder=True).close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _scripts_with(tmp_path: Path, next_migration: str) -> Path:
    """Our migrations folder plus one more revision, as a later version of circles would ship."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    # Chained on whatever the head is now, as the next release's first migration would be.
    script = textwrap.dedent(next_migration).replace('"HEAD"', repr(migrate.SCHEMA_HEAD))
    (folder / "versions" / "9999_next.py").write_text(script)
    return folder


NEXT_OK = """
    import sqlalchemy as sa
    from alembic import op
    revision = "9999"
    down_revision = "HEAD"
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
    down_revision = "HEAD"
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
    head = migrate.SCHEMA_HEAD
    path = _old_store_with_people(tmp_path, clock)
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_OK))
    store = Store.open(sqlite_url(path), clock=clock)
    result = store.upgraded
    assert result is not None and (result.from_revision, result.to_revision) == (head, "9999")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, pronouns FROM person ORDER BY id").all()
    assert rows == [("Ana", None), ("Bo", None)]
    assert result.backup is not None and result.backup.name.startswith("circles.db.before-9999-")
    backup = sqlite3.connect(result.backup)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
    assert backup.execute("SELECT count(*) FROM person").fetchone() == (2,)
    store.close()


def test_a_failed_migration_puts_the_backup_back(tmp_path, monkeypatch, clock):
    head = migrate.SCHEMA_HEAD
    path = _old_store_with_people(tmp_path, clock)
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_BROKEN))
    with pytest.raises(MigrationError, match="it was restored from the backup"):
        Store.open(sqlite_url(path), clock=clock)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM person ORDER BY id").fetchall() == [("Ana",), ("Bo",)]
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


NEXT_DANGLING = """
    from alembic import op
    revision = "9999"
    down_revision = "HEAD"
    def upgrade():
        # Foreign keys are off while migrations run: this delete leaves Ana's away period
        # pointing at nobody, which the check before the commit must catch.
        op.execute("INSERT INTO away (person_id, starts_on, ends_on, reason, created_at) "
                   "SELECT id, '2026-04-01', '2026-04-02', '', '2026-03-01' FROM person WHERE name = 'Ana'")
        op.execute("DELETE FROM person WHERE name = 'Ana'")
    def downgrade():
        pass
"""


def test_a_migration_that_leaves_a_broken_reference_is_not_committed(tmp_path, monkeypatch, clock):
    path = _old_store_with_people(tmp_path, clock)
    _use_scripts(monkeypatch, _scripts_with(tmp_path, NEXT_DANGLING))
    with pytest.raises(MigrationError, match=r"reference.* to missing rows, the first from away"):
        Store.open(sqlite_url(path), clock=clock)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM person ORDER BY id").fetchall() == [("Ana",), ("Bo",)]
    assert conn.execute("SELECT count(*) FROM away").fetchone() == (0,)


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


def _migrate_to(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    from alembic import command

    cfg = migrate._config()
    with engine.connect() as conn, migrate.foreign_keys_deferred(conn), conn.begin():
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _ana_and_rust_lunch(conn: sa.Connection) -> None:
    """A person, Ana, and a circle, Rust Lunch, as the schema holds them from 0180 on."""
    conn.exec_driver_sql(
        "INSERT INTO person (name, email, team, is_guest, active, version, created_at) VALUES"
        " ('Ana', 'ana@example.org', '', false, true, 1, '2026-01-01 00:00:00+00:00')"
    )
    conn.exec_driver_sql(
        "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
        " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
        " ('Rust Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15, NULL, false, 'series-1', 0, 1,"
        " '2026-01-01 00:00:00+00:00')"
    )


def test_0004_makes_the_email_optional_and_keeps_every_reference_to_people(store_url, clock):
    """From the revision before it, with people others point at: a circle's facilitator, a
    session's presenter (both ON DELETE SET NULL: a careless table copy on SQLite empties
    them), memberships and attendance (a careless copy fails on them)."""
    from alembic.script import ScriptDirectory

    from circles.errors import AlreadyExists
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    before = ScriptDirectory.from_config(migrate._config()).get_revision("0004").down_revision
    assert isinstance(before, str)
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, before)
    with engine.begin() as conn:
        # No ids given: PostgreSQL's sequences would not know of them.
        ana = "(SELECT id FROM person WHERE name = 'Ana')"
        rust = "(SELECT id FROM circle WHERE name = 'Rust Lunch')"
        for statement in [
            "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
            "('Ana', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')",
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            f" ('Rust Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15, {ana}, false, 'series-1', 0, 1,"
            " '2026-01-01 00:00:00+00:00')",
            "INSERT INTO membership (circle_id, person_id, role, joined_at, in_rotation, default_rsvp,"
            f" version) VALUES ({rust}, {ana}, 'facilitator', '2026-01-01 00:00:00+00:00', true, 'none', 1)",
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, presenter_id, presenter_source, notes, version, created_at)"
            f" VALUES ({rust}, '2026-03-03 11:00:00+00:00', 60, 'Ownership', 'held', 'session-1', 0,"
            f" '2026-03-03 11:00:00+00:00', {ana}, 'manual', '', 1, '2026-01-01 00:00:00+00:00')",
            "INSERT INTO attendance (session_id, person_id, rsvp, attended, note, walk_in, version)"
            f" VALUES ((SELECT id FROM circle_session), {ana}, 'yes', 'present', '', false, 1)",
        ]:
            conn.exec_driver_sql(statement)
        (ana_id,) = conn.exec_driver_sql("SELECT id FROM person").one()
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT facilitator_id FROM circle").all() == [(ana_id,)]
        assert conn.exec_driver_sql("SELECT presenter_id FROM circle_session").all() == [(ana_id,)]
        assert conn.exec_driver_sql("SELECT person_id FROM membership").all() == [(ana_id,)]
        assert conn.exec_driver_sql("SELECT person_id, attended FROM attendance").all() == [
            (ana_id, "present")
        ]
        assert conn.exec_driver_sql("SELECT email FROM person").all() == [("ana@example.org",)]
    with store.write() as db:  # any number of people without an address; an address stays unique
        people.add_person(db, name="Grace Hopper", email=None, is_guest=True)
        people.add_person(db, name="Ada Lovelace", email="", is_guest=True)
    with pytest.raises(AlreadyExists), store.write() as db:
        people.add_person(db, name="Ana Other", email="ANA@example.org")
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
            "('Ana Again', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
        )

    # Back down: the older schema gets an undeliverable placeholder for each missing address.
    _migrate_to(store.engine, before, down=True)
    with store.engine.connect() as conn:
        emails = [e for (e,) in conn.exec_driver_sql("SELECT email FROM person ORDER BY id")]
        assert conn.exec_driver_sql("SELECT facilitator_id FROM circle").all() == [(ana_id,)]
    assert emails[0] == "ana@example.org"
    assert all(e.endswith("@no-address.invalid") for e in emails[1:]) and len(set(emails)) == 3


def test_rotation_event_kinds_from_0001_are_mapped_and_then_checked(store_url, clock):
    """0003: rotation_event.kind becomes a checked enum; rows a 0001 store holds keep their meaning."""
    from alembic import command

    store = Store.open(store_url, clock=clock, migrate=False)
    cfg = migrate._config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO circle (id, name, kind, description, timezone, default_minutes, "
                "reminder_minutes, archived, ics_series_uid, ics_series_sequence, version, created_at) "
                "VALUES (1, 'Rust Lunch', 'workshop', '', 'UTC', 60, 15, false, 's@circles', 0, 1, :at)"
            ),
            {"at": clock.now},
        )
        kinds = ["assigned", "Swap-Asked", "swapped", "skipped", "guest"]
        for n, kind in enumerate(kinds, start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO rotation_event (id, circle_id, kind, reason, recorded_at) "
                    "VALUES (:id, 1, :kind, :reason, :at)"
                ),
                {"id": n, "kind": kind, "reason": f"reason {n}", "at": clock.now},
            )
    store.close()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == "0001"
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT kind, reason FROM rotation_event ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        ("assigned", "reason 1"),
        ("swap_asked", "reason 2"),
        ("cleared", "reason 3 (recorded as swapped)"),  # read by nothing, like 'cleared'
        ("skipped", "reason 4"),
        ("guest", "reason 5"),
    ]
    refused = r"ck_rotation_event_kind|CHECK constraint failed"
    with pytest.raises(sa.exc.IntegrityError, match=refused), store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO rotation_event (circle_id, kind, reason, recorded_at) "
                "VALUES (1, 'swapped', '', :at)"
            ),
            {"at": clock.now},
        )
    store.close()


def test_0030_indexes_what_the_store_already_holds(store_url, clock):
    """From the revision before it, with a circle, a person and a session with notes: after 0030
    each is found by search at once (the migration fills the index), on both backends."""
    from alembic.script import ScriptDirectory

    from circles.services import search
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    before = ScriptDirectory.from_config(migrate._config()).get_revision("0030").down_revision
    assert isinstance(before, str)
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, before)
    with engine.begin() as conn:
        ana = "(SELECT id FROM person WHERE name = 'Ana Müller')"
        rust = "(SELECT id FROM circle WHERE name = 'Rust Lunch')"
        for statement in [
            "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
            "('Ana Müller', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')",
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            f" ('Rust Lunch', 'learning-circle', 'Crabs and café', 'Europe/Berlin', 60, 15, {ana}, false,"
            " 'series-1', 0, 1, '2026-01-01 00:00:00+00:00')",
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, presenter_id, presenter_source, notes, version, created_at)"
            f" VALUES ({rust}, '2026-03-03 11:00:00+00:00', 60, 'Ownership', 'held', 'session-1', 0,"
            f" '2026-03-03 11:00:00+00:00', {ana}, 'manual', 'The borrow checker on the whiteboard', 1,"
            " '2026-01-01 00:00:00+00:00')",
        ]:
            conn.exec_driver_sql(statement)
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None
    with store.read() as db:

        def found(text: str) -> list[tuple[str, str]]:
            return [(h.kind, h.title) for h in search.search(db, text)]

        assert found("whiteboard") == [("session", "Ownership")]
        assert found("cafe") == [("circle", "Rust Lunch")]
        assert ("person", "Ana Müller") in found("muller")
        assert found("rust ownership") == [("session", "Ownership")]  # its circle's name is in it
    store.close()


def _migration(revision: str) -> object:
    """A migration script's module, for the statements it writes."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config()).get_revision(revision)
    assert script is not None
    return script.module


def test_0130_finds_what_0090_found_old_documents_and_new(store_url, clock):
    """From 0090, with documents indexed by the old words: after 0130 (which leaves the stored
    vectors as they are) the same searches find them, and documents written since are found
    by the same words, accents and punctuation alike, on both backends."""
    from circles.services import circle_records, search
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0090")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
            "('Ana Müller', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            " ('Rust Lunch', 'learning-circle', 'Slides at /home/ana/slides.pdf, ask ana.quill@example.org',"
            " 'Europe/Berlin', 60, 15, NULL, false, 'series-1', 0, 1, '2026-01-01 00:00:00+00:00')"
        )
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None
    with store.write() as db:
        people.add_person(db, name="Zoë Ørsted-Ñúñez", email="zoe.orsted@example.org")
        circle_records.add_circle(
            db,
            name="Crabs & Café (Berlin)",
            kind="lunch-and-learn",
            timezone="Europe/Berlin",
            description="Notes in /srv/share/crab-notes.txt",
        )
    with store.read() as db:

        def found(text: str) -> list[tuple[str, str]]:
            return sorted((h.kind, h.title) for h in search.search(db, text))

        assert found("muller") == found("Müller") == [("person", "Ana Müller")]
        # Addresses and paths are split at their punctuation, in old documents and new.
        assert found("quill") == found("slides pdf") == [("circle", "Rust Lunch")]
        assert found("crab notes") == found("share") == [("circle", "Crabs & Café (Berlin)")]
        assert found("zoe") == found("nunez") == [("person", "Zoë Ørsted-Ñúñez")]
        assert found("cafe berlin") == [("circle", "Crabs & Café (Berlin)")]
    store.close()


@pytest.mark.postgres
def test_0130_search_words_are_0030s_for_every_text(postgres_url):
    """The new words function gives exactly the old one's text, whatever the text: every ASCII
    character, every letter of the fold table, letters it leaves alone, and any mix of them."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from models.engine import create_store_engine
    from models.search_schema import FOLD_FROM

    # The old body, with % doubled for psycopg's placeholders.
    old = _migration("0130").FOLDED.replace("$1", "t").replace("%", "%%")  # type: ignore[attr-defined]
    engine = create_store_engine(postgres_url)
    _migrate_to(engine, "0130")
    alphabet = st.sampled_from([chr(c) for c in range(1, 128)] + list(FOLD_FROM) + list("ØßŒæ€—“”…日本語🙂"))
    texts = st.lists(st.text(alphabet, max_size=40) | st.none(), min_size=1, max_size=20)

    with engine.connect() as conn:
        every_single = [chr(c) for c in range(1, 128)] + list(FOLD_FROM)

        def differs(values: list[str | None]) -> list[tuple[str | None, str | None, str | None]]:
            return conn.exec_driver_sql(
                f"SELECT t, {old}, circles_search_words(t) FROM unnest(%(values)s::text[]) AS t "
                f"WHERE {old} IS DISTINCT FROM circles_search_words(t)",
                {"values": values},
            ).all()

        assert differs(every_single) == []
        assert conn.exec_driver_sql("SELECT circles_search_words('Ana-Maria (Zürich)')").scalar() == (
            "Ana Maria  Zurich "
        )

        @settings(
            max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
        )
        @given(texts)
        def same(values: list[str | None]) -> None:
            assert differs(values) == []

        same()
    engine.dispose()


def test_0180_links_swaps_and_keeps_every_session_and_its_triggers(store_url, clock):
    """From 0170 with a session: after 0180 it is there, unlinked, the search still follows a
    change to it (SQLite's batch copy keeps the table's triggers), a link to a session that goes
    is cleared; down again, the column goes and the triggers stay, on both backends."""
    from circles.services import search
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0170")

    def triggers(conn: sa.Connection) -> list[str]:
        if conn.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'circle_session'"
        else:
            query = (
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'circle_session'::regclass AND NOT tgisinternal"
            )
        return sorted(name for (name,) in conn.exec_driver_sql(query))

    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            " ('Rust Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15, NULL, false, 'series-1', 0, 1,"
            " '2026-01-01 00:00:00+00:00')"
        )
        for n in (1, 2):
            conn.exec_driver_sql(
                "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
                " ics_sequence, planned_starts_at, presenter_id, presenter_source, notes, version,"
                f" created_at) VALUES ((SELECT id FROM circle), '2026-03-0{n} 11:00:00+00:00', 60,"
                f" 'Talk {n}', 'scheduled', 'session-{n}', 0, '2026-03-0{n} 11:00:00+00:00', NULL, NULL,"
                " '', 1, '2026-01-01 00:00:00+00:00')"
            )
        before = triggers(conn)
    assert before  # the search's, on both; the summaries' too on PostgreSQL
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == "0170"
    with store.engine.begin() as conn:
        # Up to the head: session_figures' triggers (0260) are new on circle_session.
        assert [t for t in triggers(conn) if not t.startswith("summary_figures_")] == before
        rows = conn.exec_driver_sql("SELECT title, swapped_with_id FROM circle_session ORDER BY id").all()
        assert [tuple(r) for r in rows] == [("Talk 1", None), ("Talk 2", None)]
        conn.exec_driver_sql("UPDATE circle_session SET notes = 'borrow checker' WHERE title = 'Talk 1'")
        conn.exec_driver_sql(
            "UPDATE circle_session SET swapped_with_id = (SELECT max(id) FROM circle_session)"
            " WHERE title = 'Talk 1'"
        )
        conn.exec_driver_sql("DELETE FROM circle_session WHERE title = 'Talk 2'")
        assert conn.exec_driver_sql("SELECT swapped_with_id FROM circle_session").all() == [(None,)]
    with store.read() as db:
        assert [h.title for h in search.search(db, "borrow checker")] == ["Talk 1"]

    _migrate_to(store.engine, "0170", down=True)
    with store.engine.connect() as conn:
        assert triggers(conn) == before
        columns = {c["name"] for c in sa.inspect(conn).get_columns("circle_session")}
        assert "swapped_with_id" not in columns and "presenter_source" in columns
        assert conn.exec_driver_sql("SELECT title FROM circle_session").all() == [("Talk 1",)]
    store.close()


def test_0190_covers_the_exports_lookups_on_postgresql_and_check_ins_still_upsert(store_url, clock):
    """From 0180 with a record: after 0190, on PostgreSQL, membership has an index on
    (circle_id, joined_at) and it and attendance's unique constraint also hold what the export
    reads of them; SQLite is as it was. A check-in on a recorded person still updates their one
    row. Down again, both backends are as 0180 made them."""
    from circles.services import attendance
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0180")
    postgres = engine.dialect.name == "postgresql"

    def definitions(conn: sa.Connection) -> dict[str, str]:
        """The two tables' index and unique constraint definitions, by name."""
        if conn.dialect.name == "sqlite":
            query = (
                "SELECT name, coalesce(sql, '') FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name IN ('membership', 'attendance')"
            )
        else:
            query = (
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid IN ('membership'::regclass, 'attendance'::regclass)"
            )
        return dict(conn.exec_driver_sql(query).all())

    with engine.begin() as conn:
        _ana_and_rust_lunch(conn)
        conn.exec_driver_sql(
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, presenter_id, presenter_source, notes, version,"
            " created_at) VALUES ((SELECT id FROM circle), '2026-03-01 11:00:00+00:00', 60,"
            " 'Talk', 'scheduled', 'session-1', 0, '2026-03-01 11:00:00+00:00', NULL, NULL,"
            " '', 1, '2026-01-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO attendance (session_id, person_id, rsvp, attended, note, walk_in, version)"
            " VALUES ((SELECT id FROM circle_session), (SELECT id FROM person), 'yes', NULL, '', false, 1)"
        )
        at_0180 = definitions(conn)
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == "0180"
    with store.engine.connect() as conn:
        after = definitions(conn)
    before = dict(at_0180)
    if postgres:
        members = after.pop("ix_membership_circle_joined")
        assert members.endswith("(circle_id, joined_at) INCLUDE (person_id, left_at, default_rsvp)")
        covering = after.pop("uq_attendance_session_id_person_id")
        assert covering.endswith("(session_id, person_id) INCLUDE (rsvp, attended)")
        assert covering == before.pop("uq_attendance_session_id_person_id").replace(
            "(session_id, person_id)", "(session_id, person_id) INCLUDE (rsvp, attended)"
        )
    # Later migrations' (0230: memberships by the day they began; 0240: by person and circle
    # with the days they cover; 0280: by circle and the days), on both backends.
    assert after.pop("ix_membership_joined_at").endswith("(joined_at)")
    by_person = after.pop("ix_membership_person_circle_days")
    assert by_person.endswith("(person_id, circle_id, joined_at, left_at)")
    assert after.pop("ix_membership_circle_days").endswith("(circle_id, left_at, joined_at)")
    assert after == before  # the rest as they were; on SQLite, all of it
    with store.write() as db:
        found = db.connection().exec_driver_sql("SELECT session_id, person_id FROM attendance").one()
        session_id, person_id = found
        attendance.check_in(db, session_id=session_id, person_id=person_id, attended="present")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT rsvp, attended, version FROM attendance").all()
    assert [tuple(r) for r in rows] == [("yes", "present", 2)]

    _migrate_to(store.engine, "0180", down=True)
    with store.engine.connect() as conn:
        assert definitions(conn) == at_0180
    store.close()


def test_0250_counts_the_notes_for_presenters_of_the_answers_already_there(store_url, clock):
    """From 0240 with answers, named and anonymous, with a note for the presenter and without:
    after 0250 each session's row counts its notes and every rating as before, and a note
    cleared counts again; down again, the column goes, the rows stay and the ratings are still
    kept; up again, counted again, on both backends."""
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0240")
    answers = {  # session: (id, named, rating, note)
        1: [("a1", True, 5, "Clear slides"), ("a2", False, 4, "More examples"), ("a3", False, 3, "")],
        2: [("b1", False, 2, "")],
    }
    with engine.begin() as conn:
        _ana_and_rust_lunch(conn)
        for n, rows in answers.items():
            conn.exec_driver_sql(
                "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
                " ics_sequence, planned_starts_at, notes, version, created_at) VALUES"
                f" ((SELECT id FROM circle), '2026-03-0{n} 11:00:00+00:00', 60, 'Talk {n}', 'held',"
                f" 'session-{n}', 0, '2026-03-0{n} 11:00:00+00:00', '', 1, '2026-01-01 00:00:00+00:00')"
            )
            for aid, named, rating, note in rows:
                conn.exec_driver_sql(
                    "INSERT INTO feedback_answer (id, session_id, person_id, rating, learned, for_presenter)"
                    f" VALUES ('{aid}', (SELECT id FROM circle_session WHERE ics_uid = 'session-{n}'),"
                    f" {'(SELECT id FROM person)' if named else 'NULL'}, {rating}, '', '{note}')"
                )

    def counted(conn: sa.Connection, columns: str = "ratings, rating_sum, notes") -> list[tuple[object, ...]]:
        rows = conn.exec_driver_sql(
            "SELECT s.title, "
            + ", ".join(f"f.{c.strip()}" for c in columns.split(","))
            + " FROM session_feedback f"
            " JOIN circle_session s ON s.id = f.session_id ORDER BY s.title"
        )
        return [tuple(r) for r in rows]

    with engine.connect() as conn:
        ratings_before = counted(conn, "ratings, rating_sum, rated_5")
    assert ratings_before == [("Talk 1", 3, 12, 1), ("Talk 2", 1, 2, 0)]
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == "0240"
    with store.engine.begin() as conn:
        assert counted(conn, "ratings, rating_sum, rated_5") == ratings_before
        assert counted(conn) == [("Talk 1", 3, 12, 2), ("Talk 2", 1, 2, 0)]
        conn.exec_driver_sql("UPDATE feedback_answer SET for_presenter = '' WHERE id = 'a2'")
        conn.exec_driver_sql("UPDATE feedback_answer SET for_presenter = 'Thanks' WHERE id = 'b1'")
    with store.engine.connect() as conn:
        assert counted(conn) == [("Talk 1", 3, 12, 1), ("Talk 2", 1, 2, 1)]

    _migrate_to(store.engine, "0240", down=True)
    with store.engine.begin() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("session_feedback")}
        assert "notes" not in columns and "rated_5" in columns
        assert counted(conn, "ratings, rating_sum") == [("Talk 1", 3, 12), ("Talk 2", 1, 2)]
        conn.exec_driver_sql("UPDATE feedback_answer SET rating = 1 WHERE id = 'b1'")  # still kept
        conn.exec_driver_sql("UPDATE feedback_answer SET for_presenter = 'Good pace' WHERE id = 'a3'")
        assert counted(conn, "ratings, rating_sum") == [("Talk 1", 3, 12), ("Talk 2", 1, 1)]
        assert conn.exec_driver_sql("SELECT count(*) FROM feedback_answer").scalar_one() == 4
    _migrate_to(store.engine, "head")
    with store.engine.connect() as conn:
        assert counted(conn) == [("Talk 1", 3, 12, 2), ("Talk 2", 1, 1, 1)]
    store.close()


def test_0270_keeps_one_session_per_circle_and_start_and_refuses_another(store_url, clock):
    """From 0260 with a session moved onto another's start (as the store allowed then): after
    0270 the one with RSVPs and check-ins stays, the copy is cancelled with its SEQUENCE raised
    (the next invites withdraw it) and keeps its rows; a cancelled session, another start and
    another circle are left as they were. Then a second session at that start is refused by the
    store itself, a cancelled one is not; down again, the index goes and nothing else."""
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file

    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0260")

    def add_session(
        conn: sa.Connection, uid: str, starts: str, status: str = "scheduled", circle: int = 1
    ) -> None:
        conn.exec_driver_sql(
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, notes, version, created_at) VALUES"
            f" ({circle}, '{starts}', 60, '{uid}', '{status}', '{uid}', 2,"
            f" '{starts}', '', 1, '2026-01-01 00:00:00+00:00')"
        )

    noon = "2026-03-10 11:00:00+00:00"
    with engine.begin() as conn:
        _ana_and_rust_lunch(conn)
        conn.exec_driver_sql(
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            " ('Go Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15, NULL, false, 'series-2', 0, 1,"
            " '2026-01-01 00:00:00+00:00')"
        )
        add_session(conn, "planned-first", noon)  # no records: the copy
        add_session(conn, "moved-onto-it", noon)  # Ana's RSVP and check-in: stays
        add_session(conn, "cancelled-before", noon, status="cancelled")
        add_session(conn, "a-week-on", "2026-03-17 11:00:00+00:00")
        add_session(conn, "other-circle", noon, circle=2)
        conn.exec_driver_sql(
            "INSERT INTO attendance (session_id, person_id, rsvp, attended, note, walk_in, version)"
            " VALUES ((SELECT id FROM circle_session WHERE ics_uid = 'moved-onto-it'),"
            " (SELECT id FROM person), 'yes', 'present', '', false, 1)"
        )

    def sessions(conn: sa.Connection) -> dict[str, tuple[str, int, int]]:
        rows = conn.exec_driver_sql("SELECT ics_uid, status, ics_sequence, version FROM circle_session")
        return {uid: (status, sequence, version) for uid, status, sequence, version in rows}

    engine.dispose()
    # Said, as the facilitator knows the session (its circle's clock): it was cancelled unheard.
    upgraded = CliRunner().invoke(
        main, ["--db", store_url.render_as_string(hide_password=False), "db", "upgrade"]
    )
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stderr.splitlines() == [
        "Upgrading the store: 1 session was cancelled, each a copy of another session of its circle at the "
        "same start (the one with more RSVPs and check-ins stays; the next invites withdraw the copy): "
        "Rust Lunch ('planned-first') on Tue 10 Mar 2026 12:00."
    ]
    store = Store.open(store_url, clock=clock)
    with store.engine.begin() as conn:
        assert sessions(conn) == {
            "planned-first": ("cancelled", 3, 2),
            "moved-onto-it": ("scheduled", 2, 1),
            "cancelled-before": ("cancelled", 2, 1),
            "a-week-on": ("scheduled", 2, 1),
            "other-circle": ("scheduled", 2, 1),
        }
        assert conn.exec_driver_sql("SELECT count(*) FROM attendance").scalar_one() == 1
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        add_session(conn, "again", noon)
    with store.engine.begin() as conn:
        add_session(conn, "cancelled-again", noon, status="cancelled")

    _migrate_to(store.engine, "0260", down=True)
    with store.engine.begin() as conn:
        add_session(conn, "a-copy-the-old-version-allows", noon)
        assert sessions(conn)["planned-first"] == ("cancelled", 3, 2)
    _migrate_to(store.engine, "head")
    with store.engine.connect() as conn:
        assert sessions(conn)["a-copy-the-old-version-allows"] == ("cancelled", 3, 2)
        assert sessions(conn)["moved-onto-it"] == ("scheduled", 2, 1)
    store.close()

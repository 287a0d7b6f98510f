"""Migration 0040 (the delivery tables) from the revision before it, with data, on SQLite and
PostgreSQL: the store's rows stay, the new tables take rows and cascade with their session,
and the downgrade removes them again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory

import models.migrate as migrate
from models.engine import create_store_engine, sqlite_file
from models.schema import SCHEMA_HEAD
from models.store import Store
from models.store_file import claim_sqlite_file
from tests.test_migrations import _migrate_to

NEW_TABLES = {"invite_send", "invite_reply", "caldav_event"}


def test_0040_adds_the_delivery_tables_and_keeps_every_row(store_url, clock):
    before = ScriptDirectory.from_config(migrate._config()).get_revision("0040").down_revision
    assert isinstance(before, str)
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, before)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
            "('Ana', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            " ('Rust Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15,"
            " (SELECT id FROM person), false, 'series-1', 0, 1, '2026-01-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, notes, version, created_at) VALUES ((SELECT id FROM circle),"
            " '2026-03-10 11:00:00+00:00', 60, 'Ownership', 'scheduled', 'session-1', 2,"
            " '2026-03-10 11:00:00+00:00', '', 1, '2026-01-01 00:00:00+00:00')"
        )
        assert not NEW_TABLES & set(sa.inspect(conn).get_table_names())
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.to_revision == SCHEMA_HEAD
    with store.engine.begin() as conn:
        rows = conn.exec_driver_sql("SELECT title, ics_sequence FROM circle_session").all()
        assert rows == [("Ownership", 2)]
        conn.exec_driver_sql(
            "INSERT INTO invite_send (session_id, person_id, email, uid, sequence, method, reason,"
            " fingerprint, outcome, detail, sent_at) VALUES ((SELECT id FROM circle_session),"
            " (SELECT id FROM person), 'ana@example.org', 'session-1', 2, 'REQUEST', 'new', 'f', 'sent',"
            " '', '2026-03-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO caldav_event (calendar_url, session_id, href, etag, sequence, fingerprint,"
            " cancelled, published_at) VALUES ('http://127.0.0.1/c/', (SELECT id FROM circle_session),"
            " 'http://127.0.0.1/c/session-1.ics', '\"e1\"', 2, 'f', false, '2026-03-01 00:00:00+00:00')"
        )
        # A method the log does not know is refused by the store itself.
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(
                    "INSERT INTO invite_send (session_id, person_id, email, uid, sequence, method, reason,"
                    " fingerprint, outcome, detail, sent_at) VALUES ((SELECT id FROM circle_session),"
                    " (SELECT id FROM person), 'a@b.c', 'u', 0, 'PUBLISH', 'new', 'f', 'sent', '',"
                    " '2026-03-01 00:00:00+00:00')"
                )
        except sa.exc.IntegrityError:
            pass
        else:
            raise AssertionError("the CHECK on invite_send.method let PUBLISH in")
        conn.exec_driver_sql("DELETE FROM circle_session")
        assert conn.exec_driver_sql("SELECT count(*) FROM invite_send").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM caldav_event").scalar() == 0

    _migrate_to(store.engine, before, down=True)
    with store.engine.connect() as conn:
        assert not NEW_TABLES & set(sa.inspect(conn).get_table_names())
        assert conn.exec_driver_sql("SELECT name FROM circle").all() == [("Rust Lunch",)]
    store.close()

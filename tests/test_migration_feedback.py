"""The feedback migration (0020) upgrades a store at the previous head with every row intact,
on SQLite and PostgreSQL, and its downgrade takes exactly its own tables away again."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

import models.migrate as migrate
from circles.services import attendance, circle_records, feedback, people, recognition, sessions
from models.engine import sqlite_file
from models.store import Store
from models.store_file import claim_sqlite_file
from tests.factories import scheduled_ahead

FEEDBACK_TABLES = {"feedback_setting", "feedback_answer", "feedback_response", "thanks"}
# Whatever it is chained on when branches merge.
PREVIOUS = ScriptDirectory.from_config(migrate._config()).get_revision("0020").down_revision


def _tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def test_upgrading_from_the_previous_head_keeps_rows_and_adds_feedback(store_url, clock):
    path = sqlite_file(store_url)
    if path is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = sa.create_engine(store_url)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, PREVIOUS)
    assert not FEEDBACK_TABLES & _tables(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO person (name, email, team, is_guest, active, version, created_at) "
                "VALUES ('Ana', 'ana@example.org', 'Data', false, true, 1, :at)"
            ),
            {"at": clock()},
        )
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == PREVIOUS
    assert _tables(store.engine) >= FEEDBACK_TABLES
    with store.write() as db:
        ana = people.find_person(db, "ana@example.org")
        assert (ana.name, ana.team) == ("Ana", "Data")
        c = circle_records.add_circle(db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin")
        with scheduled_ahead(db, datetime(2026, 3, 2, 11, tzinfo=UTC)):
            s = sessions.add_session(db, circle_id=c.id, starts_at=datetime(2026, 3, 2, 11, tzinfo=UTC))
        attendance.check_in(db, session_id=s.id, person_id=ana.id, attended="present")
        feedback.add_answer(
            db, session_id=s.id, person_id=ana.id, rating=5, learned="borrowing", anonymous=True
        )
        recognition.add_thanks(db, person="ana@example.org", text="the Rust talk", session_id=s.id)

    # As migrate.py runs migrations on SQLite: with foreign keys off, or a table copied in batch
    # mode is emptied when the old one is dropped (and 0180's, referencing itself, refuses).
    with store.engine.connect() as conn, migrate.foreign_keys_deferred(conn), conn.begin():
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, PREVIOUS)
    assert not FEEDBACK_TABLES & _tables(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM person")).scalars().all() == ["Ana"]
        assert conn.execute(sa.text("SELECT count(*) FROM attendance")).scalar_one() == 1
    store.close()

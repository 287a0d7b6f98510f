"""Migration 0090 (the sessions a person presented, by an index) from the revision before it on SQLite and
PostgreSQL: the Person screen's query for a person's talks reads the index, not every session;
the rows are kept, and the downgrade takes the index away."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

import models.migrate as migrate
from models.engine import create_store_engine, sqlite_file
from models.store_file import claim_sqlite_file
from tests.test_migrations import _migrate_to

INDEX = "ix_circle_session_presenter_starts"
# The query behind the Person screen's talks (circles/services/lookups.py, person_record).
TALKS = (
    "SELECT id FROM circle_session WHERE presenter_id = {person} AND status != 'cancelled' "
    "ORDER BY starts_at DESC LIMIT 50"
)


def _indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return {i["name"] for i in sa.inspect(conn).get_indexes("circle_session") if i["name"]}


def _plan(engine: sa.Engine, person: int) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + TALKS.format(person=person)).all()
            return " ".join(str(r[-1]) for r in rows)
        # A handful of rows is read faster without any index: ask for the plan with one.
        conn.exec_driver_sql("SET enable_seqscan = off")
        return " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + TALKS.format(person=person)))


def test_0090_reads_a_persons_talks_by_the_index(store_url: URL) -> None:
    before = ScriptDirectory.from_config(migrate._config()).get_revision("0090").down_revision
    assert isinstance(before, str)
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, before)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
            "('Ana Quill', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
        )
        ana = conn.exec_driver_sql("SELECT id FROM person").scalar_one()
        conn.exec_driver_sql(
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            f" ('Rust Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15, {ana}, false, 'series-1', 0,"
            " 1, '2026-01-01 00:00:00+00:00')"
        )
        for week in range(1, 4):
            conn.exec_driver_sql(
                "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
                " ics_sequence, planned_starts_at, notes, presenter_id, version, created_at) VALUES"
                f" ((SELECT id FROM circle), '2026-03-0{week} 11:00:00+00:00', 60, 'Talk {week}', 'held',"
                f" 'session-{week}', 0, '2026-03-0{week} 11:00:00+00:00', '', {ana}, 1,"
                " '2026-01-01 00:00:00+00:00')"
            )
    assert INDEX not in _indexes(engine)
    assert INDEX not in _plan(engine, ana)
    _migrate_to(engine, "0090")
    assert INDEX in _indexes(engine)
    assert INDEX in _plan(engine, ana)
    with engine.connect() as conn:
        assert len(conn.exec_driver_sql(TALKS.format(person=ana)).all()) == 3
    _migrate_to(engine, before, down=True)
    assert INDEX not in _indexes(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM circle_session").scalar_one() == 3
    engine.dispose()

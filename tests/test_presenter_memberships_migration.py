"""Migration 0240 (each person's memberships by circle with the days they cover, as an index)
from the revision before it on SQLite and PostgreSQL: the index is made over the memberships
already there, which are kept, and the downgrade takes it away."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import URL

from models.engine import create_store_engine, sqlite_file
from models.store_file import claim_sqlite_file
from tests.test_migrations import _ana_and_rust_lunch, _migrate_to

INDEX = "ix_membership_person_circle_days"


def _columns(engine: sa.Engine) -> list[str] | None:
    """The index's columns, in order; None without it."""
    for index in sa.inspect(engine).get_indexes("membership"):
        if index["name"] == INDEX:
            return [str(c) for c in index["column_names"]]
    return None


def test_0240_indexes_the_memberships_already_there_by_person_and_circle(store_url: URL) -> None:
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0230")
    with engine.begin() as conn:
        _ana_and_rust_lunch(conn)
        conn.exec_driver_sql(
            "INSERT INTO membership (circle_id, person_id, role, joined_at, in_rotation, default_rsvp,"
            " version) VALUES ((SELECT id FROM circle), (SELECT id FROM person), 'member',"
            " '2026-01-05 00:00:00+00:00', true, 'none', 1)"
        )
    assert _columns(engine) is None
    _migrate_to(engine, "0240")
    assert _columns(engine) == ["person_id", "circle_id", "joined_at", "left_at"]
    _migrate_to(engine, "0230", down=True)
    assert _columns(engine) is None
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM membership").scalar_one() == 1
    engine.dispose()

"""Migration 0210 (the people directory's order as an index) from the revision before it on
SQLite and PostgreSQL: the index is made over the people already there, who are kept, and the
downgrade takes it away."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import URL

from models.engine import create_store_engine, sqlite_file
from models.store_file import claim_sqlite_file
from tests.test_migrations import _migrate_to

INDEX = "ix_person_name_lower"
PAGE = "SELECT name FROM person ORDER BY lower(name), id LIMIT 100"


def _indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":  # SQLAlchemy does not reflect SQLite's expression indexes
            rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'person'")
        else:
            rows = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'person'")
        return {r[0] for r in rows}


def test_0210_orders_the_people_already_there_by_an_index(store_url: URL) -> None:
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0200")
    with engine.begin() as conn:
        for n, name in enumerate(("Bo", "ann Lee", "Ann Quill")):
            conn.exec_driver_sql(
                "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
                f"('{name}', 'p{n}@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
            )
    assert INDEX not in _indexes(engine)
    _migrate_to(engine, "0210")
    assert INDEX in _indexes(engine)
    with engine.connect() as conn:
        assert [r[0] for r in conn.exec_driver_sql(PAGE)] == ["ann Lee", "Ann Quill", "Bo"]
    _migrate_to(engine, "0200", down=True)
    assert INDEX not in _indexes(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one() == 3
    engine.dispose()

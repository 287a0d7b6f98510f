"""Alembic environment: runs on the connection the app hands over, or on --db / CIRCLES_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers every table on the metadata)
from models.engine import create_store_engine, resolve_url
from models.migrate import check_foreign_keys, foreign_keys_deferred
from models.search_schema import include_object

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying the table
        compare_type=True,
        include_object=include_object,  # the full-text index differs per backend
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_store_engine(resolve_url(context.get_x_argument(as_dictionary=True).get("db")))
    with engine.connect() as conn, foreign_keys_deferred(conn):
        _run(conn)
        check_foreign_keys(conn)
    engine.dispose()

"""The demo's rows written the fastest way each backend takes them: one executemany on SQLite,
``COPY ... FROM STDIN`` on PostgreSQL (psycopg streams the rows; no statement per row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Writes ``rows`` (values in ``columns`` order, as the driver stores them) into ``table``
    inside the connection's transaction."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch = rows if isinstance(rows, list) else list(rows)
    if batch:
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)

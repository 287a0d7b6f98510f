"""The search index of a demo filled once after its rows, instead of row by row by its triggers.

Every insert into a searchable table fires a trigger that writes the row's search document
(models/search_schema.py); for the huge demo's millions of rows those triggers, and the
rewrites the notes and topics added later cause, take most of the build. So while the demo
writes, the search triggers are off; afterwards each table's insert trigger's own statement
runs once over all its rows (the statement is read from the store, so the documents are the
ones the triggers would have written), the full-text index is built in one pass, and the
triggers are back on. All inside the demo's transaction: nothing else sees the store between.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

from models.search_schema import FTS_TABLE

# The tables whose insert trigger writes a document of their own, in the order triggers
# would have met them (documents of topics are tags of these, read at the same time).
SOURCES = ("person", "circle", "circle_session", "agenda_item", "material", "takeaway")
# In an insert trigger's statement, the row it was fired for: "s.id = NEW.id".
_THIS_ROW = re.compile(r"\b\w+\.id = NEW\.id\b")


@contextmanager
def index_afterwards(conn: Connection) -> Iterator[None]:
    """Inside, writes leave the search index alone; on the way out it is filled from them."""
    if conn.dialect.name == "sqlite":
        triggers = conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%' "
            "ORDER BY name"
        ).all()
        for name, _table, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield
        bodies = {table: sql for name, table, sql in triggers if name == f"search_{_kind(table)}_insert"}
        for table in SOURCES:
            body = bodies[table]
            statement = body[body.index(" BEGIN ") + 7 : body.rindex("END")].strip().rstrip(";")
            conn.exec_driver_sql(_every_row(statement))
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        for _name, _table, sql in triggers:
            conn.exec_driver_sql(sql)
        return
    triggers = conn.exec_driver_sql(
        "SELECT t.tgname, c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgname LIKE 'search%%' "
        "ORDER BY t.tgname"
    ).all()
    for name, table, _source in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
    yield
    bodies = {table: source for name, table, source in triggers if name == f"search_{_kind(table)}_insert"}
    for table in SOURCES:
        body = bodies[table]
        statement = body[body.index("BEGIN") + 5 : body.index("RETURN NULL")].strip().rstrip(";")
        conn.exec_driver_sql(_every_row(statement).replace("%", "%%"))
    for name, table, _source in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')


def _kind(table: str) -> str:
    return "session" if table == "circle_session" else table


def _every_row(statement: str) -> str:
    """A trigger's statement for its row, made one for every row of its table."""
    every, found = _THIS_ROW.subn("true", statement)
    if found != 1:
        raise RuntimeError(f"unexpected search trigger statement: {statement[:120]}")
    return every

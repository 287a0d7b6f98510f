"""The search index of a demo filled once after its rows, instead of row by row by its triggers.

Every insert into a searchable table fires a trigger that writes the row's search document
(models/search_schema.py); for the large and huge demos' millions of rows those triggers, and
the rewrites the notes and topics added later cause, take most of the build. So while the demo
writes, the search triggers are off; afterwards each table's insert trigger's own statement
runs once over all its rows (the statement is read from the store, so the documents are the
ones the triggers would have written), the full-text index is built in one pass (FTS5's
rebuild; on PostgreSQL the GIN index dropped and made again), and the triggers are back on.
All inside the demo's transaction: nothing else sees the store between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

from circles.demo_postgres import analyse
from models.search_schema import FTS_TABLE, VECTOR_INDEX

# The insert triggers that write documents, in the order triggers would have met them
# (documents of topics are tags of these, read at the same time), each with how its statement
# names the row it was fired for: "s.id = NEW.id", or for what people learned, the session of
# the answer (one document per session, holding all its lines).
_THIS_ROW = re.compile(r"\b\w+\.id = NEW\.id\b")
_THIS_SESSION = re.compile(r"\bs\.id = NEW\.session_id\b")
SOURCES = (
    ("search_person_insert", _THIS_ROW),
    ("search_circle_insert", _THIS_ROW),
    ("search_session_insert", _THIS_ROW),
    ("search_agenda_item_insert", _THIS_ROW),
    ("search_material_insert", _THIS_ROW),
    ("search_takeaway_insert", _THIS_ROW),
    ("search_feedback_answer_insert", _THIS_SESSION),
)
# Insert triggers that write no document of their own: topics are tags of their session's or
# agenda item's document, and search_doc_insert copies documents into the full-text index
# (rebuilt in one pass). A search insert trigger in neither list stops the fill: a migration
# that adds a kind of document must say here how to fill it, or huge stores miss it silently.
NOT_SOURCES = ("search_agenda_item_topic_insert", "search_session_topic_insert", "search_doc_insert")


def _check_sources(names: Iterable[str]) -> None:
    known = {name for name, _ in SOURCES} | set(NOT_SOURCES)
    unknown = sorted(n for n in names if n.endswith("_insert") and n not in known)
    if unknown:
        raise RuntimeError(f"circles/demo_index.py does not know the search trigger(s) {', '.join(unknown)}")


@contextmanager
def index_afterwards(conn: Connection) -> Iterator[None]:
    """Inside, writes leave the search index alone; on the way out it is filled from them."""
    if conn.dialect.name == "sqlite":
        triggers = conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%' "
            "ORDER BY name"
        ).all()
        _check_sources(name for name, _table, _sql in triggers)
        for name, _table, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield
        bodies = {name: sql for name, _table, sql in triggers}
        for name, this_row in SOURCES:
            body = bodies[name]
            statement = body[body.index(" BEGIN ") + 7 : body.rindex("END")].strip().rstrip(";")
            conn.exec_driver_sql(_every_row(statement, this_row))
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        for _name, _table, sql in triggers:
            conn.exec_driver_sql(sql)
        return
    triggers = conn.exec_driver_sql(
        "SELECT t.tgname, c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgname LIKE 'search%%' "
        "ORDER BY t.tgname"
    ).all()
    _check_sources(name for name, _table, _source in triggers)
    for name, table, _source in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
    yield
    # The full-text (GIN) index is made after the documents, in one pass, like FTS5's rebuild:
    # kept up while millions of documents go in, it was most of the fill's time.
    vector_index = conn.exec_driver_sql(
        "SELECT pg_get_indexdef(%(index)s::regclass)", {"index": VECTOR_INDEX}
    ).scalar_one()
    conn.exec_driver_sql(f"DROP INDEX {VECTOR_INDEX}")
    # The statements join the rows just written: plan them with their real sizes.
    analyse(conn)
    bodies = {name: source for name, _table, source in triggers}
    for name, this_row in SOURCES:
        body = bodies[name]
        statement = body[body.index("BEGIN") + 5 : body.index("RETURN NULL")].strip().rstrip(";")
        conn.exec_driver_sql(_every_row(statement, this_row).replace("%", "%%"))
    conn.exec_driver_sql(vector_index)
    for name, table, _source in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')


def _every_row(statement: str, this_row: re.Pattern[str]) -> str:
    """A trigger's statement for its row, made one for every row of its table."""
    every, found = this_row.subn("true", statement)
    if found != 1:
        raise RuntimeError(f"unexpected search trigger statement: {statement[:120]}")
    return every

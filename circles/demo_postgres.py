"""What makes a big demo load fast on PostgreSQL, all inside the demo's one transaction.

A huge demo writes about ten million rows. Row by row, PostgreSQL spends most of that time on
work a load can do once at the end: the change notifications of migration 0070 (statement
triggers that collect every row a statement wrote), the foreign-key checks (a lookup per row)
and the secondary indexes (an insert per row into each, in random order). So while the demo
writes, the change triggers are off, and the bulk tables' foreign keys and secondary indexes
are dropped and made again after their rows (one sort per index, one join per key); then
ANALYZE gives the planner statistics before the first screen opens.

Recovery: PostgreSQL's DDL is transactional, and every statement here runs in the demo's
transaction. A build that fails is rolled back whole, and the triggers, keys and indexes with
it: nothing is ever left off. On SQLite there are no notifications, and the indexes are
circles/demo_sqlite.py's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

# The triggers of migration 0070, and the channel they notify on (circles/live.py listens).
CHANGE_TRIGGERS = "circles\\_change\\_%"
CHANNEL = "circles_changes"
# Memory for building an index or checking a key in one pass (a session's default is 64 MB);
# for this transaction only.
BUILD_MEMORY = "256MB"


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@contextmanager
def quiet_changes(conn: Connection) -> Iterator[None]:
    """Inside, the demo's writes send no change notifications and wait for no disk flush at
    commit (a demo lost in a crash is built again); on the way out the triggers are on again
    and one notification per table written says "look again" to the apps open on the store."""
    if not _postgres(conn):
        yield
        return
    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
    conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    triggers = conn.exec_driver_sql(
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname LIKE %(pattern)s "
        "AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname, t.tgname",
        {"pattern": CHANGE_TRIGGERS},
    ).all()
    for name, table in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
    yield
    for name, table in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')
    for table in sorted({table for _name, table in triggers}):
        # A bare table name is the notification of a bulk change (migration 0070).
        conn.exec_driver_sql("SELECT pg_notify(%(channel)s, %(table)s)", {"channel": CHANNEL, "table": table})


@contextmanager
def keys_and_indexes_after(conn: Connection, tables: Iterable[str]) -> Iterator[None]:
    """Inside, ``tables`` have their primary keys only: their foreign keys, unique constraints
    and other indexes are dropped, and made again on the way out, then the tables analysed.
    Nothing inside may read these tables by anything but their id, so a table a trigger still
    running reads (the search index's, unless it is filled afterwards) stays as it is: each of
    the trigger's runs would read it without its indexes, and the large demo's feedback, whose
    learned lines the search triggers gather by session, took more than ten minutes instead of
    seconds. The search triggers never read attendance or memberships: those load without."""
    names = list(tables)
    if conn.dialect.name == "sqlite":
        from circles.demo_sqlite import indexes_after

        with indexes_after(conn, names):
            yield
        return
    if _postgres(conn):
        read = _read_by_triggers(conn)
        names = [t for t in names if t not in read]
    if not _postgres(conn) or not names:
        yield
        return
    # Foreign keys first (a unique constraint may back one), then unique constraints, then
    # the indexes no constraint owns; made again in the opposite order.
    constraints = conn.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype IN ('f', 'u') "
        "ORDER BY c.contype, c.conrelid::regclass::text, c.conname",
        {"tables": names},
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%(tables)s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1",
        {"tables": names},
    ).all()
    for table, name, _definition in constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for index, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {index}")
    yield
    for _index, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, definition in reversed(constraints):
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    analyse(conn, names)


def _read_by_triggers(conn: Connection) -> set[str]:
    """The tables named by a trigger of ours that still fires in this schema (PostgreSQL's own,
    behind foreign keys, are internal; the change notifications are off while the demo writes):
    its function, and the table it is on."""
    found: set[str] = set()
    for table, source in conn.exec_driver_sql(
        "SELECT c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' "
        "AND c.relnamespace = current_schema()::regnamespace"
    ):
        found.add(table)
        found.update(re.findall(r"\b[a-z_][a-z0-9_]*\b", source))
    return found


def analyse(conn: Connection, tables: Iterable[str] = ()) -> None:
    """Statistics for the planner (all tables when none are named): a new store has none until
    autovacuum comes by, and a screen's first query is planned as if the tables were empty.
    Run inside the demo's transaction, ANALYZE counts its uncommitted rows."""
    if _postgres(conn):
        conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t}"' for t in tables))

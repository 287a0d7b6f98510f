"""What makes a big demo load fast on SQLite, inside the demo's one transaction.

The huge demo writes about ten million attendance rows. An index whose order is not the order
the rows arrive in (attendance by person, sessions by start across circles, memberships by
person...) takes each row at a random place: once it outgrows SQLite's page cache, each insert
reads one of its pages back, and in WAL mode that read first looks the page up in the
write-ahead log of the transaction, which grows with the load (a profile of the huge build's
sessions stage: half its time in SQLite, the largest part of that in sqlite3WalFindFrame). So
while the demo writes, the bulk tables' secondary indexes (those made by CREATE INDEX, unique or not) are
dropped and made again after their rows, one sort each, except those of a table a trigger still
running reads (the large demo keeps its search triggers: they read sessions and agenda items,
never attendance or memberships). The indexes behind a table's own UNIQUE constraints cannot be
dropped; they follow the insert order.

And the page cache is larger for the whole build (:func:`larger_cache`): SQLite's default of
2 MB spilled the transaction's pages to the write-ahead log over and over, each spill written
out and read back, long before the commit wrote them once more (the large demo's stages took
two to three times their processor time in wall time).
A unique index made again checks every row then, so a duplicate fails the build as it would
have row by row. No ANALYZE: SQLite stores are planned without statistics
(tests/test_huge_plans.py).

Recovery: SQLite's DDL is transactional too; a build that fails is rolled back whole, indexes
and all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

# The page cache while the demo writes, in KiB (negative: SQLite's unit for a size, not pages).
BUILD_CACHE_KIB = 256 * 1024


@contextmanager
def larger_cache(conn: Connection) -> Iterator[None]:
    """Inside, SQLite keeps up to BUILD_CACHE_KIB of the store in memory; on the way out the
    connection's own page cache size is back."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


@contextmanager
def indexes_after(conn: Connection, tables: Iterable[str]) -> Iterator[None]:
    """Inside, ``tables`` keep only their primary keys and UNIQUE constraints; their other
    indexes are made again on the way out. Like demo_postgres.keys_and_indexes_after, a table
    a trigger still reads keeps its indexes (the trigger might read it by one)."""
    triggers = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger'").scalars().all()
    names = [t for t in tables if not any(re.search(rf"\b{t}\b", sql) for sql in triggers)]
    if not names:
        yield
        return
    marks = ", ".join("?" * len(names))
    indexes = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tuple(names),
    ).all()
    for name, _sql in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)

"""The SQL a piece of work sends: for tests that pin how many statements a read takes, the plan
the database picks for one of them, or that stop a unit of work just before a statement."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


@contextmanager
def hearing_statements(engine: sa.Engine, hear: Callable[[str, Any], None]) -> Iterator[None]:
    """Call ``hear(statement, parameters)`` in the sending thread, just before ``engine`` sends
    each statement inside the ``with``."""

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        hear(statement, parameters)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


@contextmanager
def statements_sent(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) ``engine`` sends inside the ``with``, in order."""
    sent: list[tuple[str, Any]] = []
    with hearing_statements(engine, lambda statement, parameters: sent.append((statement, parameters))):
        yield sent


def postgres_plan(
    engine: sa.Engine, sent: tuple[str, Any], *, off: tuple[str, ...] = (), analyze: bool = False
) -> list[dict[str, Any]]:
    """Every node of PostgreSQL's plan for the statement ``sent`` (statement, parameters), planned
    with the planner settings ``off`` (enable_seqscan, ...) turned off; run too if ``analyze``,
    for the rows each node read."""
    statement, parameters = sent
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    with engine.connect() as conn:
        for setting in off:
            conn.exec_driver_sql(f"SET LOCAL {setting} = off")
        plan = conn.exec_driver_sql(explain + statement, parameters).scalar_one()
    found = plan if isinstance(plan, list) else json.loads(plan)

    def nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [node, *(n for child in node.get("Plans", []) for n in nodes(child))]

    return nodes(found[0]["Plan"])


def postgres_reads(engine: sa.Engine, sent: tuple[str, Any], table: str) -> list[dict[str, Any]]:
    """The nodes of PostgreSQL's plan for the statement ``sent`` (statement, parameters) that
    read ``table``, planned with no nested loop and no plain read of a table. A huge store's
    statistics made the planner hash a whole table for a join; a tiny store's lead it elsewhere.
    Left neither, a join has only that, and a lookup by id per row (a subquery) is no join."""
    plan = postgres_plan(engine, sent, off=("enable_nestloop", "enable_seqscan"))
    return [n for n in plan if n.get("Relation Name") == table]


def assert_looked_up_by(engine: sa.Engine, sent: tuple[str, Any], table: str, key: str) -> None:
    """Every read of ``table`` in the plan of ``sent`` (as postgres_reads plans it) is a lookup
    by ``key``: an index condition on it, not a whole table hashed for a join."""
    reads = postgres_reads(engine, sent, table)
    assert reads, f"the plan reads no {table}"
    assert all(key in n.get("Index Cond", "") for n in reads), reads

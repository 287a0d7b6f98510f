"""The SQL a piece of work sends: for tests that pin how many statements a read takes, the plan
the database picks for one of them, or that stop a unit of work just before a statement."""

from __future__ import annotations

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

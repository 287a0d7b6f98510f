"""The SQL a piece of work sends: for tests that pin how many statements a read takes, or the
plan the database picks for one of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


@contextmanager
def statements_sent(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) ``engine`` sends inside the ``with``, in order."""
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)

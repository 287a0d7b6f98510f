"""The start-up baseline: the least a Textual app showing the same data can do
(Header, DataTable, Footer; the upcoming sessions read on mount with plain sqlite3 from a file,
or with plain psycopg from a PostgreSQL URL).

    python bench/minimal_app.py FILE | postgresql://USER@HOST:PORT/DATABASE
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

# The rows Home lists first: from two hours ago (a session under way is still "coming up"), in
# start and id order, so its first row is Home's too (bench/startup.py waits for its circle; on
# the huge store many sessions start at once, and without the id the two lists began apart).
UPCOMING = (
    "SELECT s.starts_at, c.name, s.title FROM circle_session s JOIN circle c ON c.id = s.circle_id "
    "WHERE s.starts_at >= {since} ORDER BY s.starts_at, s.id LIMIT 40"
)


def upcoming_rows(store: str) -> list[tuple[object, ...]]:
    if store.startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(store) as conn:
            return conn.execute(UPCOMING.format(since="now() - interval '2 hours'")).fetchall()
    import sqlite3

    conn = sqlite3.connect(store)
    rows = conn.execute(UPCOMING.format(since="datetime('now', '-2 hours')")).fetchall()
    conn.close()
    return rows


class Minimal(App[None]):
    def __init__(self, store: str) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        rows = upcoming_rows(self.store)
        table = self.query_one(DataTable)
        table.add_columns("When", "Circle", "Title")
        table.add_rows(rows)


if __name__ == "__main__":
    Minimal(sys.argv[1]).run()

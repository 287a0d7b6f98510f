"""The start-up baseline: the least a Textual app showing the same data can do
(Header, DataTable, Footer; the upcoming sessions read with plain sqlite3 on mount)."""

from __future__ import annotations

import sqlite3
import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class Minimal(App[None]):
    def __init__(self, store: str) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        conn = sqlite3.connect(self.store)
        rows = conn.execute(
            "SELECT s.starts_at, c.name, s.title FROM circle_session s JOIN circle c ON c.id = s.circle_id "
            "WHERE s.starts_at >= datetime('now') ORDER BY s.starts_at LIMIT 40"
        ).fetchall()
        conn.close()
        table = self.query_one(DataTable)
        table.add_columns("When", "Circle", "Title")
        table.add_rows(rows)


if __name__ == "__main__":
    Minimal(sys.argv[1]).run()

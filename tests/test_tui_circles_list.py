"""The Circles list on an organisation of many circles: a page of rows at first, more as the
cursor nears the end, and the filter over all of them."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from circles.app import CirclesApp
from circles.services import circle_records
from models.store import Store
from screens.circles import CirclesScreen
from tests.tui_support import settle, shown, type_text, until

PAGE = 200  # screens/circles.py's
MANY = PAGE + 50


def _many_circles(store: Store) -> None:
    with store.write() as db:
        for n in range(MANY):
            circle_records.add_circle(
                db, name=f"Circle {n:04d}" + (" Rust" if n % 50 == 7 else ""), kind="lunch-and-learn",
                timezone="Europe/Berlin",
            )  # fmt: skip


async def test_the_circles_list_shows_a_page_and_the_rest_as_the_cursor_comes(
    memory_store: Store, clock: Any
) -> None:
    """Three thousand circles in a table took most of a second to show (Textual measures every
    row a table holds): the list holds a page, says how many there are, and adds the next page
    as the cursor nears the end."""
    _many_circles(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        assert isinstance(app.screen, CirclesScreen)
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0)
        assert table.row_count == PAGE
        assert (
            shown(app.screen.query_one("#circles-count"))
            == f"{MANY} circles, showing {PAGE}; scroll down for more"
        )
        table.move_cursor(row=PAGE - 1)
        await until(pilot, lambda: table.row_count == MANY)
        assert shown(app.screen.query_one("#circles-count")) == ""
        assert table.cursor_row == PAGE - 1

        # The filter looks through every circle, not only the rows shown.
        await pilot.press("slash")
        await type_text(pilot, "rust")
        await until(pilot, lambda: table.row_count == MANY // 50)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)][-1] == "Circle 0207 Rust"

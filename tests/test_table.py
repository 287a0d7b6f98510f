"""The app's tables keep their header in line with rows and cells that widen the columns."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.table import Table


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        table = Table()
        # A table whose size does not follow its rows (a fixed area, a tab), so nothing else redraws it.
        table.styles.height = 8
        table.styles.width = 60
        yield table


async def test_the_header_follows_rows_that_came_after_a_frame_was_drawn():
    app = OneTable()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(Table)
        table.add_columns("Name", "Team")
        await pilot.pause()
        table.add_rows([("Ana Lima-Ferreira", "Platform"), ("Bo Chen", "Data")])
        table.render_line(0)  # a frame drawn before the table measured its new rows (a busy machine)
        await pilot.pause()  # the table is idle: it measures them
        header, first_row = table.render_line(0).text, table.render_line(1).text
        assert header.index("Team") == first_row.index("Platform")


async def test_the_header_follows_a_cell_that_widened_its_column():
    app = OneTable()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(Table)
        table.add_column("Name", key="name")
        table.add_column("Team", key="team")
        table.add_row("Bo", "Data", key="bo")
        await pilot.pause()
        table.update_cell("bo", "name", "Bo Chen-Lindqvist", update_width=True)
        table.render_line(0)
        await pilot.pause()
        header, first_row = table.render_line(0).text, table.render_line(1).text
        assert header.index("Team") == first_row.index("Data")

"""The app's tables keep their header in line with rows and cells that widen the columns."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult

from screens.table import Table
from screens.textual_internals import on_each_frame, screen_text


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


class WideTable(App[None]):
    """Home's columns, with a row wider than 80 columns."""

    def compose(self) -> ComposeResult:
        yield Table()

    def on_mount(self) -> None:
        table = self.query_one(Table)
        table.add_column("When")
        table.add_column("Circle", min_width=12)
        table.add_column("Title", min_width=12)
        table.add_column("Presenter", min_width=10)
        table.add_column("RSVP", priority=9, min_width=5)
        table.add_column("Status")
        table.add_row(
            "Mon 30 Nov 10:00 AEDT",
            "Data Science Learning Circle",
            "A tour of the tooling",
            "Dr. Miriam Ostrowski",
            "8 yes · 1 maybe · 3 came",
            "cancelled",
        )


async def test_columns_that_do_not_fit_are_shortened_then_hidden_least_important_first():
    app = WideTable()
    async with app.run_test(size=(140, 10)) as pilot:
        table = app.query_one(Table)
        await pilot.pause()
        assert table.shown_columns == ["When", "Circle", "Title", "Presenter", "RSVP", "Status"]
        assert "Data Science Learning Circle" in table.render_line(1).text

        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        # RSVP matters least (priority 9): it goes; the rest are shortened with an ellipsis.
        assert table.shown_columns == ["When", "Circle", "Title", "Presenter", "Status"]
        header, row = table.render_line(0).text, table.render_line(1).text
        assert len(row.rstrip()) <= 80
        assert "Mon 30 Nov 10:00 AEDT" in row and "cancelled" in row
        assert "Data Science" in row and "Dr. Miria…" in row and "Learning Circle" not in row
        assert header.index("Status") == row.index("cancelled")

        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        assert table.shown_columns == ["When", "Circle"]

        await pilot.resize_terminal(140, 10)
        await pilot.pause()
        assert table.shown_columns == ["When", "Circle", "Title", "Presenter", "RSVP", "Status"]
        assert "Dr. Miriam Ostrowski" in table.render_line(1).text

        # Shortening takes from the widest first, weighed by importance: the long circle name
        # gives way before the title and the presenter are cut.
        await pilot.resize_terminal(120, 10)
        await pilot.pause()
        row = table.render_line(1).text
        assert "A tour of the tooling" in row and "Data Science Learning Circle" not in row


class WideTableFramed(WideTable):
    """WideTable, keeping the text of every frame it draws from the first."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[str] = []
        on_each_frame(self, lambda: self.frames.append(screen_text(self)))


async def test_the_first_frame_shows_the_columns_fitted_to_the_width():
    """Fitted as the layout gives the table its width, before that layout's frame is drawn: fitted
    when its Resize came, a frame later, the programme screen's first frame ran off the right
    edge (no Status), and the next one drew the whole table again."""
    app = WideTableFramed()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(Table)
        await pilot.pause()
        assert table.shown_columns == ["When", "Circle", "Title", "Presenter", "Status"]
        header, row = app.frames[0].splitlines()[:2]
        assert "Status" in header and "cancelled" in row and "Dr. Miria…" in row
        assert app.frames[0] == app.frames[-1]


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many cells (and labels) were measured: by DataTable's own code or by ours."""
    import textual.widgets._data_table

    import screens.textual_internals

    count = [0]

    def counting(measure: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            return measure(*args, **kwargs)

        return counted

    for module in (textual.widgets._data_table, screens.textual_internals):
        monkeypatch.setattr(module, "measure", counting(module.measure))
    return count


async def test_a_refresh_that_narrows_every_cell_measures_each_column_once(measured):
    """DataTable measured a column's every cell again for each updated cell narrower than the
    column: the Organisation screen's period switch (100 rows, four columns of bars) measured
    25,000 cells, a second of the switch. The widths come out the same: the widest cell's."""
    app = OneTable()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(Table)
        table.add_column("Name", key="name")
        table.add_column("Share", key="share")
        for n in range(100):
            table.add_row(f"circle {n}", "#" * (10 + n % 7), key=str(n))
        await pilot.pause()
        measured[0] = 0
        for n in range(100):
            table.update_cell(str(n), "share", "#" * (3 + n % 5), update_width=True)
        await pilot.pause()
        assert table.columns[table.ordered_columns[1].key].content_width == 7
        assert measured[0] <= 2 * 101, measured[0]


async def test_a_refresh_of_a_few_wider_cells_measures_only_them_and_a_narrowed_widest_cell_shrinks_it(
    measured,
):
    """Two check-ins in a roster of 100 must not measure the whole column; the widths stay
    DataTable's: the widest cell's, after the widest one narrowed too."""
    app = OneTable()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(Table)
        table.add_column("Name", key="name")
        table.add_column("Check-in", key="check")
        for n in range(100):
            table.add_row(f"person {n}", "·" if n else "✔ present, late", key=str(n))
        await pilot.pause()
        share = table.columns[table.ordered_columns[1].key]
        assert share.content_width == len("✔ present, late")
        measured[0] = 0
        table.update_cell("5", "check", "✔ present", update_width=True)
        table.update_cell("6", "check", "✔ present, late!", update_width=True)
        await pilot.pause()
        assert share.content_width == len("✔ present, late!")
        assert measured[0] <= 3, measured[0]  # the two cells and the label
        table.update_cell("6", "check", "·", update_width=True)
        await pilot.pause()
        assert share.content_width == len("✔ present, late")

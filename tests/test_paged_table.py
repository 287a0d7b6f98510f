"""screens/paged.py: a table whose rows' cells are read later than the rows are known."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from textual import on
from textual.app import App, ComposeResult

from screens.paged import PagedTable
from tests.tui_support import rows, screen_text

NOT_READ = "not read yet"


class _Cells(Sequence[str]):
    """A row's one cell, as read so far (the Recognition screen's LedgerRow reads them so)."""

    def __init__(self, read: dict[int, str], index: int) -> None:
        self.read, self.index = read, index

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...
    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        return (self.read.get(self.index, NOT_READ),)[i]

    def __len__(self) -> int:
        return 1


class _Listing(App[None]):
    """300 rows whose cells are read as the table asks for them (only when ``answer``)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: dict[int, str] = {}
        self.wanted: list[int] = []
        self.answer = False

    def compose(self) -> ComposeResult:
        yield PagedTable(id="listing", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one(PagedTable).add_column("Name")

    def fill(self, prefix: str, ready: int | None) -> None:
        self.read = {i: f"{prefix} {i}" for i in range(300 if ready is None else ready)}
        self.query_one(PagedTable).fill([(str(i), _Cells(self.read, i)) for i in range(300)], ready=ready)

    @on(PagedTable.Wanted)
    def _wanted(self, event: PagedTable.Wanted) -> None:
        self.wanted.append(event.count)
        if self.answer:
            prefix = self.read[0].split()[0]
            self.read.update({i: f"{prefix} {i}" for i in range(300)})
            event.table.grow(None)


async def test_filled_again_with_fewer_rows_read_than_shown_it_shows_none_unread() -> None:
    """Recognition is read again (someone thanked someone) while the person scrolls: the rows
    read again are fewer than the table shows by then. It showed the others' cells unread
    (blank for a person whose talks, streaks and thanks were not read yet); it is filled anew
    with the rows read, asks for the rest, and the cursor is on its row again once they are in."""
    app = _Listing()
    async with app.run_test(size=(40, 20)) as pilot:
        table = app.query_one(PagedTable)
        app.fill("first", None)
        table.move_cursor(row=99)  # near the end of the first page: the next is added
        await pilot.pause()
        table.move_cursor(row=150)
        await pilot.pause()
        assert table.current_key == "150"
        app.answer = True
        app.fill("again", 120)
        await pilot.pause()
        await pilot.pause()
        assert app.wanted and app.wanted[-1] > 150
        assert all(NOT_READ not in row for row in rows(table))
        assert table.current_key == "150"
        assert rows(table)[150] == ["again 150"]


class _Ledger(App[None]):
    """300 people a page at a time, as Recognition lists them; one far down did far more."""

    def compose(self) -> ComposeResult:
        yield PagedTable(id="ledger", cursor_type="row", steady_widths=True)

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.add_column("Name")
        table.add_column("Streaks")
        streaks = {i: "5 in a row" for i in range(0, 300, 7)} | {250: "25 in a row (+3)"}
        rows = [(str(i), (f"Person {i}", streaks.get(i, ""))) for i in range(300)]
        table.fill(rows, widest={"Name": len("Person 299")})  # every name is known at once


async def test_a_later_page_with_a_longer_cell_does_not_widen_its_column() -> None:
    """Scrolling down a month of the large demo's ledger, the columns jumped wider when a page
    with a longer cell came in. They keep the widths of the first rows (the names, all known,
    their widest's), and the longer cell is shortened to its column."""
    app = _Ledger()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        await pilot.pause()
        widths = [c.get_render_width(table) for c in table.ordered_columns]
        await pilot.press("end")
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 300
        assert [c.get_render_width(table) for c in table.ordered_columns] == widths
        table.move_cursor(row=250)
        await pilot.pause()
        line = next(line for line in screen_text(app).splitlines() if "Person 250" in line)
        assert "Person 250  25 in a r…" in line, line  # the name whole, the streak shortened

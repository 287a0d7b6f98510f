"""A table given all its rows at once that adds them a page at a time, as the cursor or the
scroll nears the end, and keeps its cursor on the same row (by key) when it is filled again.
Its rows' cells may be read later than the rows are known (``ready``): the table asks for them
(Wanted) when it would add rows past those, and adds them once the screen says they are in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from textual import events, on
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CursorType

from screens.format import safe
from screens.table import FittedColumn, Table

PAGE = 100
# How close to the last row added the cursor (or the view) may come before the next page.
AHEAD = 10

Row = tuple[str, Sequence[object]]  # (key, cells)


class PagedTable(Table):
    """DataTable measures every cell of every row it holds: 500 rows of reasons take longer
    than the screen may to open. The rows wait here until they could be seen."""

    class Wanted(Message):
        """Rows up to ``count`` are wanted and only the first ``ready`` have their cells: the
        screen reads them and calls ``grow``."""

        def __init__(self, table: PagedTable, count: int) -> None:
            super().__init__()
            self.table = table
            self.count = count

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        cursor_type: CursorType = "cell",
        zebra_stripes: bool = False,
        first_screenful: bool = False,
        steady_widths: bool = False,
    ) -> None:
        """``first_screenful``: a fill adds the rows the terminal could show (and AHEAD more)
        rather than a PAGE, for a table that opens with its rows in its first frame.
        ``steady_widths``: each fill sizes the columns for the widest cells of the rows it adds
        first, and later rows wider than that are shortened: the columns jumped wider as the
        person scrolled and a page with a longer cell came in."""
        super().__init__(id=id, classes=classes, cursor_type=cursor_type, zebra_stripes=zebra_stripes)
        self._steady_widths = steady_widths
        self._rows: list[Row] = []
        self._added = 0
        self._first_screenful = first_screenful
        # How many of the first rows have their cells at hand (None: all), how many were asked
        # for past those (Wanted), and whether the last row was (ctrl+end).
        self._ready: int | None = None
        self._wanted = 0
        self._to_bottom = False
        self._cursor_wanted: str | None = None  # the cursor's row when it is not ready yet

    @property
    def total(self) -> int:
        """How many rows it holds, shown or not yet."""
        return len(self._rows)

    def fill(
        self,
        rows: Sequence[Row],
        *,
        cursor_key: str | None = None,
        ready: int | None = None,
        widest: Mapping[str, int] | None = None,
    ) -> None:
        """Show these rows instead. The cursor goes to ``cursor_key`` if given and present, else
        stays on the key it was on, else on the same place in the list; the view keeps that row
        where it was on screen. The same rows in the same order (a refresh after someone else's
        change, most of the time) change only the cells that differ: nothing moves. ``ready``:
        only the first so many rows have their cells yet (at least as many as were shown, and
        as far as the cursor's row); the others are asked for when wanted (see Wanted).
        ``widest``: by column label, the widest cell of all the rows, where the screen knows it
        (every name is known before what each person did): with steady_widths, held so."""
        rows = list(rows)
        self._ready = ready if ready is not None and ready < len(rows) else None
        self._wanted = 0
        self._to_bottom = False
        self._cursor_wanted = None
        # Rows shown past those ready (more were added while these were read) cannot be
        # compared: the table is filled anew, the cursor kept on its row.
        shown_ready = self._ready is None or self._ready >= self._added
        if shown_ready and [key for key, _ in rows] == [key for key, _ in self._rows]:
            self._update_cells(rows)
            at = [i for i, (key, _) in enumerate(rows) if key == cursor_key]
            if at:
                self.move_cursor(row=at[0])
            return
        before_key = self.current_key
        before_row = self.cursor_row
        scroll_y = self.scroll_y
        self._rows = rows
        self._added = 0
        self.clear()
        keys = {key: i for i, (key, _) in enumerate(self._rows)}
        target = keys.get(cursor_key or "", keys.get(before_key or "", min(before_row, len(self._rows) - 1)))
        first = self._could_show() + AHEAD if self._first_screenful else PAGE
        self._add_until(max(first, target + 1 + AHEAD))
        if self._steady_widths:
            # Every row in at once: nothing comes later to widen a column, which fits its cells.
            self._hold_widths((widest or {}) if self._added < len(self._rows) else None)
        if not self._rows:
            return
        target = max(0, target)
        if target >= self._added:  # not ready yet: the cursor goes there once it is (grow)
            self._cursor_wanted = self._rows[target][0]
        self.move_cursor(row=target, scroll=cursor_key is not None)
        if cursor_key is None:

            def settle() -> None:
                # Once the new rows are measured, unless the cursor moved meanwhile.
                if self.cursor_row == target:
                    self.scroll_to(y=max(0, scroll_y + target - before_row), animate=False, immediate=True)

            self.call_after_refresh(settle)

    def _hold_widths(self, widest: Mapping[str, int] | None) -> None:
        """Each column held at the width of its widest cell (or label) in the rows the fill
        added, or of all the rows where ``widest`` says it (None: held no more). Only those
        rows are measured: a row's cells may be made as it is added (Recognition's)."""
        first = self._rows[: self._added]
        for i, column in enumerate(self.ordered_columns):
            if isinstance(column, FittedColumn):
                label = column.label.plain
                cells = (cell_len(str(cells[i])) for _, cells in first if i < len(cells))
                held = None if widest is None else max(cell_len(label), widest.get(label, 0), *cells)
                column.held_width = held
        self.columns_resized()

    def _could_show(self) -> int:
        """Before its first layout the table has no height of its own: the terminal's is the most
        it could show, or its max-height when that is less."""
        max_height = self.styles.max_height
        most = max_height.cells if max_height is not None else None
        return min(self.app.size.height, most) if most is not None else self.app.size.height

    def _update_cells(self, rows: list[Row]) -> None:
        columns = [c.key for c in self.ordered_columns]
        for (key, cells), (_, old) in zip(rows[: self._added], self._rows[: self._added], strict=True):
            if cells != old:
                for column, before, now, value in zip(columns, old, cells, safe(*cells), strict=False):
                    if before != now:
                        self.update_cell(key, column, value, update_width=True)
        self._rows = rows

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    def _add_until(self, count: int) -> None:
        count = min(count, len(self._rows))
        if self._ready is not None and count > self._ready:
            if count > self._wanted:
                self._wanted = count
                self.post_message(self.Wanted(self, count))
            count = self._ready
        for key, cells in self._rows[self._added : count]:
            self.add_row(*safe(*cells), key=key)
        self._added = max(self._added, count)

    def grow(self, ready: int | None) -> None:
        """The first ``ready`` rows have their cells now (None: all): the rows wanted are added,
        and the cursor goes to the last row if that was asked for meanwhile."""
        self._ready = ready if ready is not None and ready < len(self._rows) else None
        wanted, self._wanted = self._wanted, 0
        self._add_until(wanted)
        at = [i for i, (key, _) in enumerate(self._rows[: self._added]) if key == self._cursor_wanted]
        if at:
            self._cursor_wanted = None
            self.move_cursor(row=at[0], scroll=True)
        if self._to_bottom and self._added == len(self._rows):
            self._to_bottom = False
            super().action_scroll_bottom()

    def _more(self) -> None:
        if self._added < len(self._rows):
            self._add_until(self._added + PAGE)

    def action_scroll_bottom(self) -> None:
        # ctrl+end means the last row, not the last one added so far.
        self._add_until(len(self._rows))
        self._to_bottom = self._added < len(self._rows)
        super().action_scroll_bottom()

    @on(events.Resize)
    def _taller(self, event: events.Resize) -> None:
        # Filled before it had a height (or the terminal grew): rows enough to fill it, since a
        # table that does not scroll would not ask for more.
        if self._first_screenful and self._added < event.size.height + AHEAD:
            self._add_until(event.size.height + AHEAD)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self._added - AHEAD:
            self._more()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y - AHEAD:
            self._more()

"""The app's table: Textual's DataTable, with a header that keeps up with its columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowKey


class Table(DataTable[object]):
    """A DataTable whose header is drawn again when new rows or cells widen its columns.

    Textual's DataTable (8.x) sizes its columns from new rows (and cells updated with
    ``update_width``) when it is next idle. A frame drawn before then, as happens on a busy
    machine, caches the header at the old widths, and the new widths do not invalidate that
    cache unless the table's own size changes too. The header then stayed as narrow as its
    labels above wider rows (seen on the person and circle screens). Everything the cache
    keys on is private, hence these two overrides of the two places that resize columns.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        self._redraw_if_resized(lambda: super(Table, self)._update_dimensions(new_rows))

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        self._redraw_if_resized(lambda: super(Table, self)._update_column_widths(updated_cells))

    def _redraw_if_resized(self, resize: Callable[[], None]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        resize()
        if widths != [column.content_width for column in self.columns.values()]:
            self._update_count += 1  # the key of DataTable's row and line caches
            self.refresh()

"""The app's table: Textual's DataTable, with a header that keeps up with its columns."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class Table(DataTable[object]):
    """A DataTable whose header is drawn again when new rows widen its columns.

    Textual's DataTable (8.x) sizes its columns from new rows when it is next idle. A frame
    drawn before then, as happens on a busy machine, caches the header at the old widths,
    and the new widths do not invalidate that cache unless the table's own size changes too.
    The header then stayed as narrow as its labels above wider rows (seen on the person and
    circle screens). Everything the cache keys on is private, hence this one override.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        super()._update_dimensions(new_rows)
        if widths != [column.content_width for column in self.columns.values()]:
            self._update_count += 1  # the key of DataTable's row and line caches
            self.refresh()

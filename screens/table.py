"""The app's table: Textual's DataTable, with a header that keeps up with its columns."""

from __future__ import annotations

from screens.textual_internals import ColumnSizingDataTable, drop_row_caches


class Table(ColumnSizingDataTable):
    """A DataTable whose header is drawn again when new rows or cells widen its columns.

    DataTable (8.x) sizes its columns when it is next idle, and a frame drawn before then (a
    busy machine) left the header at the old widths above wider rows (seen on the person and
    circle screens). How, and why this needs Textual's internals: screens/textual_internals.py.
    """

    def columns_resized(self) -> None:
        drop_row_caches(self)
        self.refresh()

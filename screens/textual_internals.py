"""Every place circles reaches past Textual's public API, each with the reason it has to.

pyproject.toml bounds Textual to the minor these were read against (8.2); the canary,
tests/test_pinned_internals.py, fails naming the internal when an upgrade moves or changes
one. To raise the bound: install the new Textual, run that test, re-read each reason below
against the new source, and drop the workarounds whose cause Textual has fixed.

Nothing else in screens/, tests/ or bench/ touches a Textual name that starts with "_".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.app import App
from textual.dom import DOMNode
from textual.notifications import Notification
from textual.screen import Screen
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import CellKey, RowKey

__all__ = [
    "ColumnSizingDataTable",
    "FooterKey",
    "column_sizing_pending",
    "drop_row_caches",
    "notifications",
    "on_each_frame",
    "watcher_lists",
]

# --- DataTable's column sizing (used by screens/table.py) -------------------------------------
#
# DataTable sizes its columns from new rows, and from cells updated with ``update_width``, in
# two private methods it runs when it is next idle. A frame drawn before then (a busy
# machine) caches the header at the old widths, and nothing public invalidates that cache
# unless the table's own size changes too: the header stayed as narrow as its labels above
# wider rows. The caches are keyed on the private ``_update_count``.

SIZING_METHODS = ("_update_dimensions", "_update_column_widths")


class ColumnSizingDataTable(DataTable[object]):
    """A DataTable that calls :meth:`columns_resized` when measuring new rows or widened cells
    changed a column's width (DataTable itself says nothing)."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        self._after_sizing(lambda: super(ColumnSizingDataTable, self)._update_dimensions(new_rows))

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        self._after_sizing(lambda: super(ColumnSizingDataTable, self)._update_column_widths(updated_cells))

    def _after_sizing(self, resize: Callable[[], None]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        resize()
        if widths != [column.content_width for column in self.columns.values()]:
            self.columns_resized()

    def columns_resized(self) -> None:
        """Called on the UI thread after a column changed width."""


def drop_row_caches(table: DataTable[Any]) -> None:
    """Make the table draw its header and rows afresh: ``_update_count`` is the key of its
    row and line caches (DataTable bumps it itself when rows are added or removed)."""
    table._update_count += 1


def column_sizing_pending(table: DataTable[Any]) -> bool:
    """Whether the table still owes the sizing of rows added since it was last idle
    (tests/test_snapshots.py waits for none to before taking its picture)."""
    return bool(table._require_update_dimensions)


# --- Watchers (used by screens/heap.py) ------------------------------------------------------
#
# ``reactive._watch`` keeps, on the watched object, a private ``__watchers`` dict of
# attribute name -> [(node, callback)], and prunes a node's watchers only when that value
# next changes. The app's ``title`` and a Footer's ``compact`` never change here, so every
# Header and footer key ever mounted stayed alive. heap.forget_closed_watchers prunes them
# with the same test Textual uses (``node.is_attached``), when a screen closes.

WATCHERS_ATTRIBUTE = "__watchers"


def watcher_lists(owner: object) -> list[list[tuple[DOMNode, Callable[..., object]]]]:
    """The lists of (node, callback) Textual keeps for ``owner``'s watched attributes, to
    prune in place; none if nothing watches it."""
    return list(getattr(owner, WATCHERS_ATTRIBUTE, {}).values())


# --- The footer (screens/footer.py) -----------------------------------------------------------
#
# No private name, but a private behaviour: Footer rebuilds all its keys by calling
# ``self.recompose()`` from ``bindings_changed`` (on every focus change and refresh of the
# bindings). screens.footer.Footer overrides the public ``recompose`` to skip rebuilds that
# would show the same keys; if Textual rebuilt some other way, the override would do nothing
# and screens would open slower again (the canary reads ``bindings_changed`` for the call).
# ``FooterKey`` (one key in the footer) lives in the private module textual.widgets._footer:
# tests count and read them.

# --- Notifications (tests) -------------------------------------------------------------------


def notifications(app: App[Any]) -> list[Notification]:
    """The notifications the app is showing (Textual keeps them in ``App._notifications``)."""
    return list(app._notifications)


# --- Frames (bench/screens.py) ---------------------------------------------------------------
#
# ``App._display(screen, renderable)`` is where Textual hands each composed frame to the
# terminal (renderable None: nothing changed). The bench times frames there.


def on_each_frame(app: App[Any], drawn: Callable[[], object]) -> None:
    """Call ``drawn()`` after each frame the app composes (not on the turns that draw nothing)."""
    display = app._display

    def display_then_tell(screen: Screen[Any], renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        if renderable is not None:
            drawn()

    app._display = display_then_tell  # type: ignore[method-assign]

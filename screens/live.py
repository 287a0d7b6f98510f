"""Live screens, the screens' side: a screen that shows what others change says which changes
concern it and looks again through its usual loading (circles/live.py notices the changes);
tables are refilled in place, so the cursor, the scroll and what was typed stay."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable

if TYPE_CHECKING:
    from textual.app import App

    from circles.live import Change


class ChangesSeen(Message):
    """Someone else changed the store (posted to the app from the watcher's thread)."""

    def __init__(self, changes: list[Change]) -> None:
        super().__init__()
        self.changes = changes


class LiveScreen:
    """Mixed into a Screen whose data other writers change. ``concerns`` picks the changes it
    shows (by default every change); ``look_again`` loads afresh, keeping what the person was
    doing (by default the screen's ``reload``)."""

    def concerns(self, change: Change) -> bool:
        return True

    def look_again(self) -> None:
        reload = getattr(self, "reload", None)
        if reload is not None:
            reload()


def tell_screens(app: App[Any], changes: Sequence[Change]) -> None:
    """The screens on view look again if the changes concern them: the top one, and the one a
    dialog or form is drawn over (the form itself is left alone, and so is what is typed in it).
    The screens beneath load afresh when they come back (their on_screen_resume)."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, LiveScreen) and any(screen.concerns(c) for c in changes):
            screen.look_again()
        if not isinstance(screen, ModalScreen) and isinstance(screen, Screen):
            break


Row = tuple[str, Sequence[object]]  # a row's key and its cells


def refill(table: DataTable[Any], rows: Sequence[Row], *, cursor_on: str | None = None) -> None:
    """Show ``rows`` in ``table``, which may hold an older version of them. The same rows in the
    same order: only the cells that differ are updated (nothing moves, nothing flickers).
    Otherwise it is filled again, and the highlighted row stays highlighted (by its key; if it
    went, the row now in its place), as do the column and the scroll. ``cursor_on``: a key to
    highlight instead."""
    keys = [key for key, _ in rows]
    same_rows = table.row_count == len(rows) and [k.value for k in table.rows] == keys
    if same_rows:
        columns = [c.key for c in table.ordered_columns]
        for key, cells in rows:
            for column, old, new in zip(columns, table.get_row(key), cells, strict=False):
                if old != new:
                    table.update_cell(key, column, new)
        if cursor_on is not None:
            table.move_cursor(row=table.get_row_index(cursor_on), animate=False)
        return
    was_on = current_key(table) if cursor_on is None else cursor_on
    old_row, old_column = table.cursor_coordinate
    scroll_x, scroll_y = table.scroll_x, table.scroll_y
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if not rows:
        return
    index = keys.index(was_on) if was_on in keys else min(old_row, len(rows) - 1)
    table.move_cursor(row=index, column=old_column, animate=False, scroll=False)

    def settle() -> None:
        # Once the table has measured its new rows (until then the old scroll may not fit), and
        # unless the cursor was moved meanwhile: the given row into view, or the highlighted row
        # where it was on screen.
        if table.cursor_row != index:
            return
        if cursor_on is not None:
            table.move_cursor(row=index, animate=False)
        else:
            table.scroll_to(scroll_x, max(0, scroll_y + index - old_row), animate=False, immediate=True)

    table.call_after_refresh(settle)


def numbered(rows: Sequence[Sequence[object]]) -> list[Row]:
    """Rows keyed by their place, for tables whose rows have no id of their own: a refresh keeps
    the cursor on the same line."""
    return [(str(i), cells) for i, cells in enumerate(rows)]


def current_key(table: DataTable[Any]) -> str | None:
    """The key of the highlighted row, if there is one."""
    if not table.row_count:
        return None
    key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return None if key is None else str(key)

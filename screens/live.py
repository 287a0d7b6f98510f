"""Live screens, the screens' side: a screen that shows what others change says which changes
concern it and looks again through its usual loading (circles/live.py notices the changes);
tables are refilled in place, so the cursor, the scroll and what was typed stay."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from circles.live import Change

# An "on top only" screen looks again this long after the first change it is told of, so the
# rest of a burst (a row of check-ins, a script's writes) is taken in by the same look.
GATHER_SECONDS = 0.3


class ChangesSeen(Message):
    """Someone else changed the store (posted to the app from the watcher's thread)."""

    def __init__(self, changes: list[Change]) -> None:
        super().__init__()
        self.changes = changes


class LiveScreen:
    """Mixed into a Screen whose data other writers change. ``SHOWS`` names the tables it shows
    and ``about`` the ids it shows them for (circle=3): the changes that concern it (a screen
    may instead override ``concerns``; by default every change does). ``look_again`` loads
    afresh, keeping what the person was doing (by default the screen's ``reload``).

    ``ON_TOP_ONLY``: for a screen that takes seconds to load (Organisation, Recognition) or
    that does not load again by itself when it comes back (search). It looks again only while
    it is the top screen (not under a dialog either), gathers a burst of changes into one look
    (GATHER_SECONDS after the first), never looks while it is still loading (changes told
    meanwhile make one more look after it, at least as long after as the last look took), and
    when changes come while it is covered it looks again once when it comes back."""

    SHOWS: ClassVar[Collection[str] | None] = None
    ON_TOP_ONLY: ClassVar[bool] = False

    def about(self) -> dict[str, int | None]:
        """The ids the screen shows its tables for (an id None: any)."""
        return {}

    def concerns(self, change: Change) -> bool:
        return self.SHOWS is None or change.touches(self.SHOWS, **self.about())

    def look_again(self) -> None:
        reload = getattr(self, "reload", None)
        if reload is not None:
            reload()

    # -- on top only: the state of its looks, made when first needed (a mixin has no __init__)

    def _live(self) -> _Looks:
        looks: _Looks | None = self.__dict__.get("_live_looks")
        if looks is None:
            looks = self.__dict__["_live_looks"] = _Looks()
        return looks

    def changes_told(self, *, on_top: bool) -> None:
        """Changes that concern this on-top-only screen were told (see tell_screens)."""
        looks = self._live()
        if not on_top:
            looks.stale = True
        elif looks.timer is None:
            looks.timer = self._screen().set_timer(GATHER_SECONDS, self._look_now)

    def _screen(self) -> Screen[Any]:
        assert isinstance(self, Screen)
        return self

    def _loading(self) -> bool:
        """Whether work the screen started is under way: its first load, a period chosen, a
        look again (a heavy one started twice would keep two database cores busy)."""
        screen = self._screen()
        return any(w.node is screen and not w.is_finished for w in screen.app.workers)

    def _look_now(self) -> None:
        looks = self._live()
        looks.timer = None
        screen = self._screen()
        if not screen.is_attached:
            return
        if screen.app.screen is not screen:  # covered meanwhile: when it comes back
            looks.stale = True
            return
        if self._loading():  # after that load, then
            looks.again = True
            return
        looks.stale = looks.again = False
        self.look_again()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if not self.ON_TOP_ONLY:
            return
        looks = self._live()
        if event.state is WorkerState.RUNNING:
            looks.started = time.monotonic()
            return
        if event.state not in _ENDED:
            return
        if looks.again and looks.timer is None and not self._loading():
            # Not at once: a screen that takes seconds would otherwise load without end while
            # someone checks people in, keeping a core of the database busy for it alone.
            rest = max(GATHER_SECONDS, time.monotonic() - looks.started)
            looks.timer = self._screen().set_timer(rest, self._look_now)

    def on_screen_resume(self) -> None:
        looks = self._live()
        if self.ON_TOP_ONLY and looks.stale and looks.timer is None:
            self._look_now()


_ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


class _Looks:
    """Where an on-top-only screen stands with looking again."""

    def __init__(self) -> None:
        self.stale = False  # changes came while it was covered
        self.again = False  # changes came while it was loading
        self.timer: Timer | None = None  # a look to come
        self.started = 0.0  # when its last load began


def tell_screens(app: App[Any], changes: Sequence[Change]) -> None:
    """The screens on view look again if the changes concern them: the top one, and the one a
    dialog or form is drawn over (the form itself is left alone, and so is what is typed in it).
    The screens beneath load afresh when they come back (their on_screen_resume); an
    on-top-only screen (LiveScreen.ON_TOP_ONLY) is told in any case, and looks again only on top."""
    on_view = True
    for screen in reversed(app.screen_stack):
        on_top = screen is app.screen
        if (
            isinstance(screen, LiveScreen)
            and (screen.ON_TOP_ONLY or on_view)
            and any(screen.concerns(c) for c in changes)
        ):
            if screen.ON_TOP_ONLY:
                screen.changes_told(on_top=on_top)
            else:
                screen.look_again()
        if not isinstance(screen, ModalScreen) and isinstance(screen, Screen):
            on_view = False


Row = tuple[str, Sequence[object]]  # a row's key and its cells


def refill(
    table: DataTable[Any], rows: Sequence[Row], *, cursor_on: str | None = None, height: int = 1
) -> None:
    """Show ``rows`` in ``table``, which may hold an older version of them. The same rows in the
    same order: only the cells that differ are updated (nothing moves, nothing flickers).
    Otherwise it is filled again, and the highlighted row stays highlighted (by its key; if it
    went, the row now in its place), as do the column and the scroll (a list seen from its top
    stays at its top). ``cursor_on``: a key to
    highlight instead; ``height``: of each row, in lines."""
    keys = [key for key, _ in rows]
    same_rows = table.row_count == len(rows) and [k.value for k in table.rows] == keys
    if same_rows:
        columns = [c.key for c in table.ordered_columns]
        for key, cells in rows:
            for column, old, new in zip(columns, table.get_row(key), cells, strict=False):
                if old != new:
                    table.update_cell(key, column, new, update_width=True)  # a longer value shows whole
        if cursor_on is not None:
            table.move_cursor(row=table.get_row_index(cursor_on), animate=False)
        return
    was_on = current_key(table) if cursor_on is None else cursor_on
    old_row, old_column = table.cursor_coordinate
    scroll_x, scroll_y = table.scroll_x, table.scroll_y
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key, height=height)
    if not rows:
        return
    index = keys.index(was_on) if was_on in keys else min(old_row, len(rows) - 1)
    table.move_cursor(row=index, column=old_column, animate=False, scroll=False)

    def settle() -> None:
        # Once the table has measured its new rows (until then the old scroll may not fit), and
        # unless the cursor was moved meanwhile: the given row into view; at the top of the list,
        # the top stays in view (a row that comes in first is seen) with the highlighted row in
        # it; else the highlighted row where it was on screen.
        if table.cursor_row != index:
            return
        if cursor_on is not None:
            table.move_cursor(row=index, animate=False)
        elif scroll_y == 0:
            table.scroll_to(scroll_x, 0, animate=False, immediate=True)
            table.move_cursor(row=index, animate=False)  # scrolls only if it left the view
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

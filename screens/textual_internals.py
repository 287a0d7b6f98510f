"""Every place circles reaches past Textual's public API, each with the reason it has to.

pyproject.toml bounds Textual to the minor these were read against (8.2); the canary,
tests/test_pinned_internals.py, fails naming the internal when an upgrade moves or changes
one. To raise the bound: install the new Textual, run that test, re-read each reason below
against the new source, and drop the workarounds whose cause Textual has fixed.

Nothing else in screens/, tests/ or bench/ touches a Textual name that starts with "_".
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from rich.cells import cell_len, set_cell_size
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._compositor import LayoutUpdate
from textual.app import App
from textual.css.model import RuleSet
from textual.css.parse import parse as parse_css
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.geometry import Size
from textual.message import Message
from textual.notifications import Notification
from textual.render import measure
from textual.screen import Screen
from textual.widgets import DataTable
from textual.widgets._data_table import RowRenderables, default_cell_formatter
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

__all__ = [
    "ColumnFittingDataTable",
    "ColumnSizingDataTable",
    "ParsedCss",
    "column_sizing_pending",
    "drop_row_caches",
    "drop_size_caches",
    "keep_parsed_css",
    "label_column_width",
    "messages_unhandled",
    "notifications",
    "on_each_frame",
    "parse_default_css",
    "rows_height",
    "screen_lines",
    "screen_text",
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
        def update() -> None:
            rest = self._measure_plain_rows(new_rows)
            super(ColumnSizingDataTable, self)._update_dimensions(rest)

        self._after_sizing(update)

    def _measure_plain_rows(self, new_rows: Iterable[RowKey]) -> list[RowKey]:
        """Widen the columns for the new rows whose cells are all plain Text (most rows: the
        default formatter makes a Text of every string and number), and return the others
        for DataTable to measure. DataTable measures a cell through Rich, building the
        console's options for each (the circle's 46 members: some 280 times); a Text's width
        is its widest line's (rich Text.__rich_measure__'s maximum), which needs no options."""
        rest = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row_index = self._row_locations.get(row_key)
            row = self.rows.get(row_key)
            if row_index is None or row is None or row.label is not None or row.auto_height:
                rest.append(row_key)  # (gone since, labelled, or of a height to work out)
                continue
            cells = self._get_row_renderables(row_index).cells
            if not all(type(cell) is Text for cell in cells):
                rest.append(row_key)
                continue
            for column, cell in zip(columns, cells, strict=False):
                lines = cast(Text, cell).plain.splitlines()
                width = max(cell_len(line) for line in lines) if lines else 0
                column.content_width = max(column.content_width, width)
        return rest

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        # DataTable measures a column's every cell again for each updated cell narrower than the
        # column: a table of 100 rows whose four bar columns all changed (the Organisation
        # screen's period switch) measured 25,000 cells, a second. Here the updated cells are
        # measured first; a column is measured whole, once, only when none of them reaches its
        # width (the widest cell may have narrowed). Same widths as DataTable's.
        self._after_sizing(lambda: self._measure_columns(updated_cells))

    def _measure_columns(self, updated_cells: set[CellKey]) -> None:
        console = self.app.console

        def width(row_key: RowKey, column_key: ColumnKey) -> int:
            row = self.rows[row_key]
            value = self.get_cell(row_key, column_key)
            return measure(console, default_cell_formatter(value, wrap=row.height != 1, height=row.height), 1)

        updated: dict[ColumnKey, list[RowKey]] = {}
        for row_key, column_key in updated_cells:
            if column_key in self.columns and row_key in self.rows:
                updated.setdefault(column_key, []).append(row_key)
        for column_key, row_keys in updated.items():
            column = self.columns[column_key]
            widest = max(width(row_key, column_key) for row_key in row_keys)
            if widest < column.content_width:
                widest = max(width(row_key, column_key) for row_key in self.rows)
            column.content_width = max(widest, measure(console, column.label, 1))
        # DataTable's own step, given no cell: it asks for the table's dimensions again.
        super()._update_column_widths(set())

    def _after_sizing(self, resize: Callable[[], None]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        resize()
        if widths != [column.content_width for column in self.columns.values()]:
            self.columns_resized()

    def columns_resized(self) -> None:
        """Called on the UI thread after a column changed width."""


# --- Fitting columns to the width (screens/table.py) --------------------------------------------
#
# DataTable has no way to hide a column or to cut its cells short with an ellipsis: a column
# is drawn at its width, cells overflowing it are cropped mid-word, and a table wider than
# the terminal runs off its right edge (at 80 columns Home lost Presenter, RSVP and Status).
# Table hides and shortens columns itself, through two private steps of drawing: the cells of
# a row are built in ``_compute_row_renderables`` (where a shortened column's cells get their
# ellipsis) and each cell is drawn by ``_render_cell`` (where a hidden column draws nothing;
# its width is 0). Sizing the table needs the row-label column's width, the rows' total
# height and, after a change, dropping the caches sized on the old widths.
#
# Drawing a cell goes through Rich (Padding inside Styled, then render_lines): about 0.1 ms a
# cell, and a table draws every cell it shows again whenever its focus or its rows change (the
# cache is keyed on ``_pseudo_class_state`` and ``_update_count``). Most cells are one line of
# plain text, narrower than their column or shortened to it with an ellipsis (a fifth of the
# programme screen's cells at 120 columns), whose lines are known without Rich:
# ``_render_cell`` builds those itself, into DataTable's own cache under DataTable's own key,
# and leaves every other cell to DataTable (tests/test_pinned_internals.py draws both ways
# and compares).
#
# The width to fit comes from the layout, in ``_size_updated``, which Textual calls on each
# widget it has laid out before drawing that layout's frame; the Resize event comes after the
# frame. Fitted on Resize, a table filled before its first layout (a screen opened with its
# data) was drawn at its columns' natural widths, running off the right edge, then fitted and
# drawn whole again a frame later (the programme screen lost its Status column for 60 ms).

FITTING_METHODS = ("_compute_row_renderables", "_render_cell")
LAYOUT_METHODS = ("_size_updated",)


class ColumnFittingDataTable(ColumnSizingDataTable):
    """A DataTable whose subclass decides, per column, whether it is drawn (:meth:`column_hidden`)
    and whether its cells end in an ellipsis (:meth:`column_shortened`)."""

    def column_hidden(self, column: Any) -> bool:
        return False

    def column_shortened(self, column: Any) -> bool:
        return False

    def shorten_cell(self, cell: Any, column: Any) -> Any:
        return cell

    def size_changed(self) -> None:
        """Called as a layout changes the table's size, before that layout's frame is drawn."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed:
            self.size_changed()
        return changed

    def _compute_row_renderables(self, row_index: int) -> RowRenderables:
        label, cells = super()._compute_row_renderables(row_index)
        columns = self.ordered_columns
        if any(self.column_shortened(c) for c in columns):
            cells = [
                self.shorten_cell(cell, column) if self.column_shortened(column) else cell
                for column, cell in zip(columns, cells, strict=False)
            ]
        return RowRenderables(label, cells)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        if column_index >= 0:
            column_key = self._column_locations.get_key(column_index)
            column = self.columns.get(column_key) if column_key is not None else None
            if column is not None and self.column_hidden(column):
                if row_index < 0:
                    height = self.header_height
                else:
                    row_key = self._row_locations.get_key(row_index)
                    height = self.rows[row_key].height if row_key is not None else 1
                return [[] for _ in range(max(height, 1))]
        if row_index >= 0 and column_index >= 0:
            lines = self._plain_cell(row_index, column_index, base_style, width, cursor, hover)
            if lines is not None:
                return lines
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def _plain_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool, hover: bool
    ) -> list[list[Segment]] | None:
        """A body cell's lines as DataTable would draw them, when the cell is one line of plain
        text that fits its column; None for any other cell. The same segments and styles as
        Rich's path: pad, text, fill to the width (if any), pad, each in the cell's style."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        row = self.rows.get(row_key)
        if row is None or row.height != 1:
            return None
        cell = self._get_row_renderables(row_index).cells[column_index]
        pad = self.cell_padding
        inner = width - 2 * pad
        if not (
            type(cell) is Text
            and not cell.spans
            and not cell.style
            and cell.end in ("", "\n")  # a line's end: nothing more is drawn in one line
            and cell.justify in (None, "default")  # (App.console_options gives none either)
            and inner >= 0
        ):
            return None
        text = cell.plain
        if "\n" in text or "\t" in text or any(ord(c) < 32 for c in text):
            return None
        fill = inner - cell_len(text)
        if fill < 0:
            # A shortened column's cell (Table.shorten_cell) ends in an ellipsis, as Rich's
            # Text.truncate cuts it; cut short any other way, it follows Rich's overflow rules.
            # (One cut in its middle was cut to the column's width already: it fits.)
            if cell.overflow != "ellipsis" or not cell.no_wrap or inner < 2:
                return None
            text = set_cell_size(text, inner - 1) + "…"
            fill = 0
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        blank = Style.null()
        raw = [Segment(" " * pad, blank)] if pad else []
        raw.append(Segment(text))
        if fill:
            raw.append(Segment(" " * fill, blank))
        if pad:
            raw.append(Segment(" " * pad, blank))
        lines = [list(Segment.apply_style(raw, style=pre_style, post_style=post_style))]
        self._cell_render_cache[cache_key] = lines
        return lines


def label_column_width(table: DataTable[Any]) -> int:
    """The width of the row labels' column (0 when the table shows none)."""
    return table._row_label_column_width


def rows_height(table: DataTable[Any]) -> int:
    """The height of every row together, without the header."""
    return table._total_row_height


def drop_size_caches(table: DataTable[Any]) -> None:
    """Forget everything DataTable measured on the old column widths (after hiding or
    shortening a column)."""
    table._clear_caches()


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
# next changes. The app's ``theme`` never changes here, so every TextArea ever mounted (the
# session's notes) stayed alive. heap.forget_closed_watchers prunes them with the same test
# Textual uses (``node.is_attached``), when a screen closes.

WATCHERS_ATTRIBUTE = "__watchers"


def watcher_lists(owner: object) -> list[list[tuple[DOMNode, Callable[..., object]]]]:
    """The lists of (node, callback) Textual keeps for ``owner``'s watched attributes, to
    prune in place; none if nothing watches it."""
    return list(getattr(owner, WATCHERS_ATTRIBUTE, {}).values())


# --- Notifications (tests) -------------------------------------------------------------------


def notifications(app: App[Any]) -> list[Notification]:
    """The notifications the app is showing (Textual keeps them in ``App._notifications``)."""
    return list(app._notifications)


# --- What the terminal shows (tests) ---------------------------------------------------------
#
# Tests read the screen as text, the picture a screenshot takes without its colours (so an
# assertion on it also proves a thing is not told apart by colour alone). App.export_screenshot
# gives SVG only; the text comes from the screen's compositor, as the screenshot's does.


def screen_lines(app: App[Any]) -> list[list[Segment]]:
    """What the terminal shows now, each line as the runs of text it is drawn in, with their styles
    (the segments a screenshot is drawn from)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)  # a full update is always one
    return [[segment for strip in line for segment in strip] for line in update.strips]


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain lines."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False, safe_box=False
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


# --- A screen built before it is pushed (screens/opening.py) ------------------------------------
#
# ``App._register(app, screen)`` starts a screen's message loop, which composes and mounts it, as
# ``App.push_screen`` does for a screen not yet running (``App._get_screen``); pushed later, a
# running screen is only put on the stack and laid out. Textual's public way to a screen built
# ahead, ``install_screen``, builds it only when first pushed.


def build_off_the_stack(app: App[Any], screen: Screen[Any]) -> None:
    """Compose and mount ``screen`` now, off the screen stack (nothing of it is drawn): pushed
    later, it is laid out and drawn with what it was given meanwhile."""
    if not screen.is_running:
        app._register(app, screen)


# --- Frames (bench/screens.py) ---------------------------------------------------------------
#
# ``App._display(screen, renderable)`` is where Textual hands each composed frame to the
# terminal (renderable None: nothing changed). The bench times frames there.


def on_each_frame(app: App[Any], drawn: Callable[[], object]) -> None:
    """Call ``drawn()`` after each frame the app composes (not on the turns that draw nothing)."""
    display = app._display

    def display_then_tell(screen: Screen[Any], renderable: RenderableType | None) -> None:
        display(screen, renderable)
        if renderable is not None:
            drawn()

    app._display = display_then_tell  # type: ignore[method-assign]  # wrapped on this one app, for the bench


def forget_worker_in_this_thread() -> None:
    """Clear the worker Textual named in this (pool) thread's context. A thread worker sets
    ``textual.worker.active_worker`` in the executor thread itself, not in a copy of its context,
    so the thread holds the last worker it ran (and the screen that worker belongs to) until it
    runs another. Called as a thread worker's last step; the next worker sets its own."""
    from textual.worker import active_worker

    active_worker.set(None)  # type: ignore[arg-type]  # typed Worker; None is "none", as at start


def message_on_its_way_up(node: DOMNode) -> bool:
    """Whether a message waits in ``node``'s queue or in one of its parents' below the app: one a
    key posted before (a list's Enter posts its row's selection, which climbs to the screen
    behind the keys typed after it). screens/late_keys.py holds those keys until it is handled.
    Keys waiting there are not such a message: they were typed after the key asking, come back
    to the app in turn, and holding the key for them had it typed again behind them.
    Textual has no public way to ask whether a message pump has messages waiting, or which (its
    queue, textual._queue.Queue, keeps them in ``values``)."""
    from textual import events

    pump: Any = node  # Textual's private compat cached_property is opaque to mypy
    app = node.app
    while pump is not None and pump is not app:  # the app's own queue holds the keys themselves
        queue = pump._message_queue
        if not queue.empty() and any(not isinstance(message, events.Key) for message in queue.values):
            return True
        pump = pump.parent
    return False


def messages_unhandled(app: App[Any]) -> list[DOMNode]:
    """The app itself, its screens and their widgets that have a message still to handle, in
    their queue or taken out to be looked at (``_pending_message``: Textual takes the next one
    out to see whether it replaces the one being handled). tests/tui_support.settle waits for
    none: a key read, the selection a list's Enter posted, a screen mounting. Textual's public
    ``message_queue_size`` misses the one looked at."""
    nodes: list[Any] = [app]  # Any: Textual's private compat cached_property is opaque to mypy
    for screen in app.screen_stack:
        nodes.extend(screen.walk_children(with_self=True))
    return [pump for pump in nodes if pump.message_queue_size or pump._pending_message is not None]


def key_on_its_way(key: Message, node: DOMNode) -> bool:
    """Whether ``key``, handed to ``node``, still waits in its queue, or in one of its parents'
    (the app's too), on its way back up: not handled there yet, nor used."""
    pump: Any = node
    while pump is not None:
        if pump._pending_message is key or any(waiting is key for waiting in pump._message_queue.values):
            return True
        pump = pump.parent
    return False


# --- Widget types' CSS parsed ahead of their first mount (used by screens/preload.py) ---------
#
# Nothing public parses a type's DEFAULT_CSS before a widget of it is registered. Registering
# adds each of the type's bases' DEFAULT_CSS to the stylesheet (DOMNode._get_default_css: the
# nearer base first, ranked 0, -1, ... as tie-breaker, scoped to the base's CSS type name; a
# source already there keeps the lowest rank any type gave it), and the next look at its rules
# parses the stylesheet again, each source through Stylesheet._parse_rules, which keeps what
# it parsed in the LRU Stylesheet._parse_cache keyed as :data:`CssKey`, until the variables
# (the theme) change and Stylesheet.set_variables empties it.

CssKey = tuple[str, tuple[str, str], bool, int, str]  # css, read_from, is default, tie-breaker, scope


@dataclass(frozen=True)
class ParsedCss:
    variables: object  # the stylesheet's variables they were parsed with (the same dict, or stale)
    rules: dict[CssKey, list[RuleSet]]


def parse_default_css(stylesheet: Stylesheet, widgets: Iterable[type[DOMNode]]) -> ParsedCss:
    """Each of ``widgets``' bases' DEFAULT_CSS, parsed as the stylesheet would parse it once a
    widget of that type is registered, but for sources it has at that rank or a lower one.
    Only reads the stylesheet: fit for a worker thread."""
    variables = stylesheet._variables
    tokens = stylesheet._variable_tokens
    there = {read_from: source.tie_breaker for read_from, source in dict(stylesheet.source).items()}
    rules: dict[CssKey, list[RuleSet]] = {}
    for widget in widgets:
        for rank, base in enumerate(widget._css_bases(widget)):
            css: str = base.__dict__.get("DEFAULT_CSS", "")
            if not css:
                continue
            try:
                read_from = (inspect.getfile(base), f"{base.__name__}.DEFAULT_CSS")
            except (TypeError, OSError):
                read_from = ("", f"{base.__name__}.DEFAULT_CSS")
            if there.get(read_from, 1) <= -rank:
                continue
            scope = base._css_type_name if base.__dict__.get("SCOPED_CSS", True) else ""
            key = (css, read_from, True, -rank, scope)
            if key not in rules:
                parsed = parse_css(
                    scope, css, read_from, variable_tokens=tokens, is_default_rules=True, tie_breaker=-rank
                )
                rules[key] = list(parsed)
    return ParsedCss(variables, rules)


def keep_parsed_css(stylesheet: Stylesheet, parsed: ParsedCss) -> None:
    """Puts ``parsed`` in the stylesheet's cache (the UI thread's job: only it uses the cache),
    unless the theme changed since: parsed with other colours, it is dropped. The cache grows
    to hold it beside what it has."""
    if stylesheet._variables is not parsed.variables:
        return
    cache = stylesheet._parse_cache
    cache.grow(len(cache) + len(parsed.rules))
    for key, rules in parsed.rules.items():
        if cache.get(key) is None:
            cache[key] = rules

"""The app's table: Textual's DataTable, with a header that keeps up with its columns, and columns
that fit the width it has (the ones that matter stay; the rest are shortened, then hidden)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from rich.cells import cell_len
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text, TextType
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.css.styles import RenderStyles
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import Column, ColumnKey

from screens.textual_internals import (
    ColumnFittingDataTable,
    drop_row_caches,
    drop_size_caches,
    label_column_width,
    rows_height,
)

MIDDLE_CUT_HEAD = 6  # cells: the least a name cut in its middle keeps of its start beside its last word
SHORTEN_BIAS = 3  # cells: how much wider a column one step less important counts when shortening


@dataclass
class FittedColumn(Column):
    """A column that knows how much it matters: ``priority`` 0 is kept longest (ties: the
    leftmost), and ``min_width`` is how narrow it may get, with an ellipsis, before it is hidden
    instead (None: it is shown whole or not at all). ``cut_middle``: shortened, its cells lose
    their middle rather than their end ("Accessibility Commu…ctice Lagos"), for names that
    often differ only at the end (circles of one kind in several cities)."""

    priority: int = 0
    min_width: int | None = None
    cut_middle: bool = False  # shortened, keeps its cells' ends: names told apart by their end
    hidden: bool = False
    truncated: bool = False
    fits_content: bool = True  # added without a width: its natural width is its content's
    given_width: int = 0  # else the width it was given
    # Set by a table whose rows come a page at a time (PagedTable's steady_widths): the width
    # the column keeps whatever later rows hold, which are shortened to it.
    held_width: int | None = None

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        return 0 if self.hidden else super().get_render_width(data_table)

    @property
    def natural_width(self) -> int:
        if self.held_width is not None:
            return self.held_width
        return self.content_width if self.fits_content else self.given_width


class Table(ColumnFittingDataTable):
    """A DataTable whose columns fit its width, and whose header is drawn again when new rows or
    cells widen its columns.

    Fitting: when the columns at their natural widths are wider than the table, the least
    important are hidden until the rest fit at their ``min_width``; then the widest (weighed by
    importance) are shortened, with an ellipsis, so what matters stays readable at 80 columns
    instead of running off the right edge. It runs again whenever the table is resized or its
    rows change the natural widths; a hidden column's data stays, so nothing else changes.

    The header: DataTable (8.x) sizes its columns when it is next idle, and a frame drawn before
    then (a busy machine) left the header at the old widths above wider rows (seen on the person
    and circle screens): :meth:`columns_resized` draws it afresh.

    Both need Textual's internals: screens/textual_internals.py says which, and why.
    """

    def add_column(
        self,
        label: TextType,
        *,
        width: int | None = None,
        key: str | None = None,
        default: object | None = None,
        priority: int | None = None,
        min_width: int | None = None,
        cut_middle: bool = False,
    ) -> ColumnKey:
        """As DataTable's, plus how much the column matters: ``priority`` (0 first; by default its
        position, so the rightmost columns go first), ``min_width`` and how its cells are
        shortened, ``cut_middle`` (see FittedColumn)."""
        column_key = super().add_column(label, width=width, key=key, default=default)
        plain = self.columns[column_key]
        self.columns[column_key] = FittedColumn(
            plain.key,
            plain.label,
            plain.width,
            plain.content_width,
            plain.auto_width,
            priority=len(self.columns) - 1 if priority is None else priority,
            min_width=min_width,
            cut_middle=cut_middle,
            fits_content=plain.auto_width,
            given_width=plain.width,
        )
        self._fit()
        return column_key

    # Home and End go to the first and last row, as in any list; DataTable's went to the first and
    # last column, and it and ScrollableContainer gave ←/→ and ctrl+pgup/pgdn to going sideways.
    # The columns fit the width, so there is nothing to the side: those keys are left out of the
    # help (an empty description) and ctrl+home/ctrl+end do what Home and End do.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home,ctrl+home", "scroll_top", "First row", show=False),
        Binding("end,ctrl+end", "scroll_bottom", "Last row", show=False),
        Binding("left", "cursor_left", "", show=False),
        Binding("right", "cursor_right", "", show=False),
        Binding("ctrl+pageup", "page_left", "", show=False),
        Binding("ctrl+pagedown", "page_right", "", show=False),
    ]

    # -- fitting the columns to the width ------------------------------------------------------

    def size_changed(self) -> None:
        self._fit()

    def _room(self) -> int:
        """The cells the columns may take: the table's width less a vertical scrollbar, if its
        rows will need one (decided from the rows, so adding rows can't make the fit flicker)."""
        room = self.size.width - label_column_width(self)
        header = self.header_height if self.show_header else 0
        if rows_height(self) + header > self.size.height and self.styles.overflow_y != "hidden":
            room -= self.styles.scrollbar_size_vertical
        return room

    def _fit(self) -> bool:
        """Show, shorten or hide each column for the current width; True if anything changed."""
        columns = [c for c in self.ordered_columns if isinstance(c, FittedColumn)]
        if not columns or not self.size.width:
            return False
        room = self._room()
        pad = 2 * self.cell_padding
        by_importance = sorted(columns, key=lambda c: (c.priority, columns.index(c)))
        if not by_importance:
            return False

        def narrowest(c: FittedColumn) -> int:
            return c.natural_width if c.min_width is None else min(c.min_width, c.natural_width)

        # As many columns as fit at their narrowest, the least important ones hidden first.
        kept = list(by_importance)
        while len(kept) > 1 and sum(pad + narrowest(c) for c in kept) > room:
            kept.pop()
        # Then shorten, only as much as needed, a cell at a time from the column that is widest
        # once its importance is counted (each step down in priority counts as SHORTEN_BIAS more
        # cells): one long column of circle names gives way before three short ones become
        # stubs, and of two alike the less important gives way first.
        widths = {c.key: c.natural_width for c in kept}
        floors = {c.key: 1 if len(kept) == 1 else narrowest(c) for c in kept}
        rank = {c.key: i for i, c in enumerate(by_importance)}
        excess = sum(pad + w for w in widths.values()) - room
        while excess > 0:
            shrinkable = [c for c in kept if widths[c.key] > floors[c.key]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda c: (widths[c.key] + SHORTEN_BIAS * rank[c.key], rank[c.key]))
            widths[widest.key] -= 1
            excess -= 1

        changed = False
        for c in columns:
            hidden = c.key not in widths
            shown = widths.get(c.key, c.natural_width)
            held = c.held_width is not None
            # A held column is as wide as held, and a later cell wider than that is shortened.
            truncated = not hidden and (shown < c.natural_width or (held and c.content_width > shown))
            state = (hidden, truncated, shown if truncated or held else None)
            if state == (c.hidden, c.truncated, c.width if c.truncated or held else None):
                continue
            changed = True
            c.hidden, c.truncated = hidden, truncated
            if truncated or held:
                c.auto_width, c.width = False, shown
            else:
                c.auto_width, c.width = c.fits_content, c.width if c.fits_content else c.given_width
        if changed:
            header = self.header_height if self.show_header else 0
            self.virtual_size = Size(
                sum(c.get_render_width(self) for c in self.columns.values()) + label_column_width(self),
                rows_height(self) + header,
            )
            drop_size_caches(self)
        return changed

    @property
    def shown_columns(self) -> list[str]:
        """The labels of the columns on screen now (hidden ones left out)."""
        return [str(c.label) for c in self.ordered_columns if not getattr(c, "hidden", False)]

    # -- what screens/textual_internals.py asks of a fitting table ----------------------------------

    def column_hidden(self, column: Any) -> bool:
        return bool(getattr(column, "hidden", False))

    def column_shortened(self, column: Any) -> bool:
        return bool(getattr(column, "truncated", False))

    def shorten_cell(self, cell: Any, column: Any) -> Any:
        if getattr(column, "cut_middle", False):
            return _cut_middle(cell, column.width)
        return _ellipsis(cell)

    def columns_resized(self) -> None:
        """New rows or widened cells changed the natural widths: fit again, and draw the header
        afresh either way (the cache would keep it at the old widths)."""
        if not self._fit():
            drop_row_caches(self)
            self.refresh()

    # -- drawing: the same styles, worked out once a drawing -----------------------------------
    #
    # DataTable asks, for every row it draws, for the table's Rich style and background and for
    # its components' (the header's, the row's zebra stripe): each answer is a walk up the
    # styles of every ancestor, four or five a row, a fifth of drawing the circle's 33 members.
    # Nothing can restyle the table while it draws, so within one render_lines each is worked
    # out once, and afterwards asked afresh as before.

    _drawing: dict[object, Any] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawing = {}
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def _once_a_drawing(self, key: object, work_out: Callable[[], Any]) -> Any:
        """``work_out()``, kept under ``key`` while the table draws; asked afresh otherwise."""
        drawing = self._drawing
        if drawing is None:
            return work_out()
        if key not in drawing:
            drawing[key] = work_out()
        return drawing[key]

    @property
    def rich_style(self) -> Style:
        return self._once_a_drawing("rich_style", lambda: super(Table, self).rich_style)  # type: ignore[no-any-return]

    @property
    def background_colors(self) -> tuple[Color, Color]:
        colors = self._once_a_drawing("background_colors", lambda: super(Table, self).background_colors)
        return colors  # type: ignore[no-any-return]

    def get_component_styles(self, *names: str) -> RenderStyles:
        if self._drawing is None:  # (kept only while drawing: otherwise the styles as they are)
            return super().get_component_styles(*names)
        work_out = lambda: _DrawnStyles(super(Table, self).get_component_styles(*names))  # noqa: E731
        return self._once_a_drawing(names, work_out)  # type: ignore[no-any-return]


class _DrawnStyles(RenderStyles):
    """A component's styles, as asked for while the table draws: their Rich style is worked out
    once (see Table.render_lines)."""

    def __init__(self, styles: RenderStyles) -> None:
        assert styles.node is not None  # (a component's styles always have their node)
        super().__init__(styles.node, styles.base, styles.inline)
        self._drawn_rich_style = styles.rich_style

    @property
    def rich_style(self) -> Style:
        return self._drawn_rich_style


def _ellipsis(cell: RenderableType) -> RenderableType:
    """A cell cut short ends in '…' rather than mid-word with no sign that more was there."""
    if isinstance(cell, Text):
        cell = cell.copy()
        cell.no_wrap, cell.overflow = True, "ellipsis"
    elif isinstance(cell, str):
        cell = Text(cell, no_wrap=True, overflow="ellipsis")
    return cell


def shortened_in_middle(text: str, width: int) -> str | None:
    """``text`` in ``width`` cells, cut in its middle as a column's names are (the header's
    sub-title); None where only its end could go."""
    cut = _cut_middle(Text(text), width)
    return cut.plain if isinstance(cut, Text) and cut.cell_len <= width else None


def _cut_middle(cell: RenderableType, width: int) -> RenderableType:
    """A cell cut to ``width`` cells by taking out its middle, marked '…': its end keeps its
    last whole words, up to half the cells ("…Practice Lagos", not "…ctice Lagos"), or if longer
    its place in parentheses whole, else its last word alone (while the start keeps
    MIDDLE_CUT_HEAD cells), and its start the rest. A cell whose last word is longer than that,
    or that isn't text, is shortened as any other, at its end. A cell of several lines has each
    cut so (Search's day above its circle)."""
    if isinstance(cell, str):
        cell = Text(cell)
    if isinstance(cell, Text) and "\n" in cell.plain and width >= 3:
        lines = (cast(Text, _cut_middle(line, width)) for line in cell.split("\n", allow_blank=True))
        return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)  # (a line of Text gives Text)
    if not isinstance(cell, Text) or width < 3:
        return _ellipsis(cell)
    if cell.cell_len <= width:
        return cell
    plain = cell.plain
    end = plain[len(plain) - _chars_within(plain[::-1], (width - 1) // 2) :]
    place = _PLACE.search(plain)
    if place and len(end) < len(place[0]) and cell_len(place[0]) <= width - 1 - MIDDLE_CUT_HEAD:
        # A place in parentheses is what tells "Python Circle (Berlin)" from "Python Circle (Sao
        # Paulo)": kept whole while the start keeps a few cells ("Python C…(Sao Paulo)"), where
        # its last word alone read "…Paulo)", a place cut at its start.
        end = place[0]
    elif not plain[: len(plain) - len(end)].endswith(" "):
        if " " in end.strip():
            end = end.split(" ", 1)[1]  # (a word cut at its start is dropped: the whole words stay)
        else:  # not one whole word: a scrap such as "galore)" tells nothing; the last word whole
            # if the start keeps a few cells ("Accessib…(Bangalore)" in 20), else cut at the end
            last = plain.rsplit(" ", 1)[-1] if " " in plain.strip() else ""
            if not last or cell_len(last) > width - 1 - MIDDLE_CUT_HEAD:
                return _ellipsis(cell)
            end = last
    end = end.lstrip()
    head = len(plain[: _chars_within(plain, width - 1 - cell_len(end))].rstrip())  # "Data Science…"
    shortened = Text.assemble(cell[:head], "…", cell[len(plain) - len(end) :], no_wrap=True)
    shortened.style = cell.style
    return shortened


# A name's ending in parentheses after a blank: a circle's place, "(Sao Paulo)".
_PLACE = re.compile(r"(?<= )\([^()]+\)$")


def _chars_within(text: str, cells: int) -> int:
    """How many of ``text``'s first characters fit in ``cells`` cells (a wide one split by the
    edge is left out: the cell is short by one rather than over)."""
    used = 0
    for count, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return count
    return len(text)

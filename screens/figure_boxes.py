"""A dozen figures in boxes, six to a row, drawn as one widget: each box a short name, a value
and what the value counts. The cursor is on one box; Tab and the arrows move it, and ? (or a
click) asks what that figure means.

The Organisation screen had a Static per box in a Grid: thirteen widgets mounted, styled, laid
out and drawn one by one, about a third of its first frame on the large demo. Drawn here line by
line, they are one widget, laid out once, and drawn again only when a value or the cursor moves.
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Offset, Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from screens.drawn_lines import DrawnLines


@dataclass(frozen=True, slots=True)
class FigureName:
    """A figure's key (what ? explains), its short name, and a narrower one for a box too narrow
    for a word of it (six boxes a row at 80 columns): "Participation" would be cut in two."""

    key: str
    name: str
    narrow: str | None = None


class FigureBoxes(DrawnLines, can_focus=True):
    COLUMNS = 6
    # Whether a figure's name offers to say what it means ("Participation ?"), as ? and a click do.
    EXPLAINS = True
    PADDING = 0  # spaces inside a box, left and right
    GUTTER = 1  # spaces between two boxes
    BINDINGS = [
        Binding("question_mark", "explain", "What is this?", tooltip="How this figure is defined"),
        # Tab goes through the figures, then on to the next widget, as it did box by box.
        Binding("tab", "move(1, True)", show=False),
        Binding("shift+tab", "move(-1, True)", show=False),
        Binding("right", "move(1)", show=False),
        Binding("left", "move(-1)", show=False),
        Binding("down", f"move({COLUMNS})", show=False),
        Binding("up", f"move(-{COLUMNS})", show=False),
    ]
    COMPONENT_CLASSES = {"figure-boxes--box", "figure-boxes--cursor"}
    DEFAULT_CSS = """
    FigureBoxes { height: auto; }
    FigureBoxes > .figure-boxes--box { color: $primary; }
    FigureBoxes > .figure-boxes--cursor { color: $accent; background: $boost; }
    """

    class Explain(Message):
        """Say what the figure ``key`` means."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, names: Sequence[FigureName], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names = tuple(names)
        # (value, what it counts) per figure: empty until the figures come, the boxes as high
        # as they will be, so that the screen is not laid out again when they do.
        self.values: dict[str, tuple[str, str]] = {n.key: ("", "") for n in self.names}
        self.cursor = 0
        self._shared: tuple[Hashable, list[tuple[int, int]]] | None = None  # _spans, kept

    @property
    def current(self) -> str:
        """The key of the figure under the cursor."""
        return self.names[self.cursor].key

    def show(self, values: Mapping[str, tuple[str, str]]) -> None:
        """Figures' values and what they count, by key."""
        rows = self._row_heights()
        self.values.update(values)
        # Laid out again only when a row of boxes grows or shrinks (a value wrapped).
        self.refresh(layout=self._row_heights() != rows)

    def text(self, key: str) -> str:
        """A figure as its box says it, a line each for its name, its value and what it counts
        (the name narrow when the box is)."""
        index = next(i for i, n in enumerate(self.names) if n.key == key)
        width = self.size.width
        # As _box_lines has it: inside the borders and the padding (0: not laid out yet).
        inner = max(self._spans(width)[index % self.COLUMNS][1] - 2 - 2 * self.PADDING, 1) if width else 0
        return "\n".join((self._title(self.names[index], inner), *self.values[key]))

    def action_move(self, step: int, leaves: bool = False) -> None:
        to = self.cursor + step
        if 0 <= to < len(self.names):
            self.cursor = to
            self.refresh()
            self._scroll_to_cursor()
        elif leaves:
            if step > 0:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
        else:
            # An arrow with no box to go to is left to what holds the boxes: Organisation's page
            # scrolls, as it did when each box was a widget of its own.
            raise SkipAction()

    def action_explain(self) -> None:
        self.post_message(self.Explain(self.current))

    def on_click(self, event: events.Click) -> None:
        if not self.EXPLAINS:
            return
        at = event.get_content_offset(self)
        index = self._box_at(at.x, at.y) if at is not None else None
        if index is not None:
            self.cursor = index
            self.focus()
            self.refresh()
            self.action_explain()

    def on_focus(self) -> None:
        self.refresh()  # the box under the cursor is marked only while the boxes have the focus
        # Textual brings the boxes into view from their top, by a scroll the screen has queued
        # already and the holder starts after the next frame; then the box under the cursor is
        # (Shift+Tab comes back to the last one, whose row may be below the screen).
        holder = self.parent
        if isinstance(holder, Widget):
            self.screen.call_later(holder.call_after_refresh, self._scroll_to_cursor)

    def on_blur(self) -> None:
        self.refresh()

    def _row_heights(self) -> list[int] | None:
        """How many lines each row of boxes has, as now (None before the first layout)."""
        width = self.size.width
        return [len(boxes[0]) for _, boxes in self._rows(width)] if width else None

    def _spans(self, width: int) -> list[tuple[int, int]]:
        # Asked for by each line drawn, click and scroll: worked out once per width and values.
        shared_for = (width, tuple(self.values.values()))
        if self._shared is None or self._shared[0] != shared_for:
            self._shared = (shared_for, self._share(width))
        return self._shared[1]

    def _share(self, width: int) -> list[tuple[int, int]]:
        """Where each column of boxes starts and how wide it is: the width shared alike, the
        gutter between two boxes. A column whose longest word would be cut ("4 program-mes" at
        80 columns) gets a cell left over or one a column can spare (costing it the fewest
        lines); the cells still left go where they save a line ("114 of / 303"), else to the
        narrowest columns, the first first."""
        room = max(width - self.GUTTER * (self.COLUMNS - 1), 3 * self.COLUMNS)
        each, spare = divmod(room, self.COLUMNS)
        widths = [each] * self.COLUMNS
        words = self._longest_words()
        columns = range(self.COLUMNS)

        def lines_saved(column: int, cells: int) -> int:
            """Lines the column's boxes take fewer with ``cells`` more (fewer when negative)."""
            return self._column_lines(column, widths[column]) - self._column_lines(
                column, widths[column] + cells
            )

        while True:
            short = max(columns, key=lambda c: words[c] - widths[c])
            if words[short] <= widths[short]:
                break
            if spare:
                spare -= 1
            else:
                roomy = [c for c in columns if widths[c] > words[c]]
                if not roomy:
                    break  # no column can spare a cell: the word is cut
                widths[max(roomy, key=lambda c: (lines_saved(c, -1), widths[c] - words[c]))] -= 1
            widths[short] += 1
        for _ in range(spare):
            widths[max(columns, key=lambda c: (lines_saved(c, 1), -widths[c], -c))] += 1
        spans, x = [], 0
        for w in widths:
            spans.append((x, w))
            x += w + self.GUTTER
        return spans

    def _longest_words(self) -> list[int]:
        """Per column, the width of a box whose longest word fits (of its name, the narrow one
        if it has one, value and detail), borders and padding counted."""
        words = [0] * self.COLUMNS
        for index, figure in enumerate(self.names):
            name = figure.narrow or figure.name  # the wider one is shown only where it fits
            texts = (f"{name} ?" if self.EXPLAINS else name, *self.values[figure.key])
            # Words as textwrap breaks them: at plain spaces, not at no-break ones ("3m 97%").
            longest = max((len(word) for text in texts for word in text.split(" ")), default=0)
            column = index % self.COLUMNS
            words[column] = max(words[column], longest + 2 + 2 * self.PADDING)
        return words

    def _column_lines(self, column: int, width: int) -> int:
        """The lines the boxes of ``column`` take, ``width`` cells wide."""
        figures = self.names[column :: self.COLUMNS]
        return sum(len(self._box_lines(figure, width - 2)) for figure in figures)

    def _title(self, figure: FigureName, inner: int) -> str:
        """The figure's name, narrow when a word of it is wider than the box, and "?"."""
        fits = not inner or all(len(word) <= inner for word in figure.name.split())
        name = figure.name if fits else figure.narrow or figure.name
        return f"{name} ?" if self.EXPLAINS else name

    def _box_lines(self, figure: FigureName, inner: int) -> list[str]:
        """The lines inside a box ``inner`` cells wide, padding aside."""
        value, detail = self.values[figure.key]
        inner = max(inner - 2 * self.PADDING, 1)
        lines: list[str] = []
        for text in (self._title(figure, inner), value, detail):
            # Most fit their box (textwrap, for each line of a dozen boxes, on every change).
            lines.extend([text] if len(text) <= inner else textwrap.wrap(text, inner))
        return lines

    def _rows(self, width: int) -> list[tuple[int, list[list[str]]]]:
        """Per row of boxes: its first figure's index and each box's lines, as many as the
        row's fullest box."""
        spans = self._spans(width)
        rows = []
        for first in range(0, len(self.names), self.COLUMNS):
            boxes = [
                self._box_lines(figure, spans[n][1] - 2)
                for n, figure in enumerate(self.names[first : first + self.COLUMNS])
            ]
            height = max(len(lines) for lines in boxes)
            rows.append((first, [lines + [""] * (height - len(lines)) for lines in boxes]))
        return rows

    def _scroll_to_cursor(self) -> None:
        """Scroll what holds the boxes to the one under the cursor: Textual brings a focused
        widget into view, not a part of one, and on a short terminal the second row is below."""
        holder = self.parent
        if not isinstance(holder, Widget) or not self.size.width:
            return
        spans, top = self._spans(self.size.width), 0
        for first, boxes in self._rows(self.size.width):
            height = len(boxes[0]) + 2
            if first <= self.cursor < first + self.COLUMNS:
                x, width = spans[self.cursor - first]
                box = Region(x, top, width, height).translate(self.virtual_region.offset)
                # From where the holder is going: a scroll under way (Textual's, on focus) ends
                # there, and would take the box out of view again.
                going_to = Offset(round(holder.scroll_target_x), round(holder.scroll_target_y))
                window = holder.scrollable_content_region.reset_offset.translate(going_to)
                delta = Region.get_scroll_to_visible(window, box)
                if delta or going_to != holder.scroll_offset:
                    holder.scroll_to(*(going_to + delta), animate=False, immediate=True)
                return
            top += height

    def _box_at(self, x: int, y: int) -> int | None:
        spans = self._spans(self.size.width)
        column = next((n for n, (start, w) in enumerate(spans) if start <= x < start + w), None)
        top = 0
        for first, boxes in self._rows(self.size.width):
            height = len(boxes[0]) + 2
            if top <= y < top + height:
                index = first + column if column is not None else None
                return index if index is not None and index < len(self.names) else None
            top += height
        return None

    def _styles(self) -> tuple[Style, Style, Style, Style]:
        """The rich styles of the space between boxes and a box's inside, a box's border, and
        the border and inside of the box under the cursor (colours over the widget's own)."""
        _, background = self.background_colors
        base = self.rich_style
        box = self.get_component_styles("figure-boxes--box")
        cursor = self.get_component_styles("figure-boxes--cursor")
        boosted = background + cursor.background
        inside = base + Style(bgcolor=boosted.rich_color)
        return (
            base,
            base + Style(color=(background + box.color).rich_color),
            inside + Style(color=(boosted + cursor.color).rich_color),
            inside,
        )

    def _marked(self) -> int | None:
        return self.cursor if self.has_focus else None

    def _drawn_for(self, width: int) -> Hashable:
        return (width, tuple(self.values.values()), self._marked(), self._styles())

    def _draw(self, width: int) -> list[Strip]:
        base, box, cursor, inside = self._styles()
        marked = self._marked()
        spans = self._spans(width)
        lines: list[Strip] = []
        for first, boxes in self._rows(width):
            height = len(boxes[0])
            for y in range(height + 2):
                segments: list[Segment] = []
                for n, box_lines in enumerate(boxes):
                    inner = spans[n][1] - 2
                    on = first + n == marked
                    border = cursor if on else box
                    if n and self.GUTTER:
                        segments.append(Segment(" " * self.GUTTER, base))
                    if y == 0:
                        segments.append(Segment(f"╭{'─' * inner}╮", border))
                    elif y == height + 1:
                        segments.append(Segment(f"╰{'─' * inner}╯", border))
                    else:
                        segments.append(Segment("│", border))
                        pad = " " * self.PADDING
                        line = _centred(box_lines[y - 1], inner - 2 * self.PADDING)
                        segments.append(Segment(f"{pad}{line}{pad}", inside if on else base))
                        segments.append(Segment("│", border))
                lines.append(Strip(segments).extend_cell_length(width, base).crop(0, width))
        return lines


def _centred(text: str, width: int) -> str:
    """``text`` in the middle of ``width`` cells, a space more on the right when it can't be
    (as Textual centres a Static's text: str.center puts it on either side)."""
    left = (width - len(text)) // 2
    return f"{' ' * left}{text}".ljust(width)

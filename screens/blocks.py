"""Headings, sparklines and lines of text drawn as one widget, as the Organisation screen shows
its trends and its programmes.

A widget each (a dozen) laid the screen out again for each of them at every pass, several passes
while it loads. Drawn as one renderable, Textual still rendered it twice a frame (once to learn
its height, once to draw it), sparklines and all: the lines are now rendered once for a width
and its blocks, and handed out line by line. Nothing in them is selected or scrolled on its
own; they look as the widgets did.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from screens.drawn_lines import DrawnLines

# A block: its heading, then a sparkline's data (three lines high unless said) and the lines
# under it, or only lines.
Block = tuple[str, list[float] | None, str]


class Blocks(DrawnLines):
    COMPONENT_CLASSES = {"sparkline--max-color", "sparkline--min-color", "blocks--heading", "blocks--axis"}
    DEFAULT_CSS = """
    Blocks { height: auto; }
    Blocks > .sparkline--max-color { color: $primary; }
    Blocks > .sparkline--min-color { color: $primary 30%; }
    Blocks > .blocks--heading { text-style: bold; }
    Blocks > .blocks--axis { color: $text-muted; }
    """

    def __init__(self, blocks: list[Block], *, sparkline_height: int = 3, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blocks = blocks
        self.sparkline_height = sparkline_height

    def show(self, blocks: list[Block]) -> None:
        if blocks == self.blocks:
            return
        width = self.size.width
        before = len(self._lines(width)) if width else None
        self.blocks = blocks
        # Laid out again only when it has more lines or fewer (a sparkline's data changes
        # nothing of its height).
        self.refresh(layout=before is None or len(self._lines(width)) != before)

    def _styles(self) -> tuple[Any, Any, Any, Any]:
        """The styles as the theme has them now: another theme draws the lines again."""
        _, background = self.background_colors
        return (
            (background + self.get_component_styles("sparkline--min-color").color).rich_color,
            (background + self.get_component_styles("sparkline--max-color").color).rich_color,
            self.get_component_rich_style("blocks--heading"),
            self.get_component_rich_style("blocks--axis"),
        )

    def _drawn_for(self, width: int) -> Hashable:
        return (width, self.blocks, self.rich_style, self._styles())

    def _draw(self, width: int) -> list[Strip]:
        base = self.rich_style
        low, high, heading, axis = self._styles()
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)

        def text(line: str, style: Any) -> list[Strip]:
            return [
                Strip(Segment.apply_style(segments, base)).adjust_cell_length(width, base)
                for segments in console.render_lines(Text(line, style=style), options, pad=False)
            ]

        lines: list[Strip] = []
        for n, (title, data, under) in enumerate(self.blocks):
            if n:
                lines.append(Strip.blank(width, base))  # the space above each heading
            lines += text(title, heading)
            if data is not None:
                lines += sparkline(data, width, self.sparkline_height, low, high, base)
            if under:
                lines += text(under, axis if data is not None else "")
        return lines


BARS = "▁▂▃▄▅▆▇█"


def sparkline(
    data: Sequence[float], width: int, height: int, low: Color, high: Color, base: Style
) -> list[Strip]:
    """``data`` as a sparkline ``height`` lines high: the highest value of each column's share
    of the data, its colour blended from ``low`` (the least) to ``high`` (the most). Textual's
    Sparkline draws the same cells, but works out each column's value and colour again on each
    line, a style per cell (a few milliseconds of Organisation's first frame, per sparkline)."""
    if not data:
        return [Strip.blank(width, base)] * (height - 1) + [
            Strip([Segment("▁" * width, base + Style(color=low))])
        ]
    if len(data) == 1:
        return [Strip([Segment("█" * width, base + Style(color=high))], width)] * height
    steps = len(BARS) * height - 1
    least, most = min(data), max(data)
    extent = most - least or 1
    # Each column's share of the data, as Textual divides it (empty shares skipped, the others
    # stretched over the width), and the height and colour of its bar.
    buckets = [
        max(data[len(data) * c // width : len(data) * (c + 1) // width])
        for c in range(width)
        if len(data) * c // width < len(data) * (c + 1) // width
    ]
    bars: list[tuple[int, Style]] = []
    bar_of: dict[float, tuple[int, Style]] = {}  # a few values, each over many columns
    at, step = 0.0, len(buckets) / width
    for _ in range(width):
        value = buckets[int(at)]
        if value not in bar_of:
            ratio = (value - least) / extent
            bar_of[value] = (int(ratio * steps), base + Style(color=_blend(low, high, ratio)))
        bars.append(bar_of[value])
        at += step
    lines = []
    for row in reversed(range(height)):
        bottom, top = row * len(BARS), (row + 1) * len(BARS)
        cells = [
            (" ", base) if bar < bottom else ("█" if bar >= top else BARS[bar % len(BARS)], style)
            for bar, style in bars
        ]
        # One segment per run of cells of one style: a bar's column is one colour.
        segments = [
            Segment("".join(c for c, _ in run), style) for style, run in groupby(cells, key=itemgetter(1))
        ]
        lines.append(Strip(segments, width))
    return lines


def _blend(low: Color, high: Color, ratio: float) -> Color:
    """The colour ``ratio`` of the way from ``low`` to ``high`` (as Textual's sparkline blends)."""
    if low.triplet is None or high.triplet is None:
        return high
    (r1, g1, b1), (r2, g2, b2) = low.triplet, high.triplet
    return Color.from_rgb(r1 + (r2 - r1) * ratio, g1 + (g2 - g1) * ratio, b1 + (b2 - b1) * ratio)

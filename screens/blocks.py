"""Headings, sparklines and lines of text drawn as one widget, as the Organisation screen shows
its trends and its programmes.

A widget each (a dozen) laid the screen out again for each of them at every pass, several passes
while it loads. Drawn as one renderable, Textual still rendered it twice a frame (once to learn
its height, once to draw it), sparklines and all: the lines are now rendered once for a width
and its blocks, and handed out line by line. Nothing in them is selected or scrolled on its
own; they look as the widgets did.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text
from textual.renderables.sparkline import Sparkline
from textual.strip import Strip

from screens.drawn_lines import DrawnLines

# A block: its heading, then a sparkline's data (three lines high unless said) and the lines
# under it, or only lines.
Block = tuple[str, list[float] | None, str]


class _Lines:
    """A sparkline as whole lines, so that what follows it starts on a line of its own."""

    def __init__(self, sparkline: Sparkline[float], height: int) -> None:
        self.sparkline, self.height = sparkline, height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in console.render_lines(self.sparkline, options.update(height=self.height), pad=False):
            yield from line
            yield Segment.line()


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
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)
        return [
            Strip(Segment.apply_style(line, base)).adjust_cell_length(width, base)
            for line in console.render_lines(self._renderable(*self._styles()), options, pad=False)
        ]

    def _renderable(self, low: Any, high: Any, heading: Any, axis: Any) -> RenderableType:
        parts: list[RenderableType] = []
        for n, (title, data, text) in enumerate(self.blocks):
            if n:
                parts.append(Text(""))  # the space above each heading
            parts.append(Text(title, style=heading))
            if data is not None:
                sparkline = Sparkline(
                    data,
                    width=None,
                    height=self.sparkline_height,
                    min_color=low,
                    max_color=high,
                    summary_function=max,
                )
                parts.append(_Lines(sparkline, self.sparkline_height))
            if text:
                parts.append(Text(text, style=axis if data is not None else ""))
        return Group(*parts)

"""A widget that draws all of its lines at once for a width and hands them out one by one, as
the figure boxes, the trends' blocks, the row of tabs, the header and the key bar do
(screens/figure_boxes.py, blocks.py, tabs.py, header.py, footer.py)."""

from __future__ import annotations

from collections.abc import Hashable

from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


class DrawnLines(Widget):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._frame: list[Strip] | None = None
        self._drawn: tuple[Hashable, list[Strip]] | None = None

    def _drawn_for(self, width: int) -> Hashable:
        """All the lines for ``width`` depend on: what they show and the theme's styles."""
        raise NotImplementedError

    def _draw(self, width: int) -> list[Strip]:
        raise NotImplementedError

    def _lines(self, width: int) -> list[Strip]:
        """Every line for ``width``, kept until what :meth:`_drawn_for` says changes."""
        drawn_for = self._drawn_for(width)
        if self._drawn is None or self._drawn[0] != drawn_for:
            self._drawn = (drawn_for, self._draw(width))
        return self._drawn[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looked up once a frame, not once a line: knowing whether the kept lines still hold
        # reads the theme's styles, about a tenth of a millisecond each time.
        self._frame = self._lines(self.size.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        lines = self._frame if self._frame is not None else self._lines(self.size.width)
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.rich_style)

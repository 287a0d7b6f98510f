"""The line at the top of every screen: the icon that opens the command palette, the screen's
title in the middle, and room for a clock at the right, drawn as one widget.

Textual's Header is four widgets (the header, its icon, its title and its clock space), each
styled, laid out and drawn as a screen opens; they were 4 of Organisation's 17 widgets. This one
draws the same cells in the same colours itself (tests/test_header.py holds it to Textual's),
and does what Textual's did with the mouse: the icon lights up under it and opens the palette
when clicked, a click anywhere else makes the header three lines high, or one again.

It follows the screen's title and sub-title, which screens set once their data has come. It does
not watch the app's: those never change here, and Textual's Header, watching them, was kept
alive by the app after its screen had closed (screens/heap.py pruned those watchers).
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.color import Color
from textual.content import Content
from textual.reactive import reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

from screens.drawn_lines import DrawnLines
from screens.table import shortened_in_middle

ICON_WIDTH = 8  # the icon and a cell of padding either side, as Textual's HeaderIcon
CLOCK_WIDTH = 10  # the room Textual's header keeps for its clock (shown or not)
PALETTE_TOOLTIP = "Open the command palette"


class Header(DrawnLines):
    """One widget for Textual's Header, HeaderIcon, HeaderTitle and HeaderClockSpace."""

    ALLOW_SELECT = False  # (dragging over Textual's did not select its title either)

    COMPONENT_CLASSES = {"header--icon-hover"}
    # As textual/widgets/_header.py styles the header and its parts. The title is drawn as the
    # HeaderTitle Static drew it (one line, centred, an ellipsis when cut): by Textual itself,
    # with these rules (Visual.to_strips reads them from the widget).
    DEFAULT_CSS = """
    Header {
        dock: top;
        width: 100%;
        background: $panel;
        color: $foreground;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        content-align: center middle;
    }
    Header.-tall { height: 3; }
    Header > .header--icon-hover { background: $foreground 10%; }
    """

    tall: reactive[bool] = reactive(False)
    """Three lines high rather than one (a click on the header switches it, as on Textual's)."""

    icon: reactive[str] = reactive("⭘")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._icon_hover = False

    def on_mount(self) -> None:
        # The screen's title and sub-title come with its data; the watchers live on the screen,
        # and go with it.
        self.watch(self.screen, "title", self._title_changed, init=False)
        self.watch(self.screen, "sub_title", self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()

    def watch_tall(self, tall: bool) -> None:
        self.set_class(tall, "-tall")

    def watch_icon(self) -> None:
        self.refresh()

    @property
    def _palette(self) -> bool:
        return self.app.ENABLE_COMMAND_PALETTE

    def format_title(self, width: int) -> Content:
        """The title as Textual's Header shows it: the screen's title and sub-title, else the app's.
        A sub-title too long for ``width`` cells loses its middle, as a table's names do: its
        end says which ("Check-in — Technical Writing Lunch & Learn (Sao Paulo), Fri 0…" hid
        the day being checked in at 80 columns; a session's title hid its circle's city)."""
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        room = width - cell_len(title) - cell_len(" — ")
        if sub_title and cell_len(sub_title) > room:
            sub_title = shortened_in_middle(sub_title, room) or sub_title
        return app.format_title(title, sub_title)

    def _icon_end(self) -> int:
        """Where the icon's cells end: the clock's room, drawn over it as Textual's was, takes
        the last ten cells even when the header is narrower than icon and clock together."""
        return max(0, min(ICON_WIDTH, self.size.width - CLOCK_WIDTH))

    async def on_click(self, event: events.Click) -> None:
        if event.x < self._icon_end():
            event.stop()  # the icon's click is the palette's only, as Textual's HeaderIcon's was
            if self._palette:
                await self.run_action("app.command_palette")
            return  # (without a palette the icon is disabled, and does nothing)
        self.toggle_class("-tall")

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_icon(self._palette and event.x < self._icon_end())

    def on_leave(self) -> None:
        self._hover_icon(False)

    def _hover_icon(self, hover: bool) -> None:
        if hover != self._icon_hover:
            self._icon_hover = hover
            # Only the icon has a tooltip, as only Textual's HeaderIcon had.
            self.tooltip = PALETTE_TOOLTIP if hover else None
            self.refresh()

    def _icon_background(self) -> Color:
        _, background = self.background_colors
        if self._icon_hover:
            return background + self.get_component_styles("header--icon-hover").background
        return background

    def _drawn_for(self, width: int) -> Hashable:
        screen, app = self.screen, self.app
        titles = (screen.title, screen.sub_title, app.title, app.sub_title)
        return (width, self.has_class("-tall"), self.icon, titles, self._icon_background(), self.visual_style)

    def _draw(self, width: int) -> list[Strip]:
        height = 3 if self.has_class("-tall") else 1
        style = self.visual_style
        # Where nothing is written, the background alone, as Textual drew padding and blanks.
        blank = RichStyle(bgcolor=self.background_colors[1].rich_color)
        icon = self._icon_lines(style, height)
        title = self._title_lines(style, blank, width - ICON_WIDTH - CLOCK_WIDTH, height)
        clock = self._clock_lines(style, blank, height)
        icon_end = self._icon_end()
        clock_start = max(0, width - CLOCK_WIDTH)
        # Where the clock's room starts under the icon (a header narrower than both), Textual's
        # compositor cut the clock's line where the icon ends, and the cut dropped its empty
        # text: so is it here, for the same picture.
        under_icon = ICON_WIDTH - (width - CLOCK_WIDTH)
        lines = []
        for y in range(height):
            parts = [icon[y].crop(0, icon_end)]
            if title:
                parts.append(title[y])
            clock_line = clock[y]
            if 0 < under_icon < CLOCK_WIDTH:
                clock_line = Strip.join(clock_line.divide([under_icon, CLOCK_WIDTH]))
            parts.append(clock_line.crop(CLOCK_WIDTH - (width - clock_start)))
            lines.append(Strip.join(parts))
        return lines

    def _icon_lines(self, style: Style, height: int) -> list[Strip]:
        """Textual's HeaderIcon: the icon in the middle line, left, a cell of padding either side."""
        background = self._icon_background()
        style = style + Style(background=background)
        padding = Segment(" ", RichStyle(bgcolor=background.rich_color))
        inner = ICON_WIDTH - 2
        # At the icon's own width, where the header's centring (for the title) moves nothing.
        glyph = Visual.to_strips(self, Content(self.icon), cell_len(self.icon), 1, style)[0]
        drawn = list(
            Strip.align([glyph], (style + Style(reverse=False)).rich_style, inner, height, "left", "middle")
        )
        return [Strip([padding, *line, padding], ICON_WIDTH) for line in drawn]

    def _title_lines(self, style: Style, blank: RichStyle, width: int, height: int) -> list[Strip]:
        """Textual's HeaderTitle: one line (the first, also when the header is tall), centred,
        cut with an ellipsis."""
        if width <= 0:
            return []
        below = Strip([Segment(" " * width, blank)], width)
        return [*Visual.to_strips(self, self.format_title(width), width, 1, style), *[below] * (height - 1)]

    def _clock_lines(self, style: Style, blank: RichStyle, height: int) -> list[Strip]:
        """Textual's HeaderClockSpace: ten blank cells (its empty text on the first line)."""
        padding = Segment(" ", blank)
        inner = CLOCK_WIDTH - 2
        # Its empty text still leaves a segment, as every drawn text has, where it starts.
        empty = Strip([Segment("", style.rich_style_with_offset(0, 0))], 0).adjust_cell_length(inner, blank)
        rest = Strip([Segment(" " * inner, style.rich_style)], inner)
        return [Strip([padding, *line, padding], CLOCK_WIDTH) for line in [empty, *[rest] * (height - 1)]]

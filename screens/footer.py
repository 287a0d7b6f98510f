"""The key bar at the bottom of every screen, drawn as one widget: the screen's keys fitted to the
width it has (Help and Back stay at any width), each drawn as Textual's Footer draws it.

Textual's Footer is a container of one widget per key (Home's eleven of its twenty-five), built
again by ``recompose`` whenever the keys *may* have changed (every focus change): each key was
mounted, styled, laid out and drawn, and the keys came a frame after the screen's first. Here
the row is one line drawn from the screen's bindings when it is drawn, the first frame
included, and drawn again only when what it shows changes.

What the keys did, the row still does: a press of the mouse on a key runs it (a disabled one
rings the bell), the key under the mouse is highlighted and shows its tooltip, a disabled key is
dim, the command palette's key sits at the right behind a thin line. Not kept: binding groups
drawn as one entry (no screen declares one) and scrolling a row too wide for the terminal (the
fitting leaves none but Help and Back on a very narrow one)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.css.styles import RenderStyles
from textual.screen import Screen
from textual.strip import Strip

from screens.drawn_lines import DrawnLines

# Kept whatever the width: the way to every other key (?) and the way out (escape).
ESSENTIAL_KEYS = ("question_mark", "escape")


@dataclass(frozen=True)
class _Key:
    key: str  # as the app names it, for simulate_key
    action: str
    display: str
    description: str
    enabled: bool
    tooltip: str

    @property
    def essential(self) -> bool:
        return self.key in ESSENTIAL_KEYS

    def label(self, compact: bool) -> tuple[str, str]:
        """The key's two parts as drawn: " k " and "desc " roomy, "k" and " desc" compact (a key
        without a description is its key alone), as Textual's FooterKey pads them."""
        if not self.description:
            return self.display, ""
        if compact:
            return self.display, " " + self.description
        return f" {self.display} ", self.description + " "

    def width(self, compact: bool) -> int:
        # Compact keys are one cell apart; roomy ones are padded and side by side.
        return sum(cell_len(part) for part in self.label(compact)) + (1 if compact else 0)


@dataclass(frozen=True)
class _Row:
    """What the footer shows: its keys, whether compact, and the command palette's key."""

    keys: tuple[_Key, ...]
    compact: bool
    palette: _Key | None


class Footer(DrawnLines, can_focus=False):
    """The screen's keys in the order it declares them, which is also their priority: when they do
    not all fit, the footer first drops its padding (compact), then the last keys, but never
    ``? Help`` or ``esc Back``/``Cancel`` (every key is still in the ``?`` list)."""

    ALLOW_SELECT = False
    # The look of Textual's Footer and FooterKey (textual/widgets/_footer.py), part by part.
    COMPONENT_CLASSES = {
        "footer--item",
        "footer--hover",
        "footer--key",
        "footer--description",
        "footer--palette-line",
    }
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    Footer > .footer--item { background: $footer-item-background; }
    Footer > .footer--hover { background: $block-hover-background; }
    Footer > .footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    Footer > .footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    Footer > .footer--palette-line { color: $foreground 20%; }
    """

    def __init__(self, *, id: str | None = None, show_command_palette: bool = True) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self._row: _Row | None = None  # as last drawn
        self._fitted: tuple[int, _Row] | None = None  # the row for a width, until the keys change
        self._styled: dict[str, Style] = {}  # the parts' styles, as last looked up
        self._hover: str | None = None  # the key under the mouse
        self._spans: list[tuple[int, int, _Key]] = []  # where each key was drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        # The keys are read as the row is next drawn: a focus moving three times before the next
        # frame reads them once.
        if self.is_attached and screen is self.screen:
            self._fitted = None
            self.refresh()

    # --- What to show ---------------------------------------------------------------------------

    def _all_keys(self) -> list[_Key]:
        keys: dict[str, _Key] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in keys:  # one entry per action, as Textual does
                keys[binding.action] = self._key(binding, enabled, tooltip)
        return list(keys.values())

    def _key(self, binding: Binding, enabled: bool, tooltip: str) -> _Key:
        display = self.app.get_key_display(binding)
        return _Key(binding.key, binding.action, display, binding.description, enabled, tooltip)

    def _palette(self) -> _Key | None:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is None:
            return None
        return self._key(active.binding, active.enabled, active.binding.tooltip or active.binding.description)

    def _fit(self, width: int) -> _Row:
        """The keys to show at this width, and whether in the compact style."""
        keys = self._all_keys()
        palette = self._palette()
        # The palette's key with its line and a cell after it, and two cells to spare (as the
        # key bar has always been fitted).
        room = width - (2 + palette.width(False) if palette is not None else 0)
        for compact in (False, True):
            if sum(k.width(compact) for k in keys) <= room:
                return _Row(tuple(keys), compact, palette)
        kept = list(keys)
        while sum(k.width(True) for k in kept) > room:
            droppable = [i for i, k in enumerate(kept) if not k.essential]
            if not droppable:
                break
            del kept[droppable[-1]]
        return _Row(tuple(kept), True, palette)

    # --- Drawing ----------------------------------------------------------------------------------

    def _styles(self) -> dict[str, Style]:
        """The rich style of each part, as a FooterKey's would be: its background over the
        footer's, the key's and the description's over that."""
        _, background = self.background_colors
        item = self.get_component_styles("footer--item").background
        hover = self.get_component_styles("footer--hover").background
        key = self.get_component_styles("footer--key")
        description = self.get_component_styles("footer--description")
        line = self.get_component_styles("footer--palette-line").color

        def over(under: Color, part: RenderStyles) -> Style:
            on = under + part.background
            return Style(color=(on + part.color).rich_color, bgcolor=on.rich_color) + part.text_style

        styles = {"blank": Style(bgcolor=background.rich_color)}
        for look, under in (("", background + item), ("hover-", background + hover)):
            styles[f"{look}key"] = over(under, key)
            styles[f"{look}description"] = over(under, description)
            styles[f"{look}pad"] = Style(bgcolor=under.rich_color)
            styles[f"{look}line"] = Style(color=(background + line).rich_color, bgcolor=under.rich_color)
        return styles

    def _key_segments(self, key: _Key, compact: bool, styles: dict[str, Style]) -> list[Segment]:
        look = "hover-" if key.key == self._hover else ""
        dim = Style(dim=True) if not key.enabled else Style()
        key_part, description = key.label(compact)
        # The offsets are a FooterKey's own (its text's positions within it): the same picture.
        segments = [Segment(key_part, styles[f"{look}key"] + dim + Style(meta={"offset": (0, 0)}))]
        if description:
            at = {"offset": (cell_len(key_part), 0)}
            segments.append(Segment(description, styles[f"{look}description"] + dim + Style(meta=at)))
        return segments

    def _row_line(
        self, width: int, row: _Row, styles: dict[str, Style]
    ) -> tuple[Strip, list[tuple[int, int, _Key]]]:
        segments: list[Segment] = []
        spans: list[tuple[int, int, _Key]] = []
        x = blank = 0
        for key in row.keys:
            if blank:  # the footer's background between keys: one run, as Textual drew it
                segments.append(Segment(" " * blank, styles["blank"]))
                x, blank = x + blank, 0
            drawn = self._key_segments(key, row.compact, styles)
            end = x + sum(cell_len(s.text) for s in drawn)
            segments += drawn
            spans.append((x, end, key))
            x, blank = end, (1 if row.compact else 0)
        palette = row.palette
        tail: list[Segment] = []
        if palette is not None:
            # Docked right, after a thin line; in the compact style the cell after it is the
            # footer's, in the roomy one the key's own padding.
            look = "hover-" if palette.key == self._hover else ""
            tail = [Segment("▏", styles[f"{look}line"]), *self._key_segments(palette, True, styles)]
            tail.append(Segment(" ", styles["blank"] if row.compact else styles[f"{look}pad"]))
        start = width - sum(cell_len(s.text) for s in tail)
        line = Strip(segments).crop(0, max(start, 0))
        if line.cell_length < start:
            line = Strip([*line, Segment(" " * (start - line.cell_length), styles["blank"])])
        spans = [(a, min(b, start), key) for a, b, key in spans if a < start]
        if palette is not None:
            spans.append((start, width - (1 if row.compact else 0), palette))
        return Strip([*line, *tail]).crop(0, width), spans

    def _drawn_for(self, width: int) -> Hashable:
        # The keys are read again after the screen's bindings changed (or the width); the row is
        # drawn again only when what it shows differs, or the key under the mouse, or the theme.
        if self._fitted is None or self._fitted[0] != width:
            self._fitted = (width, self._fit(width))
        self._row = self._fitted[1]
        self._styled = self._styles()
        return (width, self._row, self._hover, tuple(self._styled.items()))

    def _draw(self, width: int) -> list[Strip]:
        assert self._row is not None  # (_drawn_for comes first)
        line, self._spans = self._row_line(width, self._row, self._styled)
        return [line]

    # --- The mouse --------------------------------------------------------------------------------

    def _key_at(self, event: events.MouseEvent) -> _Key | None:
        at = event.get_content_offset(self)
        if at is None:
            return None
        return next((key for start, end, key in self._spans if start <= at.x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event)
        self._hovered(key)

    def on_leave(self) -> None:
        self._hovered(None)

    def _hovered(self, key: _Key | None) -> None:
        hover = key.key if key is not None else None
        if hover == self._hover:
            return
        self._hover = hover
        self.tooltip = (key.tooltip or None) if key is not None else None
        self.styles.pointer = "pointer" if key is not None else None  # as over a FooterKey
        self.screen.update_pointer_shape()
        self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    # --- For tests and the curious ----------------------------------------------------------------

    @property
    def compact(self) -> bool:
        """Whether the row was last drawn in the compact style."""
        return self._row is not None and self._row.compact

    @property
    def shown_keys(self) -> list[str]:
        """What the footer shows now, as 'key description'."""
        return [f"{k.display} {k.description}" for k in self._row.keys] if self._row is not None else []

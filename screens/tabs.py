"""A screen's tabs: a row of labels drawn as one widget, over panes of which one shows.

The circle, session and programme screens had Textual's TabbedContent: its row alone is eight
widgets or so (the row, three containers, a widget per label, the underline), fourteen of the
programme screen's twenty-three, and mounting, styling, laying out and drawing them was about
a third of those screens' first frame. Here the row is one widget that draws its two lines
itself, and the panes sit in the tabs directly: which one shows is its ``display``.

What the row did, it still does: a click on a label (or under it) brings that tab forward,
left and right move along the row while it has the focus, the tab forward is lit and
underlined (in the cursor's colours while the row has the focus), a label under the mouse
brightens, a disabled pane's label is dim and passed over. Not kept: the underline sliding
from one label to the next (tests and snapshots turned it off), and a tab hidden from the row
(nothing hides one).
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.strip import Strip
from textual.widget import Widget

from screens.drawn_lines import DrawnLines


class TabPane(Widget):
    """One tab's content; ``title`` is its label in the row, plain text (not markup)."""

    DEFAULT_CSS = "TabPane { height: auto; }"

    def __init__(self, title: str, *children: Widget, id: str | None = None, disabled: bool = False) -> None:
        super().__init__(*children, id=id, disabled=disabled)
        self.title = title

    def watch_disabled(self, disabled: bool) -> None:
        super().watch_disabled(disabled)
        if isinstance(self.parent, Tabs):
            self.parent.row.refresh()  # its label dims, or lights again


class TabRow(DrawnLines, can_focus=True):
    """The labels on one line, the underline on the next, drawn as one widget."""

    ALLOW_SELECT = False  # (a label is not text to copy, as a Tab was not)

    BINDINGS = [
        Binding("left", "move(-1)", "Previous tab", show=False),
        Binding("right", "move(1)", "Next tab", show=False),
    ]
    # As Textual's Tab and Underline styled them (textual/widgets/_tabs.py).
    COMPONENT_CLASSES = {
        "tab-row--tab",
        "tab-row--hover",
        "tab-row--disabled",
        "tab-row--active",
        "tab-row--underline",
    }
    DEFAULT_CSS = """
    TabRow { width: 100%; height: 2; }
    TabRow > .tab-row--tab { color: $foreground 50%; }
    TabRow > .tab-row--hover { color: $foreground; }
    TabRow > .tab-row--disabled { color: $foreground 25%; }
    TabRow > .tab-row--active { color: $foreground; }
    TabRow:focus > .tab-row--active {
        text-style: $block-cursor-text-style;
        color: $block-cursor-foreground;
        background: $block-cursor-background;
    }
    TabRow > .tab-row--underline { color: $block-cursor-background; background: $foreground 10%; }
    TabRow:focus > .tab-row--underline { background: $foreground 30%; }
    TabRow:ansi > .tab-row--tab, TabRow:ansi > .tab-row--hover, TabRow:ansi > .tab-row--disabled {
        text-style: dim;
    }
    TabRow:ansi > .tab-row--active { text-style: not dim bold; }
    TabRow:ansi > .tab-row--underline { background: $border-blurred; }
    """

    def __init__(self, tabs: Tabs) -> None:
        super().__init__()
        self.tabs = tabs
        self._hover: str | None = None  # the pane whose label is under the mouse

    def spans(self) -> list[tuple[TabPane, int, int]]:
        """Each pane with where its label starts on the row and how wide it is (a space either
        side), before the row is scrolled."""
        spans, x = [], 0
        for pane in self.tabs.panes:
            width = cell_len(pane.title) + 2
            spans.append((pane, x, width))
            x += width
        return spans

    def _scrolled(self, spans: list[tuple[TabPane, int, int]], width: int) -> int:
        """How far the row is scrolled: labels wider than the row have the one forward in the
        middle, as Textual's row scrolled to it."""
        total = spans[-1][1] + spans[-1][2] if spans else 0
        if total <= width:
            return 0
        active = next(((x, w) for pane, x, w in spans if pane.id == self.tabs.active), None)
        if active is None:
            return 0
        return max(0, min(active[0] + active[1] // 2 - width // 2, total - width))

    def _pane_at(self, x: int) -> TabPane | None:
        spans = self.spans()
        x += self._scrolled(spans, self.size.width)
        return next((pane for pane, start, w in spans if start <= x < start + w), None)

    def action_move(self, step: int) -> None:
        """The next (or previous) tab that can be brought forward, round the row."""
        panes = [p for p in self.tabs.panes if not p.disabled or p.id == self.tabs.active]
        ids = [p.id for p in panes]
        if not panes:
            return
        at = ids.index(self.tabs.active) if self.tabs.active in ids else (-1 if step > 0 else 0)
        self.tabs.active = ids[(at + step) % len(ids)] or ""

    def on_click(self, event: events.Click) -> None:
        at = event.get_content_offset(self)
        pane = self._pane_at(at.x) if at is not None else None
        if pane is not None and not pane.disabled and pane.id:
            self.focus()
            self.tabs.active = pane.id

    def on_mouse_move(self, event: events.MouseMove) -> None:
        at = event.get_content_offset(self)
        pane = self._pane_at(at.x) if at is not None and at.y == 0 else None
        hover = pane.id if pane is not None else None
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_focus(self) -> None:
        self.refresh()  # the tab forward takes the cursor's colours while the row has the focus

    def on_blur(self) -> None:
        self.refresh()

    def _styles(self) -> dict[str, Style]:
        """Each label's rich style by component, and the underline's lit and unlit parts."""
        _, background = self.background_colors
        base = self.rich_style
        styles = {}
        for name in ("tab", "hover", "disabled", "active"):
            part = self.get_component_styles(f"tab-row--{name}")
            under = background + part.background
            styles[name] = (
                base
                + Style(color=(under + part.color).rich_color, bgcolor=under.rich_color)
                + part.text_style
                + Style(meta={"offset": (0, 0)})  # as a Tab's text had it, for the same picture
            )
            # The space either side of a label: its background only, as a Tab's padding had it
            # (so that the screen is drawn, and exported, as it was).
            styles[f"{name}-pad"] = Style(bgcolor=under.rich_color)
        # The row beyond the labels: its background only, as Textual's row of tabs had it.
        styles["blank"] = Style(bgcolor=background.rich_color)
        bar = self.get_component_styles("tab-row--underline")
        styles["lit"] = Style(color=(background + bar.color).rich_color)
        styles["unlit"] = Style(color=(background + bar.background).rich_color)
        return styles

    def _drawn_for(self, width: int) -> Hashable:
        labels = tuple((p.id, p.title, p.disabled) for p in self.tabs.panes)
        return (width, labels, self.tabs.active, self._hover, tuple(self._styles().items()))

    def _draw(self, width: int) -> list[Strip]:
        styles = self._styles()
        spans = self.spans()
        base = self.rich_style
        segments, underline = [], (0, 0)
        for pane, x, w in spans:
            if pane.id == self.tabs.active:
                look, underline = "active", (x + 1, x + w - 1)
            elif pane.disabled:
                look = "disabled"
            elif pane.id == self._hover:
                look = "hover"
            else:
                look = "tab"
            pad = Segment(" ", styles[f"{look}-pad"])
            segments += [pad, Segment(pane.title, styles[look]), pad]
        total = spans[-1][1] + spans[-1][2] if spans else 0
        shift = self._scrolled(spans, width)
        labels_line = Strip(segments).extend_cell_length(width + shift, styles["blank"])
        labels_line = labels_line.crop(shift, shift + width)
        bar = Bar(highlight_range=underline, highlight_style=styles["lit"], background_style=styles["unlit"])
        console = self.app.console
        bar_segments = console.render(bar, console.options.update_width(max(width, total)))
        bar_line = Strip(Segment.apply_style(bar_segments, base)).crop(shift, shift + width)
        return [labels_line, bar_line.extend_cell_length(width, base)]


class Tabs(Widget):
    """A row of tabs over their panes: ``active`` is the pane forward, and each change of it
    posts ``TabActivated``. Panes are yielded inside it, as into Textual's TabbedContent."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    Tabs { height: auto; }
    Tabs > TabRow { dock: top; }
    """

    active: reactive[str] = reactive("", init=False)

    class TabActivated(Message):
        """The tab ``pane`` was brought forward (by a key, a click or the focus going into it)."""

        ALLOW_SELECTOR_MATCH = {"pane"}

        def __init__(self, tabs: Tabs, pane: TabPane) -> None:
            super().__init__()
            self.tabs = tabs
            self.pane = pane

        @property
        def control(self) -> Tabs:
            return self.tabs

    def __init__(self, *, initial: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = initial
        self.panes: list[TabPane] = []
        self.row = TabRow(self)

    def compose_add_child(self, widget: Widget) -> None:
        if not isinstance(widget, TabPane):
            raise TypeError(f"Tabs hold TabPanes, not {type(widget).__name__}")
        self.panes.append(widget)

    def compose(self) -> ComposeResult:
        yield self.row
        first = self._initial or (self.panes[0].id if self.panes else None)
        for pane in self.panes:
            pane.display = pane.id == first
            yield pane

    def on_mount(self) -> None:
        # Announced as TabbedContent did: the screens focus the tab's table when it comes.
        self.active = self._initial or (self.panes[0].id or "" if self.panes else "")

    def validate_active(self, active: str) -> str:
        if active and not any(pane.id == active for pane in self.panes):
            raise ValueError(f"No tab with id {active!r}")
        return active

    def watch_active(self, active: str) -> None:
        for pane in self.panes:
            pane.display = pane.id == active
        self.row.refresh()
        if active:
            self.post_message(self.TabActivated(self, self.get_pane(active)))

    def get_pane(self, tab: str) -> TabPane:
        pane = next((pane for pane in self.panes if pane.id == tab), None)
        if pane is None:
            raise ValueError(f"No tab with id {tab!r}")
        return pane

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The tab of whatever takes the focus comes forward (a search opening a session on
        a material focuses that material's row), as in TabbedContent."""
        for pane in self.panes:
            if pane.id and pane in event.widget.ancestors_with_self:
                self.active = pane.id
                return

    def bring_forward(self, tab: str) -> None:
        """``tab`` forward, leaving no focus behind in the tab it hides.

        The tabs show the tab of whatever takes the focus. When the focused table's tab is
        hidden, Textual moves the focus to a focusable neighbour in the same, now hidden, tab
        (a scrolling note beside the table), and the tabs switch back to it: the programme's
        Confirm, which brings the Pairs tab forward, could end on Proposals, depending on which
        of the hide and the new tab's focus came first. The focus is let go before the switch,
        so nothing in the hidden tab holds it; the screen focuses the new tab's table when it
        is activated."""
        if tab == self.active:
            return
        focused = self.screen.focused
        if focused is not None and self.active and self.get_pane(self.active) in focused.ancestors:
            self.screen.set_focus(None)
        self.active = tab

"""A compact Select built the first time someone opens it: until then one line, drawn as the
compact Select draws its choice.

A Select is six widgets (its line, the label and two arrows, the list of its options) and is
styled again as its value is first set. Recognition's two (the period and the circle, with the
large demo's 300 circles) were close to a third of the processor time the UI spent between
R and the ledger's first frame, for choices most visits never open."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Select

Options = Sequence[tuple[str, Hashable]]


class SelectOnOpen(Widget, can_focus=True):
    """A compact Select (no blank choice) that becomes one when opened: Enter, Space, the arrows
    or a click, as a Select opens. Its Select sends the Select's messages (Select.Changed):
    handle them with a selector on this widget, e.g. ``@on(Select.Changed, "#period Select")``."""

    BINDINGS = [Binding("enter,down,space,up", "open", "Show menu", show=False)]  # Select's keys
    COMPONENT_CLASSES = {"select-on-open--arrow"}
    # The compact Select's line (Textual's Select and SelectCurrent): the choice on the
    # surface, " ▼" in half-tone and one cell of padding at the right; tinted when focused.
    DEFAULT_CSS = """
    SelectOnOpen {
        width: 1fr;
        height: 1;
        padding: 0 1 0 0;
        pointer: pointer;
        color: $foreground;
        background: $surface;
        &:focus { background-tint: $foreground 5%; }
        & > .select-on-open--arrow { color: $foreground 50%; }
        &.-built { height: auto; padding: 0; background: transparent; }
        &.-built:focus { background-tint: transparent 0%; }
        & > Select { width: 1fr; }
    }
    """

    def __init__(self, options: Options, *, value: Hashable, id: str | None = None) -> None:
        super().__init__(id=id)
        self._options = list(options)
        self._value = value
        self.select: Select[Any] | None = None

    def set_options(self, options: Options, value: Hashable) -> None:
        """Offer these choices, ``value`` chosen (as Select.set_options, then its value)."""
        self._options = list(options)
        self._value = value
        if self.select is None:
            self.refresh()
        else:
            self.select.set_options(self._options)
            self.select.value = value

    def render(self) -> Text:
        if self.select is not None:
            return Text()
        label = next((str(shown) for shown, value in self._options if value == self._value), "")
        room = max(0, self.content_size.width - 2)  # the arrow's two cells
        line = Text(label, no_wrap=True, overflow="crop")
        line.truncate(room, pad=True)
        line.append(" ▼", style=self.get_component_rich_style("select-on-open--arrow"))
        return line

    async def action_open(self) -> None:
        select = await self._select_built()
        select.action_show_overlay()

    async def on_click(self, event: events.Click) -> None:
        if self.select is None:
            event.stop()
            await self.action_open()

    async def _select_built(self) -> Select[Any]:
        """The Select, built and focused if it was not yet."""
        if self.select is None:
            self.select = Select(self._options, value=self._value, allow_blank=False, compact=True)
            self.can_focus = False
            self.add_class("-built")
            await self.mount(self.select)
        self.select.focus()
        return self.select

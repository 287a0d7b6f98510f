"""The key bar at the bottom of every screen: Textual's Footer, fitted to the width it has (Help and
Back stay at any width) and rebuilt only when what it shows changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

# Kept whatever the width: the way to every other key (?) and the way out (escape).
ESSENTIAL_KEYS = ("question_mark", "escape")


@dataclass(frozen=True)
class _Key:
    binding: Binding
    display: str
    enabled: bool
    tooltip: str

    @property
    def essential(self) -> bool:
        return self.binding.key in ESSENTIAL_KEYS

    def width(self, compact: bool) -> int:
        # FooterKey's own padding: " k desc " in the roomy style, "k desc" plus a margin compact.
        return cell_len(self.display) + cell_len(self.binding.description) + (2 if compact else 3)


class Footer(TextualFooter):
    """The screen's keys in the order it declares them, which is also their priority: when they do
    not all fit, the footer first drops its padding (compact), then the last keys, but never
    ``? Help`` or ``esc Back``/``Cancel`` (every key is still in the ``?`` list).

    Textual rebuilds its footer (one widget per key) whenever the screen's keys *may* have
    changed: every focus change and every ``refresh_bindings()``, up to eight times while the
    circle screen opens. Rebuilding only when the shown keys differ keeps opening a screen,
    and moving between tabs, from paying for the same row of keys again and again.

    That Textual rebuilds through ``recompose`` is its own business, not its API: see
    screens/textual_internals.py."""

    _shown: tuple[Any, ...] | None = None
    _keys: tuple[_Key, ...] = ()

    def _all_keys(self) -> list[_Key]:
        keys: dict[str, _Key] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in keys:  # one entry per action, as Textual does
                keys[binding.action] = _Key(binding, self.app.get_key_display(binding), enabled, tooltip)
        return list(keys.values())

    def _palette_width(self) -> int:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return 0
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is None:
            return 0
        # Docked right, behind a one-cell border, with one cell of padding after it.
        return 2 + _Key(active.binding, self.app.get_key_display(active.binding), True, "").width(False)

    def _fit(self) -> tuple[tuple[_Key, ...], bool]:
        """The keys to show at this width, and whether in the compact style."""
        keys = self._all_keys()
        room = (self.size.width or self.app.size.width) - self._palette_width()
        for compact in (False, True):
            if sum(k.width(compact) for k in keys) <= room:
                return tuple(keys), compact
        kept = list(keys)
        while sum(k.width(True) for k in kept) > room:
            droppable = [i for i, k in enumerate(kept) if not k.essential]
            if not droppable:
                break
            del kept[droppable[-1]]
        return tuple(kept), True

    def _styled(self, key: FooterKey) -> FooterKey:
        """``key`` in this footer's style from the start: a FooterKey starts compact and takes the
        footer's style once mounted, and each change of style restyled it (ten keys, each time
        a screen opens)."""
        key.set_reactive(FooterKey.compact, self.compact)
        key.set_class(self.compact, "-compact", update=False)  # styled as it mounts
        return key

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        for key in self._keys:
            yield self._styled(
                FooterKey(
                    key.binding.key,
                    key.display,
                    key.binding.description,
                    key.binding.action,
                    disabled=not key.enabled,
                    tooltip=key.tooltip,
                )
            ).data_bind(compact=TextualFooter.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if active is not None:
                yield FooterKey(
                    active.binding.key,
                    self.app.get_key_display(active.binding),
                    active.binding.description,
                    active.binding.action,
                    classes="-command-palette",
                    disabled=not active.enabled,
                    tooltip=active.binding.tooltip or active.binding.description,
                )

    def on_resize(self, _event: events.Resize) -> None:
        if self._bindings_ready:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        if not self.is_attached:  # scheduled before its screen closed
            return
        keys, compact = self._fit()
        shown = (
            self.show_command_palette,
            compact,
            tuple(
                (k.binding.key, k.binding.action, k.binding.description, k.enabled, k.tooltip) for k in keys
            ),
        )
        if shown == self._shown:
            return
        self._shown = shown
        self._keys = keys
        self.compact = compact
        await super().recompose()

    @property
    def shown_keys(self) -> list[str]:
        """What the footer shows now, as 'key description' (for tests and the curious)."""
        return [f"{k.display} {k.binding.description}" for k in self._keys]

"""The key bar at the bottom of every screen: Textual's Footer, rebuilt only when what it shows changes."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual rebuilds its footer (one widget per key) whenever the screen's keys *may* have
    changed: every focus change and every ``refresh_bindings()``, up to eight times while the
    circle screen opens. Rebuilding only when the shown keys differ keeps opening a screen,
    and moving between tabs, from paying for the same row of keys again and again.

    That Textual rebuilds through ``recompose`` is its own business, not its API: see
    screens/textual_internals.py."""

    _shown: tuple[Any, ...] | None = None

    def _keys_shown(self) -> tuple[Any, ...]:
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return (self.show_command_palette, self.combine_groups, keys)

    async def recompose(self) -> None:
        if not self.is_attached:  # scheduled before its screen closed
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()

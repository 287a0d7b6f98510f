"""A page of sections scrolled as one, which takes the focus so that the keys scroll it (the
person's screen, a circle's Stats tab).

Textual styles a widget and everything inside it again whenever it gains or loses the focus,
in case a rule styles what is inside by the focus of what holds it ("Page:focus Static"). No
rule of ours does (nor one of Textual's for the widgets such a page holds: the focus lights a
table's own cursor, its component classes, styled with the table): the page's focus restyles
the page alone, with its scrollbar. The person's screen gave its page the focus as it opened,
and its sixteen widgets, styled as they mounted a moment before, were all styled again.
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class ScrollBody(VerticalScroll):
    def watch_has_focus(self, _has_focus: bool) -> None:
        # As Widget.watch_has_focus (update_node_styles), for this widget without its descendants.
        self.app.stylesheet.update_nodes([self], animate=True)

"""A line of phrases ("Frontend Guild · Wed 02 Dec 2026 15:00 · RSVP 7 yes · 1 maybe") that
breaks between its phrases, never inside one: a word wrap would leave "RSVP 7" at the end of
one line and "yes" at the start of the next (seen at 80 columns and in a browser's width)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

GAP = " · "


def broken(phrases: list[str], width: int) -> str:
    """The phrases joined by GAP, a line ending where the next phrase would not fit. A phrase
    wider than the whole line starts a line of its own and is folded like any text."""
    lines: list[str] = []
    for phrase in phrases:
        if lines and cell_len(lines[-1]) + len(GAP) + cell_len(phrase) <= width:
            lines[-1] += GAP + phrase
        else:
            lines.append(phrase)
    return "\n".join(lines)


class Phrases(Visual):
    """Lines of phrases, each broken for the width as :func:`broken` says."""

    def __init__(self, lines: list[list[str]]) -> None:
        self.lines = lines

    def _at(self, width: int) -> Content:
        return Content("\n".join(broken(phrases, width) for phrases in self.lines))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self._at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((cell_len(GAP.join(phrases)) for phrases in self.lines), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._at(width).get_height(rules, width)

    def __str__(self) -> str:  # what the screen's tests read, and a copied selection
        return "\n".join(GAP.join(phrases) for phrases in self.lines)


class PhraseLine(Static):
    """A summary under a screen's title: ``show(*phrases)``, empty phrases left out; or several
    lines of them, ``show_lines([...], [...])``."""

    def show(self, *phrases: str | None) -> None:
        self.show_lines(list(phrases))

    def show_lines(self, *lines: list[str | None]) -> None:
        self.update(Phrases([[p for p in phrases if p] for phrases in lines]))

"""Checkboxes and radio buttons whose state shows without colour: ticked 'X' / '●', unticked blank.

Textual draws the same glyph ticked or not and tells them apart by colour alone, which a
colour-blind person, a monochrome terminal or a screen reader's text dump cannot see."""

from __future__ import annotations

from textual.widgets import Checkbox as TextualCheckbox
from textual.widgets import RadioButton as TextualRadioButton


class Checkbox(TextualCheckbox):
    @property  # type: ignore[override]  (a class attribute in Textual; here it follows the value)
    def BUTTON_INNER(self) -> str:
        return "X" if self.value else " "


class RadioButton(TextualRadioButton):
    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:
        return "●" if self.value else " "

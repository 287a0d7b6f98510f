"""Checkboxes and radio buttons whose state shows without colour: ticked 'X' / '●', unticked blank.

Textual draws the same glyph ticked or not and tells them apart by colour alone, which a
colour-blind person, a monochrome terminal or a screen reader's text dump cannot see."""

from __future__ import annotations

from textual.widgets import Checkbox as TextualCheckbox
from textual.widgets import RadioButton as TextualRadioButton

# Textual declares BUTTON_INNER a plain class attribute; here it is a property that follows the
# value, which mypy calls overriding a writeable attribute with a read-only one.


class Checkbox(TextualCheckbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # it follows the value (see above)
        return "X" if self.value else " "


class RadioButton(TextualRadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # it follows the value (see above)
        return "●" if self.value else " "

"""A one-line text box that keeps every line pasted into it, joined, and says so; and that can take
the focus without selecting its text, for a person coming back to fix it; its editing keys act in
the order they were typed, however fast they come."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input


def joined(text: str) -> tuple[str, int]:
    """Pasted text as one line: its non-blank lines joined with a space, and how many there were.

    NUL characters are left out: no one sees them (a paste can still carry one, copied from
    another program), nothing stored holds one, and PostgreSQL refuses one even in a search, so a
    filter or a lookup with it failed there as 'Something went wrong' where SQLite found nobody.
    """
    lines = [line.strip() for line in text.replace("\x00", "").splitlines() if line.strip()]
    return " ".join(lines), len(lines)


class OneLineInput(Input):
    """Textual's Input keeps only the first line of a paste and drops the rest without a word
    (a title pasted from a document that wrapped it, an address from a signature). This one
    joins the lines with spaces and a notice names the field, so nothing goes missing unseen."""

    def __init__(self, value: str | None = None, *, label: str = "", **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self.label = label  # how the notice names the field
        self._selects_on_focus = self.select_on_focus
        self._left_by_key = False  # the focus left with a key this box read (its Tab; hand_on)

    def focus_to_fix(self) -> None:
        """Take the focus with the cursor at the end of the text, nothing selected. Input selects
        all of it on focus, which is right when a form opens on a suggested value (typing replaces
        it) and wrong when the focus comes back to a value with an error: the first Backspace
        would wipe the whole cadence or address instead of its last character."""
        if self.has_focus:
            return  # the person is in it already: their cursor stays where they left it
        self.select_on_focus = False  # for Input's own focus handler; put back on blur
        self.cursor_position = len(self.value)
        self.focus()

    async def on_key(self, event: events.Key) -> None:
        # Public, like on_blur below: Input's own _on_key (typing a letter) runs after it unless
        # this stops the key. Its own editing keys (Backspace, Home, ctrl+u...) run here, in turn
        # with the letters.
        # Left to Textual, such a key goes up to the app to find its binding and runs there,
        # after the letters read with it in one burst are typed: a browser tab (circles serve)
        # or ssh delivers several keys at once, and "Rusx", Backspace, "t" gave "Rusx".
        if self.screen.focused is self:
            self._left_by_key = False
        elif self._left_by_key:  # has_focus says the focus left only once its Blur is read
            # Queued here behind a key this box moved the focus on with: not this box's letter.
            # Left to go up, the app types it again where the focus is now (screens/late_keys.py).
            # Only behind this box's own Tab: a form's Tab (a priority binding) moves the focus
            # as it is read, and the letters queued here before it are this box's ("Go", Tab,
            # "zz" put "zzGo" in the third field and nothing in the first).
            event.prevent_default()
            return
        if event.key in ("tab", "shift+tab"):
            self._left_by_key = True
            # In turn too, and at once: moved when the Tab came back up to the app, the focus
            # left after the letters typed behind it had gone into this box ("a line", Tab,
            # "a note" saved "a linea note"). A screen that binds Tab with priority (forms)
            # moves the focus as the key is read, before it gets here.
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return

    def hand_on(self) -> None:
        """Say that the key this box is reading moves the focus elsewhere at once (check-out's
        Enter, which saves and goes on to the next person): the keys queued here behind it go
        where the focus went, as those behind its own Tab do."""
        self._left_by_key = True

    def on_blur(self, _event: events.Blur) -> None:
        # A public handler: Input's own _on_blur (the cursor, the suggestion) still runs.
        self.select_on_focus = self._selects_on_focus

    def on_paste(self, event: events.Paste) -> None:
        if not any(c in event.text for c in "\n\r\x00"):
            return  # one plain line: Input's own paste handles it
        event.prevent_default()  # Input's own handler would keep the first line only
        event.stop()
        text, lines = joined(event.text)
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)
        if lines > 1:
            what = f"{self.label}: " if self.label else ""
            self.notify(
                f"{what}the {lines} pasted lines were joined into one; check it reads right.",
                title="Pasted",
                markup=False,
            )

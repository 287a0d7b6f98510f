"""A letter typed on a list goes into the list's filter box: typing a name is filtering by it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable

from screens.one_line import OneLineInput


class TypeToFilter(Screen[None]):
    """A screen with a list and a filter box (``FILTER_BOX``): a printable key typed while the
    list has the focus goes into the box, and the box takes the focus, so typing on is filtering
    on. Keys bound on the screen (`/`, `+`, `?`...) keep their binding.

    No letter or digit may be bound on such a screen (a subclass that binds one is refused as it
    is defined): every one of them starts a name. People's Edit was `e`, and "emma" typed to find
    Emma opened the highlighted person's form with "mma" over their name; Enter then saved it.
    Its commands take keys no name starts with, as the check-in list's do (+ for a walk-in).

    The app hands it the keys no widget used (screens/late_keys.py), in the order they were
    typed: taken here as they bubbled past, a letter overtook a `/` typed before it that was
    still on its way up to the app's bindings, and went in before it.

    ctrl+u on the list clears the filter, as it does in the box and on the check-in list
    (screens/checkin.py): the list keeps the focus and its highlighted row.

    ↓ in the box goes down into the list (``LIST``): the box is one line, so ↓ had nothing to
    do there, and on People and Circles a name typed and ↓ Enter opened nothing."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for binding in cls.__dict__.get("BINDINGS", ()):
            keys = binding.key if isinstance(binding, Binding) else binding[0]
            for key in keys.split(","):
                if len(key.strip()) == 1 and key.strip().isalnum():
                    raise TypeError(
                        f"{cls.__name__} binds {key.strip()!r}: on a list typed to filter, it starts a name"
                    )

    FILTER_BOX: ClassVar[str] = "#filter"
    LIST: ClassVar[str] = "DataTable"

    BINDINGS: ClassVar[list[BindingType]] = [
        # With priority: run as the ↓ is read, before the keys typed after it have gone to the
        # box (↓ ↓ Enter typed fast opened the first row from the box, not the second). Off
        # (check_action) once the list has the focus, where ↓ is the list's own.
        Binding("down", "to_list", "Down to the list", show=False, priority=True),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":  # the focus as it is now: has_focus follows a turn later
            return self.focused is self.query_one(self.FILTER_BOX)
        return True

    def action_to_list(self) -> None:
        table = self.query_one(self.LIST, DataTable)
        if table.row_count:
            self.set_focus(table)  # at once, for the keys read next (screens/late_keys.py)

    def type_into_filter(self, event: events.Key) -> bool:
        """Type ``event`` into the filter box if it is a letter for it (or clear the box on
        ctrl+u); whether it was."""
        box = self.query_one(self.FILTER_BOX, OneLineInput)
        if box.has_focus:
            return False
        if event.key == "ctrl+u" and event.key not in self.active_bindings:
            if not box.value:
                return False
            box.clear()
            return True
        if not event.is_printable or not event.character:
            return False
        if event.key in self.active_bindings:
            return False
        start, end = sorted(box.selection)
        box.replace(event.character, start, end)  # as the box itself would: over what is selected
        # At once (screens/late_keys.py), and without selecting what is typed: the next letter
        # goes on after this one instead of replacing it.
        box.select_on_focus = False
        self.set_focus(box)
        return True

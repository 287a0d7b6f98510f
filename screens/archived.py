"""Lists that leave the archived out until asked (Circles' ctrl+t, Programmes' a): one key, two
ways, one on at a time, so the footer says what the key does now; and what the list says once
the archived are in, so that the key is seen to work where none is archived."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen

from circles.words import count


def archived_bindings(key: str, things: str, shown_label: str = "Archived") -> list[Binding]:
    """The key's two bindings, for an ArchivedToggle screen (which keeps one on)."""
    return [
        Binding(key, "archived(True)", shown_label, tooltip=f"Show the archived {things} too"),
        Binding(key, "archived(False)", "Hide archived", tooltip=f"Hide the archived {things}"),
    ]


class ArchivedToggle(Screen[Any]):
    """A screen whose list leaves the archived out until its
    key (archived_bindings) lets them in: the key reads the list again, and the footer shows
    the one of its two bindings that does what the key does now."""

    include_archived = False

    if TYPE_CHECKING:

        def reload(self) -> None: ...  # the screen's: reads its list again

    def action_archived(self, shown: bool) -> None:
        self.include_archived = shown
        self.refresh_bindings()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "archived":
            return parameters[0] != self.include_archived
        return super().check_action(action, parameters)


def archived_note(archived: int, thing: str) -> str:
    """What the list says with the archived in: how many are among its rows, or that none is."""
    return f"{count(archived, f'archived {thing}')} among them" if archived else f"No {thing} is archived"

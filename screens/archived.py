"""Lists that leave the archived out until asked (Circles' ctrl+t, Programmes' a): one key, two
ways, one on at a time, so the footer says what the key does now; and what the list says once
the archived are in, so that the key is seen to work where none is archived."""

from __future__ import annotations

from textual.binding import Binding

from circles.words import count


def archived_bindings(key: str, things: str, shown_label: str = "Archived") -> list[Binding]:
    """The key's two bindings; the screen's check_action keeps one on (:func:`archived_on`)."""
    return [
        Binding(key, "archived(True)", shown_label, tooltip=f"Show the archived {things} too"),
        Binding(key, "archived(False)", "Hide archived", tooltip=f"Hide the archived {things}"),
    ]


def archived_on(parameters: tuple[object, ...], include_archived: bool) -> bool:
    """Whether the ``archived(...)`` binding with ``parameters`` is the one on now."""
    return parameters[0] != include_archived


def archived_note(archived: int, thing: str) -> str:
    """What the list says with the archived in: how many are among its rows, or that none is."""
    return f"{count(archived, f'archived {thing}')} among them" if archived else f"No {thing} is archived"

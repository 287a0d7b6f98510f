"""Keeps each open session's stored presenter current after a write that changes who can
present (a member joins or leaves, someone is marked away, a session moves or is cancelled),
so lists, invites and the preview agree without anyone pressing refresh."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session


def rotation_changed(db: Session, circle_ids: Iterable[int]) -> None:
    # Imported here: the rotation service itself builds on the services that call this.
    from circles.services import rotation

    for circle_id in sorted(set(circle_ids)):
        rotation.refresh(db, circle_id)

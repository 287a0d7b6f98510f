"""The rotation's upkeep in every write unit of work: before it commits, the circles it
touched (circles/services/watch.py) get their open sessions' presenters refreshed, so stored
presenters, the preview and the invites agree whichever service made the change.
"""

from __future__ import annotations

from sqlmodel import Session

from circles.services import rotation, watch
from models.store import add_write_hook


class RotationUpkeep:
    """The write hook (models.store.WriteHook) that keeps stored presenters current."""

    def opened(self, db: Session) -> None:
        watch.start(db)

    def before_commit(self, db: Session) -> None:
        settle(db)


_UPKEEP = RotationUpkeep()


def install() -> None:
    """Make every write unit of work of every Store keep presenters current (done by the
    services package when it is imported, so no service can be used without it)."""
    add_write_hook(_UPKEEP)


def settle(db: Session) -> None:
    """Refresh the circles touched so far, now rather than at the commit (which does it anyway)."""
    found = watch.of(db)
    if found is None:
        return
    db.flush()
    if not found.pending:
        return
    found.settling = True
    try:
        circle_ids = sorted(found.pending)
        for circle_id in circle_ids:
            rotation.refresh(db, circle_id)
        found.pending.clear()
    finally:
        found.settling = False

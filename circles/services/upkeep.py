"""The rotation's upkeep in every write unit of work: before it commits, the circles it
touched (circles/services/watch.py) get their open sessions' presenters refreshed, so stored
presenters, the preview and the invites agree whichever service made the change. When that
moves the presenter of a session whose invite was already exported, it says which: the CLI
and the app tell the facilitator after the commit (:func:`presenter_changes`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from circles.services import rotation, sessions, watch
from circles.views import PresenterChange
from models.store import add_write_hook
from models.tables import InviteExport, Person


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
        _note_changes(db, found, circle_ids)
        found.pending.clear()
    finally:
        found.settling = False


def presenter_changes(db: Session) -> tuple[PresenterChange, ...]:
    """Sessions whose exported invite names someone other than the presenter this unit of
    work left them with (read it after the commit), in time order."""
    found = watch.of(db)
    if found is None:
        return ()
    return tuple(sorted(found.changes.values(), key=lambda c: (c.session.starts_at, c.session.id)))


def describe(changes: Sequence[PresenterChange]) -> str:
    """What to tell the facilitator, the same words in the CLI and the app."""
    lines = [
        f"The presenter changed at {_count(len(changes))} whose invite was already exported; "
        "export the invites again so calendars show it:"
    ]
    for c in changes:
        was = c.exported_presenter or "nobody"
        now_presents = c.session.presenter_name or "nobody"
        lines.append(f"  session {c.session.id}, {c.session.label}: {was} -> {now_presents}")
    return "\n".join(lines)


def _count(n: int) -> str:
    return "1 session" if n == 1 else f"{n} sessions"


def _note_changes(db: Session, found: watch.Watch, circle_ids: Sequence[int]) -> None:
    """Record the exported sessions whose presenter this unit of work moved away from the invite."""
    for sid in [sid for sid, c in found.changes.items() if c.session.circle_id in circle_ids]:
        del found.changes[sid]  # worked out again below: it may have moved back, or been cancelled
    moved: dict[int, InviteExport] = {}
    for sid, presenter, export in watch.exported(db, circle_ids):
        was = found.before.get(sid, presenter)
        if presenter != was and presenter != export.presenter_id:
            moved[sid] = export
    if not moved:
        return
    views = sessions.sessions_by_id(db, moved)
    names = dict(
        db.exec(
            select(Person.id, Person.name).where(
                col(Person.id).in_({e.presenter_id for e in moved.values() if e.presenter_id is not None})
            )
        ).all()
    )
    for sid, export in moved.items():
        exported_name = names.get(export.presenter_id) if export.presenter_id is not None else None
        found.changes[sid] = PresenterChange(views[sid], exported_name, export.exported_at)

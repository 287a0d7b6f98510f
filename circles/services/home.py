"""Home's data: the sessions of every circle in the next days, or an empty store's welcome."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from circles.services import attendance, clock, lookups, sessions
from circles.upcoming import MOST
from circles.views import HomeData


def load_home(db: Session, now: datetime | None = None) -> HomeData:
    """At ``now``, else at the store's clock's now."""
    now = now or clock.now(db)
    if lookups.is_empty(db):
        return HomeData(True, [], {}, {})
    found = sessions.upcoming(db, now=now, limit=MOST)
    ids = [s.id for s in found]
    return HomeData(False, found, attendance.headcounts(db, ids), lookups.agenda_presenters(db, ids))

"""A circle's screen's data: the circle, its members, its sessions to come and past, with
RSVP counts and who presents."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from circles.services import attendance, circle_records, lookups, members, sessions
from circles.views import CircleData

PAST_SHOWN = 100  # the newest past sessions listed; the screen says how many there are in all


def load_circle(db: Session, circle_id: int, now: datetime) -> CircleData:
    circle = circle_records.get_circle(db, circle_id)
    # A session that started less than two hours ago is still "upcoming": it may be under way.
    upcoming = sessions.list_sessions(db, circle_id=circle_id, start=now - timedelta(hours=2), limit=200)
    past = sessions.list_sessions(
        db, circle_id=circle_id, end=now - timedelta(hours=2), newest_first=True, limit=PAST_SHOWN
    )
    past_total = sum(sessions.session_counts(db, circle_id).values()) - len(upcoming)
    ids = [s.id for s in upcoming + past]
    return CircleData(
        circle,
        members.list_members(db, circle_id),
        upcoming,
        past,
        past_total,
        attendance.headcounts(db, ids),
        lookups.agenda_presenters(db, ids),
    )

"""A circle's series: its cadence, its skip dates, and the days it meets next.

Planning (:mod:`circles.services.planning`) creates sessions on these days, and the
rotation's preview (:mod:`circles.services.rotation`) shows them before they are planned:
both ask :func:`next_days`, so the preview's not-yet-planned rows are what planning makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlmodel import Session, col, select

from circles import cadence as cadences
from circles import validate
from circles.errors import NotAllowed, NotFound
from circles.services.circle_records import get_circle, update_circle
from circles.services.clock import now
from circles.views import CircleView
from circles.zones import time_zone
from models.tables import SkipDate


@dataclass(frozen=True, slots=True)
class SkipDateView:
    circle_id: int
    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class NextDays:
    """What planning ``count`` sessions would create, and what it would step over."""

    found: list[cadences.Occurrence]
    skipped: list[tuple[date, str]]  # skip dates stepped over, with reasons
    already_planned: list[date]  # cadence days that already have a session


class Dated(Protocol):
    """A session as far as the series cares: when it was planned and when it is."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def planned_starts_at(self) -> datetime: ...


def set_cadence(db: Session, original: CircleView, text: str | None) -> CircleView:
    """Store a circle's cadence in its canonical spelling (None or "" clears it)."""
    if text is None or not text.strip():
        return update_circle(db, original, cadence=None)
    parsed = cadences.parse(text)
    return update_circle(db, original, cadence=parsed.text)


def circle_cadence(circle: CircleView) -> cadences.Cadence:
    if not circle.cadence:
        raise NotAllowed(
            f"{circle.name} has no cadence yet: set one with "
            f'circles circle cadence {circle.name!r} "weekly on tue at 12:00".'
        )
    return cadences.parse(circle.cadence)


def add_skip_date(db: Session, *, circle_id: int, day: date, reason: str = "") -> SkipDateView:
    get_circle(db, circle_id)
    day = validate.parse_date(day, "day")
    reason = validate.text(reason, "reason", max_length=200)
    existing = db.exec(select(SkipDate).where(SkipDate.circle_id == circle_id, SkipDate.day == day)).first()
    if existing is not None:
        existing.reason = reason
    else:
        db.add(SkipDate(circle_id=circle_id, day=day, reason=reason))
    db.flush()
    return SkipDateView(circle_id, day, reason)


def remove_skip_date(db: Session, *, circle_id: int, day: date) -> None:
    found = db.exec(select(SkipDate).where(SkipDate.circle_id == circle_id, SkipDate.day == day)).first()
    if found is None:
        raise NotFound(f"{day.isoformat()} is not a skip date of this circle.")
    db.delete(found)
    db.flush()


def list_skip_dates(db: Session, circle_id: int) -> list[SkipDateView]:
    rows = db.exec(select(SkipDate).where(SkipDate.circle_id == circle_id).order_by(col(SkipDate.day)))
    return [SkipDateView(s.circle_id, s.day, s.reason) for s in rows]


def next_days(
    db: Session, circle: CircleView, count: int, start: date | None, circle_sessions: Sequence[Dated]
) -> NextDays:
    """The next ``count`` days of the circle's cadence that have no session yet.

    Without ``start`` the series continues after the circle's last session (or from
    today). Skip dates are stepped over; a day that has a session (even moved or
    cancelled) is passed over without counting.
    """
    cadence = circle_cadence(circle)
    zone = time_zone(circle.timezone)
    current = now(db)
    # One session a day at most: a day that has one (even moved or cancelled) is not planned again.
    taken = {s.planned_starts_at.astimezone(zone).date() for s in circle_sessions} | {
        s.starts_at.astimezone(zone).date() for s in circle_sessions
    }
    if start is None and circle_sessions:
        last = max(circle_sessions, key=lambda s: s.planned_starts_at)
        anchor = last.planned_starts_at.astimezone(zone).date()
        first_day = anchor + timedelta(days=1)
    else:
        first_day = start or current.astimezone(zone).date()
        anchor = first_day
    skip = {s.day: s.reason for s in list_skip_dates(db, circle.id)}
    result = NextDays([], [], [])
    # Days that already hold a session are passed over without counting, so ask for
    # more until ``count`` new ones are found.
    while len(result.found) < count:
        batch, skipped = cadences.occurrences(
            cadence, circle.timezone, start=first_day, count=count - len(result.found),
            skip=skip, anchor=anchor, after=current,
        )  # fmt: skip
        result.skipped.extend(skipped)
        if not batch:
            break
        for occurrence in batch:
            if occurrence.day in taken:
                result.already_planned.append(occurrence.day)
            else:
                result.found.append(occurrence)
        first_day = batch[-1].day + timedelta(days=1)
    return result

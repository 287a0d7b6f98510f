"""Away periods: a person is away on whole days; the rotation skips them then."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from circles import validate
from circles.errors import NotFound
from circles.services.sql import ids
from circles.views import AwayView
from models.tables import Away, Person


def add_away(db: Session, *, person_id: int, starts_on: date, ends_on: date, reason: str = "") -> AwayView:
    validate.date_range(starts_on, ends_on)
    reason = validate.text(reason, "reason", max_length=200)
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    away = Away(person_id=person_id, starts_on=starts_on, ends_on=ends_on, reason=reason)
    db.add(away)
    db.flush()
    assert away.id is not None
    return AwayView(away.id, person_id, person.name, starts_on, ends_on, reason)


def list_away(
    db: Session, *, person_id: int | None = None, overlapping: tuple[date, date] | None = None
) -> list[AwayView]:
    stmt = select(Away, ids(Away.id), Person.name).join(Person, col(Person.id) == Away.person_id)
    if person_id is not None:
        stmt = stmt.where(Away.person_id == person_id)
    if overlapping is not None:
        first, last = overlapping
        stmt = stmt.where(col(Away.starts_on) <= last, col(Away.ends_on) >= first)
    stmt = stmt.order_by(col(Away.starts_on), col(Away.id))
    return [
        AwayView(a_id, a.person_id, name, a.starts_on, a.ends_on, a.reason) for a, a_id, name in db.exec(stmt)
    ]

"""Small builders for test data, written through the services like a person would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlmodel import Session

from circles import validate
from circles.services import circle_records, members, people, sessions
from circles.views import CircleView, PersonView, SessionView
from models.store import Store


def person(store: Store, name: str, email: str | None = None, **kwargs: object) -> PersonView:
    with store.write() as db:
        return people.add_person(
            db, name=name, email=email or f"{name.split()[0].lower()}@example.org", **kwargs
        )


def circle(
    store: Store,
    name: str = "Rust Lunch",
    *,
    kind: str = "lunch-and-learn",
    tz: str = "Europe/Berlin",
    **kwargs: object,
) -> CircleView:
    with store.write() as db:
        return circle_records.add_circle(db, name=name, kind=kind, timezone=tz, **kwargs)


def member(store: Store, c: CircleView, p: PersonView, **kwargs: object) -> None:
    with store.write() as db:
        members.add_member(db, circle_id=c.id, person_id=p.id, **kwargs)


def session(store: Store, c: CircleView, at: str, **kwargs: object) -> SessionView:
    """A session, scheduled in time: one that has happened by the store's clock was
    scheduled a week ahead, as a facilitator would have (a new session in the past is
    refused unless it is recorded as held)."""
    starts: datetime = validate.parse_local_time(at, "at", c.timezone)
    with store.write() as db, scheduled_ahead(db, starts):
        return sessions.add_session(db, circle_id=c.id, starts_at=starts, **kwargs)


@contextmanager
def scheduled_ahead(db: Session, first: datetime) -> Iterator[None]:
    """Inside this block the unit of work's clock reads a week before ``first`` (if that is
    earlier than now): sessions added in it were scheduled before they happened."""
    real = db.info["clock"]
    db.info["clock"] = lambda: min(real(), first - timedelta(days=7))
    try:
        yield
    finally:
        db.info["clock"] = real


@contextmanager
def taken_place(db: Session, s: SessionView) -> Iterator[None]:
    """Inside this block the unit of work's clock reads the session's end (if that is later than
    now): a session held in it has taken place, as one is only held once it has started."""
    real = db.info["clock"]
    db.info["clock"] = lambda: max(real(), s.ends_at)
    try:
        yield
    finally:
        db.info["clock"] = real


def hold(db: Session, s: SessionView) -> SessionView:
    """Hold the session as its facilitator does, once it has taken place (``taken_place``)."""
    from circles.services import rotation

    with taken_place(db, s):
        return rotation.hold_session(db, s)

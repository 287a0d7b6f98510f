"""Small builders for test data, written through the services like a person would."""

from __future__ import annotations

from datetime import datetime

from circles import validate
from circles.services import circles, members, people, sessions
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
        return circles.add_circle(db, name=name, kind=kind, timezone=tz, **kwargs)


def member(store: Store, c: CircleView, p: PersonView, **kwargs: object) -> None:
    with store.write() as db:
        members.add_member(db, circle_id=c.id, person_id=p.id, **kwargs)


def session(store: Store, c: CircleView, at: str, **kwargs: object) -> SessionView:
    with store.write() as db:
        starts: datetime = validate.parse_local_time(at, "at", c.timezone)
        return sessions.add_session(db, circle_id=c.id, starts_at=starts, **kwargs)

"""Home's data: the sessions in the next days of every circle, or of the circles of the person
at the keyboard (circles/me.py), or an empty store's welcome."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate
from circles.services import attendance, clock, lookups, people, sessions
from circles.upcoming import MOST
from circles.views import HomeData, MeView
from models.tables import Circle, Membership, Person


def load_home(
    db: Session, now: datetime | None = None, *, me: str | None = None, every_circle: bool = False
) -> HomeData:
    """At ``now``, else at the store's clock's now. ``me`` is the address naming the person at
    the keyboard: when the store has them, the list is of their circles (all of them with
    ``every_circle``)."""
    now = now or clock.now(db)
    if lookups.is_empty(db):
        return HomeData(True, [], {}, {})
    person = _person(db, me) if me else None
    only_mine = person is not None and not every_circle
    found = sessions.upcoming(
        db, now=now, limit=MOST, person_id=person.id if person is not None and only_mine else None
    )
    ids = [s.id for s in found]
    return HomeData(
        False,
        found,
        attendance.headcounts(db, ids),
        lookups.agenda_presenters(db, ids),
        me=person.name if person is not None else None,
        only_mine=only_mine,
        me_unknown=me if me and person is None else None,
    )


def _person(db: Session, address: str) -> Person | None:
    return db.exec(select(Person).where(Person.email == validate.email_key(address))).first()


def usual_zone(db: Session, address: str) -> str | None:
    """The time zone of most of the circles of the person ``address`` names (those they
    facilitate, else those they belong to), for their next circle; None if they are nobody
    here or in no circle."""
    person = _person(db, address)
    if person is None:
        return None
    facilitated = col(Circle.facilitator_id) == person.id
    memberships = select(Membership.circle_id).where(
        Membership.person_id == person.id, col(Membership.left_at).is_(None)
    )
    belongs = col(Circle.id).in_(memberships)
    for theirs in (facilitated, belongs):
        zone = db.exec(
            select(Circle.timezone)
            .where(theirs, col(Circle.archived).is_(False))
            .group_by(col(Circle.timezone))
            .order_by(sa.func.count().desc(), col(Circle.timezone))
            .limit(1)
        ).first()
        if zone is not None:
            return zone
    return None


def whoami(db: Session, address: str) -> MeView:
    """The person ``address`` names and their circles (not archived); NotFound if nobody."""
    person = people.find_person(db, address)
    facilitates = db.exec(
        select(Circle.name)
        .where(Circle.facilitator_id == person.id, col(Circle.archived).is_(False))
        .order_by(Circle.name)
    ).all()
    member_of = db.exec(
        select(Circle.name)
        .join(Membership, col(Membership.circle_id) == Circle.id)
        .where(
            Membership.person_id == person.id,
            col(Membership.left_at).is_(None),
            col(Circle.archived).is_(False),
            sa.or_(col(Circle.facilitator_id).is_(None), col(Circle.facilitator_id) != person.id),
        )
        .order_by(Circle.name)
    ).all()
    return MeView(person, list(facilitates), list(member_of))

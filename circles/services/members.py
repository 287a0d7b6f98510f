"""Memberships: who belongs to a circle, with what role, and whether they are in the rotation.

Leaving a circle closes the membership (``left_at``); it is never deleted, so
attendance history and rotation fairness keep their past.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from circles.services.clock import now
from circles.services.versioned import UNCHANGED, Unchanged, given, save
from circles.views import MemberView
from models.enums import Role, Rsvp
from models.tables import Circle, Membership, Person

_LABELS = {"in_rotation": "in rotation", "default_rsvp": "RSVP for the series"}


def parse_role(value: str | Role) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise InvalidInput("role", value, "must be member or facilitator") from None


def _base() -> Any:
    return select(Membership, Person).join(Person, col(Person.id) == Membership.person_id)


def _view(m: Membership, p: Person) -> MemberView:
    assert m.id is not None and p.id is not None
    return MemberView(
        membership_id=m.id,
        circle_id=m.circle_id,
        person_id=p.id,
        name=p.name,
        email=p.email,
        team=p.team,
        is_guest=p.is_guest,
        role=Role(m.role),
        joined_at=m.joined_at,
        left_at=m.left_at,
        in_rotation=m.in_rotation,
        default_rsvp=Rsvp(m.default_rsvp),
        version=m.version,
    )


def current_membership(db: Session, *, circle_id: int, person_id: int) -> MemberView | None:
    row = db.exec(
        _base().where(
            Membership.circle_id == circle_id,
            Membership.person_id == person_id,
            col(Membership.left_at).is_(None),
        )
    ).first()
    return _view(*row) if row else None


def add_member(
    db: Session,
    *,
    circle_id: int,
    person_id: int,
    role: Role | str = Role.MEMBER,
    in_rotation: bool = True,
    joined_at: datetime | None = None,
) -> MemberView:
    role = parse_role(role)
    circle = db.get(Circle, circle_id)
    person = db.get(Person, person_id)
    if circle is None:
        raise NotFound(f"There is no circle with id {circle_id}.")
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    if current_membership(db, circle_id=circle_id, person_id=person_id) is not None:
        raise AlreadyExists(f"{person.name} is already a member of {circle.name}.")
    membership = Membership(
        circle_id=circle_id,
        person_id=person_id,
        role=role,
        in_rotation=in_rotation,
        joined_at=joined_at or now(db),
    )
    db.add(membership)
    db.flush()
    return _view(membership, person)


def remove_member(
    db: Session, *, circle_id: int, person_id: int, left_at: datetime | None = None
) -> MemberView:
    """Close the membership. The row stays, so their history in the circle is kept."""
    member = current_membership(db, circle_id=circle_id, person_id=person_id)
    if member is None:
        person = db.get(Person, person_id)
        circle = db.get(Circle, circle_id)
        who = person.name if person else f"person {person_id}"
        where = circle.name if circle else f"circle {circle_id}"
        raise NotAllowed(f"{who} is not a member of {where}.")
    save(
        db,
        Membership,
        member,
        values={"left_at": left_at or now(db)},
        what=f"{member.name}'s membership",
    )
    return get_membership(db, member.membership_id)


def get_membership(db: Session, membership_id: int) -> MemberView:
    row = db.exec(_base().where(Membership.id == membership_id)).first()
    if row is None:
        raise NotFound(f"There is no membership with id {membership_id}.")
    return _view(*row)


def update_member(
    db: Session,
    original: MemberView,
    *,
    role: str | Role | Unchanged = UNCHANGED,
    in_rotation: bool | Unchanged = UNCHANGED,
    default_rsvp: str | Rsvp | Unchanged = UNCHANGED,
) -> MemberView:
    values = given(role=role, in_rotation=in_rotation, default_rsvp=default_rsvp)
    if "role" in values:
        values["role"] = parse_role(values["role"])
    if "default_rsvp" in values:
        values["default_rsvp"] = Rsvp(values["default_rsvp"])
    save(db, Membership, original, values=values, what=f"{original.name}'s membership", labels=_LABELS)
    return get_membership(db, original.membership_id)


def list_members(
    db: Session, circle_id: int, *, include_past: bool = False, at: datetime | None = None
) -> list[MemberView]:
    """Current members by name (or everyone who was a member at ``at``, or ever, with include_past)."""
    stmt = _base().where(Membership.circle_id == circle_id)
    if at is not None:
        stmt = stmt.where(
            Membership.joined_at <= at,
            sa.or_(col(Membership.left_at).is_(None), col(Membership.left_at) > at),
        )
    elif not include_past:
        stmt = stmt.where(col(Membership.left_at).is_(None))
    stmt = stmt.order_by(col(Person.name_folded), Membership.joined_at)
    return [_view(m, p) for m, p in db.exec(stmt)]


def memberships_of(db: Session, person_id: int, *, include_past: bool = True) -> list[MemberView]:
    stmt = _base().where(Membership.person_id == person_id)
    if not include_past:
        stmt = stmt.where(col(Membership.left_at).is_(None))
    return [_view(m, p) for m, p in db.exec(stmt.order_by(Membership.joined_at))]


def member_counts(db: Session) -> dict[int, int]:
    """Current member count per circle id, in one query."""
    rows = db.exec(
        select(Membership.circle_id, sa.func.count())
        .where(col(Membership.left_at).is_(None))
        .group_by(col(Membership.circle_id))
    )
    return dict(rows.all())

"""Circles: create, find by name or id, edit, archive (never deleted: sessions refer to them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import AlreadyExists, InvalidInput, NotFound, shown
from circles.services import members, names
from circles.services.sql import holds
from circles.services.uids import ics_uid
from circles.services.versioned import UNCHANGED, Unchanged, given, save
from circles.views import CircleView
from models.enums import CircleKind, Role
from models.tables import Circle, Person

_Facilitator = aliased(Person)
_LABELS = {"video_url": "video link", "default_minutes": "session length"}


# What a CircleView shows, read as plain columns: loading Circle and Person objects for them
# (the identity map, an object each) cost 10 ms of processor time for the 300 circles of the
# large demo, plain columns 4.
_SHOWN = (
    "id",
    "name",
    "kind",
    "description",
    "timezone",
    "location",
    "video_url",
    "cadence",
    "default_minutes",
    "reminder_minutes",
    "facilitator_id",
    "archived",
    "ics_series_uid",
    "ics_series_sequence",
    "version",
)


def _views(db: Session, stmt: Any) -> list[CircleView]:
    return [_view(row) for row in db.execute(stmt)]


def facilitator(field: str) -> Any:
    """SQL: the circle's facilitator's ``field`` (name, email) as ``facilitator_<field>``, looked
    up by id for each circle listed. Joined instead, PostgreSQL's planner read every person into
    a hash to find a few thousand facilitators (over half a second of the Circles list on the
    huge store)."""
    column = getattr(_Facilitator, field)
    found = select(column).where(col(_Facilitator.id) == Circle.facilitator_id)
    return found.scalar_subquery().label(f"facilitator_{field}")


def _base() -> Any:
    table = Circle.__table__  # type: ignore[attr-defined]  # SQLModel's table is SQLAlchemy's
    return sa.select(*(table.c[name] for name in _SHOWN), facilitator("name"), facilitator("email"))


def _view(row: Any) -> CircleView:
    values = row._mapping
    return CircleView(
        **{name: values[name] for name in _SHOWN if name != "kind"},
        kind=CircleKind(values["kind"]),
        facilitator_name=values["facilitator_name"],
        facilitator_email=values["facilitator_email"],
    )


def parse_kind(value: str | CircleKind) -> CircleKind:
    try:
        return CircleKind(str(value).strip().lower().replace(" ", "-").replace("_", "-"))
    except ValueError:
        choices = ", ".join(k.value for k in CircleKind)
        raise InvalidInput("kind", value, f"must be one of {choices}") from None


def _clean(**raw: object) -> dict[str, Any]:
    values = given(**raw)
    if "name" in values:
        values["name"] = validate.name(values["name"], "name", max_length=120)
    if "kind" in values:
        values["kind"] = parse_kind(values["kind"])
    if "description" in values:
        values["description"] = validate.text(
            values["description"], "description", max_length=2000, multiline=True
        )
    if "timezone" in values:
        values["timezone"] = validate.timezone(values["timezone"])
    if "location" in values:
        values["location"] = validate.optional_text(values["location"], "location", max_length=200)
    if "video_url" in values:
        values["video_url"] = validate.url(values["video_url"])
    if "default_minutes" in values:
        values["default_minutes"] = validate.minutes(values["default_minutes"], "session length")
    if "reminder_minutes" in values:
        values["reminder_minutes"] = validate.minutes(values["reminder_minutes"], "reminder", allow_zero=True)
    return values


def _ensure_name_free(db: Session, name: str, *, except_id: int | None = None) -> None:
    other_name = names.taken_by(db, Circle, name, except_id=except_id)
    if other_name is not None:
        raise AlreadyExists(f"A circle named {shown(other_name)} already exists.", field="name")


def add_circle(
    db: Session,
    *,
    name: str,
    kind: str | CircleKind,
    timezone: str,
    description: str = "",
    location: str | None = None,
    video_url: str | None = None,
    default_minutes: int = 60,
    facilitator_id: int | None = None,
) -> CircleView:
    """Create a circle; its facilitator (if given) becomes its first member."""
    values = _clean(
        name=name,
        kind=kind,
        timezone=timezone,
        description=description,
        location=location,
        video_url=video_url,
        default_minutes=default_minutes,
    )
    _ensure_name_free(db, values["name"])
    circle = Circle(**values, facilitator_id=facilitator_id, ics_series_uid=ics_uid(db, "series"))
    db.add(circle)
    db.flush()
    assert circle.id is not None
    if facilitator_id is not None:
        members.add_member(db, circle_id=circle.id, person_id=facilitator_id, role=Role.FACILITATOR)
    return get_circle(db, circle.id)


def get_circle(db: Session, circle_id: int, *, known: CircleView | None = None) -> CircleView:
    """The circle; ``known``: its view, when the caller has read it already (the Rotation tab
    reads it once for the preview and the ledger), returned without reading it again."""
    if known is not None:
        if known.id != circle_id:
            raise ValueError(f"circle {known.id} given for circle {circle_id}")
        return known
    found = _views(db, _base().where(Circle.id == circle_id))
    if not found:
        raise NotFound(f"There is no circle with id {circle_id}.")
    return found[0]


def find_circle(db: Session, ref: str) -> CircleView:
    """A circle by its name (any case) or its id; a name that is none is answered with the
    circle meant (circles/services/names.py)."""
    circle_id = validate.id_in(ref)
    if circle_id is None:
        circle_id = names.id_named(db, Circle, ref, what="circle", listed_by="circles circle list")
    return get_circle(db, circle_id)


def list_circles(
    db: Session, *, include_archived: bool = False, search: str | None = None
) -> list[CircleView]:
    stmt = _base()
    if not include_archived:
        stmt = stmt.where(col(Circle.archived).is_(False))
    if search:
        stmt = stmt.where(holds(sa.func.lower(Circle.name), search.strip().lower()))
    return _views(db, stmt.order_by(sa.func.lower(Circle.name)))


def circle_choices(db: Session) -> list[tuple[str, int]]:
    """(name, id) of the circles list_circles lists, in its order: a choice of circle needs no
    more (their records, 300 on the large demo, took four times as long to read)."""
    found = db.execute(
        sa.select(col(Circle.name), col(Circle.id))
        .where(col(Circle.archived).is_(False))
        .order_by(sa.func.lower(Circle.name))
    )
    return [(name, circle_id) for name, circle_id in found]


def update_circle(
    db: Session,
    original: CircleView,
    *,
    name: str | Unchanged = UNCHANGED,
    kind: str | CircleKind | Unchanged = UNCHANGED,
    timezone: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    location: str | Unchanged | None = UNCHANGED,
    video_url: str | Unchanged | None = UNCHANGED,
    cadence: str | Unchanged | None = UNCHANGED,
    default_minutes: int | Unchanged = UNCHANGED,
    reminder_minutes: int | Unchanged = UNCHANGED,
    facilitator_id: int | Unchanged | None = UNCHANGED,
    archived: bool | Unchanged = UNCHANGED,
) -> CircleView:
    values = _clean(
        name=name,
        kind=kind,
        timezone=timezone,
        description=description,
        location=location,
        video_url=video_url,
        default_minutes=default_minutes,
        reminder_minutes=reminder_minutes,
    ) | given(cadence=cadence, facilitator_id=facilitator_id, archived=archived)
    if "name" in values:
        _ensure_name_free(db, values["name"], except_id=original.id)
    save(db, Circle, original, values=values, what=f"the circle {original.name!r}", labels=_LABELS)
    # A new facilitator joins the circle as one, as a circle created with them does.
    chosen = values.get("facilitator_id")
    if chosen is not None and members.current_membership(db, circle_id=original.id, person_id=chosen) is None:
        members.add_member(db, circle_id=original.id, person_id=chosen, role=Role.FACILITATOR)
    return get_circle(db, original.id)

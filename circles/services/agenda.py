"""A session's agenda: ordered items, each with an optional presenter and length."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import InvalidInput, NotFound
from circles.services.versioned import UNCHANGED, Unchanged, given, save
from circles.views import AgendaItemView
from models.tables import AgendaItem, CircleSession, Person


def _base() -> Any:
    return select(AgendaItem, Person.name, Person.email).join(
        Person, col(Person.id) == AgendaItem.presenter_id, isouter=True
    )


def _view(item: AgendaItem, name: str | None, email: str | None) -> AgendaItemView:
    assert item.id is not None
    return AgendaItemView(
        id=item.id,
        session_id=item.session_id,
        position=item.position,
        title=item.title,
        presenter_id=item.presenter_id,
        presenter_name=name,
        presenter_email=email,
        minutes=item.minutes,
        is_presentation=item.is_presentation,
        version=item.version,
    )


def _clean(**raw: object) -> dict[str, Any]:
    values = given(**raw)
    if "title" in values:
        values["title"] = validate.text(values["title"], "title", max_length=200, required=True)
    if values.get("minutes") is not None:
        values["minutes"] = validate.minutes(values["minutes"], "minutes")
    return values


def _check_presenter(db: Session, presenter_id: int | None) -> None:
    if presenter_id is not None and db.get(Person, presenter_id) is None:
        raise NotFound(f"There is no person with id {presenter_id} to present.")


def list_items(db: Session, session_id: int) -> list[AgendaItemView]:
    stmt = _base().where(AgendaItem.session_id == session_id).order_by(AgendaItem.position, AgendaItem.id)
    return [_view(*row) for row in db.exec(stmt)]


def items_for(db: Session, session_ids: Iterable[int]) -> dict[int, list[AgendaItemView]]:
    """The agendas of many sessions in one query."""
    ids = list(session_ids)
    found: dict[int, list[AgendaItemView]] = {sid: [] for sid in ids}
    stmt = _base().where(col(AgendaItem.session_id).in_(ids)).order_by(AgendaItem.position, AgendaItem.id)
    for row in db.exec(stmt):
        item = _view(*row)
        found[item.session_id].append(item)
    return found


def get_item(db: Session, item_id: int) -> AgendaItemView:
    row = db.exec(_base().where(AgendaItem.id == item_id)).first()
    if row is None:
        raise NotFound(f"There is no agenda item with id {item_id}.")
    return _view(*row)


def _take_agenda(db: Session, session_id: int) -> None:
    """Hold the session's agenda until this unit of work ends, so changes to its order
    take turns: a second writer's max(position) waits for the first one's new item.

    PostgreSQL locks the session's row (FOR NO KEY UPDATE: check-ins and other rows that
    only refer to the session are not held up); SQLite writers already take turns for the
    whole store (BEGIN IMMEDIATE). The unique (session, position) constraint stays the
    last word if anything gets past this.
    """
    locked = db.exec(
        select(CircleSession.id).where(CircleSession.id == session_id).with_for_update(key_share=True)
    ).first()
    if locked is None:
        raise NotFound(f"There is no session with id {session_id}.")


def _renumber(db: Session, session_id: int, item_ids: list[int]) -> None:
    """Give the session's items the positions 1, 2, 3... in the order of ``item_ids``.

    Positions are unique per session at every moment (SQLite cannot defer that check to
    the commit), so the agenda first moves out of the way, to negative positions no item
    holds, and then each item takes its place.
    """
    db.execute(
        sa.update(AgendaItem)
        .where(col(AgendaItem.session_id) == session_id)
        .values(position=-col(AgendaItem.position))
    )
    for position, item_id in enumerate(item_ids, start=1):
        db.execute(sa.update(AgendaItem).where(col(AgendaItem.id) == item_id).values(position=position))


def add_item(
    db: Session,
    *,
    session_id: int,
    title: str,
    presenter_id: int | None = None,
    minutes: int | None = None,
    is_presentation: bool = False,
) -> AgendaItemView:
    """Append an item to the end of the session's agenda."""
    _take_agenda(db, session_id)
    values = _clean(title=title, minutes=minutes)
    _check_presenter(db, presenter_id)
    last = db.exec(select(sa.func.max(AgendaItem.position)).where(AgendaItem.session_id == session_id)).one()
    item = AgendaItem(
        session_id=session_id,
        position=(last or 0) + 1,
        presenter_id=presenter_id,
        is_presentation=is_presentation,
        **values,
    )
    db.add(item)
    db.flush()
    assert item.id is not None
    return get_item(db, item.id)


def update_item(
    db: Session,
    original: AgendaItemView,
    *,
    title: str | Unchanged = UNCHANGED,
    presenter_id: int | Unchanged | None = UNCHANGED,
    minutes: int | Unchanged | None = UNCHANGED,
) -> AgendaItemView:
    values = _clean(title=title, minutes=minutes) | given(presenter_id=presenter_id)
    if "presenter_id" in values:
        _check_presenter(db, values["presenter_id"])
    save(db, AgendaItem, original, values=values, what=f"the agenda item {original.title!r}")
    return get_item(db, original.id)


def move_item(db: Session, original: AgendaItemView, *, to_position: int) -> list[AgendaItemView]:
    """Put an item at 1-based ``to_position``, renumbering the rest; returns the new agenda."""
    _take_agenda(db, original.session_id)
    items = list_items(db, original.session_id)
    if not 1 <= to_position <= len(items):
        raise InvalidInput("position", to_position, f"must be between 1 and {len(items)}")
    current = next((i for i in items if i.id == original.id), None)
    if current is None or current.version != original.version:
        # Reordering someone else's fresh edit would hide it; make them look first.
        save(db, AgendaItem, original, values={}, what=f"the agenda item {original.title!r}")
    ordered = [i.id for i in items if i.id != original.id]
    ordered.insert(to_position - 1, original.id)
    _renumber(db, original.session_id, ordered)
    return list_items(db, original.session_id)


def delete_item(db: Session, original: AgendaItemView) -> None:
    _take_agenda(db, original.session_id)
    db.execute(sa.delete(AgendaItem).where(col(AgendaItem.id) == original.id))
    rest = list_items(db, original.session_id)
    if [i.position for i in rest] != list(range(1, len(rest) + 1)):
        _renumber(db, original.session_id, [i.id for i in rest])


def total_minutes(items: list[AgendaItemView]) -> int:
    return sum(i.minutes or 0 for i in items)

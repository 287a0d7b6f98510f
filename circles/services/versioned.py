"""Optimistic locking: save only if nobody else saved the row since it was read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from circles.errors import Conflict, NotFound
from circles.services.sql import table_of
from circles.zones import time_zone


class Unchanged(Enum):
    """Marks a keyword argument the caller did not pass (None is a real value: 'clear it').
    An enum of one member, so a parameter typed ``str | None | Unchanged`` narrows to
    ``str | None`` after ``is not UNCHANGED``."""

    UNCHANGED = "UNCHANGED"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED


def given(**values: object) -> dict[str, Any]:
    """The keyword arguments that were actually passed."""
    return {k: v for k, v in values.items() if v is not UNCHANGED}


def save(
    db: Session,
    model: type[SQLModel],
    original: Any,
    *,
    values: Mapping[str, Any],
    what: str,
    labels: Mapping[str, str] | None = None,
    timezone: str | None = None,
    words: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """UPDATE the row ``original`` was read from, if nobody saved it since; else Conflict.

    ``original`` is the read model the person was editing (it has ``id`` and
    ``version``). The version check is in the UPDATE itself, so two saves racing each
    other cannot both win, on SQLite or PostgreSQL.
    """
    row_id = getattr(original, "membership_id", None) or original.id
    table = table_of(model)
    result = db.exec(
        sa.update(table)
        .where(table.c.id == row_id, table.c.version == original.version)
        .values(**values, version=table.c.version + 1)
    )
    if result.rowcount == 1:
        return
    current = db.execute(sa.select(table).where(table.c.id == row_id)).mappings().first()
    if current is None:
        raise NotFound(f"{what[0].upper()}{what[1:]} no longer exists: someone deleted it.")
    changes = _their_changes(db, table, original, dict(current), labels or {}, timezone, words or {})
    raise Conflict(what, changes)


# Bookkeeping a person never edits; naming it in a conflict message would only confuse.
_INTERNAL = frozenset(
    {"id", "version", "ics_sequence", "ics_series_sequence", "created_at", "planned_starts_at"}
)


def _their_changes(
    db: Session,
    table: sa.Table,
    original: Any,
    current: Mapping[str, Any],
    labels: Mapping[str, str],
    timezone: str | None,
    words: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """The fields whose stored value differs from the copy the person opened; a reference (the
    presenter) by the name of what it refers to, as the person chose it: 'Lina Singh', not 24;
    a stored code by the words the screens use for it (``words``): 'by hand', not 'manual'."""
    changes = []
    for field, theirs in current.items():
        if field in _INTERNAL or not hasattr(original, field):
            continue
        if getattr(original, field) != theirs:
            label = labels.get(field, field.removesuffix("_id").replace("_", " "))
            said = words.get(field, {}).get(str(getattr(theirs, "value", theirs)))
            shown_value = said or _name_of(db, table.c[field], theirs) or _show(theirs, timezone)
            changes.append(f"{label} is now {shown_value}")
    return changes


def _name_of(db: Session, column: sa.Column[Any], value: Any) -> str | None:
    """The name of the row ``value`` refers to through ``column`` (a person, a circle), quoted."""
    if value is None:
        return None
    for key in column.foreign_keys:
        target = key.column.table
        if "name" in target.c:
            name = db.execute(sa.select(target.c.name).where(key.column == value)).scalar()
            if name is not None:
                return _show(name, None)
    return None


def _show(value: Any, timezone: str | None) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, datetime):
        zone = time_zone(timezone) if timezone else UTC
        return value.astimezone(zone).strftime("%a %d %b %Y %H:%M")
    text = str(getattr(value, "value", value))
    return repr(text if len(text) <= 40 else text[:37] + "...")

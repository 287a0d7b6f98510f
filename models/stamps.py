"""When a row was written, from the clock of the unit of work that wrote it.

A table's time stamp column (``created_at``, ``given_at``, ...) is declared with :func:`stamp_column`
and left unset by the services: when a unit of work flushes, every new row with such a column unset
gets the unit of work's time (:func:`unit_now`: the Store's clock, which tests and the demo fix).
A default taken from the wall clock at construction dated every row a service forgot to stamp by
hand with today, whatever time the store was told it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper
from sqlmodel import Session

from models.types import UTCDateTime

# The column's info key that marks it as stamped at the flush.
STAMPED = "stamped"


def stamp_column(*, index: bool = False) -> sa.Column[datetime]:
    """A NOT NULL instant the unit of work's clock fills in when the row is first flushed; a
    value given by hand is kept (the demo dates its history)."""
    return sa.Column(UTCDateTime(), nullable=False, index=index, info={STAMPED: True})


def unit_now(db: Session) -> datetime:
    """The time as this unit of work sees it: the clock the Store gave it, else the system's."""
    clock = db.info.get("clock")
    return clock() if clock is not None else datetime.now(UTC)


_stamped_keys: dict[type, tuple[str, ...]] = {}


def _keys(cls: type, mapper: Mapper[Any]) -> tuple[str, ...]:
    keys = _stamped_keys.get(cls)
    if keys is None:
        keys = tuple(p.key for p in mapper.column_attrs if any(c.info.get(STAMPED) for c in p.columns))
        _stamped_keys[cls] = keys
    return keys


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(db: Session, _flush: object, _instances: Iterable[object] | None) -> None:
    when: datetime | None = None
    for row in db.new:
        for key in _keys(type(row), sa.inspect(row).mapper):
            if getattr(row, key) is None:
                when = when or unit_now(db)  # one instant for the whole flush
                setattr(row, key, when)

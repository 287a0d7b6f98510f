"""Column types shared by the tables: UTC timestamps and enums stored as checked strings."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware instant, stored as UTC on every backend.

    SQLite has no timezone type, so we store naive UTC there and put the zone back on
    the way out; PostgreSQL gets ``timestamptz``. Naive datetimes are refused: a
    session time without a zone is a bug waiting for the next daylight-saving change.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give it a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum: type[StrEnum], name: str, **kwargs: Any) -> sa.Column[Any]:
    """A VARCHAR column with a CHECK constraint instead of a native enum type.

    Native PostgreSQL enums need hand-written migrations to grow; a checked string
    does not, and reads the same on SQLite.
    """
    return sa.Column(
        sa.Enum(
            enum,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=max(len(m.value) for m in enum) + 8,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        **kwargs,
    )

"""The time as the store's unit of work sees it: the Store's injectable clock, else the system's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session


def now(db: Session) -> datetime:
    clock = db.info.get("clock")
    return clock() if clock is not None else datetime.now(UTC)

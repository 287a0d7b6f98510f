"""The time as the store's unit of work sees it: the Store's injectable clock, else the system's.

Rows' own time stamps (``created_at`` and the like) are not set with it by hand: the unit of work
stamps each new row when it is flushed (models/stamps.py), from this same clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models.stamps import unit_now


def now(db: Session) -> datetime:
    return unit_now(db)

"""What "coming up" means on Home, shared by the services and by the first glance at the store
(circles/glance.py), which must not load SQLAlchemy to know it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

DAYS = 14
MOST = 300  # sessions listed; a 10,000-person organisation has about that many in two weeks
# A session that started a little while ago is still "on": people walking in look for it.
STILL_ON = timedelta(hours=2)


def window(now: datetime, days: int = DAYS) -> tuple[datetime, datetime]:
    """The [start, end) of the sessions Home lists at ``now``."""
    return now - STILL_ON, now + timedelta(days=days)


# Home reads its list again at least this often while it is on view, so a session that comes
# within DAYS shows up without a key pressed.
READ_AGAIN_AT_MOST = timedelta(hours=1)


def read_again_at(now: datetime, starts: Iterable[datetime]) -> datetime:
    """When Home's list read at ``now`` with sessions starting at ``starts`` is out of date by
    the clock alone: once past it, the first of them is no longer still on (window() keeps a
    session that started exactly STILL_ON ago), or an hour has gone by."""
    return min([now + READ_AGAIN_AT_MOST, *(start + STILL_ON for start in starts)])

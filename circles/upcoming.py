"""What "coming up" means on Home, shared by the services and by the first glance at the store
(circles/glance.py), which must not load SQLAlchemy to know it."""

from __future__ import annotations

from datetime import datetime, timedelta

DAYS = 14
MOST = 300  # sessions listed; a 10,000-person organisation has about that many in two weeks
# A session that started a little while ago is still "on": people walking in look for it.
STILL_ON = timedelta(hours=2)


def window(now: datetime, days: int = DAYS) -> tuple[datetime, datetime]:
    """The [start, end) of the sessions Home lists at ``now``."""
    return now - STILL_ON, now + timedelta(days=days)

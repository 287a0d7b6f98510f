"""The time as the store's unit of work sees it: the Store's injectable clock, else the system's.

Rows' own time stamps (``created_at`` and the like) are not set with it by hand: the unit of work
stamps each new row when it is flushed (models/stamps.py), from this same clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from circles.zones import day_here
from models.stamps import unit_now


def now(db: Session) -> datetime:
    return unit_now(db)


def today(db: Session) -> date:
    """Today where the facilitator is, on the store's clock: the date in this machine's zone
    (each facilitator's app runs on their own machine, whoever shares the store). A day the
    services pick themselves (a round matched, a pair ended, a goal done) is the one the
    facilitator's calendar shows, as the screens' is (CirclesApp.today): UTC's date was
    yesterday in a Sydney morning."""
    return day_here(unit_now(db))


# Kiribati's Line Islands are the first to begin each day, at UTC+14.
_FIRST_TO_BEGIN_THE_DAY = timedelta(hours=14)


def latest_today(db: Session) -> date:
    """The latest date on any clock on Earth: a day someone has begun. A date a person gives is in
    the future only after this one. UTC's date is yesterday in a Sydney morning: checked against
    it, "we met today" was refused as a meeting in the future."""
    return (unit_now(db) + _FIRST_TO_BEGIN_THE_DAY).date()

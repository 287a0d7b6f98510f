"""How a day is written for a person reading it now: the year only when it is not this one."""

from __future__ import annotations

from datetime import date, datetime


def day_said(day: date, today: date) -> str:
    """'10 Mar' when ``day`` is in this year, '05 Jan 2027' when it is not.

    Every screen, list and message read at once writes a day by this one rule: a year on every
    row of this year's dates took five more cells and told nothing, while a date of another
    year without its year would be read as this year's. ``today`` is the caller's today (the
    house clock's, never the system's). An aware ``day`` is read on its own clock, and when
    ``today`` is an aware instant too (the caller's now), this year is the year on that same
    clock: at 20:00 UTC on 31 Dec it is already next year in Sydney. Formats that are a
    contract (exports, .ics, file names, dates typed in forms) and text read later (mail) keep
    their full dates and do not use this."""
    return f"{day:%d %b}" if day.year == _this_year(day, today) else f"{day:%d %b %Y}"


def weekday_said(day: date, today: date) -> str:
    """'Tue 10 Mar', or 'Tue 05 Jan 2027' when not this year: :func:`day_said` with the weekday,
    for the days of sessions and meetings, which people plan by weekday."""
    return f"{day:%a} {day_said(day, today)}"


def span_said(first: date, last: date, today: date) -> str:
    """'01 Jan to 03 Mar' within this year; '03 Mar 2025 to 03 Mar 2026' when either end is in
    another: a span with one year said ('03 Mar 2025 to 03 Mar') made its other end read as a
    guess."""
    if day_said(first, today) == f"{first:%d %b}" and day_said(last, today) == f"{last:%d %b}":
        return f"{first:%d %b} to {last:%d %b}"
    return f"{first:%d %b %Y} to {last:%d %b %Y}"


def _this_year(day: date, today: date) -> int:
    if isinstance(day, datetime) and day.tzinfo is not None and isinstance(today, datetime):
        return today.astimezone(day.tzinfo).year
    return today.year

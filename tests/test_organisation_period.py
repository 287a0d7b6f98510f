"""The Organisation and Recognition screens' periods cover what their labels say."""

from __future__ import annotations

from datetime import date, timedelta

from screens.organisation import PERIODS, period_days


def _months(first: date, last: date) -> set[tuple[int, int]]:
    return {(d.year, d.month) for d in (first + timedelta(days=n) for n in range((last - first).days + 1))}


def test_last_3_months_is_three_calendar_months_on_every_day_of_four_years() -> None:
    """It began on the first of the month three before this one: on 30 November, 1 August, and
    the figures counted August, September, October and November."""
    assert PERIODS[0] == "last 3 months"
    assert period_days("last 3 months", date(2026, 11, 30)) == (date(2026, 9, 1), date(2026, 11, 30))
    assert period_days("last 3 months", date(2026, 2, 14)) == (date(2025, 12, 1), date(2026, 2, 14))
    day = date(2024, 1, 1)
    while day < date(2028, 1, 1):
        first, last = period_days("last 3 months", day)
        assert first is not None and first.day == 1 and last == day
        assert len(_months(first, last)) == 3, day
        day += timedelta(days=1)


def test_recognitions_last_3_months_is_three_calendar_months_too() -> None:
    """The Recognition screen had its own copy of the old sum: on 30 November it began on
    1 August, four months."""
    from screens.recognition import period_days as recognition_days

    assert recognition_days("last 3 months", date(2026, 11, 30)) == (date(2026, 9, 1), date(2026, 11, 30))
    day = date(2024, 1, 1)
    while day < date(2028, 1, 1):
        first, last = recognition_days("last 3 months", day)
        assert len(_months(first, last)) == 3, day
        day += timedelta(days=1)

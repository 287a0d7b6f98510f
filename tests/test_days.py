"""The one rule for writing a day: the year only when it is not this one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from circles.days import day_said, span_said, weekday_said
from circles.zones import time_zone

TODAY = date(2026, 12, 4)


def test_a_day_of_this_year_is_written_without_its_year() -> None:
    assert day_said(date(2026, 3, 10), TODAY) == "10 Mar"
    assert weekday_said(date(2026, 3, 10), TODAY) == "Tue 10 Mar"


def test_a_day_of_last_year_or_next_year_says_its_year() -> None:
    assert day_said(date(2025, 12, 30), TODAY) == "30 Dec 2025"
    assert weekday_said(date(2027, 1, 5), TODAY) == "Tue 05 Jan 2027"


def test_across_new_year_this_year_is_the_one_on_the_days_own_clock() -> None:
    """20:00 UTC on 31 Dec 2026 is 07:00 on 1 Jan 2027 in Sydney: a Sydney session that
    morning is this year's there, and one the evening before is last year's."""
    now = datetime(2026, 12, 31, 20, tzinfo=UTC)
    sydney = time_zone("Australia/Sydney")
    assert weekday_said(datetime(2027, 1, 1, 18, tzinfo=sydney), now) == "Fri 01 Jan"
    assert weekday_said(datetime(2026, 12, 31, 18, tzinfo=sydney), now) == "Thu 31 Dec 2026"
    # A date with no clock of its own is read against the date the caller gives as today.
    assert day_said(date(2027, 1, 1), now.astimezone(sydney).date()) == "01 Jan"


def test_a_span_says_the_year_on_both_ends_or_on_neither() -> None:
    today = date(2026, 3, 3)
    assert span_said(date(2026, 1, 1), date(2026, 3, 3), today) == "01 Jan to 03 Mar"
    # One end in another year: both say theirs ('03 Mar 2025 to 03 Mar' read as a guess).
    assert span_said(date(2025, 3, 3), date(2026, 3, 3), today) == "03 Mar 2025 to 03 Mar 2026"
    assert span_said(date(2026, 12, 28), date(2027, 1, 5), today) == "28 Dec 2026 to 05 Jan 2027"

"""Cadences: the syntax people type, and session times that keep their wall clock across DST."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circles import cadence
from circles.errors import InvalidInput

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
TWO_YEARS = 24


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("weekly on tue at 12:00 for 60m", "weekly on tue at 12:00 for 60m"),
        ("every 2 weeks on mon,thu at 09:30", "every 2 weeks on mon,thu at 09:30"),
        ("monthly on the 3rd wed at 18:00", "monthly on the 3rd wed at 18:00"),
        ("monthly on the last fri at 16:00", "monthly on the last fri at 16:00"),
        ("monthly on day 15 at 12:00", "monthly on day 15 at 12:00"),
        ("Monthly on the 15th at 12:00", "monthly on day 15 at 12:00"),
        (
            "Fortnightly on Thursdays and Mondays at 6:30pm for 1h30m",
            "every 2 weeks on mon,thu at 18:30 for 90m",
        ),
        ("every week on friday at 12pm for 45 min", "weekly on fri at 12:00 for 45m"),
        ("every 3 months on the first mon at 9am", "every 3 months on the 1st mon at 09:00"),
        ("weekly on sun at 12am", "weekly on sun at 00:00"),
        # As people say it: "every" with the day, "every other", "noon", "on" left out.
        ("every tuesday at noon", "weekly on tue at 12:00"),
        ("Every other Wed at 17:30", "every 2 weeks on wed at 17:30"),
        ("every other week on mon and thu at midday", "every 2 weeks on mon,thu at 12:00"),
        ("every other month on the last fri at 4pm", "every 2 months on the last fri at 16:00"),
        ("every fridays at 9:00 for 30 min", "weekly on fri at 09:00 for 30m"),
        ("monthly the 3rd wed at 18:00", "monthly on the 3rd wed at 18:00"),
        ("weekly tue at 12:00", "weekly on tue at 12:00"),
    ],
)
def test_typed_cadences_read_back_in_canonical_form(typed: str, canonical: str) -> None:
    parsed = cadence.parse(typed)
    assert parsed.text == canonical
    assert cadence.parse(parsed.text) == parsed


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("weekly on tusday at 12:00", "'tusday' is not a weekday"),
        ("weekly at 12:00", "expected 'on'"),
        ("weekly on tue", "expected 'at'"),
        ("weekly on tue at 25:00", "'25:00' is not a time of day"),
        ("weekly on tue at noonish", "'noonish' is not a time"),
        ("monthly on the 6th wed at 12:00", "'6th' is not a position"),
        ("monthly on day 32 at 12:00", "day 32 is not a day of the month"),
        ("every 0 weeks on mon at 9:00", "every 0"),
        ("every 2 fortnights on mon at 9:00", "must be followed by weeks or months, not 'fortnights'"),
        ("every other fortnight on mon at 9:00", "'every other' must be followed by weeks or months"),
        ("every other", "ends too early; 'week', 'month' or a weekday is missing"),
        ("monthly 15 at 12:00", "expected 'on'"),
        ("daily at 09:00", "'daily' is not how often"),
        ("weekly on tue at 12:00 for ages", "'ages' is not a length"),
        ("weekly on tue at 12:00 for 0m", "'0m'"),
        ("weekly on tue at 12:00 sharp", "'sharp' is left over"),
        ("weekly on tue,tue at 12:00", "named twice"),
        ("weekly on tue; at 12:00", "';' has no meaning"),
        ("", "is empty"),
    ],
)
def test_bad_cadences_name_the_bad_part(typed: str, names: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        cadence.parse(typed)
    assert caught.value.field == "cadence"
    assert names in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Whenever", "cadence 'Whenever' is not how often; start with weekly, every 2 weeks or monthly."),
        ("daily", "cadence 'daily' is not how often; start with weekly, every 2 weeks or monthly."),
        ("daily at 9:00", "cadence 'daily at 9:00' cannot be used: 'daily' is not how often; start with"),
    ],
)
def test_a_cadence_that_is_all_wrong_is_named_once(typed: str, said: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        cadence.parse(typed)
    assert str(caught.value).startswith(said), str(caught.value)


@pytest.mark.parametrize("tz", ZONES)
def test_weekly_sessions_keep_their_local_time_across_two_years_of_dst(tz: str) -> None:
    found, _ = cadence.occurrences(
        cadence.parse("weekly on tue,fri at 12:00"), tz, start=date(2026, 1, 1), count=2 * 104
    )
    assert {o.starts_at.astimezone(ZoneInfo(tz)).time() for o in found} == {time(12, 0)}
    assert {o.starts_at.astimezone(ZoneInfo(tz)).weekday() for o in found} == {1, 4}
    # The UTC instant moves with daylight saving: both offsets occur, so DST was crossed.
    assert len({o.starts_at.utcoffset() for o in found}) == 2
    assert found[-1].day >= date(2027, 12, 28)


@settings(max_examples=150, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=3),
    interval=st.integers(1, 3),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    start=st.dates(date(2025, 1, 1), date(2030, 12, 31)),
)
def test_every_weekly_session_starts_at_the_cadence_wall_time(
    tz: str, weekdays: set[int], interval: int, at: time, start: date
) -> None:
    days = ",".join(cadence.WEEKDAYS[d] for d in sorted(weekdays))
    parsed = cadence.parse(f"every {interval} weeks on {days} at {at:%H:%M}")
    found, _ = cadence.occurrences(parsed, tz, start=start, count=30)
    zone = ZoneInfo(tz)
    assert len(found) == 30
    assert [o.day for o in found] == sorted({o.day for o in found})
    start_monday = start - timedelta(days=start.weekday())
    for o in found:
        local = o.starts_at.astimezone(zone)
        assert o.day >= start and o.day.weekday() in weekdays
        assert ((o.day - start_monday).days // 7) % interval == 0
        if _exists(o.day, at, zone):
            assert (local.date(), local.time()) == (o.day, at)
        else:
            # The clocks skip this time that day: the session moves forward by the jump.
            assert local.date() == o.day and local.time() > at


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    wall = datetime.combine(day, at, zone)
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """Independently of the module: the n-th (or last, n=-1) weekday from the month's grid."""
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    return date(year, month, days[n if n == -1 else n - 1])


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("typed", "weekday", "n"),
    [("monthly on the third wednesday at 18:00", 2, 3), ("monthly on the last fri at 18:00", 4, -1)],
)
def test_third_wednesday_and_last_friday_for_two_years(tz: str, typed: str, weekday: int, n: int) -> None:
    found, _ = cadence.occurrences(cadence.parse(typed), tz, start=date(2026, 1, 1), count=TWO_YEARS)
    months = [(2026 + i // 12, i % 12 + 1) for i in range(TWO_YEARS)]
    assert [o.day for o in found] == [_nth_weekday(y, m, weekday, n) for y, m in months]
    assert {o.starts_at.astimezone(ZoneInfo(tz)).time() for o in found} == {time(18, 0)}
    assert len({o.starts_at.utcoffset() for o in found}) == 2


def test_third_wednesday_lands_between_the_15th_and_21st() -> None:
    found, _ = cadence.occurrences(
        cadence.parse("monthly on the 3rd wed at 12:00"), "Europe/Berlin", start=date(2026, 1, 1), count=24
    )
    assert all(15 <= o.day.day <= 21 and o.day.weekday() == 2 for o in found)
    assert found[0].day == date(2026, 1, 21) and found[-1].day == date(2027, 12, 15)


def test_last_friday_is_within_the_final_week_of_its_month() -> None:
    found, _ = cadence.occurrences(
        cadence.parse("monthly on the last fri at 16:00"),
        "Australia/Sydney",
        start=date(2026, 1, 1),
        count=24,
    )
    for o in found:
        assert o.day.weekday() == 4
        assert (o.day + timedelta(days=7)).month != o.day.month
    assert found[0].day == date(2026, 1, 30) and found[1].day == date(2026, 2, 27)


def test_fifth_weekday_months_without_one_are_passed_over() -> None:
    found, _ = cadence.occurrences(
        cadence.parse("monthly on the 5th thu at 12:00"), "Europe/Berlin", start=date(2026, 1, 1), count=4
    )
    assert [o.day for o in found] == [
        date(2026, 1, 29),
        date(2026, 4, 30),
        date(2026, 7, 30),
        date(2026, 10, 29),
    ]


def test_day_31_falls_on_the_last_day_of_shorter_months() -> None:
    found, _ = cadence.occurrences(
        cadence.parse("monthly on day 31 at 12:00"), "America/New_York", start=date(2028, 1, 1), count=4
    )
    assert [o.day for o in found] == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]


def test_skip_dates_are_stepped_over_and_not_counted() -> None:
    skip = {date(2026, 12, 22): "holiday", date(2026, 12, 29): "between the years"}
    found, stepped = cadence.occurrences(
        cadence.parse("weekly on tue at 12:00"), "Europe/Berlin", start=date(2026, 12, 14), count=4, skip=skip
    )
    assert [o.day for o in found] == [
        date(2026, 12, 15),
        date(2027, 1, 5),
        date(2027, 1, 12),
        date(2027, 1, 19),
    ]
    assert stepped == [(date(2026, 12, 22), "holiday"), (date(2026, 12, 29), "between the years")]


def test_every_two_weeks_keeps_the_rhythm_of_its_anchor() -> None:
    parsed = cadence.parse("every 2 weeks on mon at 09:30")
    found, _ = cadence.occurrences(
        parsed, "Europe/Berlin", start=date(2026, 3, 10), count=3, anchor=date(2026, 3, 2)
    )
    assert [o.day for o in found] == [date(2026, 3, 16), date(2026, 3, 30), date(2026, 4, 13)]


def test_past_sessions_are_not_planned() -> None:
    after = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    found, _ = cadence.occurrences(
        cadence.parse("weekly on tue at 12:00"), "Europe/Berlin", start=date(2026, 3, 3), count=1, after=after
    )
    assert found[0].day == date(2026, 3, 10)


def test_a_time_the_clocks_skip_moves_forward_and_a_repeated_time_takes_the_first() -> None:
    zone = ZoneInfo("Europe/Berlin")
    spring = cadence.local_start(date(2026, 3, 29), time(2, 30), "Europe/Berlin")
    assert spring.astimezone(zone).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    autumn = cadence.local_start(date(2026, 10, 25), time(2, 30), "Europe/Berlin")
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)

"""Cadences a person can type ("weekly on tue at 12:00"), and the session times they give.

The syntax, one phrase, any case::

    weekly on tue at 12:00 for 60m
    every 2 weeks on mon,thu at 09:30
    fortnightly on wed at 17:30            (the same as every 2 weeks)
    monthly on the 3rd wed at 18:00
    monthly on the last fri at 16:00
    every 2 months on the 1st mon at 12:00
    monthly on day 15 at 12:00             (or: monthly on the 15th at 12:00)
    every tuesday at noon                  (the same as weekly on tue at 12:00)
    every other wed at 17:30               (the same as every 2 weeks on wed)

- Weekdays: mon tue wed thu fri sat sun, or the full names; several joined by
  commas or "and" ("on mon and thu").
- Positions in the month: 1st 2nd 3rd 4th 5th, first ... fifth, or last. A month
  without a fifth such weekday has no session that month.
- Days of the month: 1 to 31; in a shorter month a day past its end falls on its
  last day ("monthly on day 31" meets on 28 or 29 Feb).
- Times: 24-hour "12:00" or "9:30", "6pm" / "6:30pm", or "noon" / "midday".
- "every other" is every 2; "on" may be left out before the day ("every tue at 9:00").
- Length: optional "for 60m", "for 90 min", "for 1h", "for 1h30m"; without it a
  session lasts the circle's usual length.

Sessions keep their wall-clock time in the circle's timezone across daylight-saving
changes. A time the clocks skip that day (02:30 when they jump from 02:00 to 03:00)
moves forward by the jump, as calendar apps do; a time that happens twice takes
the first.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NoReturn

from circles.errors import InvalidInput, shown
from circles.zones import time_zone

FIELD = "cadence"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    # Spelled out rather than taken from calendar.day_name, which follows the locale.
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_ORDINALS = {
    "1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3,
    "4th": 4, "fourth": 4, "5th": 5, "fifth": 5, "last": -1,
}  # fmt: skip
_ORDINAL_WORDS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
_TOKEN = re.compile(r"[a-z0-9:]+|,")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm)?$")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")
_DAY_OF_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
MAX_INTERVAL = 12


@dataclass(frozen=True, slots=True)
class Cadence:
    """A parsed cadence. ``weekdays`` are 0 (Monday) to 6; ``ordinal`` -1 means last."""

    unit: str  # "week" or "month"
    interval: int
    at: time
    weekdays: tuple[int, ...] = ()
    ordinal: int | None = None
    day: int | None = None
    minutes: int | None = None

    @property
    def text(self) -> str:
        """The cadence written the canonical way; parsing it gives this cadence back."""
        if self.unit == "week":
            head = "weekly" if self.interval == 1 else f"every {self.interval} weeks"
            where = ",".join(WEEKDAYS[d] for d in self.weekdays)
        else:
            head = "monthly" if self.interval == 1 else f"every {self.interval} months"
            if self.day is not None:
                where = f"day {self.day}"
            else:
                assert self.ordinal is not None
                where = f"the {_ORDINAL_WORDS[self.ordinal]} {WEEKDAYS[self.weekdays[0]]}"
        length = f" for {self.minutes}m" if self.minutes else ""
        return f"{head} on {where} at {self.at:%H:%M}{length}"

    def days(self, start: date, *, anchor: date | None = None) -> Iterator[date]:
        """Every meeting day from ``start`` on, forever, in order.

        ``anchor`` fixes which weeks (or months) an "every N" cadence meets in: the
        week or month holding the anchor is a meeting one. It defaults to ``start``;
        continuing a series passes its last day so the rhythm is not broken.
        """
        anchor = anchor or start
        if self.unit == "week":
            yield from self._weekly(start, anchor)
        else:
            yield from self._monthly(start, anchor)

    def _weekly(self, start: date, anchor: date) -> Iterator[date]:
        anchor_monday = anchor - timedelta(days=anchor.weekday())
        monday = start - timedelta(days=start.weekday())
        while True:
            if ((monday - anchor_monday).days // 7) % self.interval == 0:
                for weekday in self.weekdays:
                    day = monday + timedelta(days=weekday)
                    if day >= start:
                        yield day
            monday += timedelta(days=7)

    def _monthly(self, start: date, anchor: date) -> Iterator[date]:
        year, month = start.year, start.month
        while True:
            if ((year - anchor.year) * 12 + month - anchor.month) % self.interval == 0:
                day = self._day_in(year, month)
                if day is not None and day >= start:
                    yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _day_in(self, year: int, month: int) -> date | None:
        last = calendar.monthrange(year, month)[1]
        if self.day is not None:
            return date(year, month, min(self.day, last))
        assert self.ordinal is not None
        weekday = self.weekdays[0]
        if self.ordinal == -1:
            day = last - (date(year, month, last).weekday() - weekday) % 7
        else:
            day = 1 + (weekday - date(year, month, 1).weekday()) % 7 + 7 * (self.ordinal - 1)
            if day > last:
                return None
        return date(year, month, day)


@dataclass(frozen=True, slots=True)
class Occurrence:
    day: date  # on the circle's wall clock
    starts_at: datetime  # aware, in the circle's zone


def local_start(day: date, at: time, tz: str) -> datetime:
    """``day`` at ``at`` on the wall clock of ``tz``; skipped times move forward by the jump."""
    zone = time_zone(tz)
    wall = datetime.combine(day, at).replace(tzinfo=zone, fold=0)
    # A wall time that does not exist does not survive the round trip through UTC;
    # reading it with the offset from before the jump lands it after the jump, which
    # is where calendar apps put it.
    back = wall.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != wall.replace(tzinfo=None):
        return back
    return wall


def occurrences(
    cadence: Cadence,
    tz: str,
    *,
    start: date,
    count: int,
    skip: Mapping[date, str] | None = None,
    anchor: date | None = None,
    after: datetime | None = None,
) -> tuple[list[Occurrence], list[tuple[date, str]]]:
    """The next ``count`` meetings from ``start`` (skip dates stepped over, not counted).

    Returns the meetings and the skip dates that were stepped over, with their reasons.
    ``after`` drops meetings that start at or before that instant (today's, once past).
    """
    skip = skip or {}
    found: list[Occurrence] = []
    stepped: list[tuple[date, str]] = []
    for day in cadence.days(start, anchor=anchor):
        if len(found) >= count:
            break
        if day in skip:
            stepped.append((day, skip[day]))
            continue
        starts_at = local_start(day, cadence.at, tz)
        if after is not None and starts_at <= after:
            continue
        found.append(Occurrence(day, starts_at))
    return found, stepped


def parse(value: str | None) -> Cadence:
    """Read a cadence a person typed; InvalidInput names the part that is wrong."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(FIELD, text, 'is empty; write one like "weekly on tue at 12:00"')
    return _Parser(text).cadence()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _TOKEN.findall(text.lower())
        self.pos = 0
        stray = re.sub(r"[a-z0-9:,\s]", "", text.lower())
        if stray:
            self.fail(f"{shown(stray[0])} has no meaning in a cadence; use words, numbers and commas")

    def fail(self, problem: str) -> NoReturn:
        # The problem names the part that is wrong; the whole cadence comes first, shortened.
        # When the part is the whole ("whenever"), it is named once.
        whole = shown(self.text.lower()) + " "
        if problem.startswith(whole):
            raise InvalidInput(FIELD, self.text, problem.removeprefix(whole))
        raise InvalidInput(FIELD, self.text, f"cannot be used: {problem}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, what: str) -> str:
        token = self.peek()
        if token is None:
            self.fail(f"ends too early; {what} is missing")
        self.pos += 1
        return token

    def expect(self, word: str, hint: str) -> None:
        token = self.peek()
        if token != word:
            got = shown(token) if token else "the end"
            self.fail(f"expected {shown(word)} {hint} but found {got}")
        self.pos += 1

    def cadence(self) -> Cadence:
        unit, interval = self.head()
        if self.peek() == "on" or not self._day_follows(unit):
            self.expect("on", "before the day (as in 'weekly on tue')")
        if unit == "week":
            weekdays = self.weekday_list()
            ordinal = day = None
        else:
            weekdays, ordinal, day = self.day_in_month()
        self.expect("at", "before the time (as in 'at 12:00')")
        at = self.time(self.take("the time (as in 'at 12:00')"))
        minutes = None
        if self.peek() == "for":
            self.pos += 1
            minutes = self.duration(self.take("the length (as in 'for 60m')"))
        if self.peek() is not None:
            self.fail(f"{shown(self.peek())} is left over after the cadence; remove it")
        return Cadence(unit, interval, at, weekdays, ordinal, day, minutes)

    def head(self) -> tuple[str, int]:
        word = self.take("how often (weekly, every 2 weeks, monthly)")
        if word == "weekly":
            return "week", 1
        if word in ("fortnightly", "biweekly"):
            return "week", 2
        if word == "monthly":
            return "month", 1
        if word != "every":
            self.fail(f"{shown(word)} is not how often; start with weekly, every 2 weeks or monthly")
        token = self.take("the number of weeks or months")
        interval, every = 1, "every"
        if token == "other":
            interval, every = 2, "every other"
            token = self.take("'week', 'month' or a weekday")
        if self._is_weekday(token):  # "every tue", "every other wed": weekly, the day named
            self.pos -= 1
            return "week", interval
        if token.isdigit():  # tokens hold ASCII digits only (see _TOKEN)
            interval, every = int(token), f"every {token}"
            if not 1 <= interval <= MAX_INTERVAL:
                self.fail(f"in {shown(every)} the number must be between 1 and {MAX_INTERVAL}")
            token = self.take("'weeks' or 'months'")
        unit = {"week": "week", "weeks": "week", "month": "month", "months": "month"}.get(token)
        if unit is None:
            self.fail(f"{shown(every)} must be followed by weeks or months, not {shown(token)}")
        return unit, interval

    def _day_follows(self, unit: str) -> bool:
        """Whether the next word starts the day part, so a left-out "on" is understood."""
        token = self.peek()
        if unit == "week":
            return self._is_weekday(token)
        return token in ("the", "day") or token in _ORDINALS

    @staticmethod
    def _is_weekday(token: str | None) -> bool:
        return token is not None and (token in _WEEKDAY_NAMES or token[:-1] in _WEEKDAY_NAMES)

    def weekday(self, token: str) -> int:
        name = token[:-1] if token.endswith("s") and token[:-1] in _WEEKDAY_NAMES else token
        if name not in _WEEKDAY_NAMES:
            self.fail(f"{shown(token)} is not a weekday; use {', '.join(WEEKDAYS)}")
        return _WEEKDAY_NAMES[name]

    def weekday_list(self) -> tuple[int, ...]:
        days = [self.weekday(self.take("the weekday (as in 'on tue')"))]
        while self.peek() in (",", "and"):
            self.pos += 1
            days.append(self.weekday(self.take("a weekday after the comma")))
        if len(set(days)) != len(days):
            self.fail("a weekday is named twice; name each once")
        return tuple(sorted(days))

    def day_in_month(self) -> tuple[tuple[int, ...], int | None, int | None]:
        if self.peek() == "the":
            self.pos += 1
        token = self.take("which day of the month (as in 'the 3rd wed' or 'day 15')")
        if token == "day":
            token = self.take("the day of the month (1 to 31)")
            match = _DAY_OF_MONTH.match(token)
            if not match:
                self.fail(f"day {shown(token)}: give the day of the month as a number from 1 to 31")
            return (), None, self.day_of_month(match.group(1))
        if token in _ORDINALS:
            weekday = self.weekday(self.take("the weekday after the position (as in '3rd wed')"))
            return (weekday,), _ORDINALS[token], None
        match = _DAY_OF_MONTH.match(token)
        if match and self.peek() in _WEEKDAY_NAMES:
            self.fail(f"{shown(token)} is not a position in the month; use 1st to 5th or last")
        if match:
            return (), None, self.day_of_month(match.group(1))
        self.fail(
            f"{shown(token)} is not a day of the month; write 'the 3rd wed', 'the last fri' or 'day 15'"
        )
        raise AssertionError  # fail() always raises

    def day_of_month(self, digits: str) -> int:
        day = int(digits)
        if not 1 <= day <= 31:
            self.fail(f"day {day} is not a day of the month; use 1 to 31")
        return day

    def time(self, token: str) -> time:
        if token in ("noon", "midday"):
            return time(12, 0)
        match = _TIME.match(token)
        if not match:
            self.fail(f"{shown(token)} is not a time; write it like 12:00, 9:30 or 6pm")
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = match.group(3)
        if suffix:
            if not 1 <= hour <= 12:
                self.fail(f"{shown(token)} is not a time: with am/pm the hour is 1 to 12")
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour > 23 or minute > 59:
            self.fail(f"{shown(token)} is not a time of day (00:00 to 23:59)")
        return time(hour, minute)

    def duration(self, token: str) -> int:
        if token.isdigit() and self.peek() in ("m", "min", "mins", "minute", "minutes"):
            self.pos += 1
            token += "m"
        elif token.isdigit() and self.peek() in ("h", "hour", "hours"):
            self.pos += 1
            token += "h"
        match = _DURATION.match(token)
        if not token or not match or not any(match.groups()):
            self.fail(f"{shown(token)} is not a length; write it like 60m, 90 min, 1h or 1h30m")
        minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
        if not 1 <= minutes <= 24 * 60:
            self.fail(f"{shown(token)}: a session lasts between 1 minute and 24 hours")
        return minutes

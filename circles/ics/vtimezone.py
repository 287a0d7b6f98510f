"""The VTIMEZONE writer: one STANDARD and one DAYLIGHT observance with yearly rules, as Outlook writes.

icalendar's own ``add_missing_timezones()`` writes each observance as one RDATE line holding
many dates; ical.js (Thunderbird, Nextcloud) and vobject (Radicale) read only the first, so
events after a daylight-saving change land an hour off there. This writer derives yearly
RRULEs from the zone's transitions (as zoneinfo knows them) around the events instead.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Scanning step for offset changes: well under the shortest gap between two transitions.
_STEP = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of the zone's UTC offset: ``at`` (UTC) it goes from ``before`` to ``after``."""

    at: datetime
    before: timedelta
    after: timedelta
    daylight: bool
    name: str

    @property
    def local(self) -> datetime:
        """The wall-clock time the change happens at, on the clock as it was before (naive)."""
        return (self.at + self.before).replace(tzinfo=None)

    def byday_candidates(self) -> set[str]:
        """The BYDAY forms that name this day: its nth weekday, and -1 if it is the month's last."""
        day = self.local.day
        weekday = _WEEKDAYS[self.local.weekday()]
        found = {f"{(day - 1) // 7 + 1}{weekday}"}
        if day + 7 > calendar.monthrange(self.local.year, self.local.month)[1]:
            found.add(f"-1{weekday}")
        return found

    def shape(self) -> tuple[object, ...]:
        """What must stay equal for two transitions to be the same yearly rule."""
        return (
            self.daylight,
            self.before,
            self.after,
            self.local.month,
            self.local.time(),
            self.local.weekday(),
            self.name,
        )


def _offset(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, bool, str]:
    local = instant.astimezone(zone)
    return (
        local.utcoffset() or timedelta(0),
        (local.dst() or timedelta(0)) > timedelta(0),
        local.tzname() or "",
    )


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every offset change of ``zone`` in [start, end), found by scanning and bisecting."""
    found: list[Transition] = []
    t = start
    previous = _offset(zone, t)
    while t < end:
        step_end = t + _STEP
        current = _offset(zone, step_end)
        if current[0] != previous[0]:
            low, high = t, step_end
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle)[0] == previous[0]:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            offset, _, name = _offset(zone, high)
            # The later clock is the daylight one, as Outlook and dateutil expect, even where
            # tzdata calls winter the daylight time (Europe/Dublin's negative DST).
            found.append(Transition(high, previous[0], offset, offset > previous[0], name))
        previous = current
        t = step_end
    return found


@dataclass
class _Rule:
    """One observance: transitions that share a shape and a BYDAY form."""

    first: Transition
    members: list[Transition] = field(default_factory=list)
    byday: set[str] = field(default_factory=set)

    def accepts(self, t: Transition) -> bool:
        return t.shape() == self.first.shape() and bool(self.byday & t.byday_candidates())

    def add(self, t: Transition) -> None:
        self.byday = self.byday & t.byday_candidates() if self.members else t.byday_candidates()
        self.members.append(t)


def _eras(found: list[Transition]) -> list[dict[bool, _Rule]]:
    """Group transitions into runs where each kind (standard, daylight) follows one yearly rule."""
    eras: list[dict[bool, _Rule]] = []
    current: dict[bool, _Rule] = {}
    for t in found:
        rule = current.get(t.daylight)
        if rule is None:
            rule = current[t.daylight] = _Rule(first=t)
        elif not rule.accepts(t):
            eras.append(current)
            current = {}
            rule = current[t.daylight] = _Rule(first=t)
        rule.add(t)
    if current:
        eras.append(current)
    return eras


def _observance(
    rule: _Rule, *, until: datetime | None, open_ended: bool
) -> TimezoneStandard | TimezoneDaylight:
    first = rule.first
    obs = TimezoneDaylight() if first.daylight else TimezoneStandard()
    obs.add("dtstart", first.local)
    obs.add("tzoffsetfrom", first.before)
    obs.add("tzoffsetto", first.after)
    if first.name:
        obs.add("tzname", first.name)
    if len(rule.members) > 1:
        byday = "-1" + first.local.strftime("%a").upper()[:2]
        if byday not in rule.byday:
            byday = sorted(rule.byday)[0]
        recur: dict[str, object] = {"freq": "yearly", "bymonth": first.local.month, "byday": byday}
        if not open_ended and until is not None:
            recur["until"] = until
        obs.add("rrule", recur)
    return obs


def build_vtimezone(tzid: str, first_event: datetime, last_event: datetime) -> Timezone:
    """A VTIMEZONE for ``tzid`` valid for every instant from before ``first_event`` to past ``last_event``.

    The observances start in the year before the first event; where the zone keeps one
    rule all along there is exactly one STANDARD and one DAYLIGHT, each with a yearly RRULE.
    """
    zone = ZoneInfo(tzid)
    start = datetime.combine(date(first_event.astimezone(UTC).year - 1, 1, 1), time(), UTC)
    end = datetime.combine(date(last_event.astimezone(UTC).year + 2, 1, 1), time(), UTC)
    found = transitions(zone, start, end)
    if not found or found[0].at > first_event:
        # Nothing changes before the first event: the offset then holds from the range start.
        offset, daylight, name = _offset(zone, start)
        found.insert(0, Transition(start, offset, offset, daylight, name))
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    eras = _eras(found)
    for index, era in enumerate(eras):
        last_era = index == len(eras) - 1
        for daylight in (False, True):
            rule = era.get(daylight)
            if rule is not None:
                until = rule.members[-1].at
                vtimezone.add_component(_observance(rule, until=until, open_ended=last_era))
    return vtimezone

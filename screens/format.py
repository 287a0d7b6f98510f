"""How screens word things: times on the circle's clock, headcounts, RSVP and check-in marks."""

from __future__ import annotations

import re
from datetime import date, datetime

from rich.text import Text

from circles.days import day_said, weekday_said
from circles.views import Headcount, SessionView
from circles.zones import time_zone
from models.enums import Attended, Rsvp, SessionStatus


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months`` before today's: a period of "the last 3 months"
    starts at months_back(today, 2), this month being the third."""
    month = today.year * 12 + today.month - 1 - months
    return date(month // 12, month % 12 + 1, 1)


def when(session: SessionView, now: datetime, *, zone: bool = False) -> str:
    """'Tue 03 Mar 12:00' on the circle's own clock (people think in their local time); with the
    year when it is not this year ('Tue 05 Jan 2027 12:00'), and with ``zone`` the zone's
    abbreviation ('12:00 CET'), for lists that mix circles on different clocks."""
    local = session.local_start
    text = f"{session_day(session, now)} {local:%H:%M}"
    return f"{text} {zone_abbreviation(local)}" if zone else text


def session_day(session: SessionView, now: datetime) -> str:
    """'Tue 03 Mar', the session's day on the circle's own clock; with the year when it is not
    this year there ('Tue 05 Jan 2027')."""
    return weekday_said(session.local_start, now)


def zone_abbreviation(local: datetime) -> str:
    """'CET', 'AEDT', 'IST'; zones without a common abbreviation say their offset ('UTC-03')."""
    name = local.strftime("%Z")
    return f"UTC{name}" if name[:1] in "+-" else name


def when_long(session: SessionView) -> str:
    return f"{session.local_start:%a %d %b %Y %H:%M} ({session.timezone}), {session.minutes} min"


def day(instant: datetime | None, now: datetime, tz: str = "UTC") -> str:
    """'10 Mar', the day of ``instant`` on the clock of ``tz``; with the year when it is not this year."""
    return "" if instant is None else day_said(instant.astimezone(time_zone(tz)), now)


def headcount_text(
    count: Headcount | None, session: SessionView, now: datetime, *, noes: bool = False
) -> str:
    """'7 yes · 1 maybe · 6 came'. Who came is said from the session's day on: marks recorded
    for a session days ahead (check-in opened on the wrong one) are not people who came.
    ``noes``: those who said no too ('7 yes · 2 no'), where there is room (the session's own
    header: an imported decline showed there only as one yes fewer)."""
    if count is None:
        return ""
    parts = [f"{count.yes} yes"]
    if count.maybe:
        parts.append(f"{count.maybe} maybe")
    if noes and count.no:
        parts.append(f"{count.no} no")
    if count.came and session.days_from(now) <= 0:
        parts.append(f"{count.came} came")
    return " · ".join(parts)


RSVP_TEXT = {Rsvp.YES: "yes", Rsvp.MAYBE: "maybe", Rsvp.NO: "no", Rsvp.NONE: "-"}
MARK_TEXT = {
    None: "·",
    Attended.PRESENT: "✔ present",
    Attended.LATE: "◔ late",
    Attended.EXCUSED: "○ excused",
    Attended.ABSENT: "✘ absent",
}


def name_from_search(typed: str) -> str:
    """The words typed to find someone, as the name of the new person they become (the walk-in
    and New person forms start with it): spaces tidied, capitals added if none were typed, as
    a search is typed in lower case ('grace hopper' -> 'Grace Hopper', "o'neil" -> "O'Neil";
    'ada de la Cruz' stays as typed)."""
    name = " ".join(typed.split())
    if name != name.lower():
        return name
    return re.sub(r"(^|[\s'-])(\w)", lambda m: m.group(1) + m.group(2).upper(), name)


def named(name: str, email: str | None, gap: str = "  ") -> str:
    """'Ana Lima  <ana@example.org>', or the name alone for a guest who gave no address."""
    return f"{name}{gap}<{email}>" if email else name


def safe(*values: object) -> tuple[object, ...]:
    """Cells as plain Text: a DataTable reads a str as markup, and names like '[ops]' must show as typed."""
    return tuple(Text(v) if isinstance(v, str) else v for v in values)


def presenter_label(session: SessionView, from_agenda: dict[int, str]) -> str:
    """The session's presenter if one is set, else whoever the agenda names; nobody for a
    cancelled session (its agenda keeps who was to present, but nobody did)."""
    if session.status is SessionStatus.CANCELLED:
        return ""
    return session.presenter_name or from_agenda.get(session.id, "")

"""One recurring event for a circle: RRULE over the planned slots, EXDATE for cancelled or empty
slots, a RECURRENCE-ID override for each session that differs from the rule, and sessions off the
weekly pattern as events of their own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import gcd
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText

from circles.ics.build import (
    add_alarm,
    add_people,
    add_timezone,
    description,
    new_calendar,
    summary,
)
from circles.ics.build import fill_event as fill_session_event
from circles.ics.model import CircleInvites, Options, SessionInvite
from circles.ics.text import clean_line
from circles.views import CircleView
from circles.zones import time_zone
from models.enums import SessionStatus


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    """Where each session sits in the series, worked out from the slots they were planned in."""

    first: datetime  # DTSTART of the series, on the circle's clock
    interval_weeks: int
    until: datetime | None  # the last slot of the rule, UTC; None when there is no rule
    exdates: tuple[datetime, ...]
    extras: tuple[int, ...]  # ids of sessions off the rule's pattern, exported as events of their own
    slots: dict[int, datetime]  # session id -> its RECURRENCE-ID, on the circle's clock


def _weekly_slots(first: datetime, interval: int, last: datetime, zone: ZoneInfo) -> list[datetime]:
    # Stepped on the wall clock, as an RRULE with a TZID is: 12:00 stays 12:00 across DST.
    naive = first.replace(tzinfo=None)
    found: list[datetime] = []
    while True:
        slot = naive.replace(tzinfo=zone)
        if slot > last:
            return found
        found.append(slot)
        naive += timedelta(weeks=interval)


def plan_series(invites: CircleInvites) -> SeriesPlan:
    """Fit a weekly rule to the slots the sessions were planned in (not where they were moved)."""
    zone = time_zone(invites.circle.timezone)
    planned = sorted(
        ((i.session.planned_starts_at.astimezone(zone), i.session.id) for i in invites.sessions),
        key=lambda p: (p[0], p[1]),
    )
    # The rule follows the most common weekday and time; ties go to the earliest.
    pattern = Counter((w.weekday(), w.time()) for w, _ in planned).most_common(1)[0][0]
    on_pattern = [w for w, _ in planned if (w.weekday(), w.time()) == pattern]
    first = on_pattern[0]
    interval = 0
    for w in on_pattern:
        interval = gcd(interval, (w.date() - first.date()).days // 7)
    interval = interval or 1
    slots: dict[int, datetime] = {}
    extras: list[int] = []
    for when, session_id in planned:
        fits = (when.weekday(), when.time()) == pattern and (when.date() - first.date()).days % (
            7 * interval
        ) == 0
        if fits and when not in slots.values():
            slots[session_id] = when
        else:
            # Off the pattern, or a second session in one slot: its own event, not an RDATE,
            # which libical misplaces (it drops the TZID) and Google Calendar ignores.
            extras.append(session_id)
    grid = _weekly_slots(first, interval, max(slots.values()), zone)
    status = {i.session.id: i.session.status for i in invites.sessions}
    cancelled = {w for sid, w in slots.items() if status[sid] is SessionStatus.CANCELLED}
    used = set(slots.values())
    return SeriesPlan(
        first=first,
        interval_weeks=interval,
        until=grid[-1].astimezone(UTC) if len(grid) > 1 else None,
        exdates=tuple(sorted({g for g in grid if g not in used} | cancelled)),
        extras=tuple(sid for sid in extras if status[sid] is not SessionStatus.CANCELLED),
        slots=slots,
    )


def _rule_description(circle: CircleView) -> str:
    # What a session with no title, agenda or notes shows, so such sessions need no override.
    return f"Join: {clean_line(circle.video_url)}" if circle.video_url else ""


def series_sequence(invites: CircleInvites) -> int:
    """The series' SEQUENCE: rises with every session change, every session added, and by hand."""
    return (
        invites.circle.ics_series_sequence
        + len(invites.sessions)
        + sum(i.session.ics_sequence for i in invites.sessions)
    )


def _master(invites: CircleInvites, plan: SeriesPlan, options: Options, sequence: int) -> Event:
    circle = invites.circle
    zone = time_zone(circle.timezone)
    event = Event()
    event.add("uid", circle.ics_series_uid)
    event.add("sequence", sequence)
    event.add("dtstamp", options.dtstamp.astimezone(UTC))
    event.add("dtstart", plan.first)
    event.add("dtend", plan.first + timedelta(minutes=circle.default_minutes))
    if plan.until is not None:
        recur: dict[str, object] = {"freq": "weekly", "until": plan.until}
        if plan.interval_weeks > 1:
            recur["interval"] = plan.interval_weeks
        event.add("rrule", recur)
    for when in plan.exdates:
        event.add("exdate", when.astimezone(zone))
    name = clean_line(circle.name)
    event.add("summary", name)
    body = _rule_description(circle)
    if body:
        event.add("description", body)
    if circle.location:
        event.add("location", clean_line(circle.location))
    if circle.video_url:
        event.add("url", clean_line(circle.video_url))
    event.add("categories", [vText(circle.kind.label)])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    add_people(event, invites.organizer, invites.series_attendees, options)
    add_alarm(event, name, options)
    return event


def _override(
    invites: CircleInvites, invite: SessionInvite, slot: datetime, options: Options, sequence: int
) -> Event:
    event = Event()
    # RECURRENCE-ID names the slot the session was planned in, so a moved session replaces it.
    event.add("recurrence-id", slot)
    return fill_session_event(
        event, invites, invite, options, uid=invites.circle.ics_series_uid, sequence=sequence
    )


def _differs(invites: CircleInvites, invite: SessionInvite, slot: datetime, options: Options) -> bool:
    """Whether the session shows anything the rule's instance at ``slot`` would not."""
    circle, s = invites.circle, invite.session
    mine = (
        s.starts_at,
        s.minutes,
        summary(circle, invite, options),
        description(invite, options),
        clean_line(s.location),
        clean_line(s.video_url),
    )
    rules = (
        slot,
        circle.default_minutes,
        clean_line(circle.name),
        _rule_description(circle),
        clean_line(circle.location),
        clean_line(circle.video_url),
    )
    if mine != rules:
        return True
    return options.channel.lists_attendees and set(invite.attendees) != set(invites.series_attendees)


def series_calendar(invites: CircleInvites, options: Options) -> Calendar:
    """The circle's sessions as one recurring event whose expansion is exactly the session list."""
    if not invites.sessions:
        raise ValueError("no sessions to export")
    plan = plan_series(invites)
    sequence = series_sequence(invites)
    cal = new_calendar(options, name=invites.circle.name)
    starts = [i.session.starts_at for i in invites.sessions] + [plan.first]
    add_timezone(cal, invites.circle.timezone, starts)
    cal.add_component(_master(invites, plan, options, sequence))
    for invite in invites.sessions:
        s = invite.session
        if s.id in plan.extras:
            own = Event()
            cal.add_component(
                fill_session_event(own, invites, invite, options, uid=s.ics_uid, sequence=s.ics_sequence)
            )
            continue
        if s.status is SessionStatus.CANCELLED or s.id not in plan.slots:
            continue  # its slot is an EXDATE
        slot = plan.slots[s.id]
        if not _differs(invites, invite, slot, options):
            continue  # the rule's own instance already shows it exactly
        cal.add_component(_override(invites, invite, slot, options, sequence))
    return cal

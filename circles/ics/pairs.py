"""A pair's meetings as a calendar: one recurring event from the programme's cadence (or one event
per meeting where no rule can say it), or a round's one suggested meeting; both people invited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vText

from circles.cadence import WEEKDAYS, Cadence
from circles.ics.build import add_alarm, add_timezone, attendee_property, new_calendar, organizer_property
from circles.ics.model import Attendee, Channel, Options, Organizer
from circles.ics.text import clean_line, clean_text
from circles.zones import time_zone

# A day of the month past the 28th is clipped to short months' last day (circles.cadence);
# BYMONTHDAY would skip those months instead, so such cadences become single events.
LAST_SAFE_MONTH_DAY = 28


@dataclass(frozen=True, slots=True)
class PairInvite:
    uid: str
    sequence: int
    summary: str
    description: str
    timezone: str  # the organizer's: the cadence's times are on their clock
    starts: tuple[datetime, ...]  # aware: the rule's first meeting, or every meeting
    minutes: int
    rule: dict[str, object] | None
    organizer: Organizer | None  # None when nobody in the pair has an e-mail address
    attendees: tuple[Attendee, ...]
    category: str
    cancelled: bool = False


def rrule_for(cadence: Cadence, until: datetime | None) -> dict[str, object] | None:
    """The RRULE that expands to exactly the cadence's days, or None if none does."""
    days = [WEEKDAYS[d][:2].upper() for d in cadence.weekdays]
    rule: dict[str, object]
    if cadence.unit == "week":
        rule = {"freq": "weekly", "byday": days}
    elif cadence.ordinal is not None:
        rule = {"freq": "monthly", "byday": [f"{cadence.ordinal}{days[0]}"]}
    elif cadence.day is not None and cadence.day <= LAST_SAFE_MONTH_DAY:
        rule = {"freq": "monthly", "bymonthday": cadence.day}
    else:
        return None
    if cadence.interval > 1:
        rule["interval"] = cadence.interval
    if until is not None:
        rule["until"] = until.astimezone(UTC)
    return rule


def pair_calendar(invite: PairInvite, options: Options) -> Calendar:
    if not invite.starts:
        raise ValueError("no meetings to export")
    cal = new_calendar(options, name=None)
    add_timezone(cal, invite.timezone, list(invite.starts))
    zone = time_zone(invite.timezone)
    many = invite.rule is None and len(invite.starts) > 1
    for n, start in enumerate(invite.starts if invite.rule is None else invite.starts[:1], start=1):
        event = Event()
        event.add("uid", f"{n}-{invite.uid}" if many else invite.uid)
        event.add("sequence", invite.sequence)
        event.add("dtstamp", options.dtstamp.astimezone(UTC))
        event.add("dtstart", start.astimezone(zone))
        event.add("dtend", (start + timedelta(minutes=invite.minutes)).astimezone(zone))
        if invite.rule is not None:
            event.add("rrule", invite.rule)
        summary = clean_line(invite.summary)
        event.add("summary", summary)
        body = clean_text(invite.description)
        if body:
            event.add("description", body)
        event.add("categories", [vText(clean_line(invite.category))])
        cancelled = invite.cancelled or options.channel is Channel.CANCEL
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        if options.channel.lists_attendees:
            if invite.organizer is not None:
                event.add("organizer", organizer_property(invite.organizer))
            for attendee in invite.attendees:
                event.add("attendee", attendee_property(attendee))
        if not cancelled:
            add_alarm(event, summary, options)
        cal.add_component(event)
    return cal

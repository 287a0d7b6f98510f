"""Building calendars with the icalendar library: one VEVENT per session, or one series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from circles.ics.model import PARTSTAT, Attendee, Channel, CircleInvites, Options, Organizer, SessionInvite
from circles.ics.text import clean_line, clean_param, clean_text
from circles.ics.vtimezone import build_vtimezone
from circles.views import CircleView
from circles.zones import time_zone
from models.enums import SessionStatus

PRODID = "-//circles//calendar invites//EN"


def new_calendar(options: Options, *, name: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if options.channel.method:
        cal.add("method", options.channel.method)
    if name:
        # Only files with several events get a calendar name: importers otherwise make a
        # new calendar named after one session.
        cal.add("x-wr-calname", clean_line(name))
    return cal


def add_timezone(cal: Calendar, tzid: str, starts: Sequence[datetime]) -> None:
    cal.add_component(build_vtimezone(tzid, min(starts), max(starts)))


def summary(circle: CircleView, invite: SessionInvite, options: Options) -> str:
    title = clean_line(invite.session.title)
    text = f"{clean_line(circle.name)}: {title}" if title else clean_line(circle.name)
    if options.for_person_id is not None and options.for_person_id in invite.presenter_ids:
        text += " (you present)"
    return text


def description(invite: SessionInvite, options: Options) -> str:
    """The agenda with presenters and minutes, then the notes and the video link."""
    parts: list[str] = []
    if options.for_person_id is not None and options.for_person_id in invite.presenter_ids:
        parts.append("You are presenting at this session.")
    s = invite.session
    if s.status is SessionStatus.CANCELLED:
        parts.append("This session is cancelled.")
    if invite.agenda:
        lines = ["Agenda:"]
        for item in invite.agenda:
            line = f"- {clean_line(item.title)}"
            if item.presenter_name:
                line += f" ({clean_line(item.presenter_name)})"
            if item.minutes:
                line += f", {item.minutes} min"
            lines.append(line)
        parts.append("\n".join(lines))
    elif s.presenter_name:
        parts.append(f"Presenter: {clean_line(s.presenter_name)}")
    notes = clean_text(s.notes)
    if notes:
        parts.append(f"Notes:\n{notes}")
    if s.video_url:
        parts.append(f"Join: {clean_line(s.video_url)}")
    return "\n\n".join(parts)


# An invite lists the same members on every event (30 members, 500 sessions: 15,000 names and
# addresses made safe): each is cleaned once.
@lru_cache(maxsize=4096)
def _address(email: str) -> str:
    return f"mailto:{clean_line(email).replace(' ', '')}"


_name = lru_cache(maxsize=4096)(clean_param)


def organizer_property(organizer: Organizer) -> vCalAddress:
    prop = vCalAddress(_address(organizer.email))
    prop.params["CN"] = _name(organizer.name)
    return prop


def attendee_property(attendee: Attendee) -> vCalAddress:
    prop = vCalAddress(_address(attendee.email))
    prop.params["CUTYPE"] = "INDIVIDUAL"
    prop.params["ROLE"] = attendee.role
    prop.params["PARTSTAT"] = PARTSTAT[attendee.rsvp]
    prop.params["RSVP"] = "TRUE"
    prop.params["CN"] = _name(attendee.name)
    return prop


def add_people(
    event: Event, organizer: Organizer | None, attendees: Sequence[Attendee], options: Options
) -> None:
    """ORGANIZER on every file with a METHOD (RFC 5546 requires it on PUBLISH as on REQUEST and
    CANCEL; a circle without a facilitator has none to give); ATTENDEEs on invites and cancels.

    A file for a CalDAV server (no METHOD) names nobody: an ORGANIZER there would make the
    server send invitations of its own (RFC 6638).
    """
    if options.channel.names_organizer and organizer is not None:
        event.add("organizer", organizer_property(organizer))
    if options.channel.lists_attendees:
        for attendee in attendees:
            event.add("attendee", attendee_property(attendee))


def add_alarm(event: Event, text: str, options: Options) -> None:
    if options.alarm_minutes is None:
        return
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(minutes=-options.alarm_minutes))
    event.add_component(alarm)


def status(invite: SessionInvite, options: Options) -> str:
    if options.channel is Channel.CANCEL or invite.session.status is SessionStatus.CANCELLED:
        return "CANCELLED"
    return "CONFIRMED"


def fill_event(
    event: Event,
    invites: CircleInvites,
    invite: SessionInvite,
    options: Options,
    *,
    uid: str,
    sequence: int,
) -> Event:
    """Everything an attendee sees of one session, on an event whose identity the caller chose."""
    circle, s = invites.circle, invite.session
    zone = time_zone(circle.timezone)
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", options.dtstamp.astimezone(UTC))
    event.add("dtstart", s.starts_at.astimezone(zone))
    event.add("dtend", s.ends_at.astimezone(zone))
    text = summary(circle, invite, options)
    event.add("summary", text)
    body = description(invite, options)
    if body:
        event.add("description", body)
    location = clean_line(s.location)
    if location:
        event.add("location", location)
    if s.video_url:
        event.add("url", clean_line(s.video_url).replace(" ", "%20"))
    event.add("categories", [vText(circle.kind.label)])
    state = status(invite, options)
    event.add("status", state)
    event.add("transp", "OPAQUE")
    add_people(event, invites.organizer, invite.attendees, options)
    if state != "CANCELLED":
        add_alarm(event, text, options)
    return event


def session_calendar(
    invites: CircleInvites, options: Options, *, calendar_name: str | None = None
) -> Calendar:
    """One VEVENT per session, each with its own UID and SEQUENCE (the default export)."""
    if not invites.sessions:
        raise ValueError("no sessions to export")
    cal = new_calendar(options, name=calendar_name)
    add_timezone(cal, invites.circle.timezone, [i.session.starts_at for i in invites.sessions])
    for invite in invites.sessions:
        event = fill_event(
            Event(),
            invites,
            invite,
            options,
            uid=invite.session.ics_uid,
            sequence=invite.session.ics_sequence,
        )
        cal.add_component(event)
    return cal


def to_bytes(cal: Calendar) -> bytes:
    """The file's bytes: UTF-8, CRLF line ends, lines folded at 75 octets (icalendar does both)."""
    ical: bytes = cal.to_ical()
    return ical

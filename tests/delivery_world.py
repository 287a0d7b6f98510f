"""A circle to send invites for, and helpers to read the messages back with the standard library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

import icalendar

from circles import validate
from circles.delivery.settings import SmtpSettings, smtp_from_url
from circles.services import agenda, circle_records, members, people, rotation, sessions
from circles.views import CircleView, SessionView
from models.store import Store

FIRST = date(2026, 3, 10)  # a week after the FixedClock's start


@dataclass
class World:
    circle: CircleView
    ana: int  # the facilitator: she sends, so she gets no copy
    bo: int
    zoe: int
    cy: int  # a guest who presents in the third session
    sessions: list[SessionView]


def make_world(store: Store, *, first: date = FIRST, weeks: int = 4) -> World:
    with store.write() as db:
        ana = people.add_person(db, name="Ana López", email="ana@example.org")
        bo = people.add_person(db, name="Bo Smith", email="bo@example.org")
        zoe = people.add_person(db, name="Zoë Ñandú", email="zoe@example.org")
        cy = people.add_person(db, name="Cy Guest", email="cy@guest.org", is_guest=True)
        c = circle_records.add_circle(
            db,
            name="Rust Lunch",
            kind="lunch-and-learn",
            timezone="Europe/Berlin",
            location="Room 4",
            video_url="https://meet.example.org/rust",
            facilitator_id=ana.id,
        )
        for person in (bo, zoe):
            members.add_member(db, circle_id=c.id, person_id=person.id)
        found = []
        for week in range(weeks):
            day = first + timedelta(weeks=week)
            at = validate.parse_local_time(f"{day.isoformat()} 12:00", "at", "Europe/Berlin")
            found.append(sessions.add_session(db, circle_id=c.id, starts_at=at, title=f"Talk {week + 1}"))
        if weeks >= 3:
            agenda.add_item(db, session_id=found[2].id, title="Guest talk", presenter_id=cy.id, minutes=40)
        # The rotation names each session's presenter now, as the app does when sessions are
        # planned, so a later change is the only thing that changes an invite.
        rotation.refresh(db, c.id)
        found = [sessions.get_session(db, s.id) for s in found]
        return World(circle_records.get_circle(db, c.id), ana.id, bo.id, zoe.id, cy.id, found)


def settings_for(url: str) -> SmtpSettings:
    return smtp_from_url(url)


def calendar_part(message: EmailMessage) -> tuple[bytes, str]:
    """The iTIP part's bytes and its method parameter."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload, str(part.get_param("method"))
    raise AssertionError("no text/calendar part")


def attachment(message: EmailMessage) -> bytes:
    for part in message.iter_attachments():
        if part.get_filename() == "invite.ics":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload
    raise AssertionError("no invite.ics attachment")


def event_of(message: EmailMessage) -> icalendar.Event:
    data, _ = calendar_part(message)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return event


def attendees(event: icalendar.Event) -> list[str]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return [str(a).removeprefix("mailto:") for a in found]

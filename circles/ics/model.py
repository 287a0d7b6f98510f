"""What an export is made of: plain values the builders turn into a calendar (no database here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from circles.views import AgendaItemView, CircleView, SessionView
from models.enums import Rsvp


class Channel(StrEnum):
    """How the file travels; it decides METHOD and whether attendees are listed."""

    PUBLISH = "publish"  # a file anyone imports
    REQUEST = "request"  # an invite to e-mail
    CANCEL = "cancel"  # a cancellation to e-mail
    NONE = "none"  # an upload to a CalDAV server

    @property
    def method(self) -> str | None:
        return None if self is Channel.NONE else self.value.upper()

    @property
    def lists_attendees(self) -> bool:
        return self in (Channel.REQUEST, Channel.CANCEL)

    @property
    def names_organizer(self) -> bool:
        """Every iTIP method (PUBLISH included) wants an ORGANIZER; a CalDAV upload gets none."""
        return self.method is not None

    @property
    def help(self) -> str:
        return _HELP[self]


_HELP = {
    Channel.PUBLISH: "a file anyone can import (no attendee list)",
    Channel.REQUEST: "an invite to e-mail: organizer and attendees with their RSVPs",
    Channel.CANCEL: "a cancellation: the calendars that have the session drop it",
    Channel.NONE: "for uploading to a CalDAV server (no METHOD)",
}

PARTSTAT = {
    Rsvp.YES: "ACCEPTED",
    Rsvp.MAYBE: "TENTATIVE",
    Rsvp.NO: "DECLINED",
    Rsvp.NONE: "NEEDS-ACTION",
}


@dataclass(frozen=True, slots=True)
class Attendee:
    person_id: int
    name: str
    email: str
    rsvp: Rsvp
    # CHAIR for the facilitator, REQ-PARTICIPANT for members and presenters.
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True, slots=True)
class Organizer:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class SessionInvite:
    """One session with what its event shows: the agenda, who is invited, who presents."""

    session: SessionView
    agenda: tuple[AgendaItemView, ...] = ()
    attendees: tuple[Attendee, ...] = ()

    @property
    def presenter_ids(self) -> frozenset[int]:
        ids = {i.presenter_id for i in self.agenda if i.presenter_id is not None}
        if self.session.presenter_id is not None:
            ids.add(self.session.presenter_id)
        return frozenset(ids)


@dataclass(frozen=True, slots=True)
class CircleInvites:
    """A circle and the sessions to export, in time order."""

    circle: CircleView
    sessions: tuple[SessionInvite, ...]
    organizer: Organizer | None = None
    # The series invitation's attendees (members with their answer for the whole series).
    series_attendees: tuple[Attendee, ...] = ()


@dataclass(frozen=True, slots=True)
class Options:
    """How to build: the channel, the stamp time (an injected clock), the alarm, whose copy it is."""

    channel: Channel
    dtstamp: datetime
    alarm_minutes: int | None = 15
    # The person this copy is for: sessions where they present are marked.
    for_person_id: int | None = None

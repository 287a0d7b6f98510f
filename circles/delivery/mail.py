"""One e-mail per invite: a readable text part and the iTIP calendar part (RFC 6047), plus the
same .ics as an attachment. Nothing a person typed can add or change a header."""

from __future__ import annotations

import email.policy
import functools
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from icalendar import Event, Timezone

from circles.delivery.model import Outgoing
from circles.ics.build import description, fill_event, new_calendar, summary, to_bytes
from circles.ics.model import CircleInvites, Options, Organizer
from circles.ics.text import clean_line
from circles.ics.vtimezone import build_vtimezone
from circles.views import CircleView
from models.enums import InviteMethod, SendReason

# SMTP's CRLF line ends, and every part 7-bit (quoted-printable or base64): a server without
# 8BITMIME takes it as it is.
POLICY = email.policy.SMTP.clone(cte_type="7bit")


def header_text(value: str | None) -> str:
    """A name or title fit for a header: one line, no control characters, and no '=?' that a
    reader would decode as an encoded word (which could hold a line break: a forged header)."""
    return clean_line(value).replace("=?", "= ?")


def options(circle: CircleView, out: Outgoing, dtstamp: datetime) -> Options:
    return Options(out.channel, dtstamp, circle.reminder_minutes, for_person_id=out.attendee.person_id)


@functools.lru_cache(maxsize=512)
def _vtimezone(tzid: str, starts_at: datetime) -> Timezone:
    # The same for every person invited to a session: built once per session, not per message
    # (it was two thirds of the time a 600-message send took). Never changed once built.
    return build_vtimezone(tzid, starts_at, starts_at)


def calendar(circle: CircleView, organizer: Organizer, out: Outgoing, dtstamp: datetime) -> bytes:
    """The .ics of one message: METHOD REQUEST or CANCEL, this person the only ATTENDEE. The
    same file ``session_calendar`` writes for one session, with its VTIMEZONE built once."""
    invites = CircleInvites(circle, (out.invite,), organizer)
    opts = options(circle, out, dtstamp)
    s = out.session
    cal = new_calendar(opts, name=None)
    cal.add_component(_vtimezone(circle.timezone, s.starts_at))
    cal.add_component(fill_event(Event(), invites, out.invite, opts, uid=s.ics_uid, sequence=s.ics_sequence))
    return to_bytes(cal)


def _when(out: Outgoing) -> str:
    s = out.session
    start = s.local_start
    end = s.ends_at.astimezone(start.tzinfo)
    return f"{start:%A %d %B %Y}, {start:%H:%M} to {end:%H:%M} ({s.timezone})"


def subject(circle: CircleView, out: Outgoing, dtstamp: datetime) -> str:
    s = out.session
    what = summary(circle, out.invite, options(circle, out, dtstamp))
    when = f"{s.local_start:%a %d %b %Y %H:%M}"
    prefix = {
        SendReason.NEW: "Invitation",
        SendReason.UPDATED: "Updated invitation",
        SendReason.DETAILS: "Updated invitation",
        SendReason.CANCELLED: "Cancelled",
        SendReason.REMOVED: "Cancelled for you",
    }[out.reason]
    return header_text(f"{prefix}: {what}, {when}")


def text_part(circle: CircleView, organizer: Organizer, out: Outgoing, dtstamp: datetime) -> str:
    """What a person reads: the date and time on the circle's clock, the place, the link, the agenda."""
    s = out.session
    lead = {
        SendReason.NEW: "You are invited:",
        SendReason.UPDATED: "This session has changed (time, place or title):",
        SendReason.DETAILS: "The details of this session have changed:",
        SendReason.CANCELLED: "This session is cancelled:",
        SendReason.REMOVED: "You are no longer invited to this session, so it leaves your calendar:",
    }[out.reason]
    opts = options(circle, out, dtstamp)
    lines = [lead, "", summary(circle, out.invite, opts), "", f"When:  {_when(out)}"]
    if s.location:
        lines.append(f"Where: {clean_line(s.location)}")
    body = description(out.invite, opts)
    if body:
        lines += ["", body]
    lines.append("")
    if out.method is InviteMethod.REQUEST:
        lines.append(
            f"Answer with your calendar's Yes, Maybe or No: {clean_line(organizer.name)} sees your answer."
        )
    else:
        lines.append("Your calendar removes it when you open this message.")
    return "\n".join(lines) + "\n"


def wire_address(address: str) -> str:
    """The address as the server and the headers get it: an internationalised domain in its
    ASCII form (xn--...), which every server and mail reader takes. A name before the @ that is
    not ASCII has no such form: that message needs a server that offers SMTPUTF8."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _header_address(name: str | None, address: str) -> Address:
    # Built from its parts: Address(addr_spec=...) raises NonASCIILocalPartDefect for a name
    # before the @ like 'zoë', which stopped a whole send halfway with a traceback.
    local, _, domain = wire_address(address).rpartition("@")
    return Address(display_name=header_text(name) if name else "", username=local, domain=domain)


def message_bytes(message: EmailMessage, recipient: str) -> bytes:
    """The bytes the server is handed: headers in UTF-8 (RFC 6532) when the address has no ASCII
    form, as smtplib writes them for a server with SMTPUTF8; else all 7-bit."""
    if not wire_address(recipient).isascii():
        return message.as_bytes(policy=POLICY.clone(utf8=True))
    return message.as_bytes()


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2]
    # A Message-ID must be ASCII; an internationalised domain gets a neutral one.
    return domain if domain.isascii() and domain else "circles.invalid"


def build_message(
    circle: CircleView,
    organizer: Organizer,
    out: Outgoing,
    *,
    dtstamp: datetime,
    sender: str | None = None,
) -> EmailMessage:
    """The whole message: From and ORGANIZER the facilitator, To and ATTENDEE the person."""
    ics = calendar(circle, organizer, out, dtstamp)
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _header_address(organizer.name, organizer.email)
    if sender and sender.lower() != organizer.email.lower():
        msg["Sender"] = _header_address(None, sender)
    msg["To"] = _header_address(out.attendee.name, out.attendee.email)
    msg["Subject"] = subject(circle, out, dtstamp)
    msg["Date"] = format_datetime(dtstamp.astimezone(UTC))
    msg["Message-ID"] = make_msgid("circles", domain=_domain(organizer.email))
    msg.set_content(text_part(circle, organizer, out, dtstamp))
    msg.add_alternative(
        ics.decode("utf-8"), subtype="calendar", charset="UTF-8", params={"method": out.method.value}
    )
    # The same file as an attachment, for mail readers that show no calendar part (Google's
    # own invites carry one too, as application/ics, so it is not taken for a second invite).
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg

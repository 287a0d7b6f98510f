"""RSVP replies as two different calendar programs would write them (icalendar and vobject), and
the e-mails, mboxes and Maildirs they arrive in."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import icalendar
import vobject

STAMP = datetime(2026, 3, 4, 8, 30, tzinfo=UTC)


def reply_icalendar(
    uid: str,
    attendees: list[tuple[str, str]],
    *,
    sequence: int = 0,
    stamp: datetime = STAMP,
    recurrence_id: datetime | None = None,
    organizer: str = "ana@example.org",
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//icalendar reply//EN")
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id)
    event.add("organizer", icalendar.vCalAddress(f"mailto:{organizer}"))
    for address, partstat in attendees:
        who = icalendar.vCalAddress(f"mailto:{address}")
        who.params["PARTSTAT"] = partstat
        event.add("attendee", who)
    cal.add_component(event)
    return cal.to_ical()


def reply_vobject(
    uid: str, address: str, partstat: str, *, sequence: int = 0, stamp: datetime = STAMP
) -> bytes:
    cal = vobject.iCalendar()
    cal.add("method").value = "REPLY"
    event = cal.add("vevent")
    event.add("uid").value = uid
    event.add("sequence").value = str(sequence)
    event.add("dtstamp").value = stamp.astimezone(vobject.icalendar.utc)  # vobject wants its own UTC
    event.add("organizer").value = "mailto:ana@example.org"
    attendee = event.add("attendee")
    attendee.value = f"MAILTO:{address.upper()}"  # some programs shout
    attendee.params["PARTSTAT"] = [partstat]
    return cal.serialize().encode("utf-8")


def as_email(ics: bytes, *, sender: str = "bo@example.org", subject: str = "Accepted: Rust Lunch") -> bytes:
    """A reply as Thunderbird or Google send it: a text part and the REPLY as text/calendar."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = "ana@example.org"
    msg["Subject"] = subject
    msg.set_content("Bo has accepted this invitation.\n")
    msg.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": "REPLY"})
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg.as_bytes()


def plain_email(n: int) -> bytes:
    return (
        f"From: someone{n}@example.org\r\nTo: ana@example.org\r\nSubject: note {n}\r\n"
        f"Message-ID: <{n}@example.org>\r\n\r\nNothing to see here, number {n}.\r\n"
    ).encode()


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    """An mbox as mail programs write it (From_ lines, '>From ' quoting), in one go."""
    with path.open("wb") as out:
        for data in messages:
            out.write(b"From MAILER-DAEMON Thu Mar  5 10:00:00 2026\n")
            for line in data.replace(b"\r\n", b"\n").split(b"\n"):
                out.write((b">" + line if line.startswith(b"From ") else line) + b"\n")
            out.write(b"\n")
    return path


def write_maildir(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for data in messages:
        box.add(data)
    box.close()
    return path

"""Reading RSVP replies (iTIP METHOD:REPLY) out of what a mail program saves: .eml files, an mbox,
a Maildir folder, or bare .ics files. Only reading: what they change is circles/services/replies."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import mailbox
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from urllib.parse import unquote

import icalendar

from circles import validate

# Only messages that may hold a calendar are parsed: an mbox of 10,000 messages with one reply
# is read at the speed of a byte search, not of 10,000 MIME parses.
_MAY_HOLD_CALENDAR = re.compile(rb"text/calendar|application/ics|BEGIN:VCALENDAR|\.ics\b", re.IGNORECASE)
_CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}


@dataclass(frozen=True, slots=True)
class Reply:
    """One VEVENT of a REPLY: who answered what, for which event and version of it."""

    source: str  # where it was found, for messages: 'inbox.mbox, message 1234'
    uid: str
    recurrence_id: datetime | None
    sequence: int
    stamp: datetime | None
    attendees: tuple[tuple[str, str], ...]  # (address, PARTSTAT) of each ATTENDEE

    @property
    def address(self) -> str | None:
        return self.attendees[0][0] if len(self.attendees) == 1 else None

    @property
    def partstat(self) -> str | None:
        return self.attendees[0][1] if len(self.attendees) == 1 else None


@dataclass(frozen=True, slots=True)
class Unreadable:
    source: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


@dataclass(slots=True)
class Scan:
    """What reading the paths found."""

    replies: list[Reply] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    messages: int = 0  # e-mails and calendar files looked at
    not_replies: int = 0  # calendars with another METHOD (an invite someone forwarded, ...)
    empty_files: list[str] = field(default_factory=list)  # files named one by one that held no reply


def scan(paths: Iterable[Path]) -> Scan:
    found = Scan()
    for path in paths:
        before = len(found.replies) + len(found.unreadable)
        for item in _read_path(path, found):
            if isinstance(item, Reply):
                found.replies.append(item)
            else:
                found.unreadable.append(item)
        if path.is_file() and len(found.replies) + len(found.unreadable) == before:
            found.empty_files.append(str(path))
    return found


def _read_path(path: Path, found: Scan) -> Iterator[Reply | Unreadable]:
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            yield from _maildir(path, found)
            return
        for child in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
            yield from _file(child, found, named=False)
        return
    yield from _file(path, found, named=True)


def _file(path: Path, found: Scan, *, named: bool) -> Iterator[Reply | Unreadable]:
    """One file: an mbox, an e-mail message or a calendar. ``named``: given by itself, not
    found in a folder (where other files, a saved attachment say, are passed over in silence)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        yield Unreadable(str(path), f"cannot be read: {exc.strerror or exc}")
        return
    if head.startswith(b"From "):
        yield from _mbox(path, found)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Unreadable(str(path), f"cannot be read: {exc.strerror or exc}")
        return
    found.messages += 1
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # A calendar saved as UTF-16 (Windows programs offer it): its letters are read as they are.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            yield Unreadable(str(path), f"is not text in UTF-16, though it begins as such: byte {exc.start}")
            return
    elif named and b"\x00" in head:
        # No e-mail message, mbox or calendar holds a NUL byte: a PDF, a spreadsheet or an image
        # given by mistake said "no RSVP reply in it", as if it had been read, and exited 0.
        yield Unreadable(
            str(path), "is not an e-mail message, an mbox or a calendar file: it holds binary data"
        )
        return
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        yield from _calendar(data, str(path), found)
    else:
        yield from _message(data, str(path), found)


def _mbox(path: Path, found: Scan) -> Iterator[Reply | Unreadable]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            found.messages += 1
            yield from _message(box.get_bytes(key), f"{path}, message {n}", found)
    except (OSError, mailbox.Error) as exc:
        yield Unreadable(str(path), f"cannot be read as an mbox: {exc}")
    finally:
        box.close()


def _maildir(path: Path, found: Scan) -> Iterator[Reply | Unreadable]:
    box = mailbox.Maildir(path, factory=None, create=False)
    try:
        for key in sorted(box.iterkeys()):
            found.messages += 1
            yield from _message(box.get_bytes(key), f"{path}, message {key}", found)
    except (OSError, mailbox.Error) as exc:
        yield Unreadable(str(path), f"cannot be read as a Maildir: {exc}")


def _message(data: bytes, source: str, found: Scan) -> Iterator[Reply | Unreadable]:
    if not _MAY_HOLD_CALENDAR.search(data):
        return
    try:
        message = message_from_bytes(data, policy=policy.default)
    except Exception as exc:  # the parser is lenient; what it still refuses is one line
        yield Unreadable(source, f"is not an e-mail message: {_first(exc)}")
        return
    seen: set[bytes] = set()
    taken: set[tuple[object, ...]] = set()
    for part in message.walk():
        if not _is_calendar(part):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception as exc:
            yield Unreadable(source, f"a calendar part cannot be decoded: {_first(exc)}")
            continue
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        digest = hashlib.sha256(payload).digest()
        if digest in seen:
            continue
        seen.add(digest)
        for item in _calendar(payload, source, found, charset=part.get_content_charset() or "utf-8"):
            # The same reply as a calendar part and as an attachment (Google sends both) is one.
            key = (
                (item.uid, item.recurrence_id, item.sequence, item.stamp, item.attendees)
                if isinstance(item, Reply)
                else (item.problem,)
            )
            if key not in taken:
                taken.add(key)
                yield item


def _is_calendar(part: Message) -> bool:
    if part.is_multipart():
        return False
    if part.get_content_type() in _CALENDAR_TYPES:
        return True
    name = part.get_filename() or ""
    return name.lower().endswith(".ics")


def _calendar(
    data: bytes, source: str, found: Scan, *, charset: str = "utf-8"
) -> Iterator[Reply | Unreadable]:
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Unreadable(source, f"the calendar is not text in {charset}: byte {exc.start}")
            return
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # icalendar raises ValueError and a few others on broken files
        yield Unreadable(source, f"the calendar cannot be read: {_first(exc)}")
        return
    if not calendars:
        yield Unreadable(
            source, "the calendar is cut short: it has no complete BEGIN:VCALENDAR ... END:VCALENDAR"
        )
        return
    for cal in calendars:
        method = str(cal.get("METHOD", "")).upper()
        if method != "REPLY":
            found.not_replies += 1
            continue
        events = [c for c in cal.walk() if c.name in ("VEVENT", "VTODO")]
        if not events:
            yield Unreadable(source, "a REPLY with no event in it")
        for event in events:
            yield _reply(event, source)


def _reply(event: icalendar.cal.Component, source: str) -> Reply | Unreadable:
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return Unreadable(source, "a REPLY without a UID")
    raw = event.get("ATTENDEE", [])
    found = raw if isinstance(raw, list) else [raw]
    attendees = tuple(
        (_address(str(a)), str(a.params.get("PARTSTAT", "NEEDS-ACTION")).upper()) for a in found
    )
    try:
        sequence = int(event.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return Unreadable(source, f"SEQUENCE is not a number (got {str(event.get('SEQUENCE'))[:20]!r})")
    return Reply(
        source=source,
        uid=uid,
        recurrence_id=_instant(event, "RECURRENCE-ID"),
        sequence=sequence,
        stamp=_instant(event, "DTSTAMP"),
        attendees=attendees,
    )


def _address(value: str) -> str:
    """The answering address as the store keeps addresses (validate.email_key), whichever way
    the calendar wrote it: percent-encoded as a mailto URI may be (RFC 6068), with the domain in
    the ASCII form (xn--) the invite was sent to (circles/delivery/mail.wire_address), or with
    letters decomposed (NFD). Each of these was 'not someone circles knows'."""
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = unquote(value[7:])
    local, at, domain = value.strip().rpartition("@")
    if at and "xn--" in domain.lower():
        # Not a valid ASCII form: kept as written, and reported as not known.
        with contextlib.suppress(UnicodeError):
            domain = domain.lower().encode("ascii").decode("idna")
    return validate.email_key(f"{local}{at}{domain}")


def _instant(event: icalendar.cal.Component, name: str) -> datetime | None:
    prop = event.get(name)
    if prop is None:
        return None
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__

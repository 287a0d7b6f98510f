"""The e-mails themselves, parsed back with the standard library: their shape (RFC 6047), the
calendar part read by the independent consumers the invite tests use (libical's iTIP check
included), and headers no name or title can forge."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from circles.delivery.mail import build_message
from circles.delivery.model import Outgoing
from circles.ics.model import Attendee, Organizer, SessionInvite
from circles.views import AgendaItemView
from models.enums import InviteMethod, Rsvp, SendReason, SessionStatus
from tests.delivery_world import attachment, attendees, calendar_part, event_of
from tests.test_ics_consumers import CONSUMERS, circle_view, consumer, libical_itip_problems, session_view

STAMP = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
WHEN = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # 12:00 in Berlin, the week daylight saving began
ANA = Organizer("Ana López", "ana@example.org")


def _outgoing(
    *,
    name: str = "Zoë Ñandú",
    email: str = "zoe@example.org",
    title: str = "Ownership",
    method: InviteMethod = InviteMethod.REQUEST,
    reason: SendReason = SendReason.NEW,
    status: SessionStatus = SessionStatus.SCHEDULED,
    sequence: int = 0,
) -> tuple[Outgoing, object]:
    circle = circle_view(facilitator_id=1, facilitator_name=ANA.name, facilitator_email=ANA.email)
    session = session_view(circle, 7, WHEN, title=title, status=status, ics_sequence=sequence)
    item = AgendaItemView(1, 7, 1, "Borrowing", 2, "Bo Smith", "bo@example.org", 30, True, 1)
    who = Attendee(3, name, email, Rsvp.NONE)
    invite = SessionInvite(session, (item,), (who,))
    return Outgoing(invite, who, method, reason, "f" * 64, number=1), circle


def _message(**kwargs: object) -> EmailMessage:
    out, circle = _outgoing(**kwargs)  # type: ignore[arg-type]
    built = build_message(circle, ANA, out, dtstamp=STAMP)  # type: ignore[arg-type]
    parsed = message_from_bytes(built.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_shape_of_an_invite() -> None:
    message = _message()
    assert message.get_content_type() == "multipart/mixed"
    alternative, ics_file = message.get_payload()  # type: ignore[misc]
    assert alternative.get_content_type() == "multipart/alternative"
    text, cal = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert cal.get_content_type() == "text/calendar"
    assert cal.get_param("method") == "REQUEST" and cal.get_content_charset() == "utf-8"
    assert str(cal["Content-Type"]).count('charset="UTF-8"') == 1
    assert ics_file.get_content_type() == "application/ics" and ics_file.get_filename() == "invite.ics"
    assert attachment(message) == calendar_part(message)[0]  # the same file, byte for byte
    event = event_of(message)
    assert attendees(event) == ["zoe@example.org"]
    assert event["ATTENDEE"].params["RSVP"] == "TRUE" and event["ATTENDEE"].params["CN"] == "Zoë Ñandú"
    assert str(event["ORGANIZER"]) == "mailto:ana@example.org"
    assert message["From"].addresses[0].addr_spec == "ana@example.org"
    assert message["To"].addresses[0].display_name == "Zoë Ñandú"
    assert message["Subject"] == "Invitation: Rust Lunch: Ownership, Tue 31 Mar 2026 12:00"
    # Every part is 7-bit: a server without 8BITMIME takes the message as it is.
    assert all(b < 128 for b in message.as_bytes())


def test_the_text_part_reads_on_the_circles_clock() -> None:
    body = _message().get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "When:  Tuesday 31 March 2026, 12:00 to 13:00 (Europe/Berlin)" in text
    assert "Where: Room 4" in text
    assert "- Borrowing (Bo Smith), 30 min" in text
    assert "Join: https://meet.example.org/rust" in text


@pytest.mark.parametrize(
    ("method", "reason", "status"),
    [
        (InviteMethod.REQUEST, SendReason.NEW, SessionStatus.SCHEDULED),
        (InviteMethod.REQUEST, SendReason.UPDATED, SessionStatus.SCHEDULED),
        (InviteMethod.CANCEL, SendReason.CANCELLED, SessionStatus.CANCELLED),
        (InviteMethod.CANCEL, SendReason.REMOVED, SessionStatus.SCHEDULED),
    ],
)
def test_libicals_itip_check_passes_every_method(
    method: InviteMethod, reason: SendReason, status: SessionStatus, tmp_path: Path
) -> None:
    message = _message(method=method, reason=reason, status=status, sequence=2)
    data, said = calendar_part(message)
    assert said == method.value
    assert libical_itip_problems(data, tmp_path) == []


@pytest.mark.parametrize("name", list(CONSUMERS))
@pytest.mark.parametrize("method", list(InviteMethod))
def test_every_consumer_reads_the_calendar_part(name: str, method: InviteMethod, tmp_path: Path) -> None:
    read = consumer(name)
    cancel = method is InviteMethod.CANCEL
    message = _message(
        method=method,
        reason=SendReason.CANCELLED if cancel else SendReason.NEW,
        status=SessionStatus.CANCELLED if cancel else SessionStatus.SCHEDULED,
        sequence=1,
    )
    data, _ = calendar_part(message)
    (occurrence,) = read(data, tmp_path)
    assert occurrence.start == WHEN and occurrence.uid == event_of(message)["UID"]
    if occurrence.status is not None:
        assert occurrence.status == ("CANCELLED" if cancel else "CONFIRMED")


HOSTILE = [
    "Eve\r\nBcc: spy@evil.org",
    "Eve\nX-Injected: yes",
    "=?utf-8?q?Mallory=0D=0ABcc:_spy@evil.org?=",
    "=?utf-8?b?RXZlDQpCY2M6IHNweUBldmlsLm9yZw==?=",
    '"Boss" <boss@corp.example>',
    "Zoë\u2028Bcc: spy@evil.org",
    "Ünïcødé 名前 \U0001f600",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_name_or_title_forges_a_header(hostile: str) -> None:
    message = _message(name=hostile, title=hostile)
    assert set(message.keys()) == {
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
    }
    assert message["Bcc"] is None and message["X-Injected"] is None
    lines = message.as_bytes().split(b"\n\n", 1)[0].splitlines()
    assert not [line for line in lines if line.lower().startswith((b"bcc", b"x-injected"))]
    (to,) = message["To"].addresses
    assert to.addr_spec == "zoe@example.org"
    assert "\n" not in to.display_name and "\r" not in to.display_name
    assert "\n" not in str(message["Subject"]) and "Bcc" not in message["Subject"].split(":")[0]
    assert message["From"].addresses[0].addr_spec == "ana@example.org"
    # And the calendar part still reads (no forged property either).
    event = event_of(message)
    assert attendees(event) == ["zoe@example.org"]


def test_a_non_ascii_name_is_encoded_and_comes_back_whole() -> None:
    message = _message(name="Zoë Ñandú 名前")
    raw_headers = message.as_bytes().split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()
    assert message["To"].addresses[0].display_name == "Zoë Ñandú 名前"
    assert message["From"].addresses[0].display_name == "Ana López"


def test_the_calendar_part_is_the_file_an_export_of_the_session_writes() -> None:
    """The message builds its calendar with the VTIMEZONE kept per session (a 600-message send
    spent two thirds of its time rebuilding it): the bytes are those session_calendar writes."""
    from circles.delivery.mail import calendar, options
    from circles.ics.build import session_calendar, to_bytes
    from circles.ics.model import CircleInvites

    out, circle = _outgoing()
    expected = to_bytes(
        session_calendar(CircleInvites(circle, (out.invite,), ANA), options(circle, out, STAMP))
    )  # type: ignore[arg-type]
    assert calendar(circle, ANA, out, STAMP) == expected  # type: ignore[arg-type]
    assert calendar(circle, ANA, out, STAMP) == expected  # type: ignore[arg-type]  (from the cache)

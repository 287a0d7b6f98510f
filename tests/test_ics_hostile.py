"""Hostile titles and notes: every consumer reads them back as text, and nothing they hold
becomes a property, a parameter or a second event."""

from __future__ import annotations

import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from circles.ics.build import session_calendar, to_bytes
from circles.ics.model import Attendee, Channel, CircleInvites, Options, Organizer, SessionInvite
from circles.ics.text import CONTROLS, clean_line, clean_param, clean_text
from circles.views import AgendaItemView
from models.enums import Rsvp
from tests.test_ics_consumers import CONSUMERS, STAMP, circle_view, consumer, session_view

FORGED_TITLE = (
    'Evil\r\nATTENDEE:mailto:evil@x.org\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged, "q"; x\\y'
    " \x00\x01\x1b[31m\x7f\u2028tail"
)
EMOJI = "🦀" * 2600  # 10.4 kB of four-octet characters
FORGED_NOTES = (
    "line one\r\nDTSTART:19700101T000000Z\nsemi;colon, comma\\back\\slash\\n not a newline"
    "\x00\x08\x0b\x0c\ud800" + EMOJI
)
FORGED_NAME = 'Mallory"; ROLE=CHAIR;X-EVIL=1:mailto:evil@x.org\r\nORGANIZER:mailto:evil@x.org'


def test_clean_line_drops_controls_and_line_breaks() -> None:
    assert clean_line("a\r\nb\x00c\td\u2028e\x7f") == "a bc d e"


def test_clean_text_keeps_newlines_and_tabs_only() -> None:
    assert clean_text("a\r\nb\rc\x00d\te\x1b") == "a\nb\ncd\te"


def test_the_controls_dropped_are_every_character_of_categories_cc_and_cs() -> None:
    """The pattern is written as ranges for speed: it must name what the categories name."""
    every = (chr(c) for c in range(sys.maxunicode + 1))
    wanted = {c for c in every if unicodedata.category(c) in ("Cc", "Cs")}
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if CONTROLS.fullmatch(c)} == wanted
    assert clean_line("".join(sorted(wanted)) + "kept") == "kept"


def test_clean_param_removes_the_double_quote() -> None:
    assert '"' not in clean_param(FORGED_NAME)


def _hostile(channel: Channel) -> tuple[bytes, str]:
    circle = circle_view(
        "Europe/Berlin", facilitator_id=1, facilitator_name="Ana", facilitator_email="ana@x.org"
    )
    s = session_view(
        circle,
        1,
        datetime(2026, 4, 7, 10, 0, tzinfo=UTC),
        title=FORGED_TITLE,
        notes=FORGED_NOTES,
        location="Room 4\r\nLOCATION:forged;here",
        video_url="https://meet.example.org/x\r\nX-EVIL:1",
    )
    agenda = (AgendaItemView(1, 1, 1, "Talk,; \\ \r\nX-EVIL:2", 9, FORGED_NAME, "m@x.org", 30, True, 1),)
    people = (Attendee(9, FORGED_NAME, "m@x.org", Rsvp.YES),)
    invites = CircleInvites(circle, (SessionInvite(s, agenda, people),), Organizer(FORGED_NAME, "ana@x.org"))
    return to_bytes(session_calendar(invites, Options(channel, STAMP))), s.ics_uid


@pytest.mark.parametrize("channel", [Channel.PUBLISH, Channel.REQUEST])
def test_nothing_is_forged_in_the_raw_file(channel: Channel) -> None:
    data, _ = _hostile(channel)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert not [line for line in lines if b"\r" in line or b"\n" in line]
    assert b"\x00" not in data and b"\x1b" not in data and b"\x7f" not in data
    assert data.count(b"BEGIN:VEVENT") == 1
    assert not [ln for ln in lines if ln.startswith((b"X-EVIL", b"DTSTART:1970", b"END:VEVENT\\"))]
    attendees = [ln for ln in lines if ln.startswith(b"ATTENDEE")]
    organizers = [ln for ln in lines if ln.startswith(b"ORGANIZER")]
    assert len(organizers) == 1  # the facilitator's, whatever their name holds
    assert len(attendees) == (0 if channel is Channel.PUBLISH else 1)


def test_icalendar_reads_back_exactly_the_cleaned_text() -> None:
    data, uid = _hostile(Channel.REQUEST)
    (ev,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert ev["UID"] == uid
    assert str(ev["SUMMARY"]) == f"Rust Lunch: {clean_line(FORGED_TITLE)}"
    body = str(ev["DESCRIPTION"])
    assert EMOJI in body
    assert "semi;colon, comma\\back\\slash\\n not a newline" in body
    assert "line one\nDTSTART:19700101T000000Z\n" in body
    assert str(ev["LOCATION"]) == "Room 4 LOCATION:forged;here"
    assert str(ev["URL"]) == "https://meet.example.org/x%20X-EVIL:1"
    assert "X-EVIL" not in ev and "X-EVIL" not in ev["ATTENDEE"].params
    assert ev["ATTENDEE"].params["CN"] == clean_param(FORGED_NAME)
    assert ev["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"
    assert str(ev["ATTENDEE"]) == "mailto:m@x.org"
    assert str(ev["ORGANIZER"]) == "mailto:ana@x.org"


@pytest.mark.parametrize("name", list(CONSUMERS))
def test_every_consumer_reads_one_event_with_the_text_intact(name: str, tmp_path: Path) -> None:
    read = consumer(name)
    data, uid = _hostile(Channel.PUBLISH)
    (occ,) = read(data, tmp_path)
    assert occ.uid == uid
    assert occ.summary == f"Rust Lunch: {clean_line(FORGED_TITLE)}"
    assert occ.start == datetime(2026, 4, 7, 10, 0, tzinfo=UTC)


@settings(max_examples=150, deadline=None)
@given(title=st.text(max_size=300), notes=st.text(max_size=600), place=st.text(max_size=80))
def test_any_text_round_trips_and_forges_nothing(title: str, notes: str, place: str) -> None:
    circle = circle_view("Europe/Berlin")
    s = session_view(
        circle, 1, datetime(2026, 4, 7, 10, 0, tzinfo=UTC), title=title, notes=notes, location=place
    )
    data = to_bytes(
        session_calendar(CircleInvites(circle, (SessionInvite(s),)), Options(Channel.PUBLISH, STAMP))
    )
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    names = {line.split(b":")[0].split(b";")[0] for line in lines if not line.startswith(b" ")}
    assert names <= ALLOWED
    (ev,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    expected_title = f"Rust Lunch: {clean_line(title)}" if clean_line(title) else "Rust Lunch"
    assert str(ev["SUMMARY"]) == expected_title
    assert clean_text(notes) in str(ev.get("DESCRIPTION", ""))
    assert str(ev.get("LOCATION", "")) == clean_line(place)
    (parsed,) = vobject.readOne(data.decode("utf-8")).vevent_list
    assert parsed.summary.value == expected_title


# Every property name our publish files may hold; anything else would be forged by user text.
ALLOWED = {
    name.encode()
    for line in (
        "BEGIN END VERSION PRODID CALSCALE METHOD X-WR-CALNAME",
        "TZID DTSTART RRULE TZNAME TZOFFSETFROM TZOFFSETTO",
        "SUMMARY DTEND DTSTAMP UID SEQUENCE CATEGORIES DESCRIPTION LOCATION STATUS TRANSP URL",
        "ACTION TRIGGER",
    )
    for name in line.split(" ")
}

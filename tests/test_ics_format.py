"""The shape of our .ics files: time zones written as Outlook writes them, channels, content, folding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from circles.ics.build import session_calendar, to_bytes
from circles.ics.model import Attendee, Channel, CircleInvites, Options, Organizer, SessionInvite
from circles.ics.vtimezone import build_vtimezone
from circles.views import AgendaItemView
from models.enums import Rsvp, SessionStatus
from tests.test_ics_consumers import (
    STAMP,
    circle_view,
    invites_for,
    publish,
    session_view,
    weekly,
)


def _parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def _events(data: bytes) -> list[icalendar.Event]:
    return list(_parse(data).walk("VEVENT"))


def _berlin_week(count: int = 3) -> CircleInvites:
    circle = circle_view("Europe/Berlin")
    local = weekly("Europe/Berlin", datetime(2026, 3, 17, 12, 0), count)
    return invites_for(circle, [session_view(circle, n, s) for n, s in enumerate(local, 1)])


# --- time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/London"])
def test_a_zone_with_daylight_saving_gets_one_standard_and_one_daylight_with_yearly_rules(tz: str) -> None:
    first = datetime(2026, 5, 5, 10, 0, tzinfo=UTC)
    vtz = icalendar.Timezone.from_ical(build_vtimezone(tz, first, first + timedelta(days=400)).to_ical())
    kinds = [c.name for c in vtz.subcomponents]
    assert sorted(kinds) == ["DAYLIGHT", "STANDARD"]
    for obs in vtz.subcomponents:
        rule = obs["RRULE"]
        assert rule["FREQ"] == ["YEARLY"] and "UNTIL" not in rule
        assert "RDATE" not in obs
        onset = obs["DTSTART"].dt
        assert onset.tzinfo is None and onset < first.replace(tzinfo=None), (
            "observances start before the event"
        )


def test_the_new_york_rules_are_the_ones_outlook_writes() -> None:
    first = datetime(2026, 1, 10, tzinfo=UTC)
    vtz = icalendar.Timezone.from_ical(build_vtimezone("America/New_York", first, first).to_ical())
    rules = {obs.name: obs["RRULE"].to_ical().decode() for obs in vtz.subcomponents}
    assert rules == {
        "DAYLIGHT": "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "STANDARD": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
    }


@pytest.mark.parametrize(
    "tz",
    [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",  # half-hour daylight saving
        "Europe/Dublin",  # negative DST in tzdata
        "America/Santiago",
        "Africa/Casablanca",  # Ramadan changes: no yearly rule fits
        "Asia/Tehran",
        "Asia/Kolkata",
        "Pacific/Chatham",
    ],
)
def test_the_written_zone_gives_zoneinfo_offsets_at_every_hour(tz: str) -> None:
    """vobject builds a tzinfo from our VTIMEZONE alone; it must agree with zoneinfo all along."""
    first = datetime(2026, 1, 1, tzinfo=UTC)
    last = datetime(2027, 12, 31, tzinfo=UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    cal.add_component(build_vtimezone(tz, first, last))
    parsed = vobject.readOne(cal.to_ical().decode())
    written = parsed.vtimezone.gettzinfo()
    zone = ZoneInfo(tz)
    t = first
    while t < last:
        assert t.astimezone(written).utcoffset() == t.astimezone(zone).utcoffset(), t
        t += timedelta(hours=1)


def test_every_time_carries_the_circles_tzid_and_until_is_utc() -> None:
    invites = _berlin_week(4)
    for data in (publish(invites), publish(invites, recurring=True)):
        text = data.decode()
        for line in text.split("\r\n"):
            if line.startswith(("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE")) and ":" in line:
                name = line.split(":")[0]
                if "TZID" not in name:
                    # Observance onsets in a VTIMEZONE are local by definition; nothing else may float.
                    assert line.startswith("DTSTART:") and _in_vtimezone(text, line), line
                else:
                    assert name.endswith("TZID=Europe/Berlin"), line
        assert "TZID:Europe/Berlin" in text
        for rule in [ln for ln in text.split("\r\n") if ln.startswith("RRULE:") and "UNTIL=" in ln]:
            assert rule.split("UNTIL=")[1].split(";")[0].endswith("Z"), rule


def _in_vtimezone(text: str, line: str) -> bool:
    before = text[: text.index(line)]
    return before.rfind("BEGIN:VTIMEZONE") > before.rfind("END:VTIMEZONE")


# --- one file, many events ------------------------------------------------------------------


def test_a_single_session_file_has_no_calendar_name_and_a_circle_file_does() -> None:
    invites = _berlin_week(2)
    single = CircleInvites(invites.circle, invites.sessions[:1])
    one = to_bytes(session_calendar(single, Options(Channel.PUBLISH, STAMP)))
    assert "X-WR-CALNAME" not in _parse(one)
    assert str(_parse(publish(invites))["X-WR-CALNAME"]) == "Rust Lunch"


def test_content_summary_description_location_url_categories_alarm() -> None:
    circle = circle_view("Europe/Berlin")
    s = session_view(
        circle,
        7,
        datetime(2026, 4, 7, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        title="Ownership",
        notes="Bring a laptop.\nSlides: https://example.org/slides",
        presenter_id=42,
        presenter_name="Ana López",
    )
    agenda = (
        AgendaItemView(1, 7, 1, "Welcome", None, None, None, 5, False, 1),
        AgendaItemView(2, 7, 2, "Borrowing", 42, "Ana López", "ana@example.org", 30, True, 1),
    )
    data = to_bytes(
        session_calendar(CircleInvites(circle, (SessionInvite(s, agenda),)), Options(Channel.PUBLISH, STAMP))
    )
    (ev,) = _events(data)
    assert str(ev["SUMMARY"]) == "Rust Lunch: Ownership"
    body = str(ev["DESCRIPTION"])
    assert "- Welcome, 5 min" in body
    assert "- Borrowing (Ana López), 30 min" in body
    assert "Bring a laptop.\nSlides: https://example.org/slides" in body
    assert str(ev["LOCATION"]) == "Room 4"
    assert str(ev["URL"]) == "https://meet.example.org/rust"
    assert ev["CATEGORIES"].cats == ["lunch and learn"]
    (alarm,) = ev.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm["TRIGGER"].dt == timedelta(minutes=-15)
    assert ev["DTSTAMP"].dt == STAMP
    assert ev["DTSTART"].dt == datetime(2026, 4, 7, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert ev["UID"] == s.ics_uid and ev["SEQUENCE"] == 0


@pytest.mark.parametrize(
    ("minutes", "trigger"), [(30, timedelta(minutes=-30)), (0, timedelta(0)), (None, None)]
)
def test_the_alarm_is_configurable(minutes: int | None, trigger: timedelta | None) -> None:
    data = to_bytes(session_calendar(_berlin_week(1), Options(Channel.PUBLISH, STAMP, alarm_minutes=minutes)))
    alarms = list(_parse(data).walk("VALARM"))
    assert [a["TRIGGER"].dt for a in alarms] == ([trigger] if trigger is not None else [])


# --- channels ----------------------------------------------------------------------------------


def _with_people(channel: Channel) -> bytes:
    circle = circle_view(
        "Europe/Berlin", facilitator_id=1, facilitator_name="Ana", facilitator_email="ana@x.org"
    )
    s = session_view(circle, 1, datetime(2026, 4, 7, 10, 0, tzinfo=UTC))
    people = (
        Attendee(1, "Ana", "ana@x.org", Rsvp.YES, "CHAIR"),
        Attendee(2, "Bo", "bo@x.org", Rsvp.MAYBE),
        Attendee(3, "Cy", "cy@x.org", Rsvp.NO),
        Attendee(4, "Di", "di@x.org", Rsvp.NONE),
    )
    invites = CircleInvites(circle, (SessionInvite(s, (), people),), Organizer("Ana", "ana@x.org"))
    return to_bytes(session_calendar(invites, Options(channel, STAMP)))


def test_publish_names_the_organizer_and_lists_no_attendees() -> None:
    """RFC 5546 requires ORGANIZER on PUBLISH: a file without one fails iTIP checks (libical's)."""
    data = _with_people(Channel.PUBLISH)
    assert _parse(data)["METHOD"] == "PUBLISH"
    (ev,) = _events(data)
    assert str(ev["ORGANIZER"]) == "mailto:ana@x.org" and ev["ORGANIZER"].params["CN"] == "Ana"
    assert b"ATTENDEE" not in data


def test_a_caldav_upload_names_nobody() -> None:
    """No METHOD: an ORGANIZER would make the CalDAV server schedule (send invitations) itself."""
    data = _with_people(Channel.NONE)
    assert "METHOD" not in _parse(data)
    assert b"ATTENDEE" not in data and b"ORGANIZER" not in data


def test_request_names_the_organizer_and_each_attendee_with_their_answer() -> None:
    data = _with_people(Channel.REQUEST)
    assert _parse(data)["METHOD"] == "REQUEST"
    (ev,) = _events(data)
    assert str(ev["ORGANIZER"]) == "mailto:ana@x.org" and ev["ORGANIZER"].params["CN"] == "Ana"
    got = {str(a): dict(a.params) for a in ev["ATTENDEE"]}
    assert got["mailto:bo@x.org"] == {
        "CN": "Bo",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "RSVP": "TRUE",
        "PARTSTAT": "TENTATIVE",
    }
    assert {k: v["PARTSTAT"] for k, v in got.items()} == {
        "mailto:ana@x.org": "ACCEPTED",
        "mailto:bo@x.org": "TENTATIVE",
        "mailto:cy@x.org": "DECLINED",
        "mailto:di@x.org": "NEEDS-ACTION",
    }
    assert got["mailto:ana@x.org"]["ROLE"] == "CHAIR"


def test_cancel_marks_the_event_cancelled_and_drops_the_alarm() -> None:
    data = _with_people(Channel.CANCEL)
    assert _parse(data)["METHOD"] == "CANCEL"
    (ev,) = _events(data)
    assert ev["STATUS"] == "CANCELLED" and not list(ev.walk("VALARM"))


def test_none_has_no_method_for_caldav() -> None:
    assert "METHOD" not in _parse(_with_people(Channel.NONE))


def test_a_cancelled_session_in_a_published_circle_says_so() -> None:
    invites = _berlin_week(2)
    gone = invites.sessions[1].session
    changed = CircleInvites(
        invites.circle,
        (
            invites.sessions[0],
            SessionInvite(session_view(invites.circle, 2, gone.starts_at, status=SessionStatus.CANCELLED)),
        ),
    )
    statuses = [str(e["STATUS"]) for e in _events(publish(changed))]
    assert statuses == ["CONFIRMED", "CANCELLED"]


# --- the bytes --------------------------------------------------------------------------------


def test_every_physical_line_is_at_most_75_octets_and_ends_in_crlf(tmp_path: Path) -> None:
    circle = circle_view("Europe/Berlin", name="Zürich Ünïcödé Lunch 🦀" * 3)
    s = session_view(
        circle, 1, datetime(2026, 4, 7, 10, 0, tzinfo=UTC), title="Ölçek 🦀🦀🦀 " * 10, notes="é" * 500
    )
    for data in (publish(invites_for(circle, [s])), publish(invites_for(circle, [s]), recurring=True)):
        assert data.endswith(b"\r\n")
        lines = data.split(b"\r\n")[:-1]
        assert all(b"\n" not in line and b"\r" not in line for line in lines)
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines), "long values must be folded"
        data.decode("utf-8")  # folding never splits a character

"""A pair's invite (.ics, method request) through the same independent consumers as session
invites: the recurring meeting expands to the cadence's days, a round's meeting lands inside
both people's working hours, and both people are ATTENDEEs."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import icalendar
import pytest

from circles import cadence as cadences
from circles.errors import NotAllowed
from circles.services import pair_invites, pairing, pairs, people, programmes
from models.store import Store
from tests import factories
from tests.test_ics_consumers import CONSUMERS, consumer, starts
from tests.test_ics_khal import Khal


def _pair(store: Store, kind: str, cadence: str | None, **programme: object) -> int:
    ana = factories.person(store, "Ana Lopez", "ana@example.org", team="Data")
    bo = factories.person(store, "Bo Chen", "bo@example.org", team="Web")
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind=kind, cadence=cadence, **programme)  # type: ignore[arg-type]
        role_a, role_b = ("member", "member") if kind == "coffee" else ("mentor", "mentee")
        programmes.join(db, p.id, ana.id, role=role_a, timezone="Europe/Berlin")
        programmes.join(db, p.id, bo.id, role=role_b, timezone="America/New_York")
        return pairing.confirm(db, p.id).pairs[0].id


def _export(store: Store, pair_id: int) -> bytes:
    with store.write() as db:
        (f,) = pair_invites.export_pair(db, pair_id, channel="request").files
    return f.content


def test_the_invite_is_a_request_with_both_people_as_attendees(store: Store) -> None:
    pair_id = _pair(store, "mentoring", "every 2 weeks on tue at 15:00", ends_on=date(2026, 12, 31))
    cal = icalendar.Calendar.from_ical(_export(store, pair_id))
    assert cal["METHOD"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == ["mailto:ana@example.org", "mailto:bo@example.org"]
    assert str(event["ORGANIZER"]) == "mailto:ana@example.org"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"


@pytest.mark.parametrize("name", [n for n, (_, expands) in CONSUMERS.items() if expands])
@pytest.mark.parametrize(
    "cadence",
    ["every 2 weeks on tue at 15:00", "monthly on the last fri at 09:30", "weekly on mon,thu at 08:00"],
)
def test_the_recurring_meeting_lands_on_the_cadence_in_every_consumer(
    cadence: str, name: str, memory_store: Store, tmp_path: Path
) -> None:
    read = consumer(name)
    pair_id = _pair(memory_store, "mentoring", cadence, ends_on=date(2026, 11, 30))
    expected, _ = cadences.occurrences(
        cadences.parse(cadence), "Europe/Berlin", start=date(2026, 3, 3), count=200
    )
    wanted = [o.starts_at.astimezone(UTC) for o in expected if o.day <= date(2026, 11, 30)]
    got = read(_export(memory_store, pair_id), tmp_path)
    assert starts(got) == wanted  # across both daylight-saving changes of 2026
    assert all(o.end - o.start == timedelta(minutes=30) for o in got)


@pytest.mark.parametrize("name", list(CONSUMERS))
def test_a_coffee_rounds_meeting_is_inside_both_working_days(
    name: str, memory_store: Store, tmp_path: Path
) -> None:
    read = consumer(name)
    pair_id = _pair(memory_store, "coffee", None)
    (occ,) = read(_export(memory_store, pair_id), tmp_path)
    berlin = occ.start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    new_york = occ.start.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert berlin.hour >= 9 and (occ.end.astimezone(berlin.tzinfo).hour, occ.end.minute) <= (17, 0)
    assert new_york.hour >= 9


def test_khal_imports_a_pairs_invite(memory_store: Store, tmp_path: Path) -> None:
    pair_id = _pair(memory_store, "mentoring", "weekly on wed at 10:00", ends_on=date(2026, 4, 1))
    khal = Khal(tmp_path / "khal")
    khal.import_(_export(memory_store, pair_id))
    found = khal.events("2026-03-01", "2026-04-30")
    assert len(found) == 5 and {e.title for e in found} == {"Mentors: Ana Lopez & Bo Chen"}


def test_ending_a_pair_raises_its_sequence_and_stops_the_rule(memory_store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    pair_id = _pair(memory_store, "mentoring", "weekly on wed at 10:00")
    clock.advance(weeks=3)
    with memory_store.write() as db:
        pairs.end_pair(db, pair_id, completed=False, reason="changed roles")
    (event,) = icalendar.Calendar.from_ical(_export(memory_store, pair_id)).walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert "UNTIL" in event["RRULE"]


def _pair_with_guest(store: Store, *, guest_mentors: bool) -> int:
    """A mentoring pair in which one side is a guest, who may have no e-mail address."""
    with store.write() as db:
        guest = people.add_person(db, name="Gia Guest", is_guest=True)
    bo = factories.person(store, "Bo Chen", "bo@example.org")
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", cadence="weekly on mon at 10:00")
        mentor, mentee = (guest.id, bo.id) if guest_mentors else (bo.id, guest.id)
        programmes.join(db, p.id, mentor, role="mentor", timezone="Europe/Berlin")
        programmes.join(db, p.id, mentee, role="mentee", timezone="Europe/Berlin")
        return pairing.confirm(db, p.id).pairs[0].id


def test_someone_without_an_address_is_left_out_of_the_invite_and_the_next_one_organizes(
    store: Store,
) -> None:
    # An ORGANIZER or ATTENDEE is a mailto address: none is made up for a guest without one.
    pair_id = _pair_with_guest(store, guest_mentors=True)
    (event,) = icalendar.Calendar.from_ical(_export(store, pair_id)).walk("VEVENT")
    attendees = event.get("ATTENDEE")
    assert [str(a) for a in (attendees if isinstance(attendees, list) else [attendees])] == [
        "mailto:bo@example.org"
    ]
    assert str(event["ORGANIZER"]) == "mailto:bo@example.org"


def test_a_pair_nobody_in_can_be_written_to_is_refused_as_a_request_but_published(store: Store) -> None:
    with store.write() as db:
        first = people.add_person(db, name="Gia Guest", is_guest=True)
        second = people.add_person(db, name="Hal Guest", is_guest=True)
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
        programmes.join(db, p.id, first.id, role="member")
        programmes.join(db, p.id, second.id, role="member")
        pair_id = pairing.confirm(db, p.id).pairs[0].id
    with store.write() as db, pytest.raises(NotAllowed, match="has an e-mail address"):
        pair_invites.export_pair(db, pair_id, channel="request")
    with store.write() as db:
        (f,) = pair_invites.export_pair(db, pair_id, channel="publish").files
    (event,) = icalendar.Calendar.from_ical(f.content).walk("VEVENT")
    assert "ORGANIZER" not in event and "ATTENDEE" not in event


@pytest.mark.parametrize("cadence", [None, "weekly on tue at 09:00"])
def test_a_round_confirmed_in_the_evening_is_invited_to_a_meeting_still_to_come(
    cadence: str | None, memory_store: Store, clock
) -> None:  # type: ignore[no-untyped-def]
    # Tuesday 22:33 UTC: that morning's 09:00 (or noon in Berlin, where Berlin and Los Angeles
    # share no working hour) has gone by.
    clock.advance(hours=13, minutes=33)
    ana = factories.person(memory_store, "Ana Lopez", "ana@example.org", team="Data")
    bo = factories.person(memory_store, "Bo Chen", "bo@example.org", team="Web")
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee", cadence=cadence)
        programmes.join(db, p.id, ana.id, role="member", timezone="Europe/Berlin")
        programmes.join(db, p.id, bo.id, role="member", timezone="America/Los_Angeles")
        pair_id = pairing.confirm(db, p.id).pairs[0].id
    (event,) = icalendar.Calendar.from_ical(_export(memory_store, pair_id)).walk("VEVENT")
    start = event["DTSTART"].dt
    assert start > clock.now
    assert start.date() == (date(2026, 3, 4) if cadence is None else date(2026, 3, 10))

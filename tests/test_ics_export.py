"""Exports through the store: identity, SEQUENCE, channels, per-member files and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from click.testing import CliRunner

from circles import validate
from circles.cli import main
from circles.errors import InvalidInput, NotAllowed
from circles.services import agenda, attendance, circle_records, invites, members, people, sessions
from circles.views import CircleView, SessionView
from models.engine import sqlite_url
from models.enums import SessionStatus
from models.store import Store
from tests import factories
from tests.conftest import FixedClock
from tests.test_ics_consumers import libical_itip_problems

FAR_AHEAD = date(2036, 3, 11)


@dataclass
class World:
    circle: CircleView
    ana: int  # the facilitator
    bo: int
    cy: int
    sessions: list[SessionView]


def _world(store: Store, *, facilitator: bool = True, first: date = date(2026, 3, 10)) -> World:
    """Ana runs Rust Lunch with Bo; four weekly sessions; Bo presents in the second, guest Cy in the third."""
    with store.write() as db:
        ana = people.add_person(db, name="Ana López", email="ana@example.org")
        bo = people.add_person(db, name="Bo Smith", email="bo@example.org")
        cy = people.add_person(db, name="Cy Guest", email="cy@guest.org", is_guest=True)
        c = circle_records.add_circle(
            db,
            name="Rust Lunch",
            kind="lunch-and-learn",
            timezone="Europe/Berlin",
            location="Room 4",
            video_url="https://meet.example.org/rust",
            facilitator_id=ana.id if facilitator else None,
        )
        if not facilitator:
            members.add_member(db, circle_id=c.id, person_id=ana.id)
        members.add_member(db, circle_id=c.id, person_id=bo.id)
        found = []
        for week in range(4):
            day = first + timedelta(weeks=week)
            at = validate.parse_local_time(f"{day.isoformat()} 12:00", "at", "Europe/Berlin")
            with factories.scheduled_ahead(db, at):
                found.append(sessions.add_session(db, circle_id=c.id, starts_at=at, title=f"Talk {week + 1}"))
        # Presenters here come from the agenda, not from the rotation.
        for m in members.list_members(db, c.id):
            members.update_member(db, m, in_rotation=False)
        agenda.add_item(db, session_id=found[1].id, title="Borrowing", presenter_id=bo.id, minutes=30)
        agenda.add_item(db, session_id=found[2].id, title="Guest talk", presenter_id=cy.id, minutes=40)
        return World(circle_records.get_circle(db, c.id), ana.id, bo.id, cy.id, found)


def _events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def _one(export: invites.IcsExport) -> icalendar.Event:
    (file,) = export.files
    (ev,) = _events(file.content)
    return ev


def test_a_session_keeps_its_uid_and_stamps_with_the_store_clock(store: Store, clock: FixedClock) -> None:
    w = _world(store)
    with store.read() as db:
        ev = _one(invites.export_session(db, w.sessions[0].id))
    assert ev["UID"] == w.sessions[0].ics_uid
    assert ev["SEQUENCE"] == 0
    assert ev["DTSTAMP"].dt == clock.now
    assert ev["DTSTART"].dt == w.sessions[0].starts_at
    assert str(ev["DTSTART"].params["TZID"]) == "Europe/Berlin"


def test_moving_raises_sequence_and_editing_notes_does_not(store: Store) -> None:
    w = _world(store)
    first = w.sessions[0]
    with store.write() as db:
        moved = sessions.move_session(db, first, starts_at=first.starts_at + timedelta(hours=1))
        sessions.update_session(db, moved, notes="Bring snacks")
    with store.read() as db:
        ev = _one(invites.export_session(db, first.id))
    assert ev["UID"] == first.ics_uid
    assert ev["SEQUENCE"] == 1
    assert ev["DTSTART"].dt == first.starts_at + timedelta(hours=1)
    assert "Bring snacks" in str(ev["DESCRIPTION"])


def test_a_cancel_export_cancels_the_session_and_stores_the_raised_sequence(store: Store) -> None:
    w = _world(store)
    s = w.sessions[1]
    with store.write() as db:
        export = invites.export_session(db, s.id, channel="cancel")
    assert [c.id for c in export.cancelled] == [s.id]
    ev = _one(export)
    assert ev["STATUS"] == "CANCELLED" and ev["SEQUENCE"] == 1 and ev["UID"] == s.ics_uid
    assert icalendar.Calendar.from_ical(export.files[0].content)["METHOD"] == "CANCEL"
    with store.write() as db:
        stored = sessions.get_session(db, s.id)
        assert stored.status is SessionStatus.CANCELLED and stored.ics_sequence == 1
        again = invites.export_session(db, s.id, channel="cancel")
    # Already cancelled: the same cancellation again, SEQUENCE not raised twice.
    assert again.cancelled == () and _one(again)["SEQUENCE"] == 1


def test_request_invites_members_with_their_answers_and_guest_presenters(store: Store) -> None:
    w = _world(store)
    with store.write() as db:
        attendance.set_series_rsvp(db, circle_id=w.circle.id, person_id=w.bo, rsvp="maybe")
        attendance.set_rsvp(db, session_id=w.sessions[2].id, person_id=w.ana, rsvp="yes")
    with store.read() as db:
        ev = _one(invites.export_session(db, w.sessions[2].id, channel="request"))
    assert str(ev["ORGANIZER"]) == "mailto:ana@example.org"
    assert ev["ORGANIZER"].params["CN"] == "Ana López"
    got = {str(a): (a.params["CN"], a.params["PARTSTAT"], a.params["ROLE"]) for a in ev["ATTENDEE"]}
    assert got == {
        "mailto:ana@example.org": ("Ana López", "ACCEPTED", "CHAIR"),
        "mailto:bo@example.org": ("Bo Smith", "TENTATIVE", "REQ-PARTICIPANT"),
        "mailto:cy@guest.org": ("Cy Guest", "NEEDS-ACTION", "REQ-PARTICIPANT"),
    }
    assert all(a.params["RSVP"] == "TRUE" for a in ev["ATTENDEE"])


def test_an_invite_without_a_facilitator_says_what_to_do(store: Store) -> None:
    w = _world(store, facilitator=False)
    with store.read() as db, pytest.raises(NotAllowed, match="has no facilitator") as refused:
        invites.export_session(db, w.sessions[0].id, channel="request")
    # The command line is told the command that gives it one.
    assert "(circles circle edit " in str(refused.value) and "--facilitator EMAIL)" in str(refused.value)


# Every file circles exports with a METHOD (a CalDAV upload has none), as the CLI and the app
# make them: one session, a circle's upcoming sessions, a recurring series, one file per member.
ITIP_EXPORTS = [
    (method, what, per_member)
    for method in ("publish", "request", "cancel")
    for what in ("session", "circle", "series")
    for per_member in (False, True)
    if not (method == "cancel" and what == "series")  # refused: cancel a series' sessions instead
]


@pytest.mark.parametrize(
    ("method", "what", "per_member"),
    ITIP_EXPORTS,
    ids=[f"{m}-{w}{'-per-member' if p else ''}" for m, w, p in ITIP_EXPORTS],
)
def test_every_itip_file_passes_libicals_restriction_check(
    memory_store: Store, tmp_path: Path, method: str, what: str, per_member: bool
) -> None:
    """RFC 5546 as libical checks it: PUBLISH used to fail for want of an ORGANIZER."""
    w = _world(memory_store)
    with memory_store.write() as db:
        sessions.cancel_session(db, w.sessions[3])  # something for a circle's cancel to send
        if what == "session":
            export = invites.export_session(db, w.sessions[1].id, channel=method, per_member=per_member)
        else:
            export = invites.export_circle(
                db, w.circle.id, channel=method, recurring=what == "series", per_member=per_member
            )
    for file in export.files:
        assert icalendar.Calendar.from_ical(file.content)["METHOD"] == method.upper()
        assert libical_itip_problems(file.content, tmp_path) == [], file.name


def test_a_publish_file_without_a_facilitator_names_no_organizer(store: Store, tmp_path: Path) -> None:
    """What the README promises: importable everywhere, but without the ORGANIZER that strict
    iTIP checks want; naming a facilitator is what gives it one."""
    w = _world(store, facilitator=False)
    with store.read() as db:
        export = invites.export_session(db, w.sessions[0].id, channel="publish")
    assert "ORGANIZER" not in _one(export)
    problems = libical_itip_problems(export.files[0].content, tmp_path)
    assert [p for p in problems if "ORGANIZER" in p] == problems != []


def test_bad_channel_and_alarm_name_the_field(memory_store: Store) -> None:
    w = _world(memory_store)
    with memory_store.read() as db:
        with pytest.raises(InvalidInput, match=r"method 'fax' must be one of "):
            invites.export_session(db, w.sessions[0].id, channel="fax")
        with pytest.raises(InvalidInput, match=r"alarm -5 must be between"):
            invites.export_session(db, w.sessions[0].id, alarm_minutes=-5)


def test_a_circle_export_has_its_upcoming_sessions_cancelled_ones_marked(
    store: Store, clock: FixedClock
) -> None:
    w = _world(store)
    clock.now = w.sessions[0].ends_at + timedelta(minutes=1)  # the first one is over
    with store.write() as db:
        sessions.cancel_session(db, w.sessions[3])
        export = invites.export_circle(db, w.circle.id)
    (file,) = export.files
    assert file.name == "rust-lunch.ics"
    events = _events(file.content)
    assert [e["UID"] for e in events] == [s.ics_uid for s in w.sessions[1:]]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert str(icalendar.Calendar.from_ical(file.content)["X-WR-CALNAME"]) == "Rust Lunch"
    with store.read() as db:
        cancels = invites.export_circle(db, w.circle.id, channel="cancel")
    assert [e["UID"] for e in _events(cancels.files[0].content)] == [w.sessions[3].ics_uid]


def test_one_file_per_member_named_for_them_marking_where_they_present(store: Store) -> None:
    w = _world(store)
    with store.read() as db:
        export = invites.export_circle(db, w.circle.id, per_member=True)
    by_name = {f.name: f for f in export.files}
    assert set(by_name) == {"rust-lunch-ana-lopez.ics", "rust-lunch-bo-smith.ics"}
    bo = [str(e["SUMMARY"]) for e in _events(by_name["rust-lunch-bo-smith.ics"].content)]
    ana = [str(e["SUMMARY"]) for e in _events(by_name["rust-lunch-ana-lopez.ics"].content)]
    assert bo == [
        "Rust Lunch: Talk 1",
        "Rust Lunch: Talk 2 (you present)",
        "Rust Lunch: Talk 3",
        "Rust Lunch: Talk 4",
    ]
    assert not any("you present" in s for s in ana)


def test_the_recurring_export_of_the_store_expands_to_its_sessions(store: Store) -> None:
    w = _world(store)
    with store.write() as db:
        moved = sessions.move_session(
            db, w.sessions[1], starts_at=w.sessions[1].starts_at + timedelta(days=1)
        )
        sessions.cancel_session(db, w.sessions[2])
        export = invites.export_circle(db, w.circle.id, recurring=True)
    (file,) = export.files
    assert file.name == "rust-lunch-series.ics"
    cal = icalendar.Calendar.from_ical(file.content)
    got = recurring_ical_events.of(cal).between(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    expected = [w.sessions[0].starts_at, moved.starts_at, w.sessions[3].starts_at]
    assert sorted(e.start.astimezone(UTC) for e in got) == expected
    assert {str(e["UID"]) for e in got} == {w.circle.ics_series_uid}


def _cli(store: Store, *args: str) -> tuple[int, bytes, str]:
    runner = CliRunner()
    url = store.url.render_as_string(hide_password=False)
    result = runner.invoke(main, ["--db", url, "export", "ics", *args])
    return result.exit_code, result.stdout_bytes, result.stderr


def test_cli_writes_a_file_and_standard_output(tmp_path: Path) -> None:
    store = Store.open(sqlite_url(tmp_path / "store.db"))
    w = _world(store, first=FAR_AHEAD)  # the CLI runs on the system clock
    code, out, err = _cli(store, "--session", str(w.sessions[0].id), "-o", str(tmp_path / "out" / "a.ics"))
    assert code == 1 and "is in a folder that does not exist" in err  # a typo makes no folders
    assert err.startswith("circles: --output ")
    (tmp_path / "out").mkdir()
    code, out, err = _cli(store, "--session", str(w.sessions[0].id), "-o", str(tmp_path / "out" / "a.ics"))
    assert code == 0, err
    assert "a.ics (1 event, publish)" in out.decode()
    assert _events((tmp_path / "out" / "a.ics").read_bytes())[0]["UID"] == w.sessions[0].ics_uid
    code, out, err = _cli(store, "--session", str(w.sessions[0].id), "-o", str(tmp_path / "out" / "a.ics"))
    assert code == 1 and "a.ics already exists; pass --force" in err
    (tmp_path / "link.ics").symlink_to(tmp_path / "out" / "a.ics")
    code, out, err = _cli(
        store, "--session", str(w.sessions[0].id), "-o", str(tmp_path / "link.ics"), "--force"
    )
    assert code == 1 and "is a symbolic link" in err
    code, out, err = _cli(store, "--circle", "rust lunch", "--method", "none", "--no-alarm")
    assert code == 0, err
    cal = icalendar.Calendar.from_ical(out)
    assert "METHOD" not in cal and len(list(cal.walk("VEVENT"))) == 4 and not list(cal.walk("VALARM"))
    code, out, err = _cli(
        store, "--circle", "Rust Lunch", "--per-member", str(tmp_path / "members"), "--alarm", "30"
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "members").iterdir()) == [
        "rust-lunch-ana-lopez.ics",
        "rust-lunch-bo-smith.ics",
    ]
    store.close()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "Give exactly one of --session ID, --circle CIRCLE or --pair PAIR_ID"),
        (("--session", "1", "--recurring"), 2, "--recurring goes with --circle"),
        (("--session", "1", "--method", "fax"), 2, "'fax' is not one of"),
        (("--session", "999"), 1, "There is no session with id 999"),
        (("--circle", "Nope"), 1, "There is no circle named 'Nope'"),
        (("--session", "1", "--alarm", "5", "--no-alarm"), 2, "not both"),
    ],
)
def test_cli_errors_are_one_clear_line(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    store = Store.open(sqlite_url(tmp_path / "store.db"))
    _world(store)
    got, _, err = _cli(store, *args)
    assert got == code
    assert message in err
    assert "Traceback" not in err
    store.close()

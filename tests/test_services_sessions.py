"""Memberships, sessions, agendas, away periods and attendance on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from circles import validate
from circles.errors import AlreadyExists, Conflict, InvalidInput, NotAllowed, NotFound
from circles.services import agenda, attendance, away, members, sessions
from models.enums import Attended, Role, Rsvp, SessionStatus
from tests import factories


@pytest.fixture
def circle_with_people(store):
    c = factories.circle(store)
    ana = factories.person(store, "Ana")
    bo = factories.person(store, "Bo")
    factories.member(store, c, ana, role=Role.FACILITATOR)
    factories.member(store, c, bo)
    return c, ana, bo


def test_leaving_keeps_history_and_rejoining_starts_a_new_membership(store, clock, circle_with_people):
    c, _ana, bo = circle_with_people
    with pytest.raises(AlreadyExists, match="Bo is already a member of Rust Lunch"):
        factories.member(store, c, bo)
    clock.advance(days=10)
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=bo.id)
    with pytest.raises(NotAllowed, match="Bo is not a member of Rust Lunch"), store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=bo.id)
    clock.advance(days=10)
    factories.member(store, c, bo)
    with store.read() as db:
        history = [m for m in members.list_members(db, c.id, include_past=True) if m.name == "Bo"]
        assert [m.current for m in history] == [False, True]
        then = clock.now - timedelta(days=5)  # after Bo left, before he came back
        assert [m.name for m in members.list_members(db, c.id, at=then)] == ["Ana"]


def test_a_session_takes_the_circles_defaults_and_local_time(store):
    c = factories.circle(
        store, location="Room Ada", video_url="https://meet.example.org/rust", default_minutes=45
    )
    s = factories.session(store, c, "2026-07-07 12:00", title="Ownership")
    assert (s.location, s.video_url, s.minutes) == ("Room Ada", "https://meet.example.org/rust", 45)
    assert s.starts_at == datetime(2026, 7, 7, 10, 0, tzinfo=UTC)  # Berlin is UTC+2 in July
    assert s.local_start.hour == 12
    assert s.ics_uid.endswith("@circles") and s.ics_sequence == 0


def test_a_circle_meets_once_at_a_time(store):
    """Moving Tue 08 Dec onto Tue 15 Dec 12:00, where the circle already met, gave two sessions
    at once in every member's calendar with nothing said: a move or a new session onto a start
    the circle has is refused, naming it; a cancelled session's time is free again."""
    c = factories.circle(store)
    first = factories.session(store, c, "2026-07-07 12:00", title="Ownership")
    second = factories.session(store, c, "2026-07-14 12:00", title="Lifetimes")
    with pytest.raises(
        InvalidInput, match=r"^start '2026-07-07 12:00' is when the circle already meets \(Ownership\)"
    ):
        factories.session(store, c, "2026-07-07 12:00")
    with store.write() as db, pytest.raises(InvalidInput, match="already meets"):
        sessions.move_session(db, second, starts_at=first.starts_at)
    with store.write() as db:
        sessions.cancel_session(db, sessions.get_session(db, first.id))
    with store.write() as db:
        assert sessions.move_session(db, second, starts_at=first.starts_at).starts_at == first.starts_at
    other = factories.circle(store, name="Another circle")
    assert factories.session(store, other, "2026-07-07 12:00").starts_at == first.starts_at


def test_times_skipped_by_daylight_saving_are_refused():
    with pytest.raises(InvalidInput, match="does not exist in Europe/Berlin"):
        validate.parse_local_time("2026-03-29 02:30", "at", "Europe/Berlin")
    with pytest.raises(InvalidInput, match="is not a time like"):
        validate.parse_local_time("next tuesday", "at", "Europe/Berlin")


def test_sequence_rises_for_changes_attendees_see_and_not_for_notes(store):
    c = factories.circle(store)
    s = factories.session(store, c, "2026-07-07 12:00")
    with store.write() as db:
        s = sessions.update_session(db, s, notes="Bring a laptop")
        assert s.ics_sequence == 0
        s = sessions.move_session(
            db, s, starts_at=validate.parse_local_time("2026-07-08 12:00", "to", c.timezone)
        )
        assert s.ics_sequence == 1
        s = sessions.update_session(db, s, location="Room Grace")
        assert s.ics_sequence == 2
        s = sessions.cancel_session(db, s)
        assert (s.status, s.ics_sequence) == (SessionStatus.CANCELLED, 3)
        with pytest.raises(NotAllowed, match="already cancelled"):
            sessions.cancel_session(db, s)
    assert s.planned_starts_at == datetime(2026, 7, 7, 10, 0, tzinfo=UTC)
    uid = s.ics_uid
    with store.read() as db:
        assert sessions.get_session(db, s.id).ics_uid == uid


def test_two_facilitators_moving_one_session_the_second_is_told(store):
    c = factories.circle(store)
    s = factories.session(store, c, "2026-07-07 12:00")
    with store.write() as db:
        sessions.move_session(
            db, s, starts_at=validate.parse_local_time("2026-07-09 12:00", "to", c.timezone)
        )
    with pytest.raises(Conflict) as caught, store.write() as db:
        sessions.update_session(db, s, title="Lifetimes")
    assert "start is now Thu 09 Jul 2026 12:00" in str(caught.value)
    with store.read() as db:
        assert sessions.get_session(db, s.id).title == ""


def test_two_facilitators_editing_one_agenda_item_the_second_is_told_who_presents_now(
    store, circle_with_people
):
    c, ana, bo = circle_with_people
    s = factories.session(store, c, "2026-07-07 12:00")
    with store.write() as db:
        talk = agenda.add_item(db, session_id=s.id, title="Talk", presenter_id=ana.id)
        agenda.update_item(db, talk, presenter_id=bo.id)  # the first facilitator's save
    with pytest.raises(Conflict) as caught, store.write() as db:
        agenda.update_item(db, talk, title="Talk about traits")  # the second's, from the old copy
    # The presenter by name, as the person chose them (it said "presenter id is now '2'").
    assert "(presenter is now 'Bo')" in str(caught.value)


def test_session_lists_filter_by_circle_and_time(store):
    rust = factories.circle(store, "Rust Lunch")
    data = factories.circle(store, "Data Circle", kind="learning-circle", tz="America/New_York")
    a = factories.session(store, rust, "2026-03-10 12:00")
    b = factories.session(store, data, "2026-03-12 12:00")
    factories.session(store, rust, "2026-06-10 12:00")
    with store.read() as db:
        assert next(s.id for s in sessions.list_sessions(db, circle_id=rust.id)) == a.id
        window = sessions.upcoming(db, now=datetime(2026, 3, 3, 9, tzinfo=UTC), days=14)
        assert [s.id for s in window] == [a.id, b.id]


def test_agenda_items_append_reorder_delete_and_total(store, circle_with_people):
    c, ana, bo = circle_with_people
    s = factories.session(store, c, "2026-07-07 12:00")
    with store.write() as db:
        talk = agenda.add_item(db, session_id=s.id, title="Talk", presenter_id=bo.id, minutes=30)
        agenda.add_item(db, session_id=s.id, title="Q&A", minutes=15)
        wrap = agenda.add_item(db, session_id=s.id, title="Wrap-up", presenter_id=ana.id, minutes=5)
        assert [i.title for i in agenda.move_item(db, wrap, to_position=1)] == ["Wrap-up", "Talk", "Q&A"]
        agenda.delete_item(db, talk)
        items = agenda.list_items(db, s.id)
    assert [(i.position, i.title) for i in items] == [(1, "Wrap-up"), (2, "Q&A")]
    assert items[0].presenter_name == "Ana"
    assert agenda.total_minutes(items) == 20
    with pytest.raises(InvalidInput, match="title is required"), store.write() as db:
        agenda.add_item(db, session_id=s.id, title="  ")
    with pytest.raises(NotFound), store.write() as db:
        agenda.add_item(db, session_id=9999, title="Talk")


def test_away_periods_need_an_end_after_the_start(store):
    bo = factories.person(store, "Bo")
    earlier = r"to '2026-04-01' is earlier than the first day \(2026-04-10\)"
    with pytest.raises(InvalidInput, match=earlier), store.write() as db:
        away.add_away(db, person_id=bo.id, starts_on=date(2026, 4, 10), ends_on=date(2026, 4, 1))
    with store.write() as db:
        away.add_away(
            db, person_id=bo.id, starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 10), reason="holiday"
        )
    with store.read() as db:
        (period,) = away.list_away(db, overlapping=(date(2026, 4, 10), date(2026, 4, 20)))
    assert period.covers(date(2026, 4, 10)) and not period.covers(date(2026, 4, 11))


def test_rsvps_series_answers_walk_ins_and_headcount(store, circle_with_people):
    c, ana, bo = circle_with_people
    cy = factories.person(store, "Cy")
    factories.member(store, c, cy)
    s = factories.session(store, c, "2026-07-07 12:00")
    with store.write() as db, factories.taken_place(db, s):
        attendance.set_series_rsvp(db, circle_id=c.id, person_id=ana.id, rsvp="yes")
        attendance.set_rsvp(db, session_id=s.id, person_id=bo.id, rsvp=Rsvp.MAYBE)
        attendance.set_rsvp(db, session_id=s.id, person_id=bo.id, rsvp=Rsvp.YES)  # changed their mind
        attendance.check_in(db, session_id=s.id, person_id=bo.id, attended=Attended.LATE)
        attendance.check_in(db, session_id=s.id, person_id=ana.id, attended="present")
        walk_in = attendance.check_in_walk_in(db, session_id=s.id, name="Dee", email="Dee@Example.org")
        with pytest.raises(InvalidInput, match="attended 'here' must be present, late, excused or absent"):
            attendance.check_in(db, session_id=s.id, person_id=cy.id, attended="here")
    with store.read() as db:
        roster = {e.name: e for e in attendance.roster(db, s.id)}
        count = attendance.headcount(db, s.id)
    assert roster["Ana"].rsvp is Rsvp.YES  # from the series answer
    assert roster["Bo"].rsvp is Rsvp.YES and roster["Bo"].attended is Attended.LATE
    assert roster["Cy"].rsvp is Rsvp.NONE and roster["Cy"].attended is None
    assert roster["Dee"].walk_in and not roster["Dee"].is_member and walk_in.email == "dee@example.org"
    assert (count.yes, count.maybe, count.no_answer, count.expected) == (2, 0, 1, 2)
    assert (count.present, count.late, count.came) == (2, 1, 3)


def test_headcounts_for_many_sessions_in_one_call(store, circle_with_people):
    c, ana, _bo = circle_with_people
    s1 = factories.session(store, c, "2026-07-07 12:00")
    s2 = factories.session(store, c, "2026-07-14 12:00")
    with store.write() as db:
        attendance.set_rsvp(db, session_id=s2.id, person_id=ana.id, rsvp="no")
        counts = attendance.headcounts(db, [s1.id, s2.id])
    assert (counts[s1.id].no_answer, counts[s1.id].no) == (2, 0)
    assert (counts[s2.id].no_answer, counts[s2.id].no) == (1, 1)

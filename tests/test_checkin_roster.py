"""Who a session's check-in lists: members during the session or since, and whoever was marked."""

from __future__ import annotations

from circles.services import attendance, members
from models.enums import Attended
from tests import factories


def _listed(store, session_id: int) -> dict[str, bool]:
    """Name -> is_member, for everyone on the session's check-in list."""
    with store.read() as db:
        entries = attendance.roster(db, session_id)
    names = [e.name for e in entries]
    assert len(names) == len(set(names)), f"someone is listed twice: {names}"
    return {e.name: e.is_member for e in entries}


def test_members_who_join_during_or_later_that_day_are_on_its_check_in(store, clock):
    # The clock starts at 09:00 UTC; the session runs 12:00-13:00 Berlin (11:00-12:00 UTC).
    c = factories.circle(store, "Rust Lunch")
    names = ("Ana", "Bo", "Cy", "Dee", "Eve", "Fay", "Gus")
    people = {name: factories.person(store, name) for name in names}
    for name in ("Ana", "Dee", "Eve", "Gus"):
        factories.member(store, c, people[name])
    s = factories.session(store, c, "2026-03-03 12:00", minutes=60)

    clock.advance(hours=1)  # 10:00: Dee leaves before the session, Gus leaves and comes back later
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=people["Dee"].id)
        members.remove_member(db, circle_id=c.id, person_id=people["Gus"].id)
    clock.advance(minutes=80)  # 11:20, during the session: Bo joins, Eve leaves, Gus rejoins
    factories.member(store, c, people["Bo"])
    factories.member(store, c, people["Gus"])
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=people["Eve"].id)
    clock.advance(hours=10)  # 21:20 in Berlin, the check-in caught up after the session: Fay joins
    factories.member(store, c, people["Fay"])
    clock.advance(hours=3)  # 00:20 in Berlin, the next day: Cy joins
    factories.member(store, c, people["Cy"])

    listed = {"Ana": True, "Bo": True, "Eve": True, "Fay": True, "Gus": True}
    assert _listed(store, s.id) == listed

    # Marking someone who joined during the session records a member, not a walk-in; someone
    # marked who was no member that day is listed as a walk-in.
    with store.write() as db:
        attendance.record_attendance(db, session_id=s.id, person_id=people["Bo"].id, attended="present")
        attendance.record_attendance(db, session_id=s.id, person_id=people["Cy"].id, attended="late")
    with store.read() as db:
        entries = {e.name: e for e in attendance.roster(db, s.id)}
    assert entries["Bo"].attended is Attended.PRESENT and not entries["Bo"].walk_in
    assert entries["Cy"].attended is Attended.LATE and entries["Cy"].walk_in and not entries["Cy"].is_member
    assert _listed(store, s.id) == listed | {"Cy": False}


def test_a_session_to_come_lists_the_members_of_today(store, clock):
    c = factories.circle(store, "Rust Lunch")
    ana, bo = factories.person(store, "Ana"), factories.person(store, "Bo")
    factories.member(store, c, ana)
    factories.member(store, c, bo)
    s = factories.session(store, c, "2026-03-10 12:00")
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=bo.id)
    assert _listed(store, s.id) == {"Ana": True}

"""Who a session's check-in lists: members during the session or since, and whoever was marked."""

from __future__ import annotations

import pytest

from circles.errors import InvalidInput
from circles.services import attendance, members, people
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
        attendance.check_in(db, session_id=s.id, person_id=people["Bo"].id, attended="present")
        attendance.check_in(db, session_id=s.id, person_id=people["Cy"].id, attended="late")
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


def test_a_walk_in_needs_only_a_name_and_comes_back_as_the_same_guest(store, clock):
    c = factories.circle(store, "Rust Lunch")
    s1 = factories.session(store, c, "2026-03-03 12:00")
    s2 = factories.session(store, c, "2026-03-10 12:00")
    with store.write() as db:
        grace = attendance.check_in_walk_in(db, session_id=s1.id, name="Grace Hopper")
    assert (grace.email, grace.is_guest) == (None, True)
    with store.write() as db, factories.taken_place(db, s2):  # next week, typed differently: the same guest
        again = attendance.check_in_walk_in(db, session_id=s2.id, name="grace  HOPPER", email="")
        other = attendance.check_in_walk_in(db, session_id=s2.id, name="Ada Lovelace")
    assert again.id == grace.id and other.id != grace.id
    with store.read() as db:
        assert [p.name for p in people.list_people(db)] == ["Ada Lovelace", "Grace Hopper"]
        entry = {e.name: e for e in attendance.roster(db, s2.id)}["Grace Hopper"]
    assert entry.walk_in and entry.attended is Attended.PRESENT and entry.email is None

    # Two people of one name: the address says which one came.
    with store.write() as db:
        people.add_person(db, name="Ada Lovelace", email="ada@example.org")
    with pytest.raises(InvalidInput, match="2 people are called Ada Lovelace"), store.write() as db:
        attendance.check_in_walk_in(db, session_id=s1.id, name="Ada Lovelace")
    with store.write() as db:
        found = attendance.check_in_walk_in(db, session_id=s1.id, name="Ada L.", email="ADA@example.org")
    assert found.email == "ada@example.org" and found.name == "Ada Lovelace"


def test_only_a_guest_may_have_no_email(store):
    with (
        pytest.raises(InvalidInput, match=r"^email is required for anyone who is not a guest\.$"),
        store.write() as db,
    ):
        people.add_person(db, name="Ana", email="  ")
    with store.write() as db:
        guest = people.add_person(db, name="Grace", is_guest=True)
        ana = people.add_person(db, name="Ana", email="ana@example.org")
    with (
        pytest.raises(InvalidInput, match=r"^email is required for anyone who is not a guest\.$"),
        store.write() as db,
    ):
        people.update_person(db, guest, is_guest=False)
    with (
        pytest.raises(InvalidInput, match=r"^email is required for anyone who is not a guest\.$"),
        store.write() as db,
    ):
        people.update_person(db, ana, email="")
    with store.write() as db:
        member = people.update_person(db, guest, is_guest=False, email="Grace@Example.org")
    assert (member.email, member.is_guest) == ("grace@example.org", False)

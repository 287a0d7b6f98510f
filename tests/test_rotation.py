"""The pure rotation: the rules people rely on, as properties over random circles and histories."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from circles.rotation import Absence, Member, Pick, Slot, Why, hold, plan
from models.enums import PresenterSource

START = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)  # a Tuesday noon
GUEST_ID = 1000
NAMES = ["Ana", "bob", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana"]


def at(week: int) -> datetime:
    return START + timedelta(weeks=week)


def weekly(count: int) -> list[Slot]:
    return [Slot(id=i + 1, starts_at=at(i), day=at(i).date()) for i in range(count)]


@dataclass(frozen=True)
class World:
    members: list[Member]
    slots: list[Slot]
    away: list[Absence]


def _membership(
    person_id: int, name: str, start_week: float, end_week: float | None, in_rotation: bool
) -> Member:
    # Joining and leaving happen in the morning, never exactly at a session's start.
    joined = START + timedelta(weeks=start_week, hours=-3)
    left = START + timedelta(weeks=end_week, hours=-3) if end_week is not None else None
    return Member(person_id, name, joined, left, in_rotation)


@st.composite
def worlds(draw: st.DrawFn, *, available: bool = False, overrides: bool = True) -> World:
    """A circle with members joining, leaving (and coming back), away periods and overrides.

    ``available``: everyone joins before the first session, stays, is in the rotation
    and is never away, and nothing is assigned by hand.
    """
    n = draw(st.integers(2, 7))
    count = draw(st.integers(1, 30))
    members = []
    for pid in range(1, n + 1):
        name = NAMES[pid - 1]
        if available:
            members.append(_membership(pid, name, draw(st.integers(-10, 0)), None, True))
            continue
        joined = draw(st.integers(-5, count))
        left = draw(st.one_of(st.none(), st.integers(joined + 1, count + 2)))
        members.append(_membership(pid, name, joined, left, draw(st.booleans())))
        if left is not None and draw(st.booleans()):
            back = draw(st.integers(left, count + 2))
            members.append(_membership(pid, name, back + 0.1, None, draw(st.booleans())))
    slots = weekly(count)
    away = []
    if not available:
        for _ in range(draw(st.integers(0, 6))):
            first = START.date() + timedelta(days=draw(st.integers(-7, count * 7)))
            away.append(
                Absence(
                    draw(st.integers(1, n)), first, first + timedelta(days=draw(st.integers(0, 21))), "trip"
                )
            )
    if overrides and not available:
        for i in draw(st.sets(st.integers(0, count - 1), max_size=count // 3 + 1)):
            if draw(st.booleans()):
                slots[i] = replace(
                    slots[i], presenter_id=draw(st.integers(1, n)), source=PresenterSource.MANUAL
                )
            else:
                slots[i] = replace(slots[i], presenter_id=GUEST_ID, source=PresenterSource.GUEST)
    return World(members, slots, away)


def membership_at(world: World, person_id: int, instant: datetime) -> Member | None:
    found = [m for m in world.members if m.person_id == person_id and m.covers(instant)]
    return max(found, key=lambda m: m.joined_at) if found else None


def eligible(world: World, person_id: int, slot: Slot) -> bool:
    m = membership_at(world, person_id, slot.starts_at)
    away = any(a.person_id == person_id and a.covers(slot.day) for a in world.away)
    return m is not None and m.in_rotation and not away


def run(world: World) -> list[Pick]:
    return plan(world.members, world.slots, world.away, names={GUEST_ID: "Guest"})


# ---------------------------------------------------------------- the invariants


@settings(max_examples=300, deadline=None)
@given(worlds(available=True))
def test_with_everyone_available_nobody_presents_twice_before_everyone_has_once(world: World) -> None:
    people = {m.person_id for m in world.members}
    presenters = [p.presenter_id for p in run(world)]
    for start in range(0, len(presenters), len(people)):
        window = presenters[start : start + len(people)]
        assert len(window) == len(set(window)), f"someone presented twice in {window}"
    assert set(presenters[: len(people)]) == people or len(presenters) < len(people)


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_between_two_turns_everyone_eligible_had_theirs(world: World) -> None:
    """The round robin, with joins, leaves, away periods and overrides.

    When X is picked at session j and last presented at session i, everyone eligible
    at j who was already a member before i presented somewhere between i and j.
    """
    picks = run(world)
    slots = sorted(world.slots, key=lambda s: s.starts_at)
    turns = [p.presenter_id if p.counts_as_turn else None for p in picks]
    for j, pick in enumerate(picks):
        if pick.why is not Why.ROTATION:
            continue
        x = pick.presenter_id
        previous = [i for i in range(j) if turns[i] == x]
        if not previous:
            continue
        i = previous[-1]
        for m in {m.person_id for m in world.members} - {x}:
            current = membership_at(world, m, slots[j].starts_at)
            if eligible(world, m, slots[j]) and current and current.joined_at < slots[i].starts_at:
                assert m in turns[i + 1 : j], f"{m} waited while {x} presented at {i} and {j}"


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_nobody_is_suggested_while_away_out_of_rotation_or_not_a_member(world: World) -> None:
    slots = {s.id: s for s in world.slots}
    for pick in run(world):
        if pick.why is Why.ROTATION:
            assert pick.presenter_id is not None
            assert eligible(world, pick.presenter_id, slots[pick.slot_id])
        if pick.why is Why.NOBODY:
            slot = slots[pick.slot_id]
            assert not any(eligible(world, m.person_id, slot) for m in world.members)


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_manual_assignments_and_guests_are_never_changed(world: World) -> None:
    picks = {p.slot_id: p for p in run(world)}
    for slot in world.slots:
        if slot.source in (PresenterSource.MANUAL, PresenterSource.GUEST):
            assert picks[slot.id].presenter_id == slot.presenter_id
            assert picks[slot.id].why in (Why.MANUAL, Why.GUEST)


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_a_guest_speaker_takes_nobodys_turn(world: World) -> None:
    """The open sessions get the same presenters as if the guest sessions did not exist."""
    without = World(
        world.members, [s for s in world.slots if s.source is not PresenterSource.GUEST], world.away
    )
    with_guests = {p.slot_id: p.presenter_id for p in run(world)}
    for pick in run(without):
        assert with_guests[pick.slot_id] == pick.presenter_id


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_the_preview_is_what_holding_the_sessions_in_order_produces(world: World) -> None:
    preview = run(world)
    slots = list(world.slots)
    for k, slot in enumerate(sorted(world.slots, key=lambda s: s.starts_at)):
        picks = plan(world.members, slots, world.away, names={GUEST_ID: "Guest"})
        # Nothing changed but the holding so far: the rest of the preview still stands.
        assert [p.presenter_id for p in picks[k:]] == [p.presenter_id for p in preview[k:]]
        slots = hold(slots, picks, slot.id)
    held = plan(world.members, slots, world.away, names={GUEST_ID: "Guest"})
    assert [p.presenter_id for p in held] == [p.presenter_id for p in preview]
    assert all(p.why is not Why.ROTATION for p in held)


@settings(max_examples=200, deadline=None)
@given(worlds(), st.randoms(use_true_random=False))
def test_the_same_inputs_give_the_same_picks_every_run_in_any_order(world: World, rnd: random.Random) -> None:
    first = run(world)
    members, slots, away = list(world.members), list(world.slots), list(world.away)
    rnd.shuffle(members)
    rnd.shuffle(slots)
    rnd.shuffle(away)
    assert run(World(members, slots, away)) == first
    assert run(world) == first


# ---------------------------------------------------------------- the rules, by example


def people(*names: str, joined_week: int = -1) -> list[Member]:
    return [_membership(i, n, joined_week, None, True) for i, n in enumerate(names, start=1)]


def test_the_oldest_last_turn_goes_next_and_says_so() -> None:
    members = people("Ana", "Bob", "Cleo")
    picks = plan(members, weekly(4))
    assert [p.presenter_name for p in picks] == ["Ana", "Bob", "Cleo", "Ana"]
    assert picks[0].reason == "not presented yet (joined 30 Dec 2025)"
    assert picks[3].reason == "last presented 6 Jan"


def test_a_newcomer_joins_at_the_back_of_the_queue() -> None:
    members = [*people("Ana", "Bob", "Cleo"), _membership(4, "Dev", 1.5, None, True)]
    picks = plan(members, weekly(6))
    # Dev joined after Ana and Bob presented: behind them, even though Cleo presents after he joins.
    assert [p.presenter_name for p in picks] == ["Ana", "Bob", "Cleo", "Ana", "Bob", "Dev"]
    assert picks[5].reason == "not presented yet (joined 16 Jan)"


def test_someone_away_is_skipped_for_that_date_and_stays_at_the_front() -> None:
    members = people("Ana", "Bob", "Cleo")
    away = [Absence(2, date(2026, 1, 12), date(2026, 1, 14), "conference")]
    picks = plan(members, weekly(5), away)
    assert [p.presenter_name for p in picks] == ["Ana", "Cleo", "Bob", "Ana", "Cleo"]
    assert picks[1].reason == "not presented yet (joined 30 Dec 2025); Bob away until 14 Jan (conference)"
    assert [s.name for s in picks[1].skipped] == ["Bob"]
    assert picks[2].reason == "not presented yet (joined 30 Dec 2025)"


def test_members_out_of_rotation_or_gone_are_never_picked() -> None:
    members = [
        _membership(1, "Ana", -1, None, False),
        _membership(2, "Bob", -1, 1.5, True),
        _membership(3, "Cleo", -1, None, True),
    ]
    picks = plan(members, weekly(4))
    assert [p.presenter_name for p in picks] == ["Bob", "Cleo", "Cleo", "Cleo"]


def test_a_volunteer_counts_as_their_turn_and_a_guest_as_nobodys() -> None:
    members = people("Ana", "Bob", "Cleo")
    slots = weekly(5)
    slots[0] = replace(slots[0], presenter_id=3, source=PresenterSource.MANUAL)
    slots[1] = replace(slots[1], presenter_id=GUEST_ID, source=PresenterSource.GUEST)
    picks = plan(members, slots, names={GUEST_ID: "Grace"})
    assert [p.presenter_name for p in picks] == ["Cleo", "Grace", "Ana", "Bob", "Cleo"]
    assert [p.why for p in picks[:2]] == [Why.MANUAL, Why.GUEST]
    assert picks[1].reason == "guest speaker: takes nobody's turn"


def test_an_assigned_presenter_marked_away_later_stays_but_is_flagged() -> None:
    slots = weekly(2)
    slots[1] = replace(slots[1], presenter_id=1, source=PresenterSource.MANUAL)
    away = [Absence(1, date(2026, 1, 13), date(2026, 1, 13), "sick")]
    picks = plan(people("Ana", "Bob"), slots, away)
    assert picks[1].presenter_name == "Ana"
    assert picks[1].warning == "but Ana away until 13 Jan (sick)"


def test_when_nobody_can_present_the_reason_says_who_is_away() -> None:
    away = [Absence(1, date(2026, 1, 1), date(2026, 2, 1), "")]
    picks = plan(people("Ana"), weekly(1), away)
    assert picks[0].presenter_id is None
    assert picks[0].reason == "nobody can present: Ana away until 1 Feb"
    assert plan([], weekly(1))[0].reason.startswith("nobody is in the rotation")


def test_ties_go_to_who_joined_first_then_by_name() -> None:
    same_time = [_membership(2, "bob", -1, None, True), _membership(1, "Ana", -1, None, True)]
    earlier = _membership(3, "Zed", -2, None, True)
    picks = plan([*same_time, earlier], weekly(3))
    assert [p.presenter_name for p in picks] == ["Zed", "Ana", "bob"]


def test_overlapping_away_periods_name_the_day_they_are_back() -> None:
    away = [
        Absence(1, date(2026, 1, 1), date(2026, 1, 10), "trip"),
        Absence(1, date(2026, 1, 5), date(2026, 1, 25), "parental leave"),
    ]
    picks = plan(people("Ana", "Bob"), weekly(1), away)
    assert picks[0].reason == "not presented yet (joined 30 Dec 2025); Ana away until 25 Jan (parental leave)"

"""The pure rotation: the rules people rely on, as properties over random circles and histories."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import assume, given, settings
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
def worlds(
    draw: st.DrawFn, *, available: bool = False, overrides: bool = True, steady: bool = False
) -> World:
    """A circle with members joining, leaving (and coming back), away periods, overrides and
    swaps (pairs of overrides linked to each other, and now and then a link that does not count).

    ``available``: everyone joins before the first session, stays, is in the rotation
    and is never away, and nothing is assigned by hand.
    ``steady``: nobody is ever away or leaves (people still join at any time), and no swaps.
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
        if steady:
            members.append(_membership(pid, name, joined, None, draw(st.booleans())))
            continue
        left = draw(st.one_of(st.none(), st.integers(joined + 1, count + 2)))
        members.append(_membership(pid, name, joined, left, draw(st.booleans())))
        if left is not None and draw(st.booleans()):
            back = draw(st.integers(left, count + 2))
            members.append(_membership(pid, name, back + 0.1, None, draw(st.booleans())))
    slots = weekly(count)
    away = []
    if not available and not steady:
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
    if overrides and not available and not steady:
        fixed = [i for i, s in enumerate(slots) if s.presenter_id is not None]
        order = draw(st.permutations(fixed))
        for one, other in zip(order[::2], order[1::2], strict=False):
            if slots[one].presenter_id != slots[other].presenter_id and draw(st.booleans()):
                slots[one] = replace(slots[one], swapped_with=slots[other].id)
                if draw(st.integers(0, 4)):  # else a link only one side has: it does not count
                    slots[other] = replace(slots[other], swapped_with=slots[one].id)
    return World(members, slots, away)


def swaps_in(world: World) -> list[tuple[Slot, Slot]]:
    """The swaps that count, (earlier, later): links both sessions make, between two presenters."""
    by_id = {s.id: s for s in world.slots}
    return [
        (s, by_id[s.swapped_with])
        for s in sorted(world.slots, key=lambda s: s.starts_at)
        if s.swapped_with in by_id
        and by_id[s.swapped_with].swapped_with == s.id
        and by_id[s.swapped_with].starts_at > s.starts_at
        and s.presenter_id != by_id[s.swapped_with].presenter_id
    ]


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
    """The round robin, with joins, leaves, away periods, overrides and swaps.

    When X is picked at session j and last presented at session i, everyone eligible
    at j who was already a member before i presented somewhere between i and j, unless
    X or they were one of the two people of a swap whose sessions reach into i..j: a swap
    changes only the two sessions swapped, so until its later session the line stands as
    before it (the one who took the earlier session may present again soon after it, as
    they would have), and from then on the two stand in each other's place.
    """
    picks = run(world)
    slots = sorted(world.slots, key=lambda s: s.starts_at)
    index = {s.id: k for k, s in enumerate(slots)}
    swapped = [
        (index[early.id], index[late.id], {early.presenter_id, late.presenter_id})
        for early, late in swaps_in(world)
    ]
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
                if any({x, m} & who and early <= j and i <= late for early, late, who in swapped):
                    continue
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
    """The open sessions get the same presenters as if the guest sessions did not exist.

    Except a guest session that is half of a swap: there it stands for the turn the member
    who gave it away gave (removing it would undo the swap).
    """
    swapped = {s.id for pair in swaps_in(world) for s in pair}
    without = World(
        world.members,
        [s for s in world.slots if s.source is not PresenterSource.GUEST or s.id in swapped],
        world.away,
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


@st.composite
def swapped_worlds(draw: st.DrawFn) -> tuple[World, int, int]:
    """A steady world (nobody away or leaving) and two of its open sessions to swap: different
    presenters, both members at both sessions (one who joined in between would be a guest at the
    earlier one), and neither assigned by hand to a session after the later one (that session
    stays theirs, so the rest could not be the old rotation with the two exchanged)."""
    world = draw(worlds(steady=True))
    picks = run(world)
    slots = world.slots

    def member(k: int, person: int | None) -> bool:
        return person is not None and membership_at(world, person, slots[k].starts_at) is not None

    def fits(i: int, j: int) -> bool:
        two = (picks[i].presenter_id, picks[j].presenter_id)
        return (
            two[0] != two[1]
            and all(member(i, p) for p in two)
            and not any(s.source is PresenterSource.MANUAL and s.presenter_id in two for s in slots[j + 1 :])
        )

    open_ = [k for k, p in enumerate(picks) if p.why is Why.ROTATION]
    pairs = [(i, j) for i in open_ for j in open_ if i < j and fits(i, j)]
    assume(pairs)
    i, j = draw(st.sampled_from(pairs))
    return world, i, j


def swap(slots: list[Slot], picks: list[Pick], i: int, j: int) -> list[Slot]:
    """What rotation.swap stores: the two presenters exchanged, by hand, each session linked to the other."""
    result = list(slots)
    result[i] = replace(
        slots[i], presenter_id=picks[j].presenter_id, source=PresenterSource.MANUAL, swapped_with=slots[j].id
    )
    result[j] = replace(
        slots[j], presenter_id=picks[i].presenter_id, source=PresenterSource.MANUAL, swapped_with=slots[i].id
    )
    return result


@settings(max_examples=500, deadline=None)
@given(swapped_worlds())
def test_a_swap_changes_only_the_two_sessions_swapped(case: tuple[World, int, int]) -> None:
    """Swapping two open sessions leaves every other session before the later one as it was;
    after it, the rotation goes on as before with the two people exchanged."""
    world, i, j = case
    before = run(world)
    a, b = before[i].presenter_id, before[j].presenter_id
    after = plan(world.members, swap(world.slots, before, i, j), world.away, names={GUEST_ID: "Guest"})
    exchanged = {a: b, b: a}
    for k, (old, new) in enumerate(zip(before, after, strict=True)):
        if k == i:
            assert new.presenter_id == b
        elif k == j:
            assert new.presenter_id == a
        elif k < j or old.why is not Why.ROTATION:
            assert new.presenter_id == old.presenter_id, f"session {k} changed"
        else:
            assert new.presenter_id == exchanged.get(old.presenter_id, old.presenter_id), f"session {k}"


# ---------------------------------------------------------------- the rules, by example


def test_swapping_the_first_and_third_session_leaves_the_second_alone() -> None:
    """Luca was due 30 Nov, Mateo 7 Dec, Hana 14 Dec; Luca and Hana swap 30 Nov and 14 Dec."""
    members = [
        Member(1, "Luca", datetime(2026, 11, 2, 9, tzinfo=UTC)),
        Member(2, "Mateo", datetime(2026, 11, 3, 9, tzinfo=UTC)),
        Member(3, "Hana", datetime(2026, 11, 4, 9, tzinfo=UTC)),
    ]
    mondays = [datetime(2026, 11, 30, 12, tzinfo=UTC) + timedelta(weeks=k) for k in range(5)]
    slots = [Slot(id=k + 1, starts_at=t, day=t.date()) for k, t in enumerate(mondays)]
    before = plan(members, slots)
    assert [p.presenter_name for p in before] == ["Luca", "Mateo", "Hana", "Luca", "Mateo"]

    after = plan(members, swap(slots, before, 0, 2))
    assert [p.presenter_name for p in after] == ["Hana", "Mateo", "Luca", "Hana", "Mateo"]
    assert [p.why for p in after[:3]] == [Why.MANUAL, Why.ROTATION, Why.MANUAL]
    assert after[1].reason == "not presented yet (joined 03 Nov)"
    assert after[3].reason == "last presented 30 Nov"  # Hana did present then
    # Holding the sessions one by one changes nothing: the link stays on the held sessions.
    held = slots = swap(slots, before, 0, 2)
    for slot in slots:
        held = hold(held, plan(members, held), slot.id)
    assert [p.presenter_name for p in plan(members, held)] == ["Hana", "Mateo", "Luca", "Hana", "Mateo"]
    # Given back to the rotation (the link goes with the assignment): the plain rule again.
    plain = [replace(s, swapped_with=None) for s in swap(slots, before, 0, 2)]
    assert [p.presenter_name for p in plan(members, plain)][:3] == ["Hana", "Luca", "Luca"]


def test_a_swap_past_a_whole_round_keeps_the_rounds_in_between() -> None:
    """Ana and Bob alternate; swapping the 1st and 4th keeps the 2nd and 3rd, so Bob and Ana
    present twice in a row each, as the swap asked; then they alternate again."""
    members = people("Ana", "Bob")
    slots = weekly(6)
    before = plan(members, slots)
    assert [p.presenter_name for p in before] == ["Ana", "Bob", "Ana", "Bob", "Ana", "Bob"]
    after = plan(members, swap(slots, before, 0, 3))
    assert [p.presenter_name for p in after] == ["Bob", "Bob", "Ana", "Ana", "Bob", "Ana"]
    assert after[2].reason == "last turn 06 Jan, given to Bob in a swap"


def test_a_swap_after_a_skip_is_the_panels_case() -> None:
    """The Rotation tab's case: Bob away on the 2nd; Bob (3rd) and Ana (4th) swap."""
    members = people("Ana", "Bob", "Cleo")
    away = [Absence(2, date(2026, 1, 13), date(2026, 1, 13), "ill")]
    slots = weekly(6)
    before = plan(members, slots, away)
    assert [p.presenter_name for p in before] == ["Ana", "Cleo", "Bob", "Ana", "Cleo", "Bob"]
    after = plan(members, swap(slots, before, 2, 3), away)
    assert [p.presenter_name for p in after] == ["Ana", "Cleo", "Ana", "Bob", "Cleo", "Ana"]


def in_order(*names: str) -> list[Member]:
    """Members who joined one after the other, in this order."""
    return [_membership(i, n, -1 + i / 100, None, True) for i, n in enumerate(names, start=1)]


def test_a_link_that_is_not_mutual_or_lost_its_partner_counts_for_nothing() -> None:
    members = in_order("Luca", "Mateo", "Hana")
    slots = weekly(4)
    before = plan(members, slots)
    swapped = swap(slots, before, 0, 2)
    one_sided = [swapped[0], swapped[1], replace(swapped[2], swapped_with=None), swapped[3]]
    unlinked = [replace(s, swapped_with=None) for s in swapped]
    assert plan(members, one_sided) == plan(members, unlinked)
    cancelled = [s for s in swapped if s.id != 3]  # the later one cancelled: not among the slots
    assert plan(members, cancelled) == plan(members, [replace(s, swapped_with=None) for s in cancelled])


def test_a_guest_speaker_given_a_members_session_in_a_swap_takes_nobodys_turn() -> None:
    """Luca gives 1st to Grace (a guest) and takes her 3rd: he does not present in between."""
    members = in_order("Luca", "Mateo", "Hana")
    slots = weekly(5)
    slots[2] = replace(slots[2], presenter_id=GUEST_ID, source=PresenterSource.GUEST)
    before = plan(members, slots, names={GUEST_ID: "Grace"})
    assert [p.presenter_name for p in before] == ["Luca", "Mateo", "Grace", "Hana", "Luca"]
    slots[0] = replace(slots[0], presenter_id=GUEST_ID, source=PresenterSource.GUEST, swapped_with=3)
    slots[2] = replace(slots[2], presenter_id=1, source=PresenterSource.MANUAL, swapped_with=1)
    after = plan(members, slots, names={GUEST_ID: "Grace"})
    assert [p.presenter_name for p in after] == ["Grace", "Mateo", "Luca", "Hana", "Mateo"]


def people(*names: str, joined_week: int = -1) -> list[Member]:
    return [_membership(i, n, joined_week, None, True) for i, n in enumerate(names, start=1)]


def test_the_oldest_last_turn_goes_next_and_says_so() -> None:
    members = people("Ana", "Bob", "Cleo")
    picks = plan(members, weekly(4))
    assert [p.presenter_name for p in picks] == ["Ana", "Bob", "Cleo", "Ana"]
    assert picks[0].reason == "not presented yet (joined 30 Dec 2025)"
    assert picks[3].reason == "last presented 06 Jan"


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
    assert picks[0].reason == "nobody can present: Ana away until 01 Feb"
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

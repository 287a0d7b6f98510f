"""The presenter rotation as a pure function: members, away periods and sessions in, picks out.

The rules (the product brief's "Presenter rotation"):

- Fair round robin: each open session goes to the eligible member whose last turn
  is oldest. A member who never presented counts from the day they joined, so a
  newcomer joins at the back of the queue. Someone who left and came back counts
  from their return.
- Eligible means: a member at the session's start, in the rotation, and not away
  on the session's day (in the circle's timezone). Someone away is skipped for
  that date only; their turn stays oldest, so they are first in line next time.
- Fixed sessions are never changed: a held session keeps whoever presented, a
  session that has started keeps the presenter it started with (it is history: whatever
  changes later, an away period, a member leaving, a swap, moves only sessions to come), a
  manual assignment (volunteer, swap) always wins and counts as that member's
  turn, and a guest speaker consumes nobody's turn.
- A swap changes only the two sessions swapped: until the later of the two everyone
  stands in line as if it had not happened (the member who gave the earlier session
  away counts it as their turn, the one who took it not yet), and from the later one
  on the two have exchanged places in the line.
- Ties go to whoever joined first, then by name, then by person id, so the same
  inputs give the same picks on every run and in any input order.

"What happens" is defined by :func:`plan` itself: holding a session records the
presenter its pick names, and a recorded turn moves the queue exactly as a
suggested one does. So the preview (the picks for the open sessions) is what
holding those sessions one by one produces, as long as nothing else changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum

from circles.days import day_said
from models.enums import PresenterSource


@dataclass(frozen=True, slots=True)
class Member:
    """One membership: a person may have several if they left and came back."""

    person_id: int
    name: str
    joined_at: datetime
    left_at: datetime | None = None
    in_rotation: bool = True

    def covers(self, instant: datetime) -> bool:
        return self.joined_at <= instant and (self.left_at is None or instant < self.left_at)


@dataclass(frozen=True, slots=True)
class Absence:
    """Away from ``starts_on`` to ``ends_on``, both days included."""

    person_id: int
    starts_on: date
    ends_on: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class Slot:
    """A session, in the state the rotation needs.

    ``held`` sessions and those whose source is MANUAL or GUEST are fixed; the rest
    (no presenter, or one the rotation suggested earlier) are open and get a pick, but
    a ``started`` one keeps the presenter it started with (see :func:`plan`).
    ``swapped_with`` is the session whose presenter this one's was exchanged with; it
    counts only while the other says the same of this one and both have presenters.
    """

    id: int
    starts_at: datetime
    day: date  # the session's date on the circle's wall clock
    presenter_id: int | None = None
    source: PresenterSource | None = None
    held: bool = False
    swapped_with: int | None = None
    started: bool = False  # it began before now: under way, or over and not marked held yet

    @property
    def fixed(self) -> bool:
        return self.held or (
            self.presenter_id is not None and self.source in (PresenterSource.MANUAL, PresenterSource.GUEST)
        )


class Why(StrEnum):
    """What decided a pick."""

    ROTATION = "rotation"  # chosen by the round robin now
    HELD = "held"  # the session was held; this is who presented
    MANUAL = "manual"  # assigned by hand
    GUEST = "guest"  # a guest speaker, nobody's turn
    NOBODY = "nobody"  # nobody could be picked


@dataclass(frozen=True, slots=True)
class Skip:
    person_id: int
    name: str
    reason: str  # "away until 15 Apr (conference)"


@dataclass(frozen=True, slots=True)
class Pick:
    slot_id: int
    starts_at: datetime
    day: date
    presenter_id: int | None
    presenter_name: str | None
    why: Why
    reason: str
    counts_as_turn: bool
    skipped: tuple[Skip, ...] = field(default=())
    warning: str = ""  # something a person should look at, e.g. an assigned presenter now away
    swapped_with: int | None = None  # the other session of the swap this one is half of (one that counts)

    @property
    def suggested(self) -> bool:
        return self.why is Why.ROTATION


@dataclass(slots=True)
class _Span:
    """A membership with its instants in UTC: comparing datetimes that share one tzinfo is
    several times faster, and a 500-member circle compares them for every open session."""

    member: Member
    joined: datetime
    left: datetime | None
    order: tuple[datetime, str, int]  # the tie-breaks after the standing


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class _Queue:
    """Everyone's standing: when their turn last came (or when they joined)."""

    def __init__(self, members: Iterable[Member], away: Iterable[Absence]) -> None:
        self.members = sorted(members, key=lambda m: (_utc(m.joined_at), m.person_id))
        self.names = {m.person_id: m.name for m in self.members}
        self.spans = [
            _Span(
                m,
                _utc(m.joined_at),
                _utc(m.left_at) if m.left_at else None,
                (_utc(m.joined_at), m.name.casefold(), m.person_id),
            )
            for m in self.members
        ]
        # Indexed by person: fixed sessions and away checks look people up one at a time.
        self.by_person: dict[int, list[_Span]] = {}
        for span in self.spans:
            self.by_person.setdefault(span.member.person_id, []).append(span)
        self.away: dict[int, list[Absence]] = {}
        for a in sorted(away, key=lambda a: (a.starts_on, a.ends_on, a.person_id, a.reason)):
            self.away.setdefault(a.person_id, []).append(a)
        self.last_turn: dict[int, datetime] = {}  # UTC
        self.last_turn_day: dict[int, date] = {}
        self.today: date | None = None  # whose year a reason's day leaves out (else the session's)
        # How the standing of someone in a swap reads, while it comes from the swap.
        self.swap_notes: dict[int, tuple[str, str]] = {}
        # Who is a member changes only when someone joins or leaves: between two such instants
        # every slot has the same candidates, so they are worked out once per stretch.
        self.changes = sorted({s.joined for s in self.spans} | {s.left for s in self.spans if s.left})
        self._candidates: dict[int, list[_Span]] = {}

    def is_member(self, person_id: int | None, instant: datetime) -> bool:
        if person_id is None:
            return False
        t = _utc(instant)
        return any(
            s.joined <= t and (s.left is None or t < s.left) for s in self.by_person.get(person_id, ())
        )

    def absence(self, person_id: int, day: date) -> Absence | None:
        # Of overlapping away periods, the one lasting longest says when they are back.
        covering = [a for a in self.away.get(person_id, ()) if a.covers(day)]
        return max(covering, key=lambda a: a.ends_on) if covering else None

    def record_turn(self, person_id: int, slot: Slot, *, given_to: str = "") -> None:
        self.last_turn[person_id] = _utc(slot.starts_at)
        self.last_turn_day[person_id] = slot.day
        if given_to:  # a turn they gave away in a swap: the reason must not say they presented
            self.swap_notes[person_id] = ("last turn", f", given to {given_to} in a swap")
        elif self.swap_notes:
            self.swap_notes.pop(person_id, None)

    def take_place(self, person_id: int, standing: datetime, presented: date, note: str) -> None:
        """``person_id`` now stands in line at ``standing`` (UTC), the second half of a swap;
        ``presented`` is the day they really presented last, ``note`` says why they stand
        elsewhere (empty when they stand there because they presented then)."""
        self.last_turn[person_id] = standing
        self.last_turn_day[person_id] = presented
        if note:
            self.swap_notes[person_id] = ("last presented", f"; {note}")
        else:
            self.swap_notes.pop(person_id, None)

    def rank(self, span: _Span) -> tuple[datetime, tuple[datetime, str, int]]:
        """The queue key: the last turn, or the (latest) joining if that came after it."""
        last = self.last_turn.get(span.member.person_id)
        return (span.joined if last is None or last < span.joined else last, span.order)

    def candidates(self, slot: Slot) -> list[_Span]:
        """Members in the rotation at the slot (their latest membership), in no particular order."""
        t = _utc(slot.starts_at)
        stretch = bisect_right(self.changes, t)
        if stretch not in self._candidates:
            current = {
                s.member.person_id: s for s in self.spans if s.joined <= t and (s.left is None or t < s.left)
            }
            self._candidates[stretch] = [s for s in current.values() if s.member.in_rotation]
        return self._candidates[stretch]

    def why_next(self, member: Member, day: date) -> str:
        last = self.last_turn.get(member.person_id)
        if last is None or last < _utc(member.joined_at):
            joined = day_said(member.joined_at.date(), self.today or day)
            if last is not None:
                return f"not presented since rejoining {joined}"
            return f"not presented yet (joined {joined})"
        when = day_said(self.last_turn_day[member.person_id], self.today or day)
        note = self.swap_notes.get(member.person_id) if self.swap_notes else None
        if note is not None:
            return f"{note[0]} {when}{note[1]}"
        return f"last presented {when}"

    def away_text(self, absence: Absence, day: date) -> str:
        text = f"away until {day_said(absence.ends_on, self.today or day)}"
        return f"{text} ({absence.reason})" if absence.reason else text


def plan(
    members: Sequence[Member],
    slots: Sequence[Slot],
    away: Sequence[Absence] = (),
    *,
    names: Mapping[int, str] | None = None,
    today: date | None = None,
) -> list[Pick]:
    """A pick for every slot, in time order: fixed ones as they are, open ones by the rules.

    ``names`` names presenters who are not members (guest speakers). ``today``: the reasons
    write a day without its year when it is of today's year (circles/days.py); without it, of
    the session's year.
    """
    queue = _Queue(members, away)
    queue.today = today
    queue.names = {**(names or {}), **queue.names}
    swaps = _swaps(slots)
    taken: dict[int, Pick] = {}  # the earlier session of a swap, by the later one's id
    picks = []
    for slot in sorted(slots, key=lambda s: (s.starts_at, s.id)):
        if slot.fixed:
            pick = _fixed(queue, slot)
        else:
            pick = _choose(queue, slot)
            if slot.started and slot.presenter_id is not None and pick.presenter_id != slot.presenter_id:
                pick = _kept(queue, slot)
        pair = swaps.get(slot.id) if swaps else None
        if pair is None:
            if pick.counts_as_turn and pick.presenter_id is not None:
                queue.record_turn(pick.presenter_id, slot)
        elif slot is pair[0]:
            _gave_away(queue, slot, pick, pair[1])
            taken[pair[1].id] = pick
            pick = replace(pick, swapped_with=pair[1].id)
        else:
            _took_back(queue, slot, pick, pair[0], taken[slot.id])
            pick = replace(pick, swapped_with=pair[0].id)
        picks.append(pick)
    return picks


def _swaps(slots: Sequence[Slot]) -> dict[int, tuple[Slot, Slot]]:
    """The swaps that count, (earlier, later) by the id of each of the two sessions.

    A link counts while both sessions say it of each other (a session assigned anew has
    lost its link; one cancelled is not among the slots) and both have fixed presenters who
    are two different people.
    """
    linked = {s.id: s for s in slots if s.swapped_with is not None}
    pairs: dict[int, tuple[Slot, Slot]] = {}
    for s in linked.values():
        other = linked.get(s.swapped_with) if s.swapped_with is not None else None
        if (
            other is None
            or other.id == s.id
            or other.swapped_with != s.id
            or not (s.fixed and other.fixed)
            or s.presenter_id is None
            or other.presenter_id is None
            or s.presenter_id == other.presenter_id
        ):
            continue
        first = (_utc(s.starts_at), s.id) < (_utc(other.starts_at), other.id)
        pairs[s.id] = (s, other) if first else (other, s)
    return pairs


def _gave_away(queue: _Queue, earlier: Slot, pick: Pick, later: Slot) -> None:
    """The earlier session of a swap: it stays the turn of whoever gave it away (they present
    at the later one), and the one who took it waits for the later session to count theirs, so
    everyone in between stands in line as if there had been no swap."""
    giver = later.presenter_id
    assert giver is not None  # _swaps keeps only links between two presenters
    # Counted as the giver's presenting here would have been: a member's, not a guest's.
    if later.source is not PresenterSource.GUEST and queue.is_member(giver, earlier.starts_at):
        queue.record_turn(giver, earlier, given_to=pick.presenter_name or "a guest")


def _took_back(queue: _Queue, later: Slot, pick: Pick, earlier: Slot, earlier_pick: Pick) -> None:
    """The later session of a swap: from here on the two have exchanged places in line."""
    giver, taker = pick.presenter_id, earlier_pick.presenter_id
    assert giver is not None and taker is not None
    gave = queue.last_turn.get(giver)  # the turn given away, or a later one of theirs
    gave_counted = later.source is not PresenterSource.GUEST and queue.is_member(giver, earlier.starts_at)
    if pick.counts_as_turn:
        queue.record_turn(giver, later)
    if not earlier_pick.counts_as_turn:
        return  # a guest speaker took it: nobody's turn
    if gave_counted and gave is not None:
        name = pick.presenter_name or "the other"
        note = "" if gave == _utc(earlier.starts_at) else f"in {name}'s place in line since their swap"
        queue.take_place(taker, gave, earlier.day, note)
    else:
        # Taken from a guest speaker: the taker's turn stays where it was, on the later date.
        note = f"in line from {day_said(later.day, queue.today or earlier.day)} after a swap"
        queue.take_place(taker, _utc(later.starts_at), earlier.day, note)


def _fixed(queue: _Queue, slot: Slot) -> Pick:
    presenter = slot.presenter_id
    name = queue.names.get(presenter) if presenter is not None else None
    guest = slot.source is PresenterSource.GUEST or not queue.is_member(presenter, slot.starts_at)
    if presenter is None:
        why, reason = Why.NOBODY, "held without a presenter"
    elif guest:
        why, reason = Why.GUEST, "guest speaker: takes nobody's turn"
    elif slot.held:
        why, reason = Why.HELD, "presented"
    else:
        why, reason = Why.MANUAL, "assigned by hand"
    absence = queue.absence(presenter, slot.day) if presenter is not None and not slot.held else None
    # Never changed, but worth a second look: they were marked away after being assigned.
    warning = f"but {name or 'they'} {queue.away_text(absence, slot.day)}" if absence else ""
    return Pick(
        slot_id=slot.id,
        starts_at=slot.starts_at,
        day=slot.day,
        presenter_id=presenter,
        presenter_name=name,
        why=why,
        reason=reason,
        counts_as_turn=presenter is not None and not guest,
        warning=warning,
    )


def _kept(queue: _Queue, slot: Slot) -> Pick:
    """A session that has started keeps the presenter the rotation gave it: the sessions
    before it and the people they saw then are history, so a change made since (someone
    marked away, a member leaving, a swap) moves the sessions to come, never this one. Only
    one that started with nobody to present still gets a pick (one added under way, or
    recorded as held, is planned for the first time)."""
    presenter = slot.presenter_id
    assert presenter is not None  # only a started session with a presenter is kept
    return Pick(
        slot_id=slot.id,
        starts_at=slot.starts_at,
        day=slot.day,
        presenter_id=presenter,
        presenter_name=queue.names.get(presenter),
        why=Why.ROTATION,
        reason="their turn when the session started",
        counts_as_turn=queue.is_member(presenter, slot.starts_at),
    )


def _choose(queue: _Queue, slot: Slot) -> Pick:
    skipped: list[Skip] = []
    pool = queue.candidates(slot)
    first = min(pool, key=queue.rank, default=None)
    # Usually the first in line can present; only when they are away is the whole line sorted.
    if first is not None and queue.absence(first.member.person_id, slot.day) is None:
        line = [first]
    else:
        line = sorted(pool, key=queue.rank)
    for member in (span.member for span in line):
        absence = queue.absence(member.person_id, slot.day)
        if absence is not None:
            skipped.append(Skip(member.person_id, member.name, queue.away_text(absence, slot.day)))
            continue
        reason = queue.why_next(member, slot.day)
        if skipped:
            reason += "; " + "; ".join(f"{s.name} {s.reason}" for s in skipped)
        return Pick(
            slot_id=slot.id,
            starts_at=slot.starts_at,
            day=slot.day,
            presenter_id=member.person_id,
            presenter_name=member.name,
            why=Why.ROTATION,
            reason=reason,
            counts_as_turn=True,
            skipped=tuple(skipped),
        )
    if skipped:
        reason = "nobody can present: " + ", ".join(f"{s.name} {s.reason}" for s in skipped)
    else:
        reason = "nobody is in the rotation: add members or put them back in it"
    return Pick(
        slot_id=slot.id,
        starts_at=slot.starts_at,
        day=slot.day,
        presenter_id=None,
        presenter_name=None,
        why=Why.NOBODY,
        reason=reason,
        counts_as_turn=False,
        skipped=tuple(skipped),
    )


def hold(slots: Sequence[Slot], picks: Sequence[Pick], slot_id: int) -> list[Slot]:
    """The slots after holding ``slot_id`` as picked: what the store records when it is held."""
    chosen = next(p for p in picks if p.slot_id == slot_id)
    result = []
    for slot in slots:
        if slot.id == slot_id:
            source = slot.source if slot.fixed else PresenterSource.ROTATION
            slot = replace(slot, presenter_id=chosen.presenter_id, source=source, held=True)
        result.append(slot)
    return result

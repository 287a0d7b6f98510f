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
  manual assignment (volunteer, swap) always wins and counts as that member's
  turn, and a guest speaker consumes nobody's turn.
- Ties go to whoever joined first, then by name, then by person id, so the same
  inputs give the same picks on every run and in any input order.

"What happens" is defined by :func:`plan` itself: holding a session records the
presenter its pick names, and a recorded turn moves the queue exactly as a
suggested one does. So the preview (the picks for the open sessions) is what
holding those sessions one by one produces, as long as nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

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
    (no presenter, or one the rotation suggested earlier) are open and get a pick.
    """

    id: int
    starts_at: datetime
    day: date  # the session's date on the circle's wall clock
    presenter_id: int | None = None
    source: PresenterSource | None = None
    held: bool = False

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

    @property
    def suggested(self) -> bool:
        return self.why is Why.ROTATION


def short_date(day: date, *, relative_to: date | None = None) -> str:
    """'10 Mar', with the year when it is not the year of ``relative_to``."""
    if relative_to is not None and day.year != relative_to.year:
        return f"{day.day} {day:%b %Y}"
    return f"{day.day} {day:%b}"


class _Queue:
    """Everyone's standing: when their turn last came (or when they joined)."""

    def __init__(self, members: Iterable[Member], away: Iterable[Absence]) -> None:
        self.members = sorted(members, key=lambda m: (m.joined_at, m.person_id))
        self.names = {m.person_id: m.name for m in self.members}
        self.away = sorted(away, key=lambda a: (a.starts_on, a.ends_on, a.person_id, a.reason))
        self.last_turn: dict[int, datetime] = {}
        self.last_turn_day: dict[int, date] = {}

    def membership_at(self, person_id: int, instant: datetime) -> Member | None:
        found = [m for m in self.members if m.person_id == person_id and m.covers(instant)]
        return found[-1] if found else None

    def is_member(self, person_id: int | None, instant: datetime) -> bool:
        return person_id is not None and self.membership_at(person_id, instant) is not None

    def absence(self, person_id: int, day: date) -> Absence | None:
        return next((a for a in self.away if a.person_id == person_id and a.covers(day)), None)

    def record_turn(self, person_id: int, slot: Slot) -> None:
        self.last_turn[person_id] = slot.starts_at
        self.last_turn_day[person_id] = slot.day

    def standing(self, member: Member) -> datetime:
        """The queue key: the last turn, or the (latest) joining if that came after it."""
        last = self.last_turn.get(member.person_id)
        return member.joined_at if last is None or last < member.joined_at else last

    def candidates(self, slot: Slot) -> list[Member]:
        """Members in the rotation at the slot, first in line first (away ones included)."""
        current = {}
        for m in self.members:
            if m.covers(slot.starts_at) and m.in_rotation:
                current[m.person_id] = m
        return sorted(
            current.values(),
            key=lambda m: (self.standing(m), m.joined_at, m.name.casefold(), m.person_id),
        )

    def why_next(self, member: Member, day: date) -> str:
        last = self.last_turn.get(member.person_id)
        if last is None or last < member.joined_at:
            joined = short_date(member.joined_at.date(), relative_to=day)
            if last is not None:
                return f"not presented since rejoining {joined}"
            return f"not presented yet (joined {joined})"
        return f"last presented {short_date(self.last_turn_day[member.person_id], relative_to=day)}"

    def away_text(self, absence: Absence, day: date) -> str:
        text = f"away until {short_date(absence.ends_on, relative_to=day)}"
        return f"{text} ({absence.reason})" if absence.reason else text


def plan(
    members: Sequence[Member],
    slots: Sequence[Slot],
    away: Sequence[Absence] = (),
    *,
    names: Mapping[int, str] | None = None,
) -> list[Pick]:
    """A pick for every slot, in time order: fixed ones as they are, open ones by the rules.

    ``names`` names presenters who are not members (guest speakers).
    """
    queue = _Queue(members, away)
    queue.names = {**(names or {}), **queue.names}
    picks = []
    for slot in sorted(slots, key=lambda s: (s.starts_at, s.id)):
        pick = _fixed(queue, slot) if slot.fixed else _choose(queue, slot)
        if pick.counts_as_turn and pick.presenter_id is not None:
            queue.record_turn(pick.presenter_id, slot)
        picks.append(pick)
    return picks


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


def _choose(queue: _Queue, slot: Slot) -> Pick:
    skipped: list[Skip] = []
    for member in queue.candidates(slot):
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
            slot = Slot(slot.id, slot.starts_at, slot.day, chosen.presenter_id, source, held=True)
        result.append(slot)
    return result

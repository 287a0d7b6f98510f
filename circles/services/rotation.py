"""Rotation in the store: plan a series, preview presenters, assign, swap, hold, and the ledger.

The rules live in :mod:`circles.rotation` (pure); this module loads what they need
and records what they decide.

What is stored, and what "happens" means:

- A held session keeps whoever presented (``presenter_source`` says how they were
  chosen). :func:`hold_session` records the rotation's pick for the session, so
  the preview's suggestion is what holding it records if nothing changes.
- A manual assignment (volunteer, swap) or a guest speaker is fixed until someone
  clears it; the rotation works around it.
- A scheduled session with no fixed presenter is open. Its stored presenter (source
  "rotation") is the latest suggestion, kept current by every write here (and by
  :func:`refresh`) so session lists and calendar invites name the right person;
  the suggestion itself is always recomputed from history, so adding an away
  period elsewhere changes the preview at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import cadence as cadences
from circles import rotation, validate
from circles.errors import InvalidInput, NotAllowed, NotFound
from circles.services import agenda, sessions
from circles.services.circles import get_circle, update_circle
from circles.services.clock import now
from circles.views import AgendaItemView, CircleView, SessionView
from circles.zones import time_zone
from models.enums import CircleKind, PresenterSource, RotationEventKind, SessionStatus
from models.tables import (
    AgendaItem,
    AgendaTemplateItem,
    Away,
    CircleSession,
    Membership,
    Person,
    RotationEvent,
    SkipDate,
)

MAX_PLAN = 200
MAX_PREVIEW = 200

# Event kinds in rotation_event.
ASSIGNED = RotationEventKind.ASSIGNED
GUEST = RotationEventKind.GUEST
CLEARED = RotationEventKind.CLEARED
SWAP_ASKED = RotationEventKind.SWAP_ASKED
SWAP_AGREED = RotationEventKind.SWAP_AGREED
SKIPPED = RotationEventKind.SKIPPED


# ---------------------------------------------------------------- read models


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One upcoming session (or one the cadence will plan next) and who presents."""

    session: SessionView | None  # None: not planned yet, projected from the cadence
    starts_at: datetime  # aware, in the circle's zone
    presenter_id: int | None
    presenter_name: str | None
    why: rotation.Why
    reason: str
    skipped: tuple[rotation.Skip, ...]

    @property
    def planned(self) -> bool:
        return self.session is not None

    @property
    def session_id(self) -> int | None:
        return self.session.id if self.session else None


@dataclass(frozen=True, slots=True)
class LedgerRow:
    person_id: int
    name: str
    email: str
    current_member: bool
    in_rotation: bool
    times_presented: int  # within the range
    last_presented: date | None  # up to the end of the range
    first_presented: date | None  # ever
    first_time: bool  # their first turn ever fell within the range
    skips: tuple[tuple[date, str], ...]
    swaps_given: int  # asked someone else to take their session
    swaps_taken: int  # took someone else's session for them


@dataclass(frozen=True, slots=True)
class Ledger:
    circle_id: int
    since: date | None
    until: date | None
    sessions_held: int
    guest_sessions: int
    rows: tuple[LedgerRow, ...]

    @property
    def first_time_presenters(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rows if r.first_time)


@dataclass(frozen=True, slots=True)
class TemplateItem:
    title: str
    minutes: int | None = None
    is_presentation: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    circle_id: int
    items: tuple[TemplateItem, ...]
    custom: bool  # False: the default for the circle's kind


@dataclass(frozen=True, slots=True)
class SkipDateView:
    circle_id: int
    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class PlanResult:
    sessions: tuple[SessionView, ...]
    skipped: tuple[tuple[date, str], ...]  # skip dates stepped over, with reasons
    already_planned: tuple[date, ...]  # cadence days that already had a session


# ---------------------------------------------------------------- cadence and skip dates


def set_cadence(db: Session, original: CircleView, text: str | None) -> CircleView:
    """Store a circle's cadence in its canonical spelling (None or "" clears it)."""
    if text is None or not text.strip():
        return update_circle(db, original, cadence=None)
    parsed = cadences.parse(text)
    return update_circle(db, original, cadence=parsed.text)


def circle_cadence(circle: CircleView) -> cadences.Cadence:
    if not circle.cadence:
        raise NotAllowed(
            f"{circle.name} has no cadence yet: set one with "
            f'circles circle cadence {circle.name!r} "weekly on tue at 12:00".'
        )
    return cadences.parse(circle.cadence)


def add_skip_date(db: Session, *, circle_id: int, day: date, reason: str = "") -> SkipDateView:
    get_circle(db, circle_id)
    reason = validate.text(reason, "reason", max_length=200)
    existing = db.exec(select(SkipDate).where(SkipDate.circle_id == circle_id, SkipDate.day == day)).first()
    if existing is not None:
        existing.reason = reason
    else:
        db.add(SkipDate(circle_id=circle_id, day=day, reason=reason))
    db.flush()
    return SkipDateView(circle_id, day, reason)


def remove_skip_date(db: Session, *, circle_id: int, day: date) -> None:
    found = db.exec(select(SkipDate).where(SkipDate.circle_id == circle_id, SkipDate.day == day)).first()
    if found is None:
        raise NotFound(f"{day.isoformat()} is not a skip date of this circle.")
    db.delete(found)
    db.flush()


def list_skip_dates(db: Session, circle_id: int) -> list[SkipDateView]:
    rows = db.exec(select(SkipDate).where(SkipDate.circle_id == circle_id).order_by(SkipDate.day))
    return [SkipDateView(s.circle_id, s.day, s.reason) for s in rows]


# ---------------------------------------------------------------- planning


def _next_occurrences(
    db: Session,
    circle: CircleView,
    count: int,
    start: date | None,
    circle_sessions: Sequence[SessionView | _Stored],
) -> tuple[list[cadences.Occurrence], list[tuple[date, str]], list[date]]:
    """What planning ``count`` sessions would create. Shared by planning and the preview,
    so the preview's not-yet-planned rows are exactly what planning makes."""
    cadence = circle_cadence(circle)
    zone = time_zone(circle.timezone)
    current = now(db)
    # One session a day at most: a day that has one (even moved or cancelled) is not planned again.
    taken = {s.planned_starts_at.astimezone(zone).date() for s in circle_sessions} | {
        s.starts_at.astimezone(zone).date() for s in circle_sessions
    }
    if start is None and circle_sessions:
        last = max(circle_sessions, key=lambda s: s.planned_starts_at)
        anchor = last.planned_starts_at.astimezone(zone).date()
        first_day = anchor + timedelta(days=1)
    else:
        first_day = start or current.astimezone(zone).date()
        anchor = first_day
    skip = {s.day: s.reason for s in list_skip_dates(db, circle.id)}
    found: list[cadences.Occurrence] = []
    stepped: list[tuple[date, str]] = []
    already: list[date] = []
    # Days that already hold a session are passed over without counting, so ask for
    # more until ``count`` new ones are found.
    while len(found) < count:
        batch, skipped = cadences.occurrences(
            cadence, circle.timezone, start=first_day, count=count - len(found),
            skip=skip, anchor=anchor, after=current,
        )  # fmt: skip
        stepped.extend(skipped)
        if not batch:
            break
        for occurrence in batch:
            if occurrence.day in taken:
                already.append(occurrence.day)
            else:
                found.append(occurrence)
        first_day = batch[-1].day + timedelta(days=1)
    return found, stepped, already


def plan_sessions(db: Session, *, circle_id: int, count: int, start: date | None = None) -> PlanResult:
    """Create the next ``count`` sessions of the circle's cadence, in the caller's unit of work.

    Without ``start`` the series continues after the circle's last session (or from
    today). Skip dates are stepped over and days that already have a session are
    left alone. Each new session gets the circle's agenda template, and open
    presentation slots get the rotation's presenter.
    """
    if not 1 <= count <= MAX_PLAN:
        raise InvalidInput("count", count, f"must be between 1 and {MAX_PLAN}")
    circle = get_circle(db, circle_id)
    if circle.archived:
        raise NotAllowed(f"{circle.name} is archived; restore it before planning sessions.")
    cadence = circle_cadence(circle)
    existing = sessions.list_sessions(db, circle_id=circle_id)
    found, stepped, already = _next_occurrences(db, circle, count, start, existing)
    items = template(db, circle_id).items
    created = []
    for occurrence in found:
        s = sessions.add_session(
            db, circle_id=circle_id, starts_at=occurrence.starts_at, minutes=cadence.minutes
        )
        _apply_template_items(db, s, items)
        created.append(s.id)
    refresh(db, circle_id)
    return PlanResult(
        sessions=tuple(sessions.get_session(db, i) for i in created),
        skipped=tuple(stepped),
        already_planned=tuple(already),
    )


# ---------------------------------------------------------------- the rotation's inputs


@dataclass(frozen=True, slots=True)
class _Stored:
    """A session as the rotation reads it: a few columns, not a full read model."""

    id: int
    starts_at: datetime
    planned_starts_at: datetime
    status: SessionStatus
    presenter_id: int | None
    source: PresenterSource | None


@dataclass(slots=True)
class _State:
    circle: CircleView
    stored: list[_Stored]  # every session, cancelled ones too, in time order
    members: list[rotation.Member]
    away: list[rotation.Absence]
    names: dict[int, str]

    def slots(self) -> list[rotation.Slot]:
        zone = time_zone(self.circle.timezone)
        return [
            rotation.Slot(
                id=s.id,
                starts_at=s.starts_at,
                day=s.starts_at.astimezone(zone).date(),
                presenter_id=s.presenter_id,
                source=s.source,
                held=s.status is SessionStatus.HELD,
            )
            for s in self.stored
            if s.status is not SessionStatus.CANCELLED
        ]

    def plan(self, extra: Sequence[rotation.Slot] = ()) -> list[rotation.Pick]:
        return rotation.plan(self.members, [*self.slots(), *extra], self.away, names=self.names)


def _load(db: Session, circle_id: int) -> _State:
    # Plain columns, not ORM rows: a circle of 500 members and years of sessions is
    # read for every preview, and building ORM objects was most of its time.
    circle = get_circle(db, circle_id)
    zone = time_zone(circle.timezone)
    stored = [
        _Stored(
            i, starts, planned, SessionStatus(status), presenter, PresenterSource(source) if source else None
        )
        for i, starts, planned, status, presenter, source in db.exec(
            select(
                CircleSession.id,
                CircleSession.starts_at,
                CircleSession.planned_starts_at,
                CircleSession.status,
                CircleSession.presenter_id,
                CircleSession.presenter_source,
            )
            .where(CircleSession.circle_id == circle_id)
            .order_by(CircleSession.starts_at, CircleSession.id)
        )
    ]
    rows = db.exec(
        select(
            Membership.person_id,
            Person.name,
            Membership.joined_at,
            Membership.left_at,
            Membership.in_rotation,
            Person.active,
            Person.is_guest,
        )
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.circle_id == circle_id)
    ).all()
    members = [
        rotation.Member(
            person_id=person_id,
            name=name,
            # In the circle's zone, so reasons name the day people saw on their wall clock.
            joined_at=joined_at.astimezone(zone),
            left_at=left_at.astimezone(zone) if left_at else None,
            # Guests and deactivated people stay members on record but are never picked.
            in_rotation=in_rotation and active and not is_guest,
        )
        for person_id, name, joined_at, left_at, in_rotation, active, is_guest in rows
    ]
    names = {m.person_id: m.name for m in members}
    outsiders = {s.presenter_id for s in stored if s.presenter_id is not None} - set(names)
    if outsiders:
        names.update(db.exec(select(Person.id, Person.name).where(col(Person.id).in_(outsiders))).all())
    away = [
        rotation.Absence(*row)
        for row in db.exec(
            select(Away.person_id, Away.starts_on, Away.ends_on, Away.reason).where(
                col(Away.person_id).in_(set(names))
            )
        )
    ] if names else []  # fmt: skip
    return _State(circle, stored, members, away, names)


def _event_reasons(db: Session, session_ids: Sequence[int]) -> dict[int, str]:
    """The latest hand-made decision's reason per session (assignments, swaps, guests)."""
    if not session_ids:
        return {}
    rows = db.exec(
        select(RotationEvent.session_id, RotationEvent.reason)
        .where(
            col(RotationEvent.session_id).in_(session_ids),
            col(RotationEvent.kind).in_([ASSIGNED, GUEST, SWAP_ASKED, SWAP_AGREED]),
        )
        .order_by(RotationEvent.recorded_at, RotationEvent.id)
    )
    return {sid: reason for sid, reason in rows if sid is not None and reason}


# ---------------------------------------------------------------- preview and refresh


def preview(db: Session, circle_id: int, *, count: int = 8) -> list[PreviewRow]:
    """The next ``count`` sessions from now with their presenters and reasons.

    When fewer are planned, the rest are the sessions planning would create next
    (if the circle has a cadence), so the preview reaches ``count`` either way.
    """
    if not 1 <= count <= MAX_PREVIEW:
        raise InvalidInput("count", count, f"must be between 1 and {MAX_PREVIEW}")
    state = _load(db, circle_id)
    current = now(db)
    upcoming = [
        s
        for s in sessions.list_sessions(db, circle_id=circle_id, start=current, include_cancelled=False)
        if s.status is SessionStatus.SCHEDULED
    ][:count]
    projected: list[cadences.Occurrence] = []
    if len(upcoming) < count and state.circle.cadence and not state.circle.archived:
        projected, _, _ = _next_occurrences(db, state.circle, count - len(upcoming), None, state.stored)
    # Negative ids cannot collide with sessions; they sort after every planned session.
    extra = [rotation.Slot(id=-(i + 1), starts_at=o.starts_at, day=o.day) for i, o in enumerate(projected)]
    picks = {p.slot_id: p for p in state.plan(extra)}
    reasons = _event_reasons(db, [s.id for s in upcoming])
    zone = time_zone(state.circle.timezone)
    rows = []
    for s in upcoming:
        pick = picks[s.id]
        reason = (
            reasons.get(s.id, pick.reason)
            if pick.why in (rotation.Why.MANUAL, rotation.Why.GUEST)
            else pick.reason
        )
        if pick.warning:
            reason += f"; {pick.warning}"
        rows.append(_row(s, s.starts_at.astimezone(zone), pick, reason))
    for slot in extra:
        pick = picks[slot.id]
        rows.append(_row(None, slot.starts_at, pick, pick.reason))
    return rows


def _row(s: SessionView | None, starts_at: datetime, pick: rotation.Pick, reason: str) -> PreviewRow:
    return PreviewRow(
        session=s,
        starts_at=starts_at,
        presenter_id=pick.presenter_id,
        presenter_name=pick.presenter_name,
        why=pick.why,
        reason=reason,
        skipped=pick.skipped,
    )


def refresh(db: Session, circle_id: int) -> list[SessionView]:
    """Store the current suggestion on every open scheduled session; returns those that changed."""
    state = _load(db, circle_id)
    picks = {p.slot_id: p for p in state.plan()}
    changed = []
    for s in state.stored:
        if s.status is not SessionStatus.SCHEDULED:
            continue
        pick = picks[s.id]
        if pick.why not in (rotation.Why.ROTATION, rotation.Why.NOBODY):
            continue
        source = PresenterSource.ROTATION if pick.presenter_id is not None else None
        if (s.presenter_id, s.source) != (pick.presenter_id, source):
            view = sessions.get_session(db, s.id)
            changed.append(
                sessions.set_presenter(
                    db, view, presenter_id=pick.presenter_id, source=source, automatic=True
                )
            )
    _sync_agenda(db, circle_id)
    return changed


def _sync_agenda(db: Session, circle_id: int) -> None:
    """Every scheduled session's presentation slot names the session's presenter, in one statement."""
    presenter = (
        sa.select(CircleSession.presenter_id)
        .where(CircleSession.id == AgendaItem.session_id)
        .scalar_subquery()
    )
    scheduled = sa.select(CircleSession.id).where(
        CircleSession.circle_id == circle_id, CircleSession.status == SessionStatus.SCHEDULED
    )
    db.execute(
        sa.update(AgendaItem)
        .where(
            col(AgendaItem.is_presentation).is_(True),
            col(AgendaItem.session_id).in_(scheduled),
            col(AgendaItem.presenter_id).is_distinct_from(presenter),
        )
        .values(presenter_id=presenter, version=AgendaItem.version + 1)
    )


def _fill_presentation(db: Session, session_id: int, presenter_id: int | None) -> None:
    """Put the presenter in the session's presentation slot(s) of the agenda."""
    db.execute(
        sa.update(AgendaItem)
        .where(
            col(AgendaItem.session_id) == session_id,
            col(AgendaItem.is_presentation).is_(True),
            col(AgendaItem.presenter_id).is_distinct_from(presenter_id),
        )
        .values(presenter_id=presenter_id, version=AgendaItem.version + 1)
    )


# ---------------------------------------------------------------- decisions


def _require_open_to_change(s: SessionView) -> None:
    if s.status is SessionStatus.CANCELLED:
        raise NotAllowed(f"The session {s.label} is cancelled; its presenter cannot change.")
    if s.status is SessionStatus.HELD:
        raise NotAllowed(f"The session {s.label} was already held; who presented stays on record.")


def _event(
    db: Session,
    s: SessionView,
    kind: RotationEventKind,
    person_id: int | None,
    other: int | None,
    reason: str,
) -> None:
    db.add(
        RotationEvent(
            circle_id=s.circle_id,
            session_id=s.id,
            kind=kind,
            person_id=person_id,
            other_person_id=other,
            reason=reason[:300],
            recorded_at=now(db),
        )
    )


def _is_guest_for(db: Session, person: Person, s: SessionView) -> bool:
    if person.is_guest:
        return True
    member = db.exec(
        select(Membership.id).where(
            Membership.circle_id == s.circle_id,
            Membership.person_id == person.id,
            col(Membership.joined_at) <= s.starts_at,
            sa.or_(col(Membership.left_at).is_(None), col(Membership.left_at) > s.starts_at),
        )
    ).first()
    return member is None


def _refuse_if_away(db: Session, person: Person | int, s: SessionView, name: str | None = None) -> None:
    person_id = person if isinstance(person, int) else person.id
    day = s.local_day
    away = db.exec(
        select(Away).where(Away.person_id == person_id, Away.starts_on <= day, Away.ends_on >= day)
    ).first()
    if away is not None:
        who = name or (person.name if isinstance(person, Person) else f"person {person_id}")
        why = f" ({away.reason})" if away.reason else ""
        raise NotAllowed(
            f"{who} is away on {day:%a %d %b %Y}{why}, until {away.ends_on:%d %b %Y}; "
            "pick another session or remove the away period first."
        )


def assign(
    db: Session, original: SessionView, *, person_id: int, guest: bool = False, note: str = ""
) -> SessionView:
    """Make ``person_id`` the session's presenter; a manual assignment always wins.

    Guests (people marked guest, or anyone not a member at the session) become the
    session's guest speaker and take nobody's turn; ``guest=True`` treats a member
    so too. A member's assignment counts as their turn.
    """
    _require_open_to_change(original)
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    note = validate.text(note, "note", max_length=200)
    _refuse_if_away(db, person, original)
    as_guest = guest or _is_guest_for(db, person, original)
    source = PresenterSource.GUEST if as_guest else PresenterSource.MANUAL
    updated = sessions.set_presenter(db, original, presenter_id=person_id, source=source)
    reason = "guest speaker: takes nobody's turn" if as_guest else "assigned by hand"
    if note:
        reason += f" ({note})"
    _event(db, original, GUEST if as_guest else ASSIGNED, person_id, None, reason)
    refresh(db, original.circle_id)
    return sessions.get_session(db, updated.id)


def clear_assignment(db: Session, original: SessionView) -> SessionView:
    """Give the session back to the rotation."""
    _require_open_to_change(original)
    if original.presenter_source not in (PresenterSource.MANUAL, PresenterSource.GUEST):
        raise NotAllowed(f"The session {original.label} has no manual presenter; the rotation already picks.")
    sessions.set_presenter(db, original, presenter_id=None, source=None)
    _event(db, original, CLEARED, original.presenter_id, None, "given back to the rotation")
    refresh(db, original.circle_id)
    return sessions.get_session(db, original.id)


def swap(db: Session, first: SessionView, second: SessionView) -> tuple[SessionView, SessionView]:
    """Exchange the presenters of two sessions of one circle, in one action.

    The first session's presenter is the one who asked: the ledger counts a swap
    given for them and a swap taken for the other. Both sessions become manual
    assignments (a guest speaker stays a guest).
    """
    if first.id == second.id:
        raise InvalidInput("second session", second.id, "is the same session; pick two different ones")
    if first.circle_id != second.circle_id:
        raise NotAllowed("Only sessions of the same circle can swap presenters.")
    _require_open_to_change(first)
    _require_open_to_change(second)
    state = _load(db, first.circle_id)
    picks = {p.slot_id: p for p in state.plan()}
    a, b = picks[first.id], picks[second.id]
    for s, p in ((first, a), (second, b)):
        if p.presenter_id is None:
            raise NotAllowed(f"The session {s.label} has no presenter to swap; use assign instead.")
    if a.presenter_id == b.presenter_id:
        raise NotAllowed(f"{a.presenter_name} presents at both sessions; there is nothing to swap.")
    _refuse_if_away(db, b.presenter_id, first, b.presenter_name)  # type: ignore[arg-type]
    _refuse_if_away(db, a.presenter_id, second, a.presenter_name)  # type: ignore[arg-type]

    def source(p: rotation.Pick) -> PresenterSource:
        return PresenterSource.GUEST if p.why is rotation.Why.GUEST else PresenterSource.MANUAL

    zone = time_zone(state.circle.timezone)
    day_a = rotation.short_date(first.starts_at.astimezone(zone).date())
    day_b = rotation.short_date(second.starts_at.astimezone(zone).date())
    reason = f"swap: {a.presenter_name} gave {day_a} to {b.presenter_name} and takes {day_b}"
    sessions.set_presenter(db, first, presenter_id=b.presenter_id, source=source(b))
    sessions.set_presenter(db, second, presenter_id=a.presenter_id, source=source(a))
    _event(db, first, SWAP_ASKED, a.presenter_id, b.presenter_id, reason)
    _event(db, second, SWAP_AGREED, b.presenter_id, a.presenter_id, reason)
    refresh(db, first.circle_id)
    return sessions.get_session(db, first.id), sessions.get_session(db, second.id)


def hold_session(db: Session, original: SessionView) -> SessionView:
    """Mark a session held and record who presented: the fixed presenter, else the rotation's pick.

    People the rotation skipped for it (away) are written to the ledger.
    """
    _require_open_to_change(original)
    state = _load(db, original.circle_id)
    pick = next(p for p in state.plan() if p.slot_id == original.id)
    current = original
    if pick.why is rotation.Why.ROTATION or pick.why is rotation.Why.NOBODY:
        source = PresenterSource.ROTATION if pick.presenter_id is not None else None
        if (original.presenter_id, original.presenter_source) != (pick.presenter_id, source):
            current = sessions.set_presenter(
                db, original, presenter_id=pick.presenter_id, source=source, automatic=True
            )
        _fill_presentation(db, original.id, pick.presenter_id)
    for skip in pick.skipped:
        _event(db, original, SKIPPED, skip.person_id, pick.presenter_id, skip.reason)
    held = sessions.update_session(db, current, status=SessionStatus.HELD)
    refresh(db, original.circle_id)
    return held


# ---------------------------------------------------------------- the ledger


def _bounds(
    zone: ZoneInfo, since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    return start, end


def ledger(db: Session, circle_id: int, *, since: date | None = None, until: date | None = None) -> Ledger:
    """Per member: turns, last and first turn, skips, swaps, over held sessions in [since, until]."""
    if since and until:
        validate.date_range(since, until, start_field="since", end_field="until")
    circle = get_circle(db, circle_id)
    zone = time_zone(circle.timezone)
    start, end = _bounds(zone, since, until)
    held = sa.and_(
        CircleSession.circle_id == circle_id,
        CircleSession.status == SessionStatus.HELD,
        col(CircleSession.presenter_id).is_not(None),
    )
    in_range = sa.and_(
        sa.true() if start is None else CircleSession.starts_at >= start,
        sa.true() if end is None else CircleSession.starts_at < end,
    )
    not_after = sa.true() if end is None else CircleSession.starts_at < end
    turn = sa.or_(
        col(CircleSession.presenter_source).is_(None),
        CircleSession.presenter_source != PresenterSource.GUEST,
    )
    turns = {
        pid: (n, last, first)
        for pid, n, last, first in db.exec(
            select(
                CircleSession.presenter_id,
                sa.func.count().filter(in_range),
                sa.func.max(CircleSession.starts_at).filter(not_after),
                sa.func.min(CircleSession.starts_at),
            )
            .where(held, turn)
            .group_by(CircleSession.presenter_id)
        )
    }
    sessions_held, guest_sessions = db.exec(
        select(
            sa.func.count(), sa.func.count().filter(CircleSession.presenter_source == PresenterSource.GUEST)
        )
        .select_from(CircleSession)
        .where(CircleSession.circle_id == circle_id, CircleSession.status == SessionStatus.HELD, in_range)
    ).one()
    event_day = sa.func.coalesce(CircleSession.starts_at, RotationEvent.recorded_at)
    events = db.exec(
        select(RotationEvent.kind, RotationEvent.person_id, RotationEvent.reason, event_day)
        .join(CircleSession, CircleSession.id == RotationEvent.session_id, isouter=True)
        .where(
            RotationEvent.circle_id == circle_id,
            col(RotationEvent.kind).in_([SKIPPED, SWAP_ASKED, SWAP_AGREED]),
            sa.true() if start is None else event_day >= start,
            sa.true() if end is None else event_day < end,
        )
        .order_by(event_day, RotationEvent.id)
    ).all()
    skips: dict[int, list[tuple[date, str]]] = {}
    given: dict[int, int] = {}
    taken: dict[int, int] = {}
    for kind, person_id, reason, when in events:
        if person_id is None:
            continue
        if kind == SKIPPED:
            skips.setdefault(person_id, []).append((_as_aware(when).astimezone(zone).date(), reason))
        elif kind == SWAP_ASKED:
            given[person_id] = given.get(person_id, 0) + 1
        else:
            taken[person_id] = taken.get(person_id, 0) + 1
    people = _ledger_people(db, circle_id, start, end, set(turns) | set(skips) | set(given) | set(taken))
    rows = []
    for person, current, in_rotation in people:
        assert person.id is not None
        n, last, first = turns.get(person.id, (0, None, None))
        first_day = _as_aware(first).astimezone(zone).date() if first else None
        rows.append(
            LedgerRow(
                person_id=person.id,
                name=person.name,
                email=person.email,
                current_member=current,
                in_rotation=in_rotation,
                times_presented=n,
                last_presented=_as_aware(last).astimezone(zone).date() if last else None,
                first_presented=first_day,
                first_time=first is not None
                and (start is None or _as_aware(first) >= start)
                and (end is None or _as_aware(first) < end),
                skips=tuple(skips.get(person.id, ())),
                swaps_given=given.get(person.id, 0),
                swaps_taken=taken.get(person.id, 0),
            )
        )
    return Ledger(circle_id, since, until, sessions_held, guest_sessions, tuple(rows))


def _as_aware(value: datetime) -> datetime:
    # Aggregates skip the column type, so SQLite hands back naive UTC (or even text).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=time_zone("UTC"))


def _ledger_people(
    db: Session, circle_id: int, start: datetime | None, end: datetime | None, also: set[int]
) -> list[tuple[Person, bool, bool]]:
    """Everyone who was a member during the range, plus anyone the ledger has entries for."""
    overlaps = sa.and_(
        Membership.circle_id == circle_id,
        sa.true() if end is None else Membership.joined_at < end,
        sa.true()
        if start is None
        else sa.or_(col(Membership.left_at).is_(None), col(Membership.left_at) > start),
    )
    people: dict[int, tuple[Person, bool, bool]] = {}
    for m, p in db.exec(
        select(Membership, Person).join(Person, Person.id == Membership.person_id).where(overlaps)
    ):
        assert p.id is not None
        current = m.left_at is None
        _, was_current, was_in = people.get(p.id, (p, False, False))
        people[p.id] = (p, current or was_current, (m.in_rotation and current) or was_in)
    missing = also - set(people)
    if missing:
        for p in db.exec(select(Person).where(col(Person.id).in_(missing))):
            assert p.id is not None
            people[p.id] = (p, False, False)
    return sorted(people.values(), key=lambda row: (row[0].name.casefold(), row[0].id))


# ---------------------------------------------------------------- agenda templates

DEFAULT_TEMPLATES: dict[CircleKind, tuple[TemplateItem, ...]] = {
    CircleKind.LEARNING_CIRCLE: (
        TemplateItem("Check-in", 10),
        TemplateItem("Presentation", 25, is_presentation=True),
        TemplateItem("Discussion", 20),
        TemplateItem("Reflection", 5),
    ),
    CircleKind.LUNCH_AND_LEARN: (
        TemplateItem("Talk", 30, is_presentation=True),
        TemplateItem("Q&A", 20),
        TemplateItem("Wrap-up", 10),
    ),
    CircleKind.COMMUNITY_OF_PRACTICE: (
        TemplateItem("Show-and-tell", 25, is_presentation=True),
        TemplateItem("Round of updates", 30),
        TemplateItem("Next steps", 5),
    ),
    CircleKind.WORKSHOP: (
        TemplateItem("Welcome", 10),
        TemplateItem("Workshop", 90, is_presentation=True),
        TemplateItem("Wrap-up", 20),
    ),
}


def template(db: Session, circle_id: int) -> Template:
    """The circle's own agenda template, else the default for its kind."""
    rows = db.exec(
        select(AgendaTemplateItem)
        .where(AgendaTemplateItem.circle_id == circle_id)
        .order_by(AgendaTemplateItem.position, AgendaTemplateItem.id)
    ).all()
    if rows:
        items = tuple(TemplateItem(r.title, r.minutes, r.is_presentation) for r in rows)
        return Template(circle_id, items, custom=True)
    return Template(circle_id, DEFAULT_TEMPLATES[get_circle(db, circle_id).kind], custom=False)


def parse_template_item(text: str, field: str = "agenda item") -> TemplateItem:
    """'TITLE[:MINUTES][:presenter]', e.g. 'Check-in:10' or 'Talk:30:presenter'."""
    parts = [p.strip() for p in text.split(":")]
    is_presentation = len(parts) > 1 and parts[-1].lower() in ("presenter", "presentation", "p")
    if is_presentation:
        parts.pop()
    minutes = None
    if len(parts) > 1 and parts[-1].isdigit():
        minutes = validate.minutes(int(parts.pop()), f"{field} minutes")
    if len(parts) > 1:
        raise InvalidInput(field, text, "write it as TITLE, TITLE:MINUTES or TITLE:MINUTES:presenter")
    title = validate.text(parts[0], f"{field} title", max_length=200, required=True)
    return TemplateItem(title, minutes, is_presentation)


def set_template(db: Session, circle_id: int, items: Sequence[TemplateItem]) -> Template:
    """Replace the circle's agenda template (new sessions get it; planned ones keep theirs)."""
    get_circle(db, circle_id)
    if not items:
        raise InvalidInput("agenda template", "", "needs at least one item; reset it to use the default")
    cleaned = [
        TemplateItem(
            validate.text(i.title, "agenda item title", max_length=200, required=True),
            None if i.minutes is None else validate.minutes(i.minutes, "agenda item minutes"),
            bool(i.is_presentation),
        )
        for i in items
    ]
    db.execute(sa.delete(AgendaTemplateItem).where(col(AgendaTemplateItem.circle_id) == circle_id))
    for position, item in enumerate(cleaned, start=1):
        db.add(
            AgendaTemplateItem(
                circle_id=circle_id,
                position=position,
                title=item.title,
                minutes=item.minutes,
                is_presentation=item.is_presentation,
            )
        )
    db.flush()
    return template(db, circle_id)


def reset_template(db: Session, circle_id: int) -> Template:
    get_circle(db, circle_id)
    db.execute(sa.delete(AgendaTemplateItem).where(col(AgendaTemplateItem.circle_id) == circle_id))
    return template(db, circle_id)


def apply_template(db: Session, original: SessionView) -> list[AgendaItemView]:
    """Give a session with an empty agenda the circle's template, presenter slot filled."""
    if agenda.list_items(db, original.id):
        raise NotAllowed(f"The session {original.label} already has an agenda; edit it instead.")
    _apply_template_items(db, original, template(db, original.circle_id).items)
    refresh(db, original.circle_id)
    return agenda.list_items(db, original.id)


def _apply_template_items(db: Session, s: SessionView, items: Sequence[TemplateItem]) -> None:
    for item in items:
        agenda.add_item(
            db,
            session_id=s.id,
            title=item.title,
            minutes=item.minutes,
            is_presentation=item.is_presentation,
            presenter_id=s.presenter_id if item.is_presentation else None,
        )

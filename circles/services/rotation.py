"""The rotation in the store: preview presenters, keep open sessions' presenters current,
assign, clear, swap and hold.

The rules live in :mod:`circles.rotation` (pure); this module loads what they need
and records what they decide.

What is stored, and what "happens" means:

- A held session keeps whoever presented (``presenter_source`` says how they were
  chosen). :func:`hold_session` records the rotation's pick for the session, so
  the preview's suggestion is what holding it records if nothing changes.
- A manual assignment (volunteer, swap) or a guest speaker is fixed until someone
  clears it; the rotation works around it.
- A swap links its two sessions (``swapped_with_id`` on each), so the rotation changes
  only those two (see :mod:`circles.rotation`). Every other way a person sets either
  presenter (assign, give back, another swap) unlinks both in ``sessions.set_presenter``:
  the rotation is then the plain rule again. The other half keeps the presenter who agreed
  to it, as a hand assignment whose reason no longer claims a swap.
- A scheduled session with no fixed presenter is open. Its stored presenter (source
  "rotation") is the latest suggestion: :func:`refresh` stores it, and every write
  unit of work that changes what the rotation reads runs it for the circles it
  touched before it commits (:mod:`circles.services.upkeep`), so session lists,
  calendar invites and the preview name the same person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import cadence as cadences
from circles import rotation, validate
from circles.days import day_said, weekday_said
from circles.errors import InvalidInput, NotAllowed, NotFound
from circles.services import series, sessions, watch
from circles.services.circle_records import get_circle
from circles.services.clock import now
from circles.services.sql import ids, select_columns
from circles.views import CircleView, SessionView
from circles.zones import time_zone
from models.enums import PresenterSource, RotationEventKind, SessionStatus
from models.tables import AgendaItem, Away, CircleSession, Membership, Person, RotationEvent

MAX_PREVIEW = 200

# The hand-made decisions whose reason the preview shows for a fixed presenter.
_DECISIONS = (
    RotationEventKind.ASSIGNED,
    RotationEventKind.GUEST,
    RotationEventKind.SWAP_ASKED,
    RotationEventKind.SWAP_AGREED,
)


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
    swapped_with: int | None = None  # the session whose presenter this one's was swapped with

    @property
    def planned(self) -> bool:
        return self.session is not None

    @property
    def session_id(self) -> int | None:
        return self.session.id if self.session else None


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
    swapped_with: int | None


@dataclass(slots=True)
class _State:
    circle: CircleView
    stored: list[_Stored]  # every session, cancelled ones too, in time order
    members: list[rotation.Member]
    away: list[rotation.Absence]
    names: dict[int, str]
    current: datetime  # now, as the unit of work's clock says: sessions begun by then are history

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
                swapped_with=s.swapped_with,
                started=s.starts_at <= self.current,
            )
            for s in self.stored
            if s.status is not SessionStatus.CANCELLED
        ]

    def plan(self, extra: Sequence[rotation.Slot] = ()) -> list[rotation.Pick]:
        today = self.current.astimezone(time_zone(self.circle.timezone)).date()
        return rotation.plan(self.members, [*self.slots(), *extra], self.away, names=self.names, today=today)


def _load(db: Session, circle_id: int, known: CircleView | None = None) -> _State:
    # Plain columns, not ORM rows: a circle of 500 members and years of sessions is
    # read for every preview, and building ORM objects was most of its time.
    circle = get_circle(db, circle_id, known=known)
    zone = time_zone(circle.timezone)
    stored = [
        _Stored(
            i,
            starts,
            planned,
            SessionStatus(status),
            presenter,
            PresenterSource(source) if source else None,
            swapped_with,
        )
        for i, starts, planned, status, presenter, source, swapped_with in db.exec(
            select_columns(
                CircleSession.id,
                CircleSession.starts_at,
                CircleSession.planned_starts_at,
                CircleSession.status,
                CircleSession.presenter_id,
                CircleSession.presenter_source,
                CircleSession.swapped_with_id,
            )
            .where(CircleSession.circle_id == circle_id)
            .order_by(col(CircleSession.starts_at), col(CircleSession.id))
        )
    ]
    rows = db.exec(
        select_columns(
            Membership.person_id,
            Person.name,
            Membership.joined_at,
            Membership.left_at,
            Membership.in_rotation,
            Person.active,
            Person.is_guest,
        )
        .join(Person, col(Person.id) == Membership.person_id)
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
        names.update(db.exec(select(ids(Person.id), Person.name).where(col(Person.id).in_(outsiders))).all())
    away = [
        rotation.Absence(*row)
        for row in db.exec(
            select(col(Away.person_id), col(Away.starts_on), col(Away.ends_on), col(Away.reason)).where(
                col(Away.person_id).in_(set(names))
            )
        )
    ] if names else []  # fmt: skip
    return _State(circle, stored, members, away, names, now(db))


def _event_reasons(db: Session, session_ids: Sequence[int]) -> dict[int, str]:
    """The latest hand-made decision's reason per session (assignments, swaps, guests)."""
    if not session_ids:
        return {}
    rows = db.exec(
        select(RotationEvent.session_id, RotationEvent.reason)
        .where(
            col(RotationEvent.session_id).in_(session_ids),
            col(RotationEvent.kind).in_(_DECISIONS),
        )
        .order_by(col(RotationEvent.recorded_at), col(RotationEvent.id))
    )
    return {sid: reason for sid, reason in rows if sid is not None and reason}


GUESTS_OFFERED = 500  # guest speakers offered to present, by name: more would be a list nobody reads


def guest_speakers(db: Session, *, besides: set[int]) -> list[tuple[int, str, str | None]]:
    """(id, name, e-mail) of the active guest speakers who could present, by name, but those in
    ``besides`` (the circle's members, offered as such)."""
    rows = db.exec(
        select_columns(Person.id, Person.name, Person.email)
        .where(col(Person.is_guest).is_(True), col(Person.active).is_(True))
        .order_by(col(Person.name_folded), col(Person.id))
        .limit(GUESTS_OFFERED + len(besides))
    )
    return [(i, name, email) for i, name, email in rows if i not in besides][:GUESTS_OFFERED]


# ---------------------------------------------------------------- preview and refresh


def preview(
    db: Session, circle_id: int, *, count: int = 8, circle: CircleView | None = None
) -> list[PreviewRow]:
    """The next ``count`` sessions from now with their presenters and reasons.

    When fewer are planned, the rest are the sessions planning would create next
    (if the circle has a cadence), so the preview reaches ``count`` either way.
    ``circle``: the circle's view, when the caller has read it already: read once for the
    Rotation tab, not again by the preview and again by the ledger.
    """
    if not 1 <= count <= MAX_PREVIEW:
        raise InvalidInput("count", count, f"must be between 1 and {MAX_PREVIEW}")
    state = _load(db, circle_id, circle)
    current = now(db)
    upcoming = [
        s
        for s in sessions.list_sessions(db, circle_id=circle_id, start=current, include_cancelled=False)
        if s.status is SessionStatus.SCHEDULED
    ][:count]
    projected: list[cadences.Occurrence] = []
    if len(upcoming) < count and state.circle.cadence and not state.circle.archived:
        projected = series.next_days(db, state.circle, count - len(upcoming), None, state.stored).found
    # Negative ids cannot collide with sessions.
    extra = [rotation.Slot(id=-(i + 1), starts_at=o.starts_at, day=o.day) for i, o in enumerate(projected)]
    picks = {p.slot_id: p for p in state.plan(extra)}
    if extra and any(s.starts_at >= extra[0].starts_at for s in state.slots()):
        # A day not planned yet comes before a planned session (one moved or added later on):
        # planned sessions show who presents as things are, which is what is stored; only
        # the rows not planned yet take the days planning would add into account.
        picks.update({p.slot_id: p for p in state.plan()})
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
        swapped_with=pick.swapped_with,
    )


def refresh(db: Session, circle_id: int) -> list[int]:
    """Store the rotation's current pick on every open scheduled session; returns the ids that changed.

    Only sessions whose presenter is still the rotation's are written, and the UPDATE says
    so in its WHERE: a hand assignment saved by someone else meanwhile is never replaced
    (on PostgreSQL the condition is checked again on the row as it is once its lock is
    free). The write unit of work also holds the circle's lock from before it read anything
    the rotation reads (:mod:`circles.services.upkeep`), so the picks come from current data.
    """
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
        if (s.presenter_id, s.source) == (pick.presenter_id, source):
            continue
        written = db.exec(
            sa.update(CircleSession)
            .where(
                col(CircleSession.id) == s.id,
                col(CircleSession.status) == SessionStatus.SCHEDULED,
                sa.or_(
                    col(CircleSession.presenter_source).is_(None),
                    col(CircleSession.presenter_source) == PresenterSource.ROTATION,
                ),
            )
            .values(presenter_id=pick.presenter_id, presenter_source=source)
        )
        if written.rowcount:
            changed.append(s.id)
    _sync_agenda(db, circle_id)
    return changed


def _sync_agenda(db: Session, circle_id: int) -> None:
    """Every scheduled session's presentation slot names the session's presenter, in one statement."""
    presenter = (
        sa.select(col(CircleSession.presenter_id))
        .where(col(CircleSession.id) == AgendaItem.session_id)
        .scalar_subquery()
    )
    scheduled = sa.select(col(CircleSession.id)).where(
        col(CircleSession.circle_id) == circle_id, col(CircleSession.status) == SessionStatus.SCHEDULED
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
#
# Each decision takes its circle's lock (watch.touch) before it reads anything it decides
# on: another facilitator's change to the same circle then waits for it, or comes first and
# is seen, never slips in between the reading and the writing.


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
    sessions.remember_decision(db, s.circle_id, s.id, kind, person_id, other, reason)


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
        today = now(db).astimezone(time_zone(s.timezone)).date()
        raise NotAllowed(
            f"{who} is away on {weekday_said(day, today)}{why}, until {day_said(away.ends_on, today)}; "
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
    watch.touch(db, [original.circle_id])
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
    _event(
        db,
        original,
        RotationEventKind.GUEST if as_guest else RotationEventKind.ASSIGNED,
        person_id,
        None,
        reason,
    )
    return sessions.get_session(db, updated.id)


def clear_assignment(db: Session, original: SessionView) -> SessionView:
    """Give the session back to the rotation."""
    _require_open_to_change(original)
    watch.touch(db, [original.circle_id])
    if original.presenter_source not in (PresenterSource.MANUAL, PresenterSource.GUEST):
        raise NotAllowed(f"The session {original.label} has no manual presenter; the rotation already picks.")
    sessions.set_presenter(db, original, presenter_id=None, source=None)
    _event(db, original, RotationEventKind.CLEARED, original.presenter_id, None, "given back to the rotation")
    # The commit would store the rotation's pick anyway; refreshed now so the result names it.
    refresh(db, original.circle_id)
    return sessions.get_session(db, original.id)


def swap(db: Session, first: SessionView, second: SessionView) -> tuple[SessionView, SessionView]:
    """Exchange the presenters of two sessions of one circle, in one action.

    The first session's presenter is the one who asked: the ledger counts a swap
    given for them and a swap taken for the other. Both sessions become manual
    assignments (a guest speaker stays a guest), linked to each other: every other
    session keeps its presenter.
    """
    if first.id == second.id:
        raise InvalidInput("second session", second.id, "is the same session; pick two different ones")
    if first.circle_id != second.circle_id:
        raise NotAllowed("Only sessions of the same circle can swap presenters.")
    _require_open_to_change(first)
    _require_open_to_change(second)
    watch.touch(db, [first.circle_id])  # the picks read next are what the swap writes
    state = _load(db, first.circle_id)
    picks = {p.slot_id: p for p in state.plan()}
    a, b = picks[first.id], picks[second.id]
    for s, p in ((first, a), (second, b)):
        if p.presenter_id is None:
            raise NotAllowed(f"The session {s.label} has no presenter to swap; use assign instead.")
    assert a.presenter_id is not None and b.presenter_id is not None  # refused just above
    if a.presenter_id == b.presenter_id:
        raise NotAllowed(f"{a.presenter_name} presents at both sessions; there is nothing to swap.")
    _refuse_if_away(db, b.presenter_id, first, b.presenter_name)
    _refuse_if_away(db, a.presenter_id, second, a.presenter_name)

    def source(p: rotation.Pick) -> PresenterSource:
        return PresenterSource.GUEST if p.why is rotation.Why.GUEST else PresenterSource.MANUAL

    zone = time_zone(state.circle.timezone)
    day_a = day_said(first.starts_at.astimezone(zone), now(db))
    day_b = day_said(second.starts_at.astimezone(zone), now(db))
    reason = f"swap: {a.presenter_name} gave {day_a} to {b.presenter_name} and takes {day_b}"
    # Linked both ways, so the rotation changes these two sessions and no other.
    sessions.set_presenter(db, first, presenter_id=b.presenter_id, source=source(b))
    sessions.set_presenter(db, second, presenter_id=a.presenter_id, source=source(a))
    sessions.link_swap(db, first.id, second.id)
    _event(db, first, RotationEventKind.SWAP_ASKED, a.presenter_id, b.presenter_id, reason)
    _event(db, second, RotationEventKind.SWAP_AGREED, b.presenter_id, a.presenter_id, reason)
    return sessions.get_session(db, first.id), sessions.get_session(db, second.id)


def add_held_session(
    db: Session,
    *,
    circle_id: int,
    starts_at: datetime,
    minutes: int | None = None,
    title: str = "",
    location: str | None = None,
    video_url: str | None = None,
) -> SessionView:
    """Record a session that took place but was never scheduled here (it has started by now):
    created, then held as holding a scheduled one records it (its presenter, the skips), so
    the ledger cannot tell the two apart. The rest as for ``sessions.add_session``."""
    created = sessions.add_session(
        db,
        circle_id=circle_id,
        starts_at=starts_at,
        minutes=minutes,
        title=title,
        location=location,
        video_url=video_url,
        taken_place=True,
    )
    return hold_session(db, created)


def hold_session(db: Session, original: SessionView) -> SessionView:
    """Mark a session held and record who presented: the fixed presenter, else the rotation's pick.

    People the rotation skipped for it (away) are written to the ledger. A session that has not
    started is refused, as recording one that never was scheduled is (``add_held_session``): held
    ahead, its presenter's turn was taken and the rotation moved on for a session still to come.
    """
    _require_open_to_change(original)
    if original.starts_at > now(db):
        raise NotAllowed(
            f"The session {original.label} has not started yet: it is marked held once it has taken place."
        )
    watch.touch(db, [original.circle_id])  # the pick read next is what holding records
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
        _event(db, original, RotationEventKind.SKIPPED, skip.person_id, pick.presenter_id, skip.reason)
    return sessions.update_session(db, current, status=SessionStatus.HELD)

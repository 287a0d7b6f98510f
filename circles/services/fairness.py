"""The fairness ledger: per member, turns taken, skips and swaps over a circle's held sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate
from circles.services.circle_records import get_circle
from circles.services.sql import ids, select_columns
from circles.views import CircleView
from circles.zones import time_zone
from models.enums import PresenterSource, RotationEventKind, SessionStatus
from models.tables import CircleSession, Membership, Person, RotationEvent


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


def _bounds(
    zone: ZoneInfo, since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    return start, end


def ledger(
    db: Session,
    circle_id: int,
    *,
    since: date | None = None,
    until: date | None = None,
    circle: CircleView | None = None,
) -> Ledger:
    """Per member: turns, last and first turn, skips, swaps, over held sessions in [since, until].
    ``circle``: the circle's view, when the caller has read it already (as rotation.preview's)."""
    since = validate.parse_date(since, "since") if since else None
    until = validate.parse_date(until, "until") if until else None
    if since and until:
        validate.date_range(since, until, start_field="since", end_field="until")
    circle = get_circle(db, circle_id, known=circle)
    zone = time_zone(circle.timezone)
    start, end = _bounds(zone, since, until)
    held = sa.and_(
        col(CircleSession.circle_id) == circle_id,
        col(CircleSession.status) == SessionStatus.HELD,
        col(CircleSession.presenter_id).is_not(None),
    )
    in_range = sa.and_(
        sa.true() if start is None else col(CircleSession.starts_at) >= start,
        sa.true() if end is None else col(CircleSession.starts_at) < end,
    )
    not_after = sa.true() if end is None else col(CircleSession.starts_at) < end
    turn = sa.or_(
        col(CircleSession.presenter_source).is_(None),
        col(CircleSession.presenter_source) != PresenterSource.GUEST,
    )
    turns = {
        pid: (n, last, first)
        for pid, n, last, first in db.exec(
            select(
                ids(CircleSession.presenter_id),
                sa.func.count().filter(in_range),
                sa.func.max(CircleSession.starts_at).filter(not_after),
                sa.func.min(CircleSession.starts_at),
            )
            .where(held, turn)
            .group_by(col(CircleSession.presenter_id))
        )
    }
    sessions_held, guest_sessions = db.exec(
        select(
            sa.func.count(),
            sa.func.count().filter(col(CircleSession.presenter_source) == PresenterSource.GUEST),
        )
        .select_from(CircleSession)
        .where(CircleSession.circle_id == circle_id, CircleSession.status == SessionStatus.HELD, in_range)
    ).one()
    event_day = sa.func.coalesce(CircleSession.starts_at, RotationEvent.recorded_at)
    events = db.exec(
        select_columns(
            RotationEvent.kind,
            RotationEvent.person_id,
            RotationEvent.reason,
            event_day,
            RotationEvent.session_id,
            CircleSession.swapped_with_id,
        )
        .join(CircleSession, col(CircleSession.id) == RotationEvent.session_id, isouter=True)
        .where(
            RotationEvent.circle_id == circle_id,
            col(RotationEvent.kind).in_(
                [RotationEventKind.SKIPPED, RotationEventKind.SWAP_ASKED, RotationEventKind.SWAP_AGREED]
            ),
            sa.true() if start is None else event_day >= start,
            sa.true() if end is None else event_day < end,
        )
        .order_by(event_day, col(RotationEvent.id))
    ).all()
    skips: dict[int, list[tuple[date, str]]] = {}
    # A swap counts while it stands: its session is still linked (sessions.link_swap), and
    # the swap is that session's latest. Undone (assigned again, given back) the link is
    # gone; swapped anew, the newer swap is the one that counts.
    standing: dict[int, tuple[RotationEventKind, int | None]] = {}
    for kind, person_id, reason, when, session_id, linked in events:
        if kind != RotationEventKind.SKIPPED:
            if session_id is not None and linked is not None:
                standing[session_id] = (kind, person_id)  # in order: the latest stays
        elif person_id is not None:
            skips.setdefault(person_id, []).append((_as_aware(when).astimezone(zone).date(), reason))
    given: dict[int, int] = {}
    taken: dict[int, int] = {}
    for kind, person_id in standing.values():
        if person_id is not None:
            counts = given if kind == RotationEventKind.SWAP_ASKED else taken
            counts[person_id] = counts.get(person_id, 0) + 1
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
                email=person.email or "",
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


def _as_aware(value: datetime | str) -> datetime:
    # Aggregates skip the column type, so SQLite hands back naive UTC (or even text).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=time_zone("UTC"))


def _ledger_people(
    db: Session, circle_id: int, start: datetime | None, end: datetime | None, also: set[int]
) -> list[tuple[Person, bool, bool]]:
    """Everyone who was a member during the range, plus anyone the ledger has entries for."""
    overlaps = sa.and_(
        col(Membership.circle_id) == circle_id,
        sa.true() if end is None else col(Membership.joined_at) < end,
        sa.true()
        if start is None
        else sa.or_(col(Membership.left_at).is_(None), col(Membership.left_at) > start),
    )
    people: dict[int, tuple[Person, bool, bool]] = {}
    for m, p in db.exec(
        select(Membership, Person).join(Person, col(Person.id) == Membership.person_id).where(overlaps)
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

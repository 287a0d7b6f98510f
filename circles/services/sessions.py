"""Sessions: schedule, move, edit, cancel. Keeps each session's calendar identity right:
the UID never changes, and SEQUENCE rises with every change an attendee must see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from circles import upcoming as upcoming_window
from circles import validate
from circles.days import day_said
from circles.errors import InvalidInput, NotAllowed, NotFound
from circles.services import clock
from circles.services.circle_records import get_circle
from circles.services.sql import ids, select_columns
from circles.services.uids import ics_uid
from circles.services.versioned import UNCHANGED, Unchanged, given, save
from circles.views import SessionView
from models.enums import CircleKind, PresenterSource, RotationEventKind, SessionStatus
from models.tables import Circle, CircleSession, Membership, Person, RotationEvent

_Presenter = aliased(Person)
# A change to any of these moves or alters the event in attendees' calendars, so it
# raises SEQUENCE; notes and agenda (the DESCRIPTION) do not.
CALENDAR_FIELDS = frozenset({"starts_at", "minutes", "title", "location", "video_url", "status"})
_LABELS = {
    "starts_at": "start",
    "minutes": "length",
    "video_url": "video link",
    "presenter_id": "presenter",
    "presenter_source": "how the presenter was chosen",
}
# The stored codes a conflict names, in the rotation tab's words ("presenter source is now
# 'manual'" said nothing a facilitator could act on).
_WORDS = {
    "presenter_source": {
        PresenterSource.ROTATION.value: "by the rotation",
        PresenterSource.MANUAL.value: "by hand",
        PresenterSource.GUEST.value: "as a guest speaker",
    }
}


def _base() -> Any:
    return (
        select_columns(CircleSession, Circle.name, Circle.kind, Circle.timezone, _Presenter.name)
        .join(Circle, col(Circle.id) == CircleSession.circle_id)
        .join(_Presenter, col(_Presenter.id) == CircleSession.presenter_id, isouter=True)
    )


def _view(s: CircleSession, circle_name: str, kind: str, tz: str, presenter: str | None) -> SessionView:
    assert s.id is not None
    return SessionView(
        id=s.id,
        circle_id=s.circle_id,
        circle_name=circle_name,
        circle_kind=CircleKind(kind),
        timezone=tz,
        starts_at=s.starts_at,
        minutes=s.minutes,
        title=s.title,
        location=s.location,
        video_url=s.video_url,
        status=SessionStatus(s.status),
        ics_uid=s.ics_uid,
        ics_sequence=s.ics_sequence,
        planned_starts_at=s.planned_starts_at,
        presenter_id=s.presenter_id,
        presenter_name=presenter,
        presenter_source=PresenterSource(s.presenter_source) if s.presenter_source else None,
        notes=s.notes,
        version=s.version,
    )


def _views(db: Session, stmt: Any) -> list[SessionView]:
    return [_view(*row) for row in db.exec(stmt)]


def _clean(**raw: object) -> dict[str, Any]:
    values = given(**raw)
    if "starts_at" in values:
        values["starts_at"] = validate.instant(values["starts_at"], "start")
    if "minutes" in values:
        values["minutes"] = validate.minutes(values["minutes"], "length")
    if "title" in values:
        values["title"] = validate.text(values["title"], "title", max_length=200)
    if "location" in values:
        values["location"] = validate.optional_text(values["location"], "location", max_length=200)
    if "video_url" in values:
        values["video_url"] = validate.url(values["video_url"])
    if "notes" in values:
        values["notes"] = validate.text(values["notes"], "notes", max_length=20000, multiline=True)
    if "status" in values:
        values["status"] = SessionStatus(values["status"])
    return values


def add_session(
    db: Session,
    *,
    circle_id: int,
    starts_at: datetime,
    minutes: int | None = None,
    title: str = "",
    location: str | None = None,
    video_url: str | None = None,
    taken_place: bool = False,
) -> SessionView:
    """Schedule one session. Length, place and link default to the circle's.

    A session is scheduled to happen: one that has already ended is refused, so the
    store never holds a past session nobody will hold. ``taken_place`` is for
    :func:`circles.services.rotation.add_held_session` alone, which records one that took
    place instead (it has started by now) and holds it in the same unit of work.
    """
    circle = get_circle(db, circle_id)
    if circle.archived:
        raise NotAllowed(f"{circle.name} is archived; restore it before scheduling sessions.")
    values = _clean(
        starts_at=starts_at,
        minutes=circle.default_minutes if minutes is None else minutes,
        title=title,
        location=circle.location if location is None else location,
        video_url=circle.video_url if video_url is None else video_url,
    )
    current = clock.now(db)
    if taken_place:
        _refuse_if_to_come(values["starts_at"], circle.timezone, current)
    else:
        hint = "pick a later time, or record it as a session that was held"
        _refuse_if_over(values["starts_at"], values["minutes"], circle.timezone, current, hint=hint)
    _refuse_if_taken(db, circle_id, values["starts_at"], circle.timezone)
    session = CircleSession(
        circle_id=circle_id,
        **values,
        planned_starts_at=values["starts_at"],
        ics_uid=ics_uid(db, "session"),
    )
    db.add(session)
    db.flush()
    assert session.id is not None
    # Let the row go: the services below change it with UPDATE statements, and a query
    # would hand back this object, as it was, while it is held here.
    db.expunge(session)
    return get_session(db, session.id)


def _refuse_if_over(starts_at: datetime, minutes: int, tz: str, current: datetime, *, hint: str) -> None:
    """A scheduled session is one still to come (or under way): it ends after now."""
    if starts_at + timedelta(minutes=minutes) <= current:
        raise InvalidInput("start", validate.local_time_text(starts_at, tz), f"is in the past; {hint}")


def _refuse_if_taken(
    db: Session, circle_id: int, starts_at: datetime, tz: str, *, moving: int | None = None
) -> None:
    """A circle meets once at a time: a second session at the start of one it has (not
    cancelled) was two events at once in every member's calendar, made by a move or a time
    typed for the wrong week, with nothing said. The store's unique index (migration 0270) holds
    it when two facilitators schedule the same start at once; this check says so in words."""
    s = CircleSession
    title = db.exec(
        select(s.title).where(
            s.circle_id == circle_id,
            s.starts_at == starts_at,
            s.status != SessionStatus.CANCELLED,
            s.id != (moving or 0),
        )
    ).first()
    if title is not None:
        what = f" ({title})" if title else ""
        raise InvalidInput(
            "start",
            validate.local_time_text(starts_at, tz),
            f"is when the circle already meets{what}; pick another time, or move that session first",
        )


def _refuse_if_to_come(starts_at: datetime, tz: str, current: datetime) -> None:
    if starts_at > current:
        raise InvalidInput(
            "start",
            validate.local_time_text(starts_at, tz),
            "has not come yet; only a session that has taken place can be recorded as held",
        )


def get_session(db: Session, session_id: int) -> SessionView:
    found = _views(db, _base().where(CircleSession.id == session_id))
    if not found:
        raise NotFound(f"There is no session with id {session_id}; 'circles session list' shows them.")
    return found[0]


def sessions_by_id(db: Session, session_ids: Iterable[int]) -> dict[int, SessionView]:
    """The sessions with these ids, by id, in one query (ids that name no session are left out)."""
    wanted = set(session_ids)
    if not wanted:
        return {}
    return {v.id: v for v in _views(db, _base().where(col(CircleSession.id).in_(wanted)))}


def list_sessions(
    db: Session,
    *,
    circle_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    include_cancelled: bool = True,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
    person_id: int | None = None,
) -> list[SessionView]:
    """Sessions in time order, optionally of one circle and within [start, end), or of the
    circles ``person_id`` facilitates or belongs to now."""
    stmt = _base()
    if person_id is not None:
        stmt = stmt.where(col(CircleSession.circle_id).in_(circles_of(person_id)))
    if circle_id is not None:
        stmt = stmt.where(CircleSession.circle_id == circle_id)
    else:
        stmt = stmt.where(col(Circle.archived).is_(False))
    if start is not None:
        stmt = stmt.where(CircleSession.starts_at >= start)
    if end is not None:
        stmt = stmt.where(CircleSession.starts_at < end)
    if not include_cancelled:
        stmt = stmt.where(CircleSession.status != SessionStatus.CANCELLED)
    order = col(CircleSession.starts_at).desc() if newest_first else col(CircleSession.starts_at)
    stmt = stmt.order_by(order, CircleSession.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return _views(db, stmt)


def update_session(
    db: Session,
    original: SessionView,
    *,
    starts_at: datetime | Unchanged = UNCHANGED,
    minutes: int | Unchanged = UNCHANGED,
    title: str | Unchanged = UNCHANGED,
    location: str | Unchanged | None = UNCHANGED,
    video_url: str | Unchanged | None = UNCHANGED,
    notes: str | Unchanged = UNCHANGED,
    status: SessionStatus | Unchanged = UNCHANGED,
) -> SessionView:
    """Save changes made to ``original``; raises Conflict if someone saved it meanwhile."""
    values = _clean(
        starts_at=starts_at,
        minutes=minutes,
        title=title,
        location=location,
        video_url=video_url,
        notes=notes,
        status=status,
    )
    if values.get("starts_at", original.starts_at) != original.starts_at:
        if values.get("status", original.status) is SessionStatus.SCHEDULED:
            # Moving a session into the past would leave it scheduled for a time gone by; a
            # held one may still be corrected to when it really took place.
            hint = "mark it held first to record when it took place"
            length = values.get("minutes", original.minutes)
            _refuse_if_over(values["starts_at"], length, original.timezone, clock.now(db), hint=hint)
        _refuse_if_taken(db, original.circle_id, values["starts_at"], original.timezone, moving=original.id)
    if any(getattr(original, f) != v for f, v in values.items() if f in CALENDAR_FIELDS):
        values["ics_sequence"] = CircleSession.ics_sequence + 1
    save(
        db,
        CircleSession,
        original,
        values=values,
        what=f"the session {original.label}",
        labels=_LABELS,
        timezone=original.timezone,
        words=_WORDS,
    )
    return get_session(db, original.id)


def move_session(db: Session, original: SessionView, *, starts_at: datetime) -> SessionView:
    if original.status is SessionStatus.CANCELLED:
        raise NotAllowed(f"The session {original.label} is cancelled; it cannot be moved.")
    return update_session(db, original, starts_at=starts_at)


def cancel_session(db: Session, original: SessionView) -> SessionView:
    if original.status is SessionStatus.CANCELLED:
        raise NotAllowed(f"The session {original.label} is already cancelled.")
    return update_session(db, original, status=SessionStatus.CANCELLED)


def set_presenter(
    db: Session,
    original: SessionView,
    *,
    presenter_id: int | None,
    source: PresenterSource | None,
    automatic: bool = False,
) -> SessionView:
    """Record who presents at a session and how they were chosen (rotation, by hand, guest).

    ``automatic`` is the rotation keeping its suggestion current: not a person's edit,
    so it neither checks nor raises the version, and a facilitator editing the session
    meanwhile is not told someone else changed it. People's assignments are versioned,
    and end any swap the session was half of (:func:`link_swap`): the rotation then
    treats both sessions by the plain rule again. The other half keeps its presenter, who
    agreed to present then, as a hand assignment that no longer says it is a swap.
    """
    if automatic:
        db.execute(
            sa.update(CircleSession)
            .where(col(CircleSession.id) == original.id)
            .values(presenter_id=presenter_id, presenter_source=source)
        )
        return get_session(db, original.id)
    save(
        db,
        CircleSession,
        original,
        values={"presenter_id": presenter_id, "presenter_source": source},
        what=f"the session {original.label}",
        labels=_LABELS,
        words=_WORDS,
    )
    _end_swap(db, original)
    return get_session(db, original.id)


def _end_swap(db: Session, changed: SessionView) -> None:
    """Unlink ``changed`` and the session it was swapped with, whose reason said "swap: ... gave
    <this day> ... and takes <that day>": no longer so, it now says it is kept by hand."""
    partners = db.exec(
        select(ids(CircleSession.id), CircleSession.presenter_id).where(
            col(CircleSession.swapped_with_id) == changed.id, col(CircleSession.id) != changed.id
        )
    ).all()
    day = day_said(changed.local_start, clock.now(db))
    for partner_id, presenter_id in partners:
        remember_decision(
            db,
            changed.circle_id,
            partner_id,
            RotationEventKind.ASSIGNED,
            presenter_id,
            None,
            f"assigned by hand: kept when the swap with {day} was undone",
        )
    db.execute(
        sa.update(CircleSession)
        .where(
            sa.or_(col(CircleSession.id) == changed.id, col(CircleSession.swapped_with_id) == changed.id),
            col(CircleSession.swapped_with_id).is_not(None),
        )
        .values(swapped_with_id=None)
    )


def remember_decision(
    db: Session,
    circle_id: int,
    session_id: int,
    kind: RotationEventKind,
    person_id: int | None,
    other: int | None,
    reason: str,
) -> None:
    """One row of the rotation's memory (rotation_event): the fairness ledger and the reasons
    the preview gives read them."""
    db.add(
        RotationEvent(
            circle_id=circle_id,
            session_id=session_id,
            kind=kind,
            person_id=person_id,
            other_person_id=other,
            reason=reason[:300],
        )
    )


def link_swap(db: Session, first_id: int, second_id: int) -> None:
    """Mark two sessions as swapped with each other, after both presenters are set: the
    rotation changes only those two (circles/rotation.py)."""
    for this, other in ((first_id, second_id), (second_id, first_id)):
        linked = sa.update(CircleSession).where(col(CircleSession.id) == this)
        db.execute(linked.values(swapped_with_id=other))


def upcoming(
    db: Session,
    *,
    now: datetime,
    days: int = upcoming_window.DAYS,
    limit: int | None = None,
    person_id: int | None = None,
) -> list[SessionView]:
    """What is coming up across every circle (or the circles of ``person_id``): Home's list."""
    start, end = upcoming_window.window(now, days)
    return list_sessions(db, start=start, end=end, limit=limit, person_id=person_id)


def circles_of(person_id: int) -> Any:
    """The ids of the circles ``person_id`` facilitates or is a member of now, as a subquery."""
    return sa.union(
        sa.select(col(Circle.id)).where(col(Circle.facilitator_id) == person_id),
        sa.select(col(Membership.circle_id)).where(
            col(Membership.person_id) == person_id, col(Membership.left_at).is_(None)
        ),
    )


def session_counts(db: Session, circle_id: int) -> dict[SessionStatus, int]:
    rows = db.exec(
        select(CircleSession.status, sa.func.count())
        .where(CircleSession.circle_id == circle_id)
        .group_by(CircleSession.status)
    )
    return {SessionStatus(status): n for status, n in rows}

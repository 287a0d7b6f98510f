"""Reads the screens need that the other services do not offer: a person's record, the palette's search,
the circles overview. SQL with LIMITs, so they stay quick on a large store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import upcoming as upcoming_window
from circles.folding import folded
from circles.services import away, circle_records, clock, members, people, sessions
from circles.services.sql import holds, ids, in_chunks, select_columns
from circles.views import AwayView, MemberView, PersonView, SessionView, presenter_names
from models.enums import Attended, CircleKind, SessionStatus
from models.tables import AgendaItem, Attendance, Circle, CircleSession, Membership, Person


@dataclass(frozen=True, slots=True)
class AttendedSession:
    session: SessionView
    attended: Attended


@dataclass(frozen=True, slots=True)
class Presentation:
    session: SessionView
    title: str  # the agenda item's title, else the session's


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Everything the person screen shows, read in one unit of work."""

    person: PersonView
    memberships: list[MemberView]
    circle_names: dict[int, str]
    attended: list[AttendedSession]  # newest first, at most ``limit``
    attended_total: int
    presentations: list[Presentation]  # newest first
    away: list[AwayView]


@dataclass(frozen=True, slots=True)
class ListedCircle:
    """What the Circles list (and the palette's circle picker) knows of every circle: not the
    whole CircleView, whose description, links and series fields the list never shows."""

    id: int
    name: str
    kind: CircleKind
    timezone: str
    archived: bool


@dataclass(frozen=True, slots=True)
class CircleFigures:
    """What the Circles list shows of a circle beside its name, read for the rows it shows."""

    facilitator_name: str | None
    members: int
    next_session: datetime | None  # UTC


@dataclass(frozen=True, slots=True)
class CirclesOverview:
    """Every circle by name, and the figures of the first of them the list shows (of every one
    in a store of up to ALL_FIGURES_UP_TO circles)."""

    circles: list[ListedCircle]
    figures: dict[int, CircleFigures]


@dataclass(frozen=True, slots=True)
class Found:
    """One answer of the command palette's search."""

    kind: str  # "circle", "person" or "session"
    id: int
    label: str
    detail: str


def is_empty(db: Session) -> bool:
    """True on a brand-new store: no circle and no person yet (Home then shows the welcome)."""
    return db.exec(select(Circle.id).limit(1)).first() is None and (
        db.exec(select(Person.id).limit(1)).first() is None
    )


def person_record(db: Session, person_id: int, *, limit: int = 50) -> PersonRecord:
    person = people.get_person(db, person_id)
    # The latest sessions they came to, and how many in all beside them: one query, not a
    # count and then the rows. Their attendance first, by its index on the person, then each
    # session by its key: given the join, PostgreSQL walked every session from the latest
    # planned one back, looking each up in attendance, for the first 50 it hoped to meet early
    # (114 ms for the large demo's busiest person, every one of its 31,200 sessions, as the
    # count over all of them cannot stop at 50; 1.5 ms this way). MATERIALIZED keeps it from
    # folding the two back into that plan; SQLite plans both shapes alike.
    came = (
        select(col(Attendance.session_id).label("session_id"), col(Attendance.attended).label("attended"))
        .where(
            Attendance.person_id == person_id, col(Attendance.attended).in_([Attended.PRESENT, Attended.LATE])
        )
        .cte("came")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    latest = db.exec(
        select(ids(CircleSession.id), came.c.attended, sa.func.count().over())
        .join(came, came.c.session_id == CircleSession.id)
        .order_by(col(CircleSession.starts_at).desc())
        .limit(limit)
    ).all()
    attended_total = int(latest[0][2]) if latest else 0
    recent = [(sid, attended) for sid, attended, _ in latest]

    by_item = db.exec(
        select(AgendaItem.session_id, AgendaItem.title)
        .join(CircleSession, col(CircleSession.id) == AgendaItem.session_id)
        .where(AgendaItem.presenter_id == person_id, CircleSession.status != SessionStatus.CANCELLED)
        .order_by(col(CircleSession.starts_at).desc())
        .limit(limit)
    ).all()
    by_session = db.exec(
        select(ids(CircleSession.id))
        .where(CircleSession.presenter_id == person_id, CircleSession.status != SessionStatus.CANCELLED)
        .order_by(col(CircleSession.starts_at).desc())
        .limit(limit)
    ).all()
    titles: dict[int, str] = {}
    for sid, title in by_item:
        titles.setdefault(sid, title)
    for sid in by_session:
        titles.setdefault(sid, "")
    # Every session named above in one query, not one each (a busy person has a hundred).
    found = sessions.sessions_by_id(db, [sid for sid, _ in recent] + list(titles))
    attended = [AttendedSession(found[sid], a) for sid, a in recent if a is not None]
    presented = [found[sid] for sid in titles]
    presented.sort(key=lambda s: s.starts_at, reverse=True)
    presentations = [Presentation(s, titles[s.id] or s.title) for s in presented[:limit]]

    memberships = members.memberships_of(db, person_id)
    circle_ids = {m.circle_id for m in memberships}
    circle_names = (
        dict(db.exec(select(ids(Circle.id), Circle.name).where(col(Circle.id).in_(circle_ids))).all())
        if circle_ids
        else {}
    )
    return PersonRecord(
        person=person,
        memberships=memberships,
        circle_names=circle_names,
        attended=attended,
        attended_total=attended_total,
        presentations=presentations,
        away=away.list_away(db, person_id=person_id),
    )


def circles_overview(
    db: Session, *, now: datetime, include_archived: bool = False, typed: str = "", first: int = 200
) -> CirclesOverview:
    """Every circle by name, with the figures of the ``first`` whose name holds ``typed`` (the
    rows the Circles list shows first): the list reads every name, so that its filter is
    instant, but shows a page of rows at a time, and the figures were most of its time on the
    huge demo (3,000 circles: three index lookups each on the server, and objects in Python
    for each, 190 ms on PostgreSQL where the names alone take a tenth of it)."""
    circles = listed_circles(db, include_archived=include_archived)
    shown = matching_circles(circles, typed)[:first] if len(circles) > ALL_FIGURES_UP_TO else circles
    return CirclesOverview(circles, circle_figures(db, [c.id for c in shown], now=now))


# Up to this many circles every one's figures come with the names (the large demo's 300 take a
# few milliseconds): the filter then never shows a row before its figures. Past it (the huge
# demo's 3,000) the first rows' only, the rest as they are shown.
ALL_FIGURES_UP_TO = 1000


def listed_circles(db: Session, *, include_archived: bool = False) -> list[ListedCircle]:
    """Every circle (but the archived ones, unless asked), by name whatever its case."""
    circle = Circle.__table__  # type: ignore[attr-defined]  # SQLModel's table is SQLAlchemy's
    listed = select_columns(circle.c.id, circle.c.name, circle.c.kind, circle.c.timezone, circle.c.archived)
    if not include_archived:
        listed = listed.where(circle.c.archived.is_(False))
    return [
        ListedCircle(cid, name, CircleKind(kind), zone, archived)
        for cid, name, kind, zone, archived in db.execute(listed.order_by(sa.func.lower(circle.c.name)))
    ]


def matching_circles(circles: list[ListedCircle], typed: str) -> list[ListedCircle]:
    """The circles whose name holds ``typed`` (any case, any accent), in their order: the
    Circles list's filter."""
    text = folded(typed.strip())
    return [c for c in circles if text in folded(c.name)] if text else circles


def circle_figures(db: Session, circle_ids: list[int], *, now: datetime) -> dict[int, CircleFigures]:
    """By circle, its facilitator's name, how many members it has now and when its next session
    (not a cancelled one) starts.

    Each figure is looked up from the circle's own place in an index (its facilitator by id,
    its current members in the partial index of current memberships, its next session in the
    (circle, start) index) rather than grouped over whole tables: a page of circles takes a few
    lookups each, whatever the size of the store."""
    if not circle_ids:
        return {}
    circle = Circle.__table__  # type: ignore[attr-defined]  # SQLModel's table is SQLAlchemy's
    current_members = (
        select(sa.func.count())
        .select_from(Membership)
        .where(Membership.circle_id == circle.c.id, col(Membership.left_at).is_(None))
        .scalar_subquery()
    )
    next_start = (
        select(sa.func.min(CircleSession.starts_at))
        .where(
            CircleSession.circle_id == circle.c.id,
            CircleSession.starts_at >= now,
            CircleSession.status != SessionStatus.CANCELLED,
        )
        .scalar_subquery()
    )
    figures = {}
    for chunk in in_chunks(circle_ids):
        found = select_columns(
            circle.c.id, circle_records.facilitator("name"), current_members, next_start
        ).where(circle.c.id.in_(chunk))
        for cid, facilitator, count, coming in db.execute(found):
            figures[cid] = CircleFigures(facilitator, count or 0, coming)
    return figures


def search_everything(db: Session, text: str, *, limit: int = 8, now: datetime | None = None) -> list[Found]:
    """Circles, people and sessions whose name (or title) contains ``text``, a few of each.
    Sessions come nearest first: the coming ones soonest first, then the past ones latest first."""
    now = now or clock.now(db)
    typed = text.strip().lower()
    found = [
        Found("circle", cid, name, CircleKind(kind).label)
        for cid, name, kind in db.exec(
            select(ids(Circle.id), Circle.name, col(Circle.kind))
            .where(holds(sa.func.lower(Circle.name), typed))
            .order_by(sa.func.lower(Circle.name))
            .limit(limit)
        )
    ]
    found += [
        Found("person", p.id, p.name, p.email or ("guest" if p.is_guest else ""))
        for p in people.list_people(db, search=text, limit=limit)
    ]
    session_ids = db.exec(
        select(ids(CircleSession.id))
        .join(Circle, col(Circle.id) == CircleSession.circle_id)
        .where(
            sa.or_(
                holds(sa.func.lower(CircleSession.title), typed),
                holds(sa.func.lower(Circle.name), typed),
            )
        )
        .order_by(*nearest_first(now))
        .limit(limit)
    ).all()
    for sid in session_ids:
        s = sessions.get_session(db, sid)
        found.append(Found("session", s.id, s.title or "(untitled session)", s.label))
    return found


def nearest_first(now: datetime) -> tuple[Any, ...]:
    """ORDER BY terms for sessions nearest ``now`` first: the coming ones soonest first (one that
    began up to two hours ago is still on), then the past ones latest first."""
    starts = col(CircleSession.starts_at)
    still_on = now - upcoming_window.STILL_ON
    coming = starts >= still_on
    return (
        sa.case((coming, 0), else_=1),
        sa.case((coming, starts)).asc(),  # NULL for the past ones: they tie here...
        starts.desc(),  # ...and are ordered by this
    )


def sessions_to_check_in(db: Session, *, now: datetime, limit: int = 30) -> list[SessionView]:
    """The sessions someone may be checking people in for: from a day ago to two weeks ahead,
    not cancelled, the one on now (or next) first, then the ones of the last day."""
    ids = db.exec(
        select(col(CircleSession.id))
        .join(Circle, col(Circle.id) == col(CircleSession.circle_id))
        .where(
            col(Circle.archived).is_(False),
            CircleSession.status != SessionStatus.CANCELLED,
            col(CircleSession.starts_at) >= now - timedelta(days=1),
            col(CircleSession.starts_at) < now + timedelta(days=upcoming_window.DAYS),
        )
        .order_by(*nearest_first(now))
        .limit(limit)
    ).all()
    return [sessions.get_session(db, sid) for sid in ids if sid is not None]


def agenda_presenters(db: Session, session_ids: list[int]) -> dict[int, str]:
    """Per session, who presents according to its agenda ("Ana, Bo"), for lists that show many sessions."""
    if not session_ids:
        return {}
    # Each item's presenter looked up by id: joined to every person, PostgreSQL's planner
    # (expecting three times the items there are) hashed all of the huge demo's 100,000 people
    # to name Home's 300 presenters, 53 ms of its 75.
    name = select(Person.name).where(col(Person.id) == AgendaItem.presenter_id).scalar_subquery()
    rows = db.exec(
        select(AgendaItem.session_id, name)
        .where(col(AgendaItem.session_id).in_(session_ids), col(AgendaItem.presenter_id).is_not(None))
        .order_by(col(AgendaItem.session_id), col(AgendaItem.position))
    )
    return presenter_names(rows)

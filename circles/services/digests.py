"""Gathers a circle's or a topic's digest for a period from the store (circles.digest renders it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from circles import validate
from circles.digest import Digest, DigestItem, DigestMaterial, DigestSession, Redactor, without_names
from circles.errors import NotFound, shown
from circles.services import agenda, attendance, knowledge, sessions
from circles.services.circle_records import get_circle
from circles.services.participation import Scope, in_scope
from circles.zones import time_zone
from models.enums import SessionStatus
from models.tables import (
    AgendaItem,
    AgendaItemTopic,
    Attendance,
    CircleSession,
    Membership,
    Person,
    SessionTopic,
    Topic,
)


def _window(since: date, until: date, tz: str) -> tuple[datetime, datetime]:
    zone = time_zone(tz)
    start = datetime.combine(since, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _topic_sessions(db: Session, key: str, start: datetime, end: datetime) -> list[int]:
    tagged = (
        select(SessionTopic.session_id)
        .join(Topic, col(Topic.id) == SessionTopic.topic_id)
        .where(Topic.key == key)
    )
    in_items = (
        select(AgendaItem.session_id)
        .join(AgendaItemTopic, col(AgendaItemTopic.agenda_item_id) == AgendaItem.id)
        .join(Topic, col(Topic.id) == AgendaItemTopic.topic_id)
        .where(Topic.key == key)
    )
    ids = set(db.exec(tagged).all()) | set(db.exec(in_items).all())
    if not ids:
        return []
    return [
        int(sid)
        for sid in db.exec(
            select(CircleSession.id).where(
                col(CircleSession.id).in_(ids),
                col(CircleSession.starts_at) >= start,
                col(CircleSession.starts_at) < end,
                col(CircleSession.status) != SessionStatus.CANCELLED,
            )
        )
        if sid is not None
    ]


def gather_digest(
    db: Session,
    *,
    circle_id: int | None = None,
    topic: str | None = None,
    since: date,
    until: date,
    no_names: bool = False,
) -> Digest:
    """The sessions of one circle (on its clock), or of every circle on one topic (days in UTC),
    held or planned from ``since`` to ``until`` (both days included), cancelled ones left out.
    ``no_names`` leaves out every person's name and e-mail address (circles.digest.without_names)."""
    validate.date_range(since, until, start_field="since", end_field="until")
    if circle_id is not None:
        circle = get_circle(db, circle_id)
        start, end = _window(since, until, circle.timezone)
        found = sessions.list_sessions(db, circle_id=circle_id, start=start, end=end, include_cancelled=False)
        title, about = circle.name, circle.description
    else:
        assert topic is not None
        tag = knowledge.find_topic(db, topic)
        if tag is None:
            raise NotFound(
                f"No session or agenda item is tagged {shown(topic)}; 'circles topic add' tags them."
            )
        start, end = _window(since, until, "UTC")
        ids = _topic_sessions(db, tag.key, start, end)
        found = sorted(sessions.sessions_by_id(db, ids).values(), key=lambda s: (s.starts_at, s.id))
        title, about = f"Topic: {tag.name}", ""
    ids = [s.id for s in found]
    items = agenda.items_for(db, ids)
    materials = knowledge.materials_for(db, ids)
    takeaways = knowledge.takeaways_for(db, ids)
    topics = knowledge.topics_for_sessions(db, ids)
    item_topics = knowledge.topics_for_items(db, [i.id for sid in ids for i in items[sid]])
    counts = attendance.headcounts(db, ids)
    # Held as every report counts it (circles/held.py): a session under way with nobody
    # checked in yet is "not held yet", not "0 came".
    held = set(
        db.exec(select(col(CircleSession.id)).where(col(CircleSession.id).in_(ids), *in_scope(db, Scope())))
    )
    digest_sessions = []
    for s in found:
        presenters = list(dict.fromkeys([i.presenter_name for i in items[s.id] if i.presenter_name]))
        if s.presenter_name and s.presenter_name not in presenters:
            presenters.insert(0, s.presenter_name)
        count = counts.get(s.id)
        digest_sessions.append(
            DigestSession(
                circle=s.circle_name,
                starts_at=s.local_start,
                title=s.title,
                held=s.id in held,
                presenters=tuple(presenters),
                agenda=tuple(DigestItem(i.title, i.presenter_name, i.minutes) for i in items[s.id]),
                # The session's topics, then its agenda items' (the talk on "operators").
                topics=tuple(
                    {
                        t.key: t.name
                        for t in [*topics[s.id], *(t for i in items[s.id] for t in item_topics[i.id])]
                    }.values()
                ),
                takeaways=tuple(t.text for t in takeaways[s.id]),
                materials=tuple(DigestMaterial(m.kind, m.title, m.url, m.path) for m in materials[s.id]),
                came=count.came if count else 0,
                said_yes=count.yes if count else 0,
            )
        )
    digest = Digest(
        title=title,
        about=about,
        since=since,
        until=until,
        sessions=tuple(digest_sessions),
        by_topic=circle_id is None,
    )
    return without_names(digest, redactor(db, ids, circle_id)) if no_names else digest


def redactor(db: Session, digest_session_ids: list[int], circle_id: int | None) -> Redactor:
    """What --no-names leaves out: everyone's full name and, for the people in the digest
    (members, presenters, attendees), each word of their name."""
    everyone = db.exec(select(Person.name)).all()
    involved: set[str] = set()
    if digest_session_ids:
        involved |= set(
            db.exec(
                select(Person.name)
                .join(Attendance, col(Attendance.person_id) == Person.id)
                .where(col(Attendance.session_id).in_(digest_session_ids))
            ).all()
        )
        involved |= set(
            db.exec(
                select(Person.name)
                .join(AgendaItem, col(AgendaItem.presenter_id) == Person.id)
                .where(col(AgendaItem.session_id).in_(digest_session_ids))
            ).all()
        )
        involved |= set(
            db.exec(
                select(Person.name)
                .join(CircleSession, col(CircleSession.presenter_id) == Person.id)
                .where(col(CircleSession.id).in_(digest_session_ids))
            ).all()
        )
        circle_ids = set(
            db.exec(
                select(CircleSession.circle_id).where(col(CircleSession.id).in_(digest_session_ids))
            ).all()
        )
    else:
        circle_ids = set()
    if circle_id is not None:
        circle_ids.add(circle_id)
    if circle_ids:
        involved |= set(
            db.exec(
                select(Person.name)
                .join(Membership, col(Membership.person_id) == Person.id)
                .where(col(Membership.circle_id).in_(circle_ids))
            ).all()
        )
    return Redactor(everyone, involved)

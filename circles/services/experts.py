"""Who knows this: people ranked by what they presented on a topic, with the evidence listed.

A talk on a topic is an agenda item someone presented, in a session that was held (not
cancelled, already started), where the item or its session is tagged with the topic or its
title has the topic's words. Each talk counts 0.5 ** (age in days / 365): a talk a year old
counts half as much as one today, two years old a quarter. The takeaways written after a talk
add to it (a quarter each, at most four): people learned something there.

Each kind of evidence comes from one source, a function in SOURCES returning Evidence; the
ranking adds up the weights per person and says each kind in a phrase (PHRASES). Mentoring
offers are the second source: the mentors (still in a programme that is not archived) whose
comma-separated ``offers`` hold the topic, compared with circles.topics.topic_key. Offering
it is one piece of evidence however many programmes say so, weighing MENTOR_WEIGHT, said
"mentors on Rust".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles.days import day_said
from circles.errors import InvalidInput
from circles.folding import topic_key
from circles.search_query import parse
from circles.services import knowledge, search
from circles.services.clock import now
from circles.services.sql import ids, present
from circles.topics import clean_topic
from circles.views import TopicView
from circles.zones import time_zone
from models.enums import ParticipantRole, SessionStatus
from models.tables import (
    AgendaItem,
    AgendaItemTopic,
    Circle,
    CircleSession,
    Person,
    Programme,
    ProgrammeParticipant,
    SessionTopic,
    Takeaway,
)

HALF_LIFE_DAYS = 365
TAKEAWAY_WEIGHT = 0.25
TAKEAWAYS_COUNTED = 4
MENTOR_WEIGHT = 1.5  # offering to mentor on it: about one and a half recent talks


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to think a person knows the topic, and what it weighs."""

    person_id: int
    kind: str  # "talk" or "mentor" (a source adding another kind says it in PHRASES)
    weight: float
    when: datetime | None = None  # a talk's start, on its circle's clock
    takeaways: int = 0  # written after that talk


@dataclass(frozen=True, slots=True)
class Expert:
    person_id: int
    name: str
    email: str | None
    is_guest: bool
    score: float
    talks: int
    latest_talk: datetime | None  # on its circle's clock
    takeaways: int  # written after their talks on the topic
    mentors: bool  # offers to mentor on the topic in a programme
    evidence: str  # "3 talks on Rust, latest 12 Oct 2026; 5 takeaways from them; mentors on Rust"


@dataclass(frozen=True, slots=True)
class Topic:
    """The topic asked about: its stored name when it is a tag, else the words as typed."""

    name: str
    tag: TopicView | None


Source = Callable[[Session, "Topic", datetime], Iterable[Evidence]]


def decay(starts_at: datetime, at: datetime) -> float:
    days = max(0.0, (at - starts_at).total_seconds() / 86400)
    return float(0.5 ** (days / HALF_LIFE_DAYS))


def talk_weight(starts_at: datetime, takeaways: int, at: datetime) -> float:
    """What one talk counts: less with age, more with the takeaways it left."""
    return decay(starts_at, at) * (1 + TAKEAWAY_WEIGHT * min(takeaways, TAKEAWAYS_COUNTED))


def _held(at: datetime) -> list[sa.ColumnElement[bool]]:
    return [col(CircleSession.status) != SessionStatus.CANCELLED, col(CircleSession.starts_at) <= at]


def _talks_in(db: Session, at: datetime, *, items: set[int], sessions: set[int]) -> set[tuple[int, int]]:
    """(presenter, session) of the agenda items given, and of every presented item of the
    sessions given (and the sessions' own presenters)."""
    found: set[tuple[int, int]] = set()
    if items:
        found |= set(
            db.exec(
                select(present(AgendaItem.presenter_id), AgendaItem.session_id)
                .join(CircleSession, col(CircleSession.id) == AgendaItem.session_id)
                .where(col(AgendaItem.id).in_(items), col(AgendaItem.presenter_id).is_not(None), *_held(at))
            ).all()
        )
    if sessions:
        found |= set(
            db.exec(
                select(present(AgendaItem.presenter_id), AgendaItem.session_id)
                .join(CircleSession, col(CircleSession.id) == AgendaItem.session_id)
                .where(
                    col(AgendaItem.session_id).in_(sessions),
                    col(AgendaItem.presenter_id).is_not(None),
                    *_held(at),
                )
            ).all()
        )
        found |= set(
            db.exec(
                select(present(CircleSession.presenter_id), ids(CircleSession.id)).where(
                    col(CircleSession.id).in_(sessions),
                    col(CircleSession.presenter_id).is_not(None),
                    *_held(at),
                )
            ).all()
        )
    return found


def talks(db: Session, topic: Topic, at: datetime) -> list[Evidence]:
    """The talks on the topic: tagged, or with its words in the item's or session's title."""
    items: set[int] = set()
    sessions: set[int] = set()
    if topic.tag is not None:
        items |= set(
            db.exec(select(AgendaItemTopic.agenda_item_id).where(AgendaItemTopic.topic_id == topic.tag.id))
        )
        sessions |= set(db.exec(select(SessionTopic.session_id).where(SessionTopic.topic_id == topic.tag.id)))
    for kind, ref in search.matching_titles(db, topic.name, ["session", "agenda_item"]):
        (sessions if kind == "session" else items).add(ref)
    pairs = _talks_in(db, at, items=items, sessions=sessions)
    if not pairs:
        return []
    session_ids = {sid for _, sid in pairs}
    # Each talk's start on its own circle's clock, the day its people say it was.
    starts = {
        sid: starts_at.astimezone(time_zone(tz))
        for sid, starts_at, tz in db.exec(
            select(CircleSession.id, CircleSession.starts_at, Circle.timezone)
            .join(Circle, col(Circle.id) == CircleSession.circle_id)
            .where(col(CircleSession.id).in_(session_ids))
        ).all()
    }
    written = dict(
        db.exec(
            select(Takeaway.session_id, sa.func.count())
            .where(col(Takeaway.session_id).in_(session_ids))
            .group_by(col(Takeaway.session_id))
        ).all()
    )
    return [
        Evidence(
            pid, "talk", talk_weight(starts[sid], written.get(sid, 0), at), starts[sid], written.get(sid, 0)
        )
        for pid, sid in sorted(pairs)
    ]


def mentoring(db: Session, topic: Topic, at: datetime) -> list[Evidence]:
    """The mentors who offer the topic, in a programme they have not left that is not archived.
    Offers are free text, compared as topics compare (any case, accents ignored), so they are
    read here rather than matched in SQL; a store has a few thousand participants at most."""
    wanted = topic_key(topic.name)
    rows = db.exec(
        select(ProgrammeParticipant.person_id, ProgrammeParticipant.offers)
        .join(Programme, col(Programme.id) == ProgrammeParticipant.programme_id)
        .where(
            ProgrammeParticipant.role == ParticipantRole.MENTOR,
            col(ProgrammeParticipant.left_at).is_(None),
            col(Programme.archived_at).is_(None),
            ProgrammeParticipant.offers != "",
        )
    ).all()
    mentors = sorted({pid for pid, offers in rows if wanted in {topic_key(o) for o in offers.split(",")}})
    return [Evidence(pid, "mentor", MENTOR_WEIGHT) for pid in mentors]


SOURCES: tuple[Source, ...] = (talks, mentoring)


def find_experts(db: Session, text: str, *, limit: int = 20) -> list[Expert]:
    """People who know the topic ``text``, best first, each with the evidence in a sentence."""
    shown = require_topic(text)
    tag = knowledge.find_topic(db, shown)
    topic = Topic(tag.name if tag else shown, tag)
    at = now(db)
    by_person: dict[int, list[Evidence]] = {}
    for source in SOURCES:
        for evidence in source(db, topic, at):
            by_person.setdefault(evidence.person_id, []).append(evidence)
    if not by_person:
        return []
    people = {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(list(by_person))))}
    experts = []
    for pid, found in by_person.items():
        given = [e for e in found if e.kind == "talk" and e.when is not None]
        p = people[pid]
        experts.append(
            Expert(
                person_id=pid,
                name=p.name,
                email=p.email,
                is_guest=p.is_guest,
                score=round(sum(e.weight for e in found), 3),
                talks=len(given),
                latest_talk=max((e.when for e in given if e.when), default=None),
                takeaways=sum(e.takeaways for e in given),
                mentors=any(e.kind == "mentor" for e in found),
                evidence="; ".join(
                    PHRASES[kind](topic.name, [e for e in found if e.kind == kind], at)
                    for kind in dict.fromkeys(e.kind for e in found)
                ),
            )
        )
    experts.sort(key=lambda e: (-e.score, e.name.casefold(), e.person_id))
    return experts[:limit]


def _talks_said(topic: str, found: list[Evidence], at: datetime) -> str:
    day = day_said(max(e.when for e in found if e.when is not None), at)
    count, written = len(found), sum(e.takeaways for e in found)
    said = f"{count} talk{'s' if count != 1 else ''} on {topic}, latest {day}"
    if written:
        said += f"; {written} takeaway{'s' if written != 1 else ''} from {'them' if count != 1 else 'it'}"
    return said


# How each kind of evidence is said, from all of a person's evidence of that kind.
PHRASES: dict[str, Callable[[str, list[Evidence], datetime], str]] = {
    "talk": _talks_said,
    "mentor": lambda topic, _found, _at: f"mentors on {topic}",
}


def require_topic(text: str) -> str:
    """The topic as typed, or InvalidInput (for the CLI, before opening the store)."""
    shown = clean_topic(text)
    try:
        parse(shown)
    except InvalidInput:
        raise InvalidInput("topic", text, "has no word to look for") from None
    return shown

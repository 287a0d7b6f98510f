"""RSVP replies into the store: each REPLY sets one attendee's answer for one session (or, for a
whole series, their answer for the series), and nothing else. A reply that is stale, older than an
answer already taken, or from someone who was not invited is reported and changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles.delivery.replies import Reply
from circles.errors import CirclesError
from circles.ics.model import Channel
from circles.services import attendance, delivery, invites, members, sessions
from circles.services.circle_records import get_circle
from circles.services.clock import now
from circles.views import CircleView, SessionView
from models.enums import Rsvp
from models.tables import Circle, CircleSession, InviteReply, Person

ANSWERS = {"ACCEPTED": Rsvp.YES, "TENTATIVE": Rsvp.MAYBE, "DECLINED": Rsvp.NO, "NEEDS-ACTION": Rsvp.NONE}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    APPLIED = "applied"
    ALREADY = "already imported"  # the same reply was applied before (a mailbox read twice)
    OLDER = "older"  # an answer from a later reply is already taken
    STALE = "stale"  # it answers a version of the invite that has been replaced since
    REFUSED = "refused"  # not a reply circles can take: who, what or which answer is wrong


@dataclass(frozen=True, slots=True)
class ReplyResult:
    reply: Reply
    outcome: Outcome
    message: str  # one line a person can act on
    session_id: int | None = None
    person_id: int | None = None
    rsvp: Rsvp | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    circle: CircleView
    session: SessionView | None  # None: the whole series


def apply_replies(db: Session, replies: Sequence[Reply]) -> list[ReplyResult]:
    """Apply each reply, oldest first (by SEQUENCE, then DTSTAMP), so the newest answer stands."""
    ordered = sorted(replies, key=lambda r: (r.uid, r.address or "", r.sequence, r.stamp or _EPOCH))
    return [_apply(db, r) for r in ordered]


def _refused(reply: Reply, why: str) -> ReplyResult:
    return ReplyResult(reply, Outcome.REFUSED, f"{reply.source}: {why}; nothing changed.")


def _apply(db: Session, reply: Reply) -> ReplyResult:
    if len(reply.attendees) != 1:
        count = "no ATTENDEE" if not reply.attendees else f"{len(reply.attendees)} ATTENDEEs"
        return _refused(reply, f"the reply for {reply.uid[:60]!r} has {count}, not the one person answering")
    address, partstat = reply.attendees[0]
    answer = ANSWERS.get(partstat or "")
    if answer is None:
        return _refused(reply, f"{address} answered {partstat[:30]!r}, which is not yes, maybe or no")
    target = _target(db, reply)
    if isinstance(target, str):
        return _refused(reply, target)
    person = db.exec(select(Person).where(Person.email == address)).first()  # stored lower-cased
    what = target.session.label if target.session else f"every session of {target.circle.name}"
    if person is None or person.id is None:
        return _refused(reply, f"{address[:60]} answered for {what} but is not someone circles knows")
    if not _invited(db, target, person.id):
        return _refused(
            reply, f"{person.name} ({address[:60]}) answered for {what} but was not invited to it"
        )
    stale = _stale(db, target, person.id, reply.sequence)
    if stale is not None:
        return ReplyResult(
            reply,
            Outcome.STALE,
            f"{reply.source}: stale: {person.name} answered SEQUENCE {reply.sequence} of {what}, "
            f"but SEQUENCE {stale} went out since (the session changed); not applied: wait for "
            "their answer to it.",
            target.session.id if target.session else None,
            person.id,
            answer,
        )
    earlier = _last_reply(db, target, person.id)
    key = (reply.sequence, reply.stamp or _EPOCH)
    if earlier is not None:
        taken = (earlier.sequence, earlier.stamp or _EPOCH)
        if taken == key and earlier.rsvp == answer:
            return ReplyResult(
                reply,
                Outcome.ALREADY,
                f"{reply.source}: {person.name}'s answer ({answer.value}) for {what} was imported before.",
                target.session.id if target.session else None,
                person.id,
                answer,
            )
        if taken >= key:
            return ReplyResult(
                reply,
                Outcome.OLDER,
                f"{reply.source}: {person.name}'s answer ({answer.value}) for {what} is older than the one "
                f"already taken ({earlier.rsvp.value}); not applied.",
                target.session.id if target.session else None,
                person.id,
                answer,
            )
    was = _current_answer(db, target, person.id)
    try:
        if target.session is not None:
            attendance.set_rsvp(db, session_id=target.session.id, person_id=person.id, rsvp=answer)
        else:
            attendance.set_series_rsvp(db, circle_id=target.circle.id, person_id=person.id, rsvp=answer)
    except CirclesError as refused:  # what the service refuses of anyone (a cancelled session)
        return _refused(reply, f"{person.name}'s answer ({answer.value}): {str(refused).rstrip('.')}")
    db.add(
        InviteReply(
            circle_id=target.circle.id,
            session_id=target.session.id if target.session else None,
            person_id=person.id,
            uid=reply.uid[:120],
            sequence=reply.sequence,
            stamp=reply.stamp,
            rsvp=answer,
            imported_at=now(db),
        )
    )
    change = f"was {was.value}" if was is not answer else "unchanged"
    return ReplyResult(
        reply,
        Outcome.APPLIED,
        f"{person.name}: {answer.value} for {what} ({change}).",
        target.session.id if target.session else None,
        person.id,
        answer,
    )


def _target(db: Session, reply: Reply) -> _Target | str:
    """The session (or series) the reply is about, or why there is none."""
    session_id = db.exec(select(CircleSession.id).where(CircleSession.ics_uid == reply.uid)).first()
    if session_id is not None:
        s = sessions.get_session(db, session_id)
        return _Target(get_circle(db, s.circle_id), s)
    circle_id = db.exec(select(Circle.id).where(Circle.ics_series_uid == reply.uid)).first()
    if circle_id is None:
        return f"the reply is for UID {reply.uid[:60]!r}, which no session or series in this store has"
    circle = get_circle(db, circle_id)
    if reply.recurrence_id is None:
        return _Target(circle, None)
    # A series instance is named by the slot it was planned in (its RECURRENCE-ID).
    found = db.exec(
        select(CircleSession.id).where(
            CircleSession.circle_id == circle_id, CircleSession.planned_starts_at == reply.recurrence_id
        )
    ).first()
    if found is None:
        when = reply.recurrence_id.astimezone(circle.zone)
        return f"the reply is for {circle.name} on {when:%a %d %b %Y %H:%M}, a date the series does not have"
    return _Target(circle, sessions.get_session(db, found))


def _invited(db: Session, target: _Target, person_id: int) -> bool:
    if target.session is None:
        return members.current_membership(db, circle_id=target.circle.id, person_id=person_id) is not None
    (invite,) = invites.session_invites(db, target.circle, [target.session], Channel.REQUEST)
    return any(a.person_id == person_id for a in invite.attendees)


def _stale(db: Session, target: _Target, person_id: int, sequence: int) -> int | None:
    """The SEQUENCE the reply should have answered, when it answers an older one."""
    if target.session is None:
        current = _series_sequence(db, target.circle)
    else:
        sent = delivery.latest_sequence_sent(db, target.session.id, person_id)
        # Never e-mailed (a file the facilitator sent themselves): the invite as it is now.
        current = sent if sent is not None else target.session.ics_sequence
    return current if sequence < current else None


def _series_sequence(db: Session, circle: CircleView) -> int:
    """As circles/ics/series.py numbers the series: its own count, plus each session added or changed."""
    count, total = db.exec(
        select(sa.func.count(), sa.func.coalesce(sa.func.sum(CircleSession.ics_sequence), 0)).where(
            CircleSession.circle_id == circle.id
        )
    ).one()
    return circle.ics_series_sequence + int(count) + int(total)


def _last_reply(db: Session, target: _Target, person_id: int) -> InviteReply | None:
    stmt = select(InviteReply).where(
        InviteReply.circle_id == target.circle.id, InviteReply.person_id == person_id
    )
    if target.session is None:
        stmt = stmt.where(col(InviteReply.session_id).is_(None))
    else:
        stmt = stmt.where(InviteReply.session_id == target.session.id)
    return db.exec(stmt.order_by(col(InviteReply.id).desc())).first()


def _current_answer(db: Session, target: _Target, person_id: int) -> Rsvp:
    if target.session is None:
        member = members.current_membership(db, circle_id=target.circle.id, person_id=person_id)
        return member.default_rsvp if member else Rsvp.NONE
    for entry in attendance.roster(db, target.session.id):
        if entry.person_id == person_id:
            return entry.rsvp
    return Rsvp.NONE

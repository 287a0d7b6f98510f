"""A facilitator's locks and rejections of proposals, kept in the store so that the app and the
command line match a programme around the same decisions.

A lock keeps a proposed group as it is (the mentor first) until the next confirm makes it a
pair; a rejection keeps two people from being proposed together in this programme again, until
it is taken back. The rules they must keep (nobody twice, capacity, the hard rules) are checked
in services/pairing.py, which also sets aside a lock that stopped holding.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, delete, select

from circles.matching import Review
from circles.programme_views import PairPerson
from models.enums import DecisionKind, ParticipantRole
from models.tables import Person, ProgrammeParticipant, ProposalDecision


def _members(row: ProposalDecision) -> tuple[int, ...]:
    third = () if row.third_person_id is None else (row.third_person_id,)
    return (row.first_person_id, row.second_person_id, *third)


def _rows(db: Session, programme_id: int, kind: DecisionKind | None = None) -> list[ProposalDecision]:
    stmt = select(ProposalDecision).where(ProposalDecision.programme_id == programme_id)
    if kind is not None:
        stmt = stmt.where(ProposalDecision.decision == kind)
    return list(db.exec(stmt.order_by(col(ProposalDecision.id))).all())


def stored(db: Session, programme_id: int) -> Review:
    """The programme's locks (in the order they were made) and rejections."""
    rows = _rows(db, programme_id)
    return Review(
        locked=tuple(_members(r) for r in rows if r.decision is DecisionKind.LOCK),
        rejected=frozenset(frozenset(_members(r)) for r in rows if r.decision is DecisionKind.REJECT),
    )


def add_lock(db: Session, programme_id: int, members: Sequence[int]) -> None:
    """Keep this group. Someone locked elsewhere moves here (a mentor keeps their other locks)."""
    members = tuple(members)
    mentors = set(
        db.exec(
            select(ProgrammeParticipant.person_id).where(
                ProgrammeParticipant.programme_id == programme_id,
                col(ProgrammeParticipant.person_id).in_(members),
                col(ProgrammeParticipant.left_at).is_(None),
                ProgrammeParticipant.role == ParticipantRole.MENTOR,
            )
        ).all()
    )
    moving = set(members) - mentors
    for row in _rows(db, programme_id, DecisionKind.LOCK):
        if _members(row) == members or moving & set(_members(row)):
            db.delete(row)
    db.add(
        ProposalDecision(
            programme_id=programme_id,
            decision=DecisionKind.LOCK,
            first_person_id=members[0],
            second_person_id=members[1],
            third_person_id=members[2] if len(members) > 2 else None,
        )
    )
    db.flush()


def remove_lock(db: Session, programme_id: int, members: Sequence[int]) -> bool:
    """Unlock the group holding all of ``members``; whether there was one."""
    wanted = set(members)
    found = False
    for row in _rows(db, programme_id, DecisionKind.LOCK):
        if wanted <= set(_members(row)):
            db.delete(row)
            found = True
    db.flush()
    return found


def clear_locks(db: Session, programme_id: int) -> None:
    """After a confirm: the locked groups are pairs now."""
    db.exec(
        delete(ProposalDecision).where(
            col(ProposalDecision.programme_id) == programme_id,
            col(ProposalDecision.decision) == DecisionKind.LOCK,
        )
    )


def add_rejection(db: Session, programme_id: int, a: int, b: int) -> None:
    """Never propose ``a`` with ``b`` here again; a lock holding both goes."""
    remove_lock(db, programme_id, (a, b))
    lo, hi = sorted((a, b))
    if any(_members(r) == (lo, hi) for r in _rows(db, programme_id, DecisionKind.REJECT)):
        return
    db.add(
        ProposalDecision(
            programme_id=programme_id,
            decision=DecisionKind.REJECT,
            first_person_id=lo,
            second_person_id=hi,
        )
    )
    db.flush()


def remove_rejection(db: Session, programme_id: int, a: int, b: int) -> bool:
    """Take a rejection back; whether there was one."""
    lo, hi = sorted((a, b))
    found = False
    for row in _rows(db, programme_id, DecisionKind.REJECT):
        if _members(row) == (lo, hi):
            db.delete(row)
            found = True
    db.flush()
    return found


def people(db: Session, programme_id: int, ids: Sequence[int]) -> dict[int, PairPerson]:
    """Name, e-mail and role of people a decision names (some may have left the programme)."""
    if not ids:
        return {}
    roles = dict(
        db.exec(
            select(ProgrammeParticipant.person_id, ProgrammeParticipant.role)
            .where(
                ProgrammeParticipant.programme_id == programme_id,
                col(ProgrammeParticipant.person_id).in_(list(ids)),
            )
            .order_by(col(ProgrammeParticipant.joined_at))  # the latest time they joined wins
        ).all()
    )
    return {
        pid: PairPerson(pid, name, email, ParticipantRole(roles.get(pid, ParticipantRole.MEMBER)))
        for pid, name, email in db.exec(
            select(Person.id, Person.name, Person.email).where(col(Person.id).in_(list(ids)))
        ).all()
        if pid is not None
    }

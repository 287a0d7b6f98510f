"""The programmes a person is in and their pairs, for the person screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from circles.programme_views import PairView, ParticipantView
from circles.services import pairs, programmes
from models.tables import Programme, ProgrammeParticipant


@dataclass(frozen=True, slots=True)
class PersonProgrammes:
    programmes: list[tuple[ParticipantView, str]]  # each with the programme's name
    pairs: list[PairView]  # newest first


def person_programmes(db: Session, person_id: int) -> PersonProgrammes:
    rows = db.exec(
        select(ProgrammeParticipant.programme_id, Programme.name)
        .join(Programme, col(Programme.id) == ProgrammeParticipant.programme_id)
        .where(ProgrammeParticipant.person_id == person_id, col(ProgrammeParticipant.left_at).is_(None))
        .order_by(col(Programme.name))
    ).all()
    theirs = {p.programme_id: p for p in programmes.participations_of(db, person_id)} if rows else {}
    found = [(theirs[pid], name) for pid, name in rows if pid in theirs]
    return PersonProgrammes(found, pairs.pairs_of_person(db, person_id))


def day_of(value: date | None) -> str:
    return "" if value is None else f"{value:%d %b %Y}"

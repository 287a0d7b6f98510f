"""The programmes a person is in and their pairs, for the person screen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from circles.programme_views import PairView, ParticipantView
from circles.services import pairs, programmes


@dataclass(frozen=True, slots=True)
class PersonProgrammes:
    programmes: list[tuple[ParticipantView, str]]  # each with the programme's name
    pairs: list[PairView]  # newest first


def person_programmes(db: Session, person_id: int) -> PersonProgrammes:
    return PersonProgrammes(programmes.participations_of(db, person_id), pairs.pairs_of_person(db, person_id))

"""SQLModel tables and the engine/session setup. Importing this touches no disk."""

from models.tables import (
    AgendaItem,
    AgendaTemplateItem,
    Attendance,
    Away,
    Circle,
    CircleSession,
    Membership,
    Person,
    RotationEvent,
    SkipDate,
)

__all__ = [
    "AgendaItem",
    "AgendaTemplateItem",
    "Attendance",
    "Away",
    "Circle",
    "CircleSession",
    "Membership",
    "Person",
    "RotationEvent",
    "SkipDate",
]

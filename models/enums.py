"""The fixed vocabularies of the domain, as plain string enums (no SQL here, so screens may import them)."""

from __future__ import annotations

from enum import StrEnum


class CircleKind(StrEnum):
    LEARNING_CIRCLE = "learning-circle"
    COMMUNITY_OF_PRACTICE = "community-of-practice"
    LUNCH_AND_LEARN = "lunch-and-learn"
    WORKSHOP = "workshop"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


class Role(StrEnum):
    FACILITATOR = "facilitator"
    MEMBER = "member"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Rsvp(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"
    NONE = "none"


class Attended(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def came(self) -> bool:
        return self in (Attended.PRESENT, Attended.LATE)


class PresenterSource(StrEnum):
    """How a session's presenter was chosen; the rotation treats each differently."""

    ROTATION = "rotation"  # suggested by the fair rotation and accepted
    MANUAL = "manual"  # assigned by hand (volunteer, swap): always wins
    GUEST = "guest"  # an external speaker: consumes nobody's turn


class RotationEventKind(StrEnum):
    """What a row of the rotation's memory (rotation_event) records."""

    ASSIGNED = "assigned"  # a member was assigned by hand
    GUEST = "guest"  # a guest speaker was assigned: nobody's turn
    CLEARED = "cleared"  # an assignment was given back to the rotation
    SWAP_ASKED = "swap_asked"  # person_id gave their session to other_person_id
    SWAP_AGREED = "swap_agreed"  # person_id took other_person_id's session
    SKIPPED = "skipped"  # person_id was away, so the rotation passed them over


class ProgrammeKind(StrEnum):
    """Mentorship programmes: pairs that are matched once, or rounds that mix people again and again."""

    MENTORING = "mentoring"
    REVERSE_MENTORING = "reverse-mentoring"  # the junior person is the mentor
    BUDDY = "buddy"
    COFFEE = "coffee"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")

    @property
    def has_rounds(self) -> bool:
        """Buddy and coffee programmes pair everyone again in rounds; mentoring pairs last."""
        return self in (ProgrammeKind.BUDDY, ProgrammeKind.COFFEE)


class ParticipantRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    MEMBER = "member"  # buddy and coffee programmes


class PairStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED_EARLY = "ended-early"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")

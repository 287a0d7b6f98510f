"""The mentorship forms: a new programme, joining one, logging a meeting, a goal, ending a pair."""

from __future__ import annotations

from datetime import date
from typing import Any

from circles import cadence as cadences
from circles import validate
from circles.programme_views import GoalView, MeetingView, PairView, ParticipantView, ProgrammeView
from circles.services import pairs, programmes
from models.enums import ParticipantRole, ProgrammeKind
from screens.form_screen import Field, FormScreen


def _optional_date(value: str, field: str) -> date | None:
    return validate.parse_date(value, field) if value.strip() else None


def _optional_int(value: str, field: str) -> int | None:
    return validate.parse_int(value, field) if value.strip() else None


def programme_form() -> FormScreen[ProgrammeView]:
    fields = [
        Field("name", "Name", "", "e.g. Mentoring 2026", required=True,
              check=programmes.programme_name),
        Field("kind", "Kind", ProgrammeKind.MENTORING, choices=[(k.label, k) for k in ProgrammeKind]),
        Field("cadence", 'How often pairs meet (e.g. "every 2 weeks on tue at 15:00")', "",
              check=cadences.parse),
        Field("starts_on", "From (YYYY-MM-DD, optional)", "",
              check=lambda v: validate.parse_date(v, "from"),
              aliases=("from",)),
        Field("ends_on", "To (YYYY-MM-DD, optional)", "", check=lambda v: validate.parse_date(v, "to"),
              aliases=("to",), beside=True),
        Field("group_size", "Buddy and coffee: groups of", 2, choices=[("2 (pairs)", 2), ("3 (trios)", 3)],
              aliases=("group size",)),
        Field("no_repeat_weeks", "No repeat for N weeks (empty: until everyone has met)", "",
              check=lambda v: validate.parse_int(v, "no repeat weeks"), aliases=("no repeat weeks",)),
        Field("allow_same_team", "Allow pairs from the same team", False, checkbox=True),
    ]  # fmt: skip

    def save(db: Any, v: dict[str, Any]) -> ProgrammeView:
        return programmes.add_programme(
            db,
            name=v["name"],
            kind=v["kind"],
            cadence=v["cadence"] or None,
            starts_on=_optional_date(v["starts_on"], "from"),
            ends_on=_optional_date(v["ends_on"], "to"),
            group_size=int(v["group_size"]),
            no_repeat_weeks=_optional_int(v["no_repeat_weeks"], "no repeat weeks"),
            allow_same_team=bool(v["allow_same_team"]),
        )

    return FormScreen("New programme", fields, save)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def edit_form(programme: ProgrammeView) -> FormScreen[ProgrammeView]:
    """Its name and dates: the same as 'circles program edit' (a first day after a round already
    made is refused there, with the round named)."""
    fields = [
        Field("name", "Name", programme.name, required=True, aliases=("new_name",),
              check=programmes.programme_name),
        Field("starts_on", "From (YYYY-MM-DD, optional)", _day(programme.starts_on),
              check=lambda v: validate.parse_date(v, "from"), aliases=("from",)),
        Field("ends_on", "To (YYYY-MM-DD, empty: no end)", _day(programme.ends_on),
              check=lambda v: validate.parse_date(v, "to"), aliases=("to",)),
    ]  # fmt: skip

    def save(db: Any, v: dict[str, Any]) -> ProgrammeView:
        return programmes.edit(
            db,
            programme.id,
            name=v["name"],
            starts_on=_optional_date(v["starts_on"], "from"),
            ends_on=_optional_date(v["ends_on"], "to"),
        )

    return FormScreen(f"Edit {programme.name}", fields, save)


def join_form(programme: ProgrammeView, person_id: int, name: str) -> FormScreen[ParticipantView]:
    roles = (
        [ParticipantRole.MEMBER]
        if programme.kind.has_rounds
        else [ParticipantRole.MENTEE, ParticipantRole.MENTOR]
    )
    mentor, mentee, member = ParticipantRole.MENTOR, ParticipantRole.MENTEE, ParticipantRole.MEMBER
    # Each role sees what matching reads of it: a mentor's places and what they offer, what a
    # mentee wants, and both for buddies and coffee (shared interests).
    fields = [
        Field("role", "Joins as", roles[0], choices=[(r.value, r) for r in roles], aliases=("as",)),
        Field("capacity", "Mentees at once", 1,
              check=lambda v: validate.parse_int(v, "capacity"),
              aliases=("capacity",), when=("role", {mentor})),
        Field("offers", "Offers (topics they can help with, comma-separated)", "", "e.g. Rust, kubernetes",
              aliases=("offers",), when=("role", {mentor, member})),
        Field("wants", "Wants (topics to learn, comma-separated)", "", "e.g. public speaking",
              aliases=("wants",), when=("role", {mentee, member})),
        Field("timezone", "Timezone (empty: from their circles)", "", "e.g. Europe/Berlin",
              check=lambda v: validate.timezone(v, "zone"), aliases=("zone",)),
    ]  # fmt: skip

    def save(db: Any, v: dict[str, Any]) -> ParticipantView:
        role = ParticipantRole(v["role"])
        return programmes.join(
            db,
            programme.id,
            person_id,
            role=role,
            capacity=validate.parse_int(v["capacity"] or "1", "capacity")
            if role is ParticipantRole.MENTOR
            else None,
            offers=v["offers"],
            wants=v["wants"],
            timezone=v["timezone"] or None,
        )

    return FormScreen(f"{name} joins {programme.name}", fields, save)


def meeting_form(pair: PairView, *, today: date) -> FormScreen[MeetingView]:
    fields = [
        Field("held_on", "When (YYYY-MM-DD)", today.isoformat(), required=True,
              check=lambda v: validate.parse_date(v, "on"), aliases=("on",)),
        Field("minutes", "Minutes", "", "e.g. 45", check=lambda v: validate.parse_int(v, "minutes"),
              aliases=("minutes",)),
        Field("note", "Note", "", "What you talked about", aliases=("note",)),
    ]  # fmt: skip

    def save(db: Any, v: dict[str, Any]) -> MeetingView:
        return pairs.log_meeting(
            db,
            pair.id,
            held_on=validate.parse_date(v["held_on"], "on"),
            minutes=_optional_int(v["minutes"], "minutes"),
            note=v["note"],
        )

    # The day is usually today's: the cursor starts on the minutes (main's forms start on the
    # first field once every required one has a value).
    return FormScreen(f"A meeting of {pair.names}", fields, save, start_on="minutes")


def goal_form(pair: PairView) -> FormScreen[GoalView]:
    fields = [Field("text", "Goal", "", "e.g. Give a first talk", required=True, aliases=("goal",))]
    return FormScreen(
        f"A goal for {pair.names}", fields, lambda db, v: pairs.add_goal(db, pair.id, v["text"])
    )


def end_form(pair: PairView) -> FormScreen[PairView]:
    fields = [
        Field("how", "How it ended", "early", choices=[("ended early", "early"), ("completed", "completed")]),
        Field("reason", "Why (for an early end)", "", "e.g. moved to another team", aliases=("reason",)),
    ]

    def save(db: Any, v: dict[str, Any]) -> PairView:
        return pairs.end_pair(db, pair.id, completed=v["how"] == "completed", reason=v["reason"])

    return FormScreen(f"End {pair.label}", fields, save, start_on="reason")

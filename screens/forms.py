"""The create and edit forms, each a FormScreen with its fields and the service call that saves it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from circles import cadence, validate
from circles.services import agenda, attendance, circle_records, people, sessions
from circles.views import AgendaItemView, AwayView, CircleView, MemberView, PersonView, SessionView
from models.enums import CircleKind
from screens.form_screen import Field, FormScreen
from screens.format import name_from_search

if TYPE_CHECKING:
    from circles.services.planning import PlanResult
    from circles.store_access import Db

NOBODY = -1


def _minutes(field: str, *, allow_zero: bool = False) -> Any:
    return lambda v: validate.minutes(validate.parse_int(v, field), field, allow_zero=allow_zero)


def _optional_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def circle_form(original: CircleView | None, *, timezone: str | None = None) -> FormScreen[CircleView]:
    """A new circle suggests this machine's time zone (or ``timezone``), a learning circle, an
    hour; so after its name, how often it meets is what a person has left to say, and comes next."""
    from circles.me import me_setting
    from circles.zones import local_zone_name

    o = original
    # The facilitator as typed: an edit shows theirs (a guest by name); a new circle suggests
    # whoever 'circles whoami' names, who usually creates circles to run them.
    facilitator = (o.facilitator_email or o.facilitator_name or "") if o else (me_setting() or "")
    fields = [
        Field(
            "name",
            "Name",
            o.name if o else "",
            "e.g. Rust learning circle",
            required=True,
            check=lambda v: validate.text(v, "name", max_length=120, required=True),
            enter_moves_on=o is None,  # a new circle: on to how often it meets (ctrl+s saves)
        ),
        Field(
            "cadence",
            "How often (planning follows it)",
            (o.cadence or "") if o else "",
            'e.g. "weekly on tue at 12:00" or "monthly on the last fri at 16:00"',
            check=lambda v: cadence.parse(v),
        ),
        Field(
            "kind",
            "Kind",
            o.kind if o else CircleKind.LEARNING_CIRCLE,
            choices=[(k.label, k) for k in CircleKind],
        ),
        Field(
            "facilitator",
            "Facilitator (name or e-mail address; invites come from them)",
            facilitator,
            "e.g. ana@example.org; empty: nobody",
        ),
        Field(
            "timezone",
            "Timezone (IANA name)",
            o.timezone if o else (timezone or local_zone_name()),
            "e.g. Europe/Berlin",
            required=True,
            check=validate.timezone,
        ),
        Field(
            "default_minutes",
            "Usual length in minutes",
            o.default_minutes if o else 60,
            required=True,
            check=_minutes("session length"),
            aliases=("session length",),
            beside=True,
        ),
        Field("location", "Usual place", (o.location or "") if o else "", "e.g. Room 4.12"),
        Field(
            "video_url",
            "Video link",
            (o.video_url or "") if o else "",
            "https://...",
            check=validate.url,
            aliases=("video link",),
            beside=True,
        ),
        Field("description", "What it is about", o.description if o else ""),
    ]

    def save(db: Db, v: dict[str, Any]) -> CircleView:
        from circles.services import series

        values = {
            **v,
            "default_minutes": int(v["default_minutes"]),
            "location": v["location"] or None,
            "video_url": v["video_url"] or None,
        }
        typed = values.pop("cadence")
        named = values.pop("facilitator")
        # Left as shown, an edit keeps its facilitator (whose name others may share).
        if o is None or named != facilitator:
            chosen = people.named_by(db, named, "facilitator")
            values["facilitator_id"] = chosen.id if chosen else None
        saved = (
            circle_records.add_circle(db, **values)
            if o is None
            else circle_records.update_circle(db, o, **values)
        )
        # Stored in its canonical spelling, through the same service as `circles circle cadence`.
        if (cadence.parse(typed).text if typed else None) != saved.cadence:
            saved = series.set_cadence(db, saved, typed)
        return saved

    reopen = (lambda db: circle_form(circle_records.get_circle(db, o.id), timezone=timezone)) if o else None
    return FormScreen("New circle" if o is None else f"Edit {o.name}", fields, save, reopen=reopen)


def person_form(original: PersonView | None, *, name: str = "") -> FormScreen[PersonView]:
    """Edit ``original``, or a new person; ``name``: what was typed to find them (a picker's
    search), as their name (name_from_search)."""
    o = original
    fields = [
        Field(
            "name",
            "Name",
            o.name if o else name_from_search(name),
            required=True,
            check=people.person_name,  # the service's own rule: refused here, before saving
        ),
        Field(
            "email",
            "E-mail (a guest may have none)",
            (o.email or "") if o else "",
            "ana@example.org",
            required=True,
            optional_if="is_guest",
            check=validate.email,
        ),
        Field("team", "Team", (o.team or "") if o else "", check=people.team_name),
        Field("is_guest", "Guest (not part of the organisation)", o.is_guest if o else False, checkbox=True),
    ]

    def save(db: Db, v: dict[str, Any]) -> PersonView:
        details = dict(
            name=v["name"], email=v["email"] or None, team=v["team"] or None, is_guest=v["is_guest"]
        )
        if o is None:
            return people.add_person(db, **details)
        return people.update_person(db, o, **details)

    reopen = (lambda db: person_form(people.get_person(db, o.id))) if o else None
    return FormScreen("New person" if o is None else f"Edit {o.name}", fields, save, reopen=reopen)


def session_form(
    circle: CircleView, original: SessionView | None, *, default_start: datetime
) -> FormScreen[SessionView]:
    o = original
    tz = circle.timezone
    start = validate.local_time_text(o.starts_at if o else default_start, tz)
    fields = [
        Field(
            "start",
            f"Starts (YYYY-MM-DD HH:MM, {tz})",
            start,
            required=True,
            check=lambda v: validate.parse_local_time(v, "start", tz),
        ),
        Field(
            "minutes",
            "Length in minutes",
            o.minutes if o else circle.default_minutes,
            required=True,
            check=_minutes("length"),
            aliases=("length",),
        ),
        Field("title", "Title", o.title if o else "", "What it is about"),
        Field("location", "Place", (o.location or "") if o else (circle.location or "")),
        Field(
            "video_url",
            "Video link",
            (o.video_url or "") if o else (circle.video_url or ""),
            check=validate.url,
            aliases=("video link",),
        ),
    ]

    def save(db: Db, v: dict[str, Any]) -> SessionView:
        values = dict(
            starts_at=validate.parse_local_time(v["start"], "start", tz),
            minutes=int(v["minutes"]),
            title=v["title"],
            location=v["location"] or None,
            video_url=v["video_url"] or None,
        )
        if o is None:
            return sessions.add_session(db, circle_id=circle.id, **values)
        return sessions.update_session(db, o, **values)

    reopen = (
        (lambda db: session_form(circle, sessions.get_session(db, o.id), default_start=default_start))
        if o
        else None
    )
    return FormScreen(
        f"Schedule a session of {circle.name}" if o is None else f"Edit {o.label}",
        fields,
        save,
        reopen=reopen,
    )


def move_form(session: SessionView) -> FormScreen[SessionView]:
    """A new day and time, or a time alone ("13:00"): the same day, at that time."""
    tz = session.timezone

    def new_start(typed: str) -> datetime:
        return validate.parse_local_time(typed, "start", tz, day_of=session.starts_at)

    fields = [
        Field(
            "start",
            f"New start (YYYY-MM-DD HH:MM, or HH:MM that day; {tz})",
            validate.local_time_text(session.starts_at, tz),
            required=True,
            check=new_start,
        ),
    ]

    def save(db: Db, v: dict[str, Any]) -> SessionView:
        return sessions.move_session(db, session, starts_at=new_start(v["start"]))

    return FormScreen(
        f"Move {session.label}",
        fields,
        save,
        reopen=lambda db: move_form(sessions.get_session(db, session.id)),
    )


def plan_form(circle: CircleView, *, default_start: datetime, first: bool = False) -> FormScreen[PlanResult]:
    """Plan a series from the circle's cadence: the same path as `circles session plan`, so
    new sessions get the agenda template and presenters from the rotation, and skip dates
    are stepped over. With the cadence known, the cursor starts on how many sessions: the one
    thing left to decide. ``first``: offered as the circle is created."""
    from circles import cadence
    from circles.services import planning

    local = default_start.astimezone(circle.zone)
    suggested = circle.cadence or f"weekly on {local:%a}".lower() + f" at {local:%H:%M}"
    fields = [
        Field(
            "cadence",
            'How often (e.g. "weekly on tue at 12:00", "monthly on the last fri at 16:00")',
            suggested,
            required=True,
            check=lambda v: cadence.parse(v),
        ),
        Field(
            "count",
            "How many sessions",
            6,
            required=True,
            check=lambda v: _between(validate.parse_int(v, "count"), "count", 1, planning.MAX_PLAN),
        ),
        Field(
            "start",
            f"From (YYYY-MM-DD, {circle.timezone})",
            local.strftime("%Y-%m-%d"),
            required=True,
            check=lambda v: validate.parse_date(v, "start"),
        ),
    ]

    def save(db: Db, v: dict[str, Any]) -> PlanResult:
        # A cadence changed here is the circle's from now on: the result says so (describe()).
        start = validate.parse_date(v["start"], "start")
        return planning.plan_with_cadence(
            db, circle_id=circle.id, cadence=v["cadence"], count=int(v["count"]), start=start
        )

    title = (
        f"{circle.name} is saved. Plan its first sessions now? Escape: later (P on the Sessions tab)"
        if first
        else f"Plan several sessions of {circle.name}"
    )
    return FormScreen(title, fields, save, start_on="count" if circle.cadence else None)


def _between(value: int, field: str, low: int, high: int) -> int:
    from circles.errors import InvalidInput

    if not low <= value <= high:
        raise InvalidInput(field, value, f"must be between {low} and {high}")
    return value


def agenda_item_form(
    session: SessionView, members: list[MemberView], original: AgendaItemView | None
) -> FormScreen[AgendaItemView]:
    o = original
    choices: list[tuple[str | Text, int]] = [("(nobody)", NOBODY)] + [
        (Text(m.name), m.person_id) for m in members
    ]
    if o and o.presenter_id is not None and all(pid != o.presenter_id for _, pid in choices):
        choices.append((Text(o.presenter_name or f"person {o.presenter_id}"), o.presenter_id))
    fields = [
        Field(
            "title",
            "Title",
            o.title if o else "",
            "e.g. Welcome and check-in",
            required=True,
            check=lambda v: validate.text(v, "title", max_length=200, required=True),
        ),
        Field(
            "presenter",
            "Presenter",
            (o.presenter_id if o and o.presenter_id else NOBODY),
            choices=choices,
            anyone="Who presents this item? Anyone in the directory, or someone new",
        ),
        Field("minutes", "Minutes", (o.minutes or "") if o else "", "e.g. 10", check=_minutes("minutes")),
    ]

    def save(db: Db, v: dict[str, Any]) -> AgendaItemView:
        presenter = None if v["presenter"] == NOBODY else int(v["presenter"])
        minutes = _optional_int(v["minutes"])
        if o is None:
            return agenda.add_item(
                db, session_id=session.id, title=v["title"], presenter_id=presenter, minutes=minutes
            )
        return agenda.update_item(db, o, title=v["title"], presenter_id=presenter, minutes=minutes)

    reopen = (lambda db: agenda_item_form(session, members, agenda.get_item(db, o.id))) if o else None
    return FormScreen("New agenda item" if o is None else f"Edit {o.title}", fields, save, reopen=reopen)


def walk_in_form(session: SessionView, *, name: str = "") -> FormScreen[PersonView]:
    """``name``: what was typed to find them on the check-in list, as their name."""
    fields = [
        Field(
            "name",
            "Name",
            name_from_search(name),
            required=True,
            check=people.person_name,  # as the check-in service reads it
            carries_on=True,
        ),
        Field(
            "email",
            "E-mail, if they give one (someone already known is found by it)",
            "",
            "ana@example.org",
            check=validate.email,
        ),
        Field("team", "Team", "", check=people.team_name),
    ]

    def save(db: Db, v: dict[str, Any]) -> PersonView:
        # A name alone is enough: a new guest, or the one person of that name already known.
        return attendance.check_in_walk_in(
            db, session_id=session.id, name=v["name"], email=v["email"] or None, team=v["team"] or None
        )

    return FormScreen(f"Walk-in at {session.label}", fields, save)


def away_form(person_id: int, *, today: date) -> FormScreen[AwayView]:
    """From and to (both days included) and why; the rotation skips them on those days."""
    from circles.services import away

    fields = [
        Field(
            "starts_on",
            "First day away (YYYY-MM-DD)",
            today.isoformat(),
            required=True,
            check=lambda v: validate.parse_date(v, "starts_on"),
            aliases=("from",),
        ),
        Field(
            "ends_on",
            "Last day away (YYYY-MM-DD)",
            today.isoformat(),
            required=True,
            check=lambda v: validate.parse_date(v, "ends_on"),
            aliases=("to",),
        ),
        Field("reason", "Reason (shown with rotation suggestions)", ""),
    ]

    def save(db: Db, v: dict[str, Any]) -> AwayView:
        return away.add_away(
            db,
            person_id=person_id,
            starts_on=validate.parse_date(v["starts_on"], "starts_on"),
            ends_on=validate.parse_date(v["ends_on"], "ends_on"),
            reason=v["reason"],
        )

    return FormScreen("Mark away", fields, save)

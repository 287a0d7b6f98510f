"""Planning: create the next sessions of a circle's series, each with its agenda and presenter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session

from circles import cadence as cadences
from circles import validate
from circles.errors import InvalidInput, NotAllowed
from circles.services import agenda_templates, clock, rotation, series, sessions
from circles.services.circle_records import get_circle
from circles.views import SessionView

MAX_PLAN = 200


@dataclass(frozen=True, slots=True)
class CadenceChange:
    """The circle's cadence, changed on the way to planning (a form that offers it)."""

    circle_name: str
    was: str | None
    now: str

    def describe(self) -> str:
        was = f"it met {self.was}" if self.was else "it had no cadence"
        return f"{self.circle_name} now meets {self.now} ({was}); later plans follow it too."


@dataclass(frozen=True, slots=True)
class PlanResult:
    sessions: tuple[SessionView, ...]
    skipped: tuple[tuple[date, str], ...]  # skip dates stepped over, with reasons
    already_planned: tuple[date, ...]  # cadence days that already had a session
    cadence_changed: CadenceChange | None = None

    def describe(self) -> str:
        """What to tell the facilitator: how many were planned, and a change of cadence."""
        from circles.words import count as counted

        said = f"Planned {counted(len(self.sessions), 'session')}."
        return said if self.cadence_changed is None else f"{said} {self.cadence_changed.describe()}"


def plan_with_cadence(
    db: Session, *, circle_id: int, cadence: str, count: int, start: date | None = None
) -> PlanResult:
    """Plan as :func:`plan_sessions`, the circle's cadence made ``cadence`` first if it differs:
    that change is the circle's from now on, so the result names it (``cadence_changed``)."""
    current = get_circle(db, circle_id)
    was = current.cadence
    changed = series.set_cadence(db, current, cadence) if cadences.parse(cadence).text != was else None
    result = plan_sessions(db, circle_id=circle_id, count=count, start=start)
    if changed is None or changed.cadence is None:
        return result
    return replace(result, cadence_changed=CadenceChange(current.name, was, changed.cadence))


def plan_sessions(db: Session, *, circle_id: int, count: int, start: date | None = None) -> PlanResult:
    """Create the next ``count`` sessions of the circle's cadence, in the caller's unit of work.

    Without ``start`` the series continues after the circle's last session (or from
    today). Skip dates are stepped over and days that already have a session are
    left alone. Each new session gets the circle's agenda template, and open
    presentation slots get the rotation's presenter.
    """
    if not 1 <= count <= MAX_PLAN:
        raise InvalidInput("count", count, f"must be between 1 and {MAX_PLAN}")
    start = validate.parse_date(start, "start") if start else None
    circle = get_circle(db, circle_id)
    if circle.archived:
        raise NotAllowed(f"{circle.name} is archived; restore it before planning sessions.")
    today = clock.now(db).astimezone(circle.zone).date()
    if start is not None and start < today:
        # Sessions are planned from today on: a day gone by (often a year typed wrong) planned
        # from today instead, and said only which days already had a session.
        raise InvalidInput(
            "start", start.isoformat(), f"is in the past; sessions are planned from today ({today}) on"
        )
    cadence = series.circle_cadence(circle)
    existing = sessions.list_sessions(db, circle_id=circle_id)
    days = series.next_days(db, circle, count, start, existing)
    items = agenda_templates.template(db, circle_id).items
    created = []
    for occurrence in days.found:
        s = sessions.add_session(
            db, circle_id=circle_id, starts_at=occurrence.starts_at, minutes=cadence.minutes
        )
        agenda_templates.apply_items(db, s, items)
        created.append(s.id)
    # The commit would store the presenters anyway; refreshed now so the result can name them.
    rotation.refresh(db, circle_id)
    return PlanResult(
        sessions=tuple(sessions.get_session(db, i) for i in created),
        skipped=tuple(days.skipped),
        already_planned=tuple(days.already_planned),
    )

"""circles session ..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles import validate
from circles.cli.common import (
    GIVEN,
    RECORD_ID,
    WHOLE_NUMBER,
    done,
    json_option,
    print_json,
    print_table,
    reading,
    writing,
)
from circles.cli.flags import Group
from circles.services import circle_records, rotation, sessions
from circles.services.clock import now

if TYPE_CHECKING:
    from sqlmodel import Session

    from circles.views import SessionView


@click.group(cls=Group)
def session() -> None:
    """A circle's sessions."""


@session.command("add", service_names={"start": "--at", "length": "--minutes", "video link": "--url"})
@click.argument("circle_ref", metavar="CIRCLE")
@click.option("--at", required=True, metavar='"YYYY-MM-DD HH:MM"', help="Start, on the circle's clock.")
@click.option("--title", default="", help="What it is about.")
@click.option("--minutes", type=WHOLE_NUMBER, help="Length (default: the circle's usual length).")
@click.option("--location", help="Where (default: the circle's usual place).")
@click.option("--url", "video_url", help="Video link (default: the circle's usual link).")
@click.option("--held", is_flag=True, help="Record a session that already took place (it is added as held).")
def add(
    circle_ref: str,
    at: str,
    title: str,
    minutes: int | None,
    location: str | None,
    video_url: str | None,
    held: bool,
) -> None:
    """Schedule a session, or record one that took place (--held).

    A time that happens twice on the circle's clock (the night the clocks go back) needs
    the zone's abbreviation or offset after it: "2026-10-25 02:30 CET" or "... +01:00".
    """

    def add_session(db: Session) -> str:
        c = circle_records.find_circle(db, circle_ref)
        starts_at = validate.parse_local_time(at, "--at", c.timezone)
        # A session that took place is recorded held, its presenter as the rotation picked.
        s = (rotation.add_held_session if held else sessions.add_session)(
            db,
            circle_id=c.id,
            starts_at=starts_at,
            minutes=minutes,
            title=title,
            location=location,
            video_url=video_url,
        )
        if held:
            return (
                f"Recorded session {s.id} as held: {s.label} ({s.minutes} min), "
                f"presenter {s.presenter_name or 'nobody'}."
            )
        return f"Scheduled session {s.id}: {s.label} ({s.minutes} min)."

    done(writing(add_session))


@session.command("list")
@click.argument("circle_ref", metavar="[CIRCLE]", required=False)
@click.option("--upcoming", is_flag=True, help="Only sessions that have not started yet.")
@json_option
def list_(circle_ref: str | None, upcoming: bool, as_json: bool) -> None:
    """List sessions in time order, of one circle or all."""
    with reading() as db:
        circle_id = circle_records.find_circle(db, circle_ref).id if circle_ref else None
        found = sessions.list_sessions(db, circle_id=circle_id, start=now(db) if upcoming else None)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            s.id,
            f"{s.local_start:%Y-%m-%d %H:%M}",
            s.timezone,
            s.circle_name,
            s.title,
            s.minutes,
            s.status.value,
            s.presenter_name or "",
        )
        for s in found
    ]
    print_table(
        ["id", "starts", "timezone", "circle", "title", "min", "status", "presenter"],
        rows,
        empty="No sessions: schedule one with 'circles session add'.",
    )


@session.command("move", service_names={"start": "--to"})
@click.argument("session_id", type=RECORD_ID)
@click.option(
    "--to",
    required=True,
    metavar='"YYYY-MM-DD HH:MM"',
    help="New start, on the circle's clock; a time alone (13:00) keeps the session's day.",
)
def move(session_id: int, to: str) -> None:
    """Move a session to another time (calendars get the update)."""

    def move_it(db: Session) -> SessionView:
        s = sessions.get_session(db, session_id)
        starts_at = validate.parse_local_time(to, "--to", s.timezone, day_of=s.starts_at)
        return sessions.move_session(db, s, starts_at=starts_at)

    moved = writing(move_it)
    done(f"Moved session {moved.id} to {moved.label}.")


@session.command("cancel")
@click.argument("session_id", type=RECORD_ID)
def cancel(session_id: int) -> None:
    """Cancel a session (it stays on record, marked cancelled)."""
    s = writing(lambda db: sessions.cancel_session(db, sessions.get_session(db, session_id)))
    done(f"Cancelled session {s.id}: {s.label}.")


@session.command("plan")
@click.argument("circle_ref", metavar="CIRCLE")
@click.option("--count", type=WHOLE_NUMBER, required=True, help="How many sessions to create.")
@click.option(
    "--from", "start", type=GIVEN, metavar="YYYY-MM-DD", help="First day (default: after the last session)."
)
def plan(circle_ref: str, count: int, start: str | None) -> None:
    """Create the next sessions of the circle's cadence at once, presenters from the rotation."""
    from circles.services import planning

    first = validate.parse_date(start, "--from") if start else None
    result = writing(
        lambda db: planning.plan_sessions(
            db, circle_id=circle_records.find_circle(db, circle_ref).id, count=count, start=first
        )
    )
    for s in result.sessions:
        done(f"Planned session {s.id}: {s.label}, presenter {s.presenter_name or 'nobody yet'}.")
    for day, reason in result.skipped:
        done(f"Skipped {day:%a %d %b %Y}" + (f" ({reason})." if reason else "."))
    for day in result.already_planned:
        done(f"Already planned: {day:%a %d %b %Y}.")
    if not result.sessions:
        done("No new sessions: every date asked for is already planned or skipped.")

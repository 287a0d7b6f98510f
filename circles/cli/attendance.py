"""circles rsvp ... (for one session, or --series for all of a circle's) and circles check-in ...
(also spelled attend, the name it first had)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles.cli.common import RECORD_ID, done, writing
from circles.cli.flags import Command
from circles.services import attendance, circle_records, people, sessions
from circles.validate import record_id
from models.enums import Attended, Rsvp

if TYPE_CHECKING:
    from sqlmodel import Session


@click.command(cls=Command)
@click.option(
    "--series",
    is_flag=True,
    help="Answer for every session of a circle (name or id) that has no answer of its own.",
)
@click.argument("session_id", metavar="SESSION_ID|CIRCLE")
@click.argument("email")
@click.argument("answer", type=click.Choice([r.value for r in Rsvp if r is not Rsvp.NONE]))
def rsvp(series: bool, session_id: str, email: str, answer: str) -> None:
    """Record someone's answer to a session's invite, or with --series to a whole circle's."""

    def answer_for(db: Session) -> str:
        if series:
            c = circle_records.find_circle(db, session_id)
            p = people.find_person(db, email)
            attendance.set_series_rsvp(db, circle_id=c.id, person_id=p.id, rsvp=answer)
            return (
                f"{p.name} answered {answer} for every session of {c.name} "
                "(a session's own answer still wins)."
            )
        s = sessions.get_session(db, record_id(session_id, "session id"))
        p = people.find_person(db, email)
        attendance.set_rsvp(db, session_id=s.id, person_id=p.id, rsvp=answer)
        return f"{p.name} answered {answer} for {s.label}."

    done(writing(answer_for))


@click.command("check-in", cls=Command)
@click.argument("session_id", type=RECORD_ID)
@click.argument("email")
@click.argument("status", type=click.Choice([a.value for a in Attended]))
@click.option("--note", help="A word on why (late, excused).")
def check_in(session_id: int, email: str, status: str, note: str | None) -> None:
    """Record whether someone came to a session (also: attend)."""

    def check_in(db: Session) -> str:
        s = sessions.get_session(db, session_id)
        p = people.find_person(db, email)
        attendance.check_in(db, session_id=s.id, person_id=p.id, attended=status, note=note)
        return f"{p.name}: {status} at {s.label}."

    done(writing(check_in))

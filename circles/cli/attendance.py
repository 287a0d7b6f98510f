"""circles rsvp ... and circles attend ..."""

from __future__ import annotations

import click

from circles.cli.common import RECORD_ID, done, writing
from circles.services import attendance, people, sessions
from models.enums import Attended, Rsvp


@click.command()
@click.argument("session_id", type=RECORD_ID)
@click.argument("email")
@click.argument("answer", type=click.Choice([r.value for r in Rsvp if r is not Rsvp.NONE]))
def rsvp(session_id: int, email: str, answer: str) -> None:
    """Record someone's answer to a session's invite."""
    with writing() as db:
        s = sessions.get_session(db, session_id)
        p = people.find_person(db, email)
        attendance.set_rsvp(db, session_id=s.id, person_id=p.id, rsvp=answer)
    done(f"{p.name} answered {answer} for {s.label}.")


@click.command()
@click.argument("session_id", type=RECORD_ID)
@click.argument("email")
@click.argument("status", type=click.Choice([a.value for a in Attended]))
@click.option("--note", help="A word on why (late, excused).")
def attend(session_id: int, email: str, status: str, note: str | None) -> None:
    """Record whether someone came to a session."""
    with writing() as db:
        s = sessions.get_session(db, session_id)
        p = people.find_person(db, email)
        attendance.record_attendance(db, session_id=s.id, person_id=p.id, attended=status, note=note)
    done(f"{p.name}: {status} at {s.label}.")

"""circles export ics: calendar invites for one session, a circle's upcoming sessions, or a series."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from circles.cli.common import GIVEN, RECORD_ID, WHOLE_NUMBER, done, writing
from circles.cli.flags import Command
from circles.cli.terminal import FilePath, OutputFile
from circles.ics.model import Channel
from circles.words import count

if TYPE_CHECKING:
    from sqlmodel import Session

_METHODS = [c.value for c in Channel]


@click.command("ics", cls=Command)
@click.option("--session", "session_id", type=RECORD_ID, metavar="ID", help="Export one session.")
@click.option(
    "--circle", "circle_ref", type=GIVEN, metavar="CIRCLE", help="Export a circle's upcoming sessions."
)
@click.option("--pair", "pair_id", type=RECORD_ID, metavar="PAIR_ID", help="A mentorship pair's meetings.")
@click.option(
    "--recurring",
    is_flag=True,
    help="With --circle: one recurring series (RRULE) instead of one event per session.",
)
@click.option(
    "--method",
    "method",
    type=click.Choice(_METHODS, case_sensitive=False),
    default="publish",
    show_default=True,
    help="publish: a file to import; request: an invite to e-mail; cancel: a cancellation; "
    "none: for a CalDAV server.",
)
@click.option(
    "-o",
    "--output",
    type=OutputFile(".ics", written="a calendar file"),
    help="Write to FILE ('-' or none: standard output).",
)
@click.option(
    "--per-member",
    "per_member",
    type=FilePath(file_okay=False),
    metavar="DIR",
    help="Write one file per member into DIR, marking the sessions they present.",
)
@click.option(
    "--alarm",
    "alarm",
    type=WHOLE_NUMBER,
    metavar="MINUTES",
    help="Reminder before the start (default: the circle's).",
)
@click.option("--no-alarm", is_flag=True, help="No reminder at all.")
@click.option("--force", is_flag=True, help="Replace files that are already there.")
def ics(
    session_id: int | None,
    circle_ref: str | None,
    pair_id: int | None,
    recurring: bool,
    method: str,
    output: Path | None,
    per_member: Path | None,
    alarm: int | None,
    no_alarm: bool,
    force: bool,
) -> None:
    """Export calendar invites (.ics) that every calendar accepts.

    A cancel of a session that is still scheduled cancels it first (its SEQUENCE rises).
    """
    import sys

    from circles.exports.invite_files import ToFile, ToFolder, write_invites
    from circles.services import circle_records, invites

    if sum(x is not None for x in (session_id, circle_ref, pair_id)) != 1:
        raise click.UsageError("Give exactly one of --session ID, --circle CIRCLE or --pair PAIR_ID.")
    if pair_id is not None and per_member is not None:
        raise click.UsageError("--per-member goes with --session or --circle; a pair's file invites both.")
    if recurring and circle_ref is None:
        raise click.UsageError("--recurring goes with --circle.")
    if output is not None and per_member is not None:
        raise click.UsageError("Give -o FILE or --per-member DIR, not both.")
    if no_alarm and alarm is not None:
        raise click.UsageError("Give --alarm MINUTES or --no-alarm, not both.")
    alarm_minutes = None if no_alarm else (invites.CIRCLE_DEFAULT if alarm is None else alarm)

    def build(db: Session) -> invites.IcsExport:
        if pair_id is not None:
            from circles.services import pair_invites

            return pair_invites.export_pair(db, pair_id, channel=method)
        if session_id is not None:
            return invites.export_session(
                db, session_id, channel=method, alarm_minutes=alarm_minutes, per_member=per_member is not None
            )
        circle = circle_records.find_circle(db, circle_ref or "")
        return invites.export_circle(
            db,
            circle.id,
            channel=method,
            recurring=recurring,
            alarm_minutes=alarm_minutes,
            per_member=per_member is not None,
        )

    where: ToFile | ToFolder
    if output is not None:
        where = ToFile(output)
    elif per_member is not None:
        where = ToFolder(per_member)
    else:
        # Written before the unit commits, as files are: a cancel nobody received is undone.
        def to_standard_output(db: Session) -> invites.IcsExport:
            export = build(db)
            sys.stdout.buffer.write(export.files[0].content)
            sys.stdout.buffer.flush()
            return export

        # Once only: run again after the store cancelled it, the invites would be written twice.
        export = writing(to_standard_output, attempts=1)
        for s in export.cancelled:
            click.echo(f"Cancelled session {s.id}: {s.label}.", err=True)
        return
    written = write_invites(writing, build, where, force=force)
    export = written.export
    for s in export.cancelled:
        click.echo(f"Cancelled session {s.id}: {s.label}.")
    for f, path in zip(export.files, written.paths, strict=True):
        if per_member is not None:
            done(f"Wrote {path} for {f.person_name} ({count(f.events, 'event')}).")
        else:
            done(f"Wrote {path} ({count(f.events, 'event')}, {export.channel.value}).")

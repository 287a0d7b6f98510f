"""circles export ics: calendar invites for one session, a circle's upcoming sessions, or a series."""

from __future__ import annotations

from pathlib import Path

import click

from circles.cli.common import RECORD_ID, done, writing
from circles.errors import InvalidInput
from circles.ics.model import Channel

_METHODS = [c.value for c in Channel]


@click.command("ics")
@click.option("--session", "session_id", type=RECORD_ID, metavar="ID", help="Export one session.")
@click.option("--circle", "circle_ref", metavar="CIRCLE", help="Export a circle's upcoming sessions.")
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
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (default: stdout)."
)
@click.option(
    "--per-member",
    "per_member",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write one file per member into DIR, marking the sessions they present.",
)
@click.option(
    "--alarm", "alarm", type=int, metavar="MINUTES", help="Reminder before the start (default: the circle's)."
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
    from circles.exports.atomic import check_target, write_file
    from circles.services import circles, invites

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
    with writing() as db:
        if pair_id is not None:
            from circles.services import pair_invites

            export = pair_invites.export_pair(db, pair_id, channel=method)
        elif session_id is not None:
            export = invites.export_session(
                db, session_id, channel=method, alarm_minutes=alarm_minutes, per_member=per_member is not None
            )
        else:
            circle = circles.find_circle(db, circle_ref or "")
            export = invites.export_circle(
                db,
                circle.id,
                channel=method,
                recurring=recurring,
                alarm_minutes=alarm_minutes,
                per_member=per_member is not None,
            )
    to_stdout = output is None and per_member is None
    for s in export.cancelled:
        click.echo(f"Cancelled session {s.id}: {s.label}.", err=to_stdout)
    if per_member is not None:
        folder = per_member.expanduser()
        if folder.exists() and not folder.is_dir():
            raise InvalidInput("--per-member", str(per_member), "is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        for f in export.files:  # check them all first: write none if any is in the way
            check_target(folder / f.name, force=force, field="--per-member")
        for f in export.files:
            path = write_file(folder / f.name, f.content, force=force, field="--per-member")
            done(f"Wrote {path} for {f.person_name} ({f.events} events).")
    elif output is not None:
        (f,) = export.files
        path = write_file(output, f.content, force=force, field="--output")
        done(f"Wrote {path} ({f.events} {'event' if f.events == 1 else 'events'}, {export.channel.value}).")
    else:
        click.echo(export.files[0].content, nl=False)

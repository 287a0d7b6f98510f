"""circles thanks add and circles recognition: thanks people record, and the digest of who to thank."""

from __future__ import annotations

import json
from pathlib import Path

import click

from circles.cli.common import GIVEN, RECORD_ID, done, reading, writing
from circles.cli.flags import Command, Group
from circles.cli.terminal import TEXT_KINDS, OutputFile


@click.group(cls=Group)
def thanks() -> None:
    """Thanks people record: they appear in the recognition digest."""


@thanks.command("add")
@click.argument("email")
@click.option("--for", "text", required=True, metavar="TEXT", help='What for, e.g. "the Rust talk".')
@click.option("--session", "session_id", type=RECORD_ID, metavar="ID", help="The session it is about.")
@click.option("--from", "given_by", type=GIVEN, metavar="EMAIL", help="Who says thanks.")
def thanks_add(email: str, text: str, session_id: int | None, given_by: str | None) -> None:
    """Thank someone (by e-mail or id)."""
    from circles.services import recognition as service

    found = writing(
        lambda db: service.add_thanks(db, person=email, text=text, session_id=session_id, given_by=given_by)
    )
    done(f"Thanked {found.person_name}: {found.text}")


@click.command(cls=Command)
@click.option(
    "--since", type=GIVEN, metavar="YYYY-MM-DD", help="From this day on (default: the first of this month)."
)
@click.option(
    "--until", type=GIVEN, metavar="YYYY-MM-DD", help="Up to and including this day (default: today)."
)
@click.option(
    "--circle", "circle_ref", type=GIVEN, metavar="CIRCLE", help="Only this circle (no mentoring then)."
)
@click.option("--json", "as_json", is_flag=True, help="The digest as JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="The digest as Markdown (the default).")
@click.option(
    "-o",
    "--output",
    type=OutputFile(*TEXT_KINDS, ".json", written="the digest"),
    help="Write to FILE ('-' or none: standard output).",
)
@click.option("--force", is_flag=True, help="Replace FILE if it is there.")
def recognition(
    since: str | None,
    until: str | None,
    circle_ref: str | None,
    as_json: bool,
    as_markdown: bool,
    output: Path | None,
    force: bool,
) -> None:
    """Who to thank for a period: talks, first talks and milestones, attendance streaks,
    mentoring, feedback received as presenter, and thanks. Nobody is listed with nothing."""
    from circles.recognition_digest import as_json as digest_json
    from circles.recognition_digest import markdown
    from circles.services import recognition as service
    from circles.zones import local_zone_name

    if as_json and as_markdown:
        raise click.UsageError("Give --json or --markdown, not both.")
    with reading() as db:
        zone = local_zone_name()  # this month, and the days of thanks, as the reader's
        scope = service.period_scope(db, circle=circle_ref, since=since, until=until, zone=zone)
        ledger = service.ledger(db, scope, notes=as_json, zone=zone)  # Markdown: notes counted
    text = (
        json.dumps(digest_json(ledger), indent=2, ensure_ascii=False) + "\n" if as_json else markdown(ledger)
    )
    if output is None:
        click.echo(text, nl=False)
        return
    from circles.exports.atomic import write_file

    path = write_file(output, text.encode("utf-8"), force=force, field="--output")
    done(f"Wrote {path} ({len(ledger.people)} people recognised, {ledger.period}).")

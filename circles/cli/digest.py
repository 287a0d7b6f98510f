"""circles digest: what a circle's (or a topic's) sessions taught in a period, as Markdown or HTML."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from circles.cli.common import GIVEN, done, reading
from circles.cli.flags import Command
from circles.cli.terminal import TEXT_KINDS, OutputFile
from circles.words import count

DEFAULT_DAYS = 30


@click.command(cls=Command)
@click.argument("circle_ref", metavar="CIRCLE", required=False)
@click.option("--topic", help="Every circle's sessions on this topic instead of one circle's.")
@click.option(
    "--since",
    type=GIVEN,
    metavar="YYYY-MM-DD",
    help=f"From this day (default: {DEFAULT_DAYS} days before --until).",
)
@click.option(
    "--until", type=GIVEN, metavar="YYYY-MM-DD", help="Up to and including this day (default: today)."
)
@click.option(
    "--markdown", "fmt", flag_value="markdown", help="Markdown (the default, unless -o ends in .html)."
)
@click.option("--html", "fmt", flag_value="html", help="One self-contained HTML page.")
@click.option("--no-names", is_flag=True, help="Leave out every person's name and e-mail, to share outside.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=OutputFile(*TEXT_KINDS, ".html", ".htm", written="the digest"),
    help="The file to write ('-' for standard output).",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def digest(
    circle_ref: str | None,
    topic: str | None,
    since: str | None,
    until: str | None,
    fmt: str | None,
    no_names: bool,
    output: Path | None,
    force: bool,
) -> None:
    """A digest of a circle's sessions (or a topic's, across circles): date, presenters,
    agenda, takeaways, materials and attendance."""
    from circles import validate
    from circles.digest import to_html, to_markdown
    from circles.exports.atomic import atomic_output
    from circles.services import circle_records, digests
    from circles.services.clock import now

    if (circle_ref is None) == (topic is None):
        raise click.UsageError("give a CIRCLE or --topic T (one of them)")
    if topic is not None and not topic.strip():
        from circles.errors import InvalidInput

        raise InvalidInput("--topic", "", "is empty: give the topic to gather, e.g. --topic rust")
    with reading() as db:
        circle = circle_records.find_circle(db, circle_ref) if circle_ref is not None else None
        today = now(db).astimezone(circle.zone if circle else None).date()
        last = validate.parse_date(until, "until") if until else today
        first = validate.parse_date(since, "since") if since else last - timedelta(days=DEFAULT_DAYS)
        result = digests.gather_digest(
            db,
            circle_id=circle.id if circle else None,
            topic=topic,
            since=first,
            until=last,
            no_names=no_names,
        )
    as_html = fmt == "html" or (
        fmt is None and output is not None and output.suffix.lower() in (".html", ".htm")
    )
    text = to_html(result) if as_html else to_markdown(result)
    if output is None:
        sys.stdout.write(text)
        return
    with atomic_output(output, force=force, field="output") as out:
        out.write(text.encode("utf-8"))
    done(f"Wrote {count(len(result.sessions), 'session')} to {output}.")

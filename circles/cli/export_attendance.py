"""circles export attendance: attendance rows or a participation summary for organizers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from circles.cli.common import reading
from circles.cli.terminal import FilePath
from circles.words import count


class _TerminalProgress:
    """Progress on stderr, only when stderr is a terminal (a pipe or a log gets no noise)."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            line = f"Exporting attendance: {done:,} of {total:,} rows ({done / total:.0%})"
        else:
            line = f"Exporting attendance: {done:,} rows"
        click.echo(f"\r{line}\x1b[K", err=True, nl=False)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)


@click.command()
@click.option("--circle", "circle_ref", metavar="CIRCLE", help="Only this circle (name or id).")
@click.option("--since", metavar="YYYY-MM-DD", help="From this day on (the circle's local date).")
@click.option("--until", metavar="YYYY-MM-DD", help="Up to and including this day.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "jsonl"], case_sensitive=False),
    help="File format (default: from the file name, else csv).",
)
@click.option(
    "--summary",
    is_flag=True,
    help="Per person and circle: sessions expected at, attended, rate (XLSX always has both).",
)
@click.option("--excel", is_flag=True, help="Start the CSV with a UTF-8 byte order mark, for Excel.")
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False),
    help="Write to this file (default: standard output; XLSX needs a file).",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def attendance(
    circle_ref: str | None,
    since: str | None,
    until: str | None,
    fmt: str | None,
    summary: bool,
    excel: bool,
    output: Path | None,
    force: bool,
) -> None:
    """Export attendance: circle, session date and title, person, email, team, RSVP,
    attended, presenter. Written atomically: a failed export leaves no half file."""
    from circles.errors import InvalidInput
    from circles.exports.attendance import export_attendance, format_for, write_attendance
    from circles.services.participation import make_scope

    chosen = format_for(output, fmt)
    if output is None and chosen.value == "xlsx":
        raise InvalidInput("--output", "", "is needed for XLSX: give a file name with -o")
    # Not when the rows themselves go to the terminal: the two would interleave.
    to_terminal = output is None and sys.stdout.isatty()
    progress = _TerminalProgress() if sys.stderr.isatty() and not to_terminal else None
    try:
        with reading() as db:
            scope = make_scope(db, circle=circle_ref, since=since, until=until)
            if output is None:
                # A reader that stops early (head) or a full disk ends it: see CirclesGroup.
                write_attendance(
                    db,
                    sys.stdout.buffer,
                    scope=scope,
                    fmt=chosen,
                    summary=summary,
                    excel=excel,
                    progress=progress,
                    count_first=progress is not None,
                )
                sys.stdout.buffer.flush()
                return
            result = export_attendance(
                db,
                output,
                scope=scope,
                fmt=chosen,
                summary=summary,
                excel=excel,
                force=force,
                progress=progress,
                count_first=progress is not None,
            )
    finally:
        if progress is not None:
            progress.close()
    click.echo(f"Wrote {count(result.rows, 'summary row' if summary else 'row')} to {result.path}.")

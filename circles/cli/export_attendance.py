"""circles export attendance: attendance rows or a participation summary for organizers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from circles.cli.common import GIVEN, reading, state
from circles.cli.flags import Command
from circles.cli.terminal import OutputFile, binary_standard_output

if TYPE_CHECKING:
    from circles.exports.formats import ExportFormat
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


# The file the export writes is the service's "file" (the app has no flags): here it is -o.
@click.command(cls=Command, service_names={"file": "--output"})
@click.option("--circle", "circle_ref", type=GIVEN, metavar="CIRCLE", help="Only this circle (name or id).")
@click.option("--since", type=GIVEN, metavar="YYYY-MM-DD", help="From this day on (the circle's local date).")
@click.option("--until", type=GIVEN, metavar="YYYY-MM-DD", help="Up to and including this day.")
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
    type=OutputFile(),
    help="Write to this file ('-' or none: standard output, for XLSX only a file or a pipe).",
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
    attended, presenter, walk-in. Written atomically: a failed export leaves no half file."""
    from circles.exports.formats import ExportFormat, format_for

    chosen = format_for(output, fmt)
    if output is None and chosen is ExportFormat.XLSX:
        binary_standard_output("--output")
    # Not when the rows themselves go to the terminal: the two would interleave.
    to_terminal = output is None and sys.stdout.isatty()
    progress = _TerminalProgress() if sys.stderr.isatty() and not to_terminal else None
    whole_csv = chosen is ExportFormat.CSV and not summary and not (circle_ref or since or until)
    try:
        written = None
        if whole_csv:
            written = _whole_store_by_copy(output, excel=excel, force=force, progress=progress)
        if written is None:
            written = _by_store(
                output,
                scope_given=(circle_ref, since, until),
                fmt=chosen,
                summary=summary,
                excel=excel,
                force=force,
                progress=progress,
            )
    finally:
        if progress is not None:
            progress.close()
    if output is not None:
        what = count(written, "summary row" if summary else "row")
        click.echo(f"Wrote {what} to {output.expanduser().absolute()}.")


def _by_store(
    output: Path | None,
    *,
    scope_given: tuple[str | None, str | None, str | None],
    fmt: ExportFormat,
    summary: bool,
    excel: bool,
    force: bool,
    progress: _TerminalProgress | None,
) -> int:
    from circles.exports.attendance import export_attendance, write_attendance
    from circles.services.participation import make_scope

    circle_ref, since, until = scope_given
    with reading() as db:
        scope = make_scope(db, circle=circle_ref, since=since, until=until)
        if output is None:
            # A reader that stops early (head) or a full disk ends it: see CirclesGroup.
            written = write_attendance(
                db,
                sys.stdout.buffer,
                scope=scope,
                fmt=fmt,
                summary=summary,
                excel=excel,
                progress=progress,
                count_first=progress is not None,
            )
            sys.stdout.buffer.flush()
            return written
        result = export_attendance(
            db,
            output,
            scope=scope,
            fmt=fmt,
            summary=summary,
            excel=excel,
            force=force,
            progress=progress,
            count_first=progress is not None,
        )
    return result.rows


def _whole_store_by_copy(
    output: Path | None, *, excel: bool, force: bool, progress: _TerminalProgress | None
) -> int | None:
    """The whole store's attendance CSV straight from the database, before the store's modules
    load: over psycopg's COPY on PostgreSQL (circles/exports/attendance_copy.py), over sqlite3
    on a SQLite file (circles/exports/attendance_lines.py); the same bytes as the store writes.
    None when the store has to do it: no server or file, a schema to upgrade."""
    from contextlib import closing
    from datetime import UTC, datetime
    from functools import partial

    from models.location import sqlite_file_setting, store_setting

    setting = state().store_url
    path = sqlite_file_setting(setting)
    made: Any  # the module that makes the CSV on this backend, and
    write_csv: Any  # its write_csv, told how to open a second connection on PostgreSQL
    if path is not None:
        from circles.exports import attendance_lines

        made, found = attendance_lines, attendance_lines.connect(path)
        write_csv = attendance_lines.write_csv
    else:
        from circles.exports import attendance_copy

        postgres = store_setting(setting)
        made, found = attendance_copy, attendance_copy.connect(postgres)
        # A second connection lets a second server backend make half the rows at once.
        write_csv = partial(attendance_copy.write_csv, another=lambda: attendance_copy.connect(postgres))
    if found is None:
        return None
    with closing(found):
        # sqlite3 reads on the connection, psycopg on a cursor (inside a read-only transaction).
        source = found if path is not None else found.cursor()
        scope = made.happened(source, datetime.now(UTC))
        total = None
        if progress is not None:
            total = made.count_rows(source, scope)
            progress(0, total)

        def tick(n: int) -> None:
            if progress is not None:
                progress(n, total)

        if output is None:
            # A reader that stops early (head) or a full disk ends it: see CirclesGroup.
            written: int = write_csv(source, scope, sys.stdout.buffer, excel=excel, tick=tick)
            sys.stdout.buffer.flush()
            return written
        from circles.exports.atomic import atomic_output

        with atomic_output(output, force=force) as out:
            written = write_csv(source, scope, out, excel=excel, tick=tick)
        return written

"""circles import ..."""

from __future__ import annotations

from pathlib import Path

import click

from circles.cli.common import done, writing
from circles.cli.terminal import FilePath
from circles.words import count


@click.group("import")
def import_() -> None:
    """Bring data in from files."""


@import_.command("people")
@click.argument("file", type=FilePath(dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good lines even if some are bad.")
def people(file: Path, skip_invalid: bool) -> None:
    """Import people from a CSV file with columns name, email, team and (optional) circle.

    With any bad line nothing is imported, and every bad line is listed with its reason.
    """
    from circles.services.imports import import_people

    with writing() as db:
        result = import_people(db, file, skip_invalid=skip_invalid)
    for bad in result.bad:
        click.echo(f"{file.name}: {bad}", err=True)
    if not result.imported:
        click.echo(
            f"circles: nothing imported: {count(len(result.bad), 'bad line')}; "
            "fix them or add --skip-invalid.",
            err=True,
        )
        raise SystemExit(1)
    skipped = f", skipped {count(len(result.bad), 'bad line')}" if result.bad else ""
    done(
        f"Imported {count(result.added, 'new person', 'new people')} ({result.already_known} already known), "
        f"{result.joined} joined circles{skipped}."
    )

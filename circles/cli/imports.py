"""circles import ..."""

from __future__ import annotations

from pathlib import Path

import click

from circles.cli.common import done, writing
from circles.cli.flags import Group
from circles.cli.terminal import FilePath
from circles.words import count


@click.group("import", cls=Group)
def import_() -> None:
    """Bring data in from files."""


@import_.command("people")
@click.argument("file", type=FilePath(dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good lines even if some are bad.")
def people(file: Path, skip_invalid: bool) -> None:
    """Import people from a CSV file with columns name, email, team and (optional) circle.

    With any bad line nothing is imported, and every bad line is listed with its reason (past
    20 of them, in a file beside FILE).
    """
    from circles.cli.bad_lines import list_bad_lines
    from circles.services.imports import import_rows, read_rows

    # The file is read and checked before the store is opened: a file refused (too large, a
    # device) starts no new store and announces none.
    rows, bad = read_rows(file)
    result = writing(lambda db: import_rows(db, rows, bad, skip_invalid=skip_invalid), adds=True)
    list_bad_lines(file, result.bad)
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


@import_.command("replies")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print each reply found and what became of it as JSON.")
def replies(paths: tuple[Path, ...], as_json: bool) -> None:
    """Take RSVP replies (iTIP REPLY) from .eml files, an mbox, a Maildir folder or .ics files.

    Each sets the attendee's answer for the session it names (by UID, and RECURRENCE-ID for a
    series). A reply to an older version of the invite, from someone not invited, or for an
    unknown UID is reported and changes nothing; nothing else in the store changes.
    """
    from circles.cli.common import print_json
    from circles.delivery.replies import scan
    from circles.errors import InvalidInput
    from circles.services.replies import Outcome, apply_replies

    for path in paths:
        if not path.exists():
            raise InvalidInput(
                "file", str(path), "is not there (give .eml or .ics files, an mbox or a Maildir folder)"
            )
    found = scan(paths)
    results = writing(lambda db: apply_replies(db, found.replies))
    refused = [r for r in results if r.outcome is Outcome.REFUSED]
    if as_json:
        print_json(
            [
                {
                    "source": r.reply.source,
                    "uid": r.reply.uid,
                    "attendee": r.reply.address,
                    "sequence": r.reply.sequence,
                    "outcome": r.outcome.value,
                    "session_id": r.session_id,
                    "person_id": r.person_id,
                    "rsvp": r.rsvp.value if r.rsvp else None,
                    "message": r.message,
                }
                for r in results
            ]
            + [{"source": u.source, "outcome": "unreadable", "message": str(u)} for u in found.unreadable]
        )
    else:
        for r in results:
            click.echo(r.message, err=r.outcome in (Outcome.REFUSED, Outcome.STALE, Outcome.OLDER))
        for u in found.unreadable:
            click.echo(f"circles: {u}", err=True)
        for name in found.empty_files:
            click.echo(f"{name}: no RSVP reply in it.", err=True)
        counts = {o: sum(1 for r in results if r.outcome is o) for o in Outcome}
        said = ", ".join(f"{n} {o.value}" for o, n in counts.items() if n) or "no replies"
        done(f"Read {count(found.messages, 'message or file', 'messages or files')}: {said}.")
    if refused or found.unreadable:
        raise SystemExit(1)

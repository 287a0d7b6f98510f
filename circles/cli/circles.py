"""circles circle ..."""

from __future__ import annotations

import click

from circles.cli.common import done, json_option, plain, print_json, print_table, reading, writing
from circles.services import circles, people
from models.enums import CircleKind


@click.group()
def circle() -> None:
    """Circles: learning circles, communities of practice, lunch-and-learns, workshops."""


@circle.command("add")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice([k.value for k in CircleKind]))
@click.option("--tz", "timezone", required=True, help="IANA timezone, e.g. Europe/Berlin.")
@click.option("--facilitator", "facilitator_email", metavar="EMAIL", help="Who runs it; becomes a member.")
@click.option("--location", help="Where it usually meets.")
@click.option("--url", "video_url", help="Its usual video link.")
@click.option("--minutes", "default_minutes", type=int, default=60, show_default=True, help="Usual length.")
@click.option("--description", default="", help="What it is about.")
def add(
    name: str,
    kind: str,
    timezone: str,
    facilitator_email: str | None,
    location: str | None,
    video_url: str | None,
    default_minutes: int,
    description: str,
) -> None:
    """Create a circle."""
    with writing() as db:
        facilitator = people.find_person(db, facilitator_email) if facilitator_email else None
        c = circles.add_circle(
            db,
            name=name,
            kind=kind,
            timezone=timezone,
            description=description,
            location=location,
            video_url=video_url,
            default_minutes=default_minutes,
            facilitator_id=facilitator.id if facilitator else None,
        )
    done(f"Created {c.name} (id {c.id}), a {c.kind.label} in {c.timezone}.")


@circle.command("list")
@click.option("--archived", is_flag=True, help="Include archived circles.")
@json_option
def list_(archived: bool, as_json: bool) -> None:
    """List circles by name."""
    from circles.services.members import member_counts

    with reading() as db:
        found = circles.list_circles(db, include_archived=archived)
        counts = member_counts(db)
    if as_json:
        print_json([{**plain(c), "members": counts.get(c.id, 0)} for c in found])
        return
    rows = [
        (c.id, c.name, c.kind.label, c.timezone, counts.get(c.id, 0), c.facilitator_name or "")
        for c in found
    ]
    print_table(
        ["id", "name", "kind", "timezone", "members", "facilitator"],
        rows,
        empty="No circles yet: create one with 'circles circle add', or try 'circles demo'.",
    )


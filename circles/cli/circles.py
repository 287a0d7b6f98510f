"""circles circle ..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles.cli.common import (
    CADENCE,
    WHOLE_NUMBER,
    done,
    json_option,
    plain,
    print_json,
    print_table,
    reading,
    writing,
)
from circles.cli.flags import Group
from circles.services import circle_records, people
from models.enums import CircleKind

if TYPE_CHECKING:
    from sqlmodel import Session


@click.group(cls=Group)
def circle() -> None:
    """Circles: learning circles, communities of practice, lunch-and-learns, workshops."""


@circle.command(
    "add", service_names={"session length": "--minutes", "video link": "--url", "timezone": "--tz"}
)
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice([k.value for k in CircleKind]))
@click.option("--tz", "timezone", required=True, help="IANA timezone, e.g. Europe/Berlin.")
@click.option("--facilitator", "facilitator_email", metavar="EMAIL", help="Who runs it; becomes a member.")
@click.option("--location", help="Where it usually meets.")
@click.option("--url", "video_url", help="Its usual video link.")
@click.option(
    "--minutes", "default_minutes", type=WHOLE_NUMBER, default=60, show_default=True, help="Usual length."
)
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

    def create(db: Session) -> str:
        facilitator = people.find_person(db, facilitator_email) if facilitator_email else None
        c = circle_records.add_circle(
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
        return f"Created {c.name} (id {c.id}), a {c.kind.label} in {c.timezone}."

    done(writing(create, adds=True))


@circle.command(
    "edit", service_names={"session length": "--minutes", "video link": "--url", "timezone": "--tz"}
)
@click.argument("circle_ref", metavar="CIRCLE")
@click.option(
    "--facilitator",
    "facilitator_ref",
    metavar="EMAIL",
    help="Who runs it (an e-mail address, or a name only one person has); joins as facilitator.",
)
@click.option("--no-facilitator", is_flag=True, help="Nobody runs it any more.")
@click.option("--name", help="Its new name.")
@click.option("--kind", type=click.Choice([k.value for k in CircleKind]))
@click.option("--tz", "timezone", help="IANA timezone, e.g. Europe/Berlin.")
@click.option("--location", help="Where it usually meets.")
@click.option("--url", "video_url", help="Its usual video link.")
@click.option("--minutes", "default_minutes", type=WHOLE_NUMBER, help="Usual length.")
@click.option("--description", help="What it is about.")
def edit(
    circle_ref: str,
    facilitator_ref: str | None,
    no_facilitator: bool,
    name: str | None,
    kind: str | None,
    timezone: str | None,
    location: str | None,
    video_url: str | None,
    default_minutes: int | None,
    description: str | None,
) -> None:
    """Change a circle: its facilitator, name, kind, timezone, place, link, length or description."""
    from circles.services.versioned import UNCHANGED

    if facilitator_ref is not None and no_facilitator:
        raise click.UsageError("Give --facilitator or --no-facilitator, not both.")
    if facilitator_ref is not None and not facilitator_ref.strip():
        raise click.UsageError(
            "--facilitator is empty: give an e-mail address (--no-facilitator takes it away)."
        )
    given = [name, kind, timezone, location, video_url, default_minutes, description, facilitator_ref]
    if all(v is None for v in given) and not no_facilitator:
        raise click.UsageError("Say what to change, e.g. --facilitator ana@example.org.")

    def change(db: Session) -> str:
        c = circle_records.find_circle(db, circle_ref)
        chosen = people.named_by(db, facilitator_ref, "--facilitator") if facilitator_ref else None
        c = circle_records.update_circle(
            db,
            c,
            name=UNCHANGED if name is None else name,
            kind=UNCHANGED if kind is None else kind,
            timezone=UNCHANGED if timezone is None else timezone,
            location=UNCHANGED if location is None else location,
            video_url=UNCHANGED if video_url is None else video_url,
            default_minutes=UNCHANGED if default_minutes is None else default_minutes,
            description=UNCHANGED if description is None else description,
            facilitator_id=chosen.id if chosen else (None if no_facilitator else UNCHANGED),
        )
        run_by = f", facilitated by {c.facilitator_name}" if c.facilitator_name else ", with no facilitator"
        return f"Saved {c.name} (id {c.id}){run_by}."

    done(writing(change))


@circle.command("list")
@click.option("--archived", is_flag=True, help="Include archived circles.")
@json_option
def list_(archived: bool, as_json: bool) -> None:
    """List circles by name."""
    from circles.services.members import member_counts

    with reading() as db:
        found = circle_records.list_circles(db, include_archived=archived)
        counts = member_counts(db)
    if as_json:
        print_json([{**plain(c), "members": counts.get(c.id, 0)} for c in found])
        return
    rows = [
        (c.id, c.name, c.kind.label, c.timezone, counts.get(c.id, 0), c.facilitator_name or "") for c in found
    ]
    print_table(
        ["id", "name", "kind", "timezone", "members", "facilitator"],
        rows,
        empty="No circles yet: create one with 'circles circle add', or try 'circles demo'.",
    )


@circle.command("cadence")
@click.argument("circle_ref", metavar="CIRCLE")
@click.argument("text", required=False, type=CADENCE)
@click.option("--clear", is_flag=True, help="Remove the cadence.")
def cadence(circle_ref: str, text: str | None, clear: bool) -> None:
    """Show or set how often a circle meets.

    \b
    Examples:
      "weekly on tue at 12:00 for 60m"
      "every 2 weeks on mon,thu at 09:30"
      "monthly on the 3rd wed at 18:00"
      "monthly on the last fri at 16:00"
      "monthly on day 15 at 12:00"
    Times are on the circle's clock and stay put across daylight-saving changes.
    """
    from circles.services import series

    if clear and text is not None:
        raise click.UsageError("Give a cadence or --clear, not both.")

    def set_cadence(db: Session) -> str:
        c = circle_records.find_circle(db, circle_ref)
        if clear or text:
            c = series.set_cadence(db, c, None if clear else text)
        return f"{c.name} meets {c.cadence} ({c.timezone})." if c.cadence else f"{c.name} has no cadence."

    done(writing(set_cadence))


@circle.command("skip")
@click.argument("circle_ref", metavar="CIRCLE")
@click.argument("day", metavar="YYYY-MM-DD")
@click.option("--reason", default="", help="Why, e.g. 'public holiday'.")
@click.option("--remove", is_flag=True, help="Meet on that day after all.")
def skip(circle_ref: str, day: str, reason: str, remove: bool) -> None:
    """Mark a day the circle does not meet; planning steps over it."""
    from circles import validate
    from circles.services import series

    when = validate.parse_date(day, "day")

    def mark(db: Session) -> str:
        c = circle_records.find_circle(db, circle_ref)
        if remove:
            series.remove_skip_date(db, circle_id=c.id, day=when)
            return f"{c.name} may meet on {when:%a %d %b %Y} again."
        series.add_skip_date(db, circle_id=c.id, day=when, reason=reason)
        return f"{c.name} does not meet on {when:%a %d %b %Y}" + (f" ({reason})." if reason else ".")

    done(writing(mark))


@circle.command("skips")
@click.argument("circle_ref", metavar="CIRCLE")
@json_option
def skips(circle_ref: str, as_json: bool) -> None:
    """List the days a circle does not meet."""
    from circles.services import series

    with reading() as db:
        c = circle_records.find_circle(db, circle_ref)
        found = series.list_skip_dates(db, c.id)
    if as_json:
        print_json(found)
        return
    print_table(["day", "reason"], [(s.day, s.reason) for s in found], empty=f"{c.name} has no skip dates.")

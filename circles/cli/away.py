"""circles away ..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles import validate
from circles.cli.common import done, json_option, print_json, print_table, reading, writing
from circles.cli.flags import Group
from circles.services import away as away_periods
from circles.services import people

if TYPE_CHECKING:
    from sqlmodel import Session


@click.group(cls=Group)
def away() -> None:
    """Away periods: the rotation skips people while they are away."""


@away.command("add")
@click.argument("email")
@click.option("--from", "starts_on", required=True, metavar="YYYY-MM-DD", help="First day away.")
@click.option("--to", "ends_on", required=True, metavar="YYYY-MM-DD", help="Last day away.")
@click.option("--reason", default="", help="Shown next to rotation suggestions.")
def add(email: str, starts_on: str, ends_on: str, reason: str) -> None:
    """Mark someone away from one day to another, both included."""
    first = validate.parse_date(starts_on, "--from")
    last = validate.parse_date(ends_on, "--to")

    def add_away(db: Session) -> str:
        p = people.find_person(db, email)
        a = away_periods.add_away(db, person_id=p.id, starts_on=first, ends_on=last, reason=reason)
        return f"{p.name} is away {a.starts_on:%d %b %Y} to {a.ends_on:%d %b %Y}."

    done(writing(add_away))


@away.command("list")
@click.argument("email", required=False)
@json_option
def list_(email: str | None, as_json: bool) -> None:
    """List away periods, of one person or everyone."""
    with reading() as db:
        person_id = people.find_person(db, email).id if email else None
        found = away_periods.list_away(db, person_id=person_id)
    if as_json:
        print_json(found)
        return
    rows = [(a.id, a.person_name, a.starts_on, a.ends_on, a.reason) for a in found]
    print_table(["id", "person", "from", "to", "reason"], rows, empty="Nobody is marked away.")

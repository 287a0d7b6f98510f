"""circles person ..."""

from __future__ import annotations

import click

from circles.cli.common import done, json_option, plain, print_json, print_table, reading, writing
from circles.cli.flags import Group
from circles.services import people


@click.group(cls=Group)
def person() -> None:
    """People: members, facilitators and guest speakers."""


@person.command("add")
@click.argument("name")
@click.option("--email", help="Their address; unique, any case. Only a guest may have none.")
@click.option("--team", help="Their team or department.")
@click.option("--guest", is_flag=True, help="An external speaker or visitor, not part of the organisation.")
def add(name: str, email: str | None, team: str | None, guest: bool) -> None:
    """Add a person."""
    p = writing(
        lambda db: people.add_person(db, name=name, email=email, team=team, is_guest=guest), adds=True
    )
    done(f"Added {p.name}{f' <{p.email}>' if p.email else ''} (id {p.id}).")


@person.command("list")
@click.option("--search", help="Only people whose name, e-mail or team contains this.")
@json_option
def list_(search: str | None, as_json: bool) -> None:
    """List people by name."""
    from circles.errors import shown

    with reading() as db:
        found = people.list_people(db, search=search)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            p.id,
            p.name,
            p.email or "",
            p.team or "",
            "guest" if p.is_guest else "",
            "" if p.active else "inactive",
        )
        for p in found
    ]
    print_table(
        ["id", "name", "email", "team", "", ""],
        rows,
        empty=f"Nobody's name, e-mail or team contains {shown(search.strip())}."
        if search
        else "No people yet: add one with 'circles person add'.",
    )


@person.command("duplicates")
@json_option
def duplicates(as_json: bool) -> None:
    """List people who look like one person: their e-mail addresses differ only in case,
    accents' composition or invisible characters (a store from before circles refused those).

    Nothing is merged for you: give one of them another address, or mark one inactive.
    """
    from circles.errors import shown
    from circles.services.people import look_alikes

    with reading() as db:
        groups = look_alikes(db)
    if as_json:
        print_json([{"address": g.address, "people": plain(g.people)} for g in groups])
        return
    if not groups:
        done("No two people share an e-mail address, however it is written.")
        return
    for group in groups:
        done(f"{group.address} is the address of {len(group.people)} people:")
        # shown() quotes an address with its invisible characters written out (\u200b).
        print_table(
            ["  id", "name", "e-mail as stored"],
            [(f"  {p.id}", p.name, shown(p.email)) for p in group.people],
            empty="",
        )

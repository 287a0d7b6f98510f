"""circles member ..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles.cli.common import done, json_option, print_json, print_table, reading, writing
from circles.cli.flags import Group
from circles.services import circle_records, members, people
from models.enums import Role

if TYPE_CHECKING:
    from sqlmodel import Session


@click.group(cls=Group)
def member() -> None:
    """Who belongs to a circle."""


@member.command("add")
@click.argument("circle_ref", metavar="CIRCLE")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value, show_default=True
)
@click.option("--no-rotation", is_flag=True, help="Never suggest them as presenter.")
def add(circle_ref: str, email: str, role: str, no_rotation: bool) -> None:
    """Add a person (by e-mail) to a circle (by name or id)."""

    def join(db: Session) -> str:
        c = circle_records.find_circle(db, circle_ref)
        p = people.find_person(db, email)
        members.add_member(db, circle_id=c.id, person_id=p.id, role=role, in_rotation=not no_rotation)
        return f"{p.name} joined {c.name} as {role}."

    done(writing(join))


@member.command("remove")
@click.argument("circle_ref", metavar="CIRCLE")
@click.argument("email")
def remove(circle_ref: str, email: str) -> None:
    """Take someone out of a circle (their history stays)."""

    def leave(db: Session) -> str:
        c = circle_records.find_circle(db, circle_ref)
        p = people.find_person(db, email)
        members.remove_member(db, circle_id=c.id, person_id=p.id)
        return f"{p.name} left {c.name}; their past sessions are kept."

    done(writing(leave))


@member.command("list")
@click.argument("circle_ref", metavar="CIRCLE")
@click.option("--past", is_flag=True, help="Include people who have left.")
@json_option
def list_(circle_ref: str, past: bool, as_json: bool) -> None:
    """List a circle's members."""
    with reading() as db:
        c = circle_records.find_circle(db, circle_ref)
        found = members.list_members(db, c.id, include_past=past)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            m.person_id,
            m.name,
            m.email or "",
            m.role.value,
            "yes" if m.in_rotation else "no",
            f"{m.joined_at:%Y-%m-%d}",
            f"{m.left_at:%Y-%m-%d}" if m.left_at else "",
        )
        for m in found
    ]
    print_table(
        ["id", "name", "email", "role", "rotation", "joined", "left"],
        rows,
        empty=f"{c.name} has no members yet: add one with 'circles member add'.",
    )

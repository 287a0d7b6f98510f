"""circles agenda ..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles.cli.common import (
    RECORD_ID,
    WHOLE_NUMBER,
    done,
    json_option,
    print_json,
    print_table,
    reading,
    writing,
)
from circles.cli.flags import Group
from circles.services import agenda as agenda_items
from circles.services import people, sessions

if TYPE_CHECKING:
    from sqlmodel import Session


@click.group(cls=Group)
def agenda() -> None:
    """A session's agenda."""


@agenda.command("add")
@click.argument("session_id", type=RECORD_ID)
@click.argument("title")
@click.option("--presenter", "presenter_email", metavar="EMAIL", help="Who presents this item.")
@click.option("--minutes", type=WHOLE_NUMBER, help="How long it takes.")
def add(session_id: int, title: str, presenter_email: str | None, minutes: int | None) -> None:
    """Add an item to the end of a session's agenda."""

    def add_item(db: Session) -> str:
        presenter = people.find_person(db, presenter_email) if presenter_email else None
        item = agenda_items.add_item(
            db,
            session_id=session_id,
            title=title,
            presenter_id=presenter.id if presenter else None,
            minutes=minutes,
        )
        return f"Added item {item.position} to session {session_id}: {item.title}."

    done(writing(add_item))


@agenda.command("list")
@click.argument("session_id", type=RECORD_ID)
@json_option
def list_(session_id: int, as_json: bool) -> None:
    """Show a session's agenda."""
    with reading() as db:
        s = sessions.get_session(db, session_id)
        items = agenda_items.list_items(db, session_id)
    if as_json:
        print_json(items)
        return
    rows = [(i.position, i.title, i.presenter_name or "", i.minutes or "") for i in items]
    print_table(["#", "item", "presenter", "min"], rows, empty=f"{s.label} has no agenda yet.")
    if items:
        click.echo(f"Total {agenda_items.total_minutes(items)} of {s.minutes} min.")

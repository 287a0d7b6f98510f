"""circles material ..., circles takeaway ..., circles topic ...: what a session leaves behind."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles import validate
from circles.cli.common import RECORD_ID, done, json_option, print_json, print_table, reading, writing
from circles.cli.flags import Group
from models.enums import MaterialKind

if TYPE_CHECKING:
    from sqlmodel import Session

KINDS = [k.value for k in MaterialKind]


@click.group(cls=Group)
def material() -> None:
    """A session's materials: web links (http or https) and files."""


@material.command("add")
@click.argument("session_id", type=RECORD_ID)
@click.argument("url_or_path")
@click.option("--title", help="What it is (default: from the link or the file name).")
@click.option("--kind", type=click.Choice(KINDS), help="Default: guessed from the link or file name.")
def material_add(session_id: int, url_or_path: str, title: str | None, kind: str | None) -> None:
    """Add a link or a file (which must exist) to a session."""
    from circles.services import knowledge

    m = writing(
        lambda db: knowledge.add_material(
            db, session_id=session_id, target=url_or_path, title=title, kind=kind
        )
    )
    done(f"Added {m.kind.value} {m.id} to session {session_id}: {m.title}.")


@material.command("list")
@click.argument("session_id", type=RECORD_ID)
@json_option
def material_list(session_id: int, as_json: bool) -> None:
    """Show a session's materials."""
    from circles.services import knowledge

    with reading() as db:
        found = knowledge.list_materials(db, session_id)
    if as_json:
        print_json(found)
        return
    rows = [(m.id, m.kind.value, m.title, m.target) for m in found]
    print_table(
        ["id", "kind", "title", "link or file"], rows, empty=f"Session {session_id} has no materials."
    )


@material.command("remove")
@click.argument("material_id", type=RECORD_ID)
def material_remove(material_id: int) -> None:
    """Remove a material from its session."""
    from circles.services import knowledge

    def remove(db: Session) -> str:
        m = knowledge.get_material(db, material_id)
        knowledge.delete_material(db, m)
        return f"Removed {m.title} from session {m.session_id}."

    done(writing(remove))


@click.group(cls=Group)
def takeaway() -> None:
    """What a session taught, a short line each."""


@takeaway.command("add")
@click.argument("session_id", type=RECORD_ID)
@click.argument("text")
def takeaway_add(session_id: int, text: str) -> None:
    """Add a takeaway to a session."""
    from circles.services import knowledge

    t = writing(lambda db: knowledge.add_takeaway(db, session_id=session_id, text=text))
    done(f"Added takeaway {t.id} to session {session_id}.")


@takeaway.command("list")
@click.argument("session_id", type=RECORD_ID)
@json_option
def takeaway_list(session_id: int, as_json: bool) -> None:
    """Show a session's takeaways."""
    from circles.services import knowledge

    with reading() as db:
        found = knowledge.list_takeaways(db, session_id)
    if as_json:
        print_json(found)
        return
    print_table(
        ["id", "takeaway"], [(t.id, t.text) for t in found], empty=f"Session {session_id} has none yet."
    )


@takeaway.command("remove")
@click.argument("takeaway_id", type=RECORD_ID)
def takeaway_remove(takeaway_id: int) -> None:
    """Remove a takeaway."""
    from circles.services import knowledge

    def remove(db: Session) -> str:
        t = knowledge.get_takeaway(db, takeaway_id)
        knowledge.delete_takeaway(db, t)
        return f"Removed takeaway {t.id} from session {t.session_id}."

    done(writing(remove))


@click.group(cls=Group)
def topic() -> None:
    """Topics (free-text tags, any case and accents) on sessions and agenda items."""


def _target(args: tuple[str, ...], agenda_item: int | None) -> tuple[int | None, list[str]]:
    """(session id, topics) from `SESSION_ID TOPIC ...`, or (None, topics) with --agenda-item."""
    if agenda_item is not None:
        return None, list(args)
    first, rest = args[0], list(args[1:])
    session_id = validate.id_in(first)  # the digits 0-9 only: '²' is a digit to str.isdigit()
    if session_id is None:
        raise click.UsageError(f"give a session id first (or --agenda-item ID), not {first[:60]!r}")
    return session_id, rest


@topic.command("add")
@click.argument("args", nargs=-1, required=True, metavar="(SESSION_ID | --agenda-item ID) TOPIC ...")
@click.option(
    "--agenda-item", type=RECORD_ID, metavar="ID", help="Tag this agenda item instead of a session."
)
def topic_add(args: tuple[str, ...], agenda_item: int | None) -> None:
    """Tag a session, or one agenda item, with topics ("rust", "memory safety", ...)."""
    from circles.services import knowledge

    session_id, topics = _target(args, agenda_item)
    if not topics:
        raise click.UsageError("give at least one topic")
    now = writing(
        lambda db: knowledge.add_topics(db, session_id=session_id, agenda_item_id=agenda_item, topics=topics)
    )
    what = f"session {session_id}" if session_id is not None else f"agenda item {agenda_item}"
    done(f"Topics of {what}: {', '.join(t.name for t in now)}.")


@topic.command("remove")
@click.argument("args", nargs=-1, required=True, metavar="(SESSION_ID | --agenda-item ID) TOPIC ...")
@click.option("--agenda-item", type=RECORD_ID, metavar="ID", help="Untag this agenda item instead.")
def topic_remove(args: tuple[str, ...], agenda_item: int | None) -> None:
    """Take topics off a session, or off one agenda item."""
    from circles.services import knowledge

    session_id, topics = _target(args, agenda_item)
    if not topics:
        raise click.UsageError("give at least one topic")

    def untag(db: Session) -> None:
        for name in topics:
            knowledge.remove_topic(db, session_id=session_id, agenda_item_id=agenda_item, topic=name)

    writing(untag)
    done(f"Removed {', '.join(topics)}.")


@topic.command("list")
@click.argument("session_id", type=RECORD_ID, required=False)
@click.option("--agenda-item", type=RECORD_ID, metavar="ID", help="The topics of this agenda item.")
@json_option
def topic_list(session_id: int | None, agenda_item: int | None, as_json: bool) -> None:
    """The topics of a session or agenda item; with neither, every topic and how often it is used."""
    from circles.services import knowledge

    with reading() as db:
        if agenda_item is not None:
            found = knowledge.topics_for_items(db, [agenda_item])[agenda_item]
        elif session_id is not None:
            knowledge.list_takeaways(db, session_id)  # NotFound for a session that is not there
            found = knowledge.topics_for_sessions(db, [session_id])[session_id]
        else:
            used = knowledge.topic_usage(db)
            if as_json:
                print_json([{"id": t.id, "name": t.name, "key": t.key, "uses": n} for t, n in used])
                return
            print_table(["topic", "uses"], [(t.name, n) for t, n in used], empty="No topics yet.")
            return
    if as_json:
        print_json(found)
        return
    print_table(["topic"], [(t.name,) for t in found], empty="No topics.")

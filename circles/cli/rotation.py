"""circles rotation ...: who presents next and why, assignments, swaps, the fairness ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles import validate, words
from circles.cli.common import (
    GIVEN,
    RECORD_ID,
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
from circles.services import agenda_templates, circle_records, fairness, people, sessions
from circles.services import rotation as rotation_service

if TYPE_CHECKING:
    from sqlmodel import Session

    from circles.services.agenda_templates import Template


@click.group(cls=Group)
def rotation() -> None:
    """Presenter rotation: fair round robin with away skips, assignments, swaps and guests."""


def _when(row: rotation_service.PreviewRow) -> str:
    return f"{row.starts_at:%a %Y-%m-%d %H:%M}"


@rotation.command("show")
@click.argument("circle_ref", metavar="CIRCLE")
@click.option(
    "--next", "count", type=WHOLE_NUMBER, default=8, show_default=True, help="How many sessions to show."
)
@json_option
def show(circle_ref: str, count: int, as_json: bool) -> None:
    """Preview the next sessions' presenters, each with its reason.

    Sessions not planned yet (shown without an id) are the ones 'circles session plan'
    would create next.
    """
    with reading() as db:
        c = circle_records.find_circle(db, circle_ref)
        rows = rotation_service.preview(db, c.id, count=count, circle=c)
    if as_json:
        print_json(
            [
                {
                    "session_id": r.session_id,
                    "planned": r.planned,
                    "starts_at": r.starts_at.isoformat(),
                    "presenter_id": r.presenter_id,
                    "presenter_name": r.presenter_name,
                    "how": r.why.value,
                    "reason": r.reason,
                    "skipped": [plain(s) for s in r.skipped],
                    "swapped_with": r.swapped_with,
                }
                for r in rows
            ]
        )
        return
    # A facilitator knows a session by its day and time; its id (for 'rotation swap' and the
    # like) comes after, "-" for one not planned yet.
    table = [
        (_when(r), r.session_id or "-", r.presenter_name or "(nobody)", r.why.value, r.reason) for r in rows
    ]
    print_table(
        [f"starts ({c.timezone})", "session", "presenter", "how", "why"],
        table,
        empty=f"Nothing to preview: give {c.name} a cadence with 'circles circle cadence' or add sessions.",
    )


@rotation.command("assign")
@click.argument("session_id", type=RECORD_ID)
@click.argument("email")
@click.option(
    "--guest", is_flag=True, help="A guest speaker: takes nobody's turn (automatic for non-members)."
)
@click.option("--note", default="", help="Why, e.g. 'volunteered'.")
def assign(session_id: int, email: str, guest: bool, note: str) -> None:
    """Make someone the presenter of a session; this always wins over the rotation."""

    def give(db: Session) -> str:
        s = sessions.get_session(db, session_id)
        p = people.find_person(db, email)
        updated = rotation_service.assign(db, s, person_id=p.id, guest=guest, note=note)
        how = "guest speaker, nobody's turn" if updated.presenter_source == "guest" else "by hand"
        return f"{p.name} presents at {updated.label} ({how})."

    done(writing(give))


@rotation.command("clear")
@click.argument("session_id", type=RECORD_ID)
def clear(session_id: int) -> None:
    """Give a session's presenter choice back to the rotation."""
    s = writing(lambda db: rotation_service.clear_assignment(db, sessions.get_session(db, session_id)))
    done(f"The rotation picks the presenter of {s.label} again: {s.presenter_name or 'nobody yet'}.")


@rotation.command("swap")
@click.argument("first_id", metavar="SESSION_ID", type=RECORD_ID)
@click.argument("second_id", metavar="SESSION_ID", type=RECORD_ID)
def swap(first_id: int, second_id: int) -> None:
    """Swap the presenters of two sessions (the first session's presenter asked).

    Only these two sessions change: everyone else keeps their date, and after the later
    one the rotation goes on with the two in each other's place.
    """
    first, second = writing(
        lambda db: rotation_service.swap(
            db, sessions.get_session(db, first_id), sessions.get_session(db, second_id)
        )
    )
    done(f"Swapped: {first.presenter_name} presents {first.label};")
    done(f"         {second.presenter_name} presents {second.label}.")


@rotation.command("hold")
@click.argument("session_id", type=RECORD_ID)
def hold(session_id: int) -> None:
    """Mark a session held, recording its presenter (the rotation's pick unless assigned)."""
    s = writing(lambda db: rotation_service.hold_session(db, sessions.get_session(db, session_id)))
    done(f"Held {s.label}; presenter: {s.presenter_name or 'nobody'}.")


@rotation.command("ledger")
@click.argument("circle_ref", metavar="CIRCLE")
@click.option("--since", type=GIVEN, metavar="YYYY-MM-DD", help="First day counted.")
@click.option("--until", type=GIVEN, metavar="YYYY-MM-DD", help="Last day counted.")
@json_option
def ledger(circle_ref: str, since: str | None, until: str | None, as_json: bool) -> None:
    """Fairness over held sessions: turns, skips and swaps per member."""
    first = validate.parse_date(since, "--since") if since else None
    last = validate.parse_date(until, "--until") if until else None
    with reading() as db:
        c = circle_records.find_circle(db, circle_ref)
        found = fairness.ledger(db, c.id, since=first, until=last, circle=c)
    if as_json:
        print_json(list(found.rows))
        return
    rows = [
        (
            r.name,
            r.email or "",
            r.times_presented,
            r.last_presented or "",
            "yes" if r.first_time else "",
            "; ".join(f"{d:%d %b}: {why}" for d, why in r.skips),
            r.swaps_given,
            r.swaps_taken,
            ("" if r.in_rotation else "out") if r.current_member else "left",
        )
        for r in found.rows
    ]
    print_table(
        ["member", "email", "presented", "last", "first time", "skips", "swaps given", "taken", "rotation"],
        rows,
        empty=f"{c.name} has no members yet.",
    )
    guests = found.guest_sessions
    by_guests = "1 by a guest speaker" if guests == 1 else f"{guests:,} by guest speakers"
    done(f"{words.count(found.sessions_held, 'session')} held in this range, {by_guests}.")
    if found.first_time_presenters:
        done(f"First-time presenters: {', '.join(found.first_time_presenters)}.")


@rotation.command("template")
@click.argument("circle_ref", metavar="CIRCLE")
@click.argument("items", nargs=-1, metavar="[ITEM]...")
@click.option("--reset", is_flag=True, help="Go back to the default agenda for the circle's kind.")
def template(circle_ref: str, items: tuple[str, ...], reset: bool) -> None:
    """Show or set the agenda new sessions get.

    Each ITEM is TITLE, TITLE:MINUTES or TITLE:MINUTES:presenter (the slot the
    rotation fills), e.g.  "Check-in:10" "Talk:30:presenter" "Q&A:15".
    """
    if reset and items:
        raise click.UsageError("Give items or --reset, not both.")

    def show_or_set(db: Session) -> tuple[str, str, Template]:
        c = circle_records.find_circle(db, circle_ref)
        if reset:
            t = agenda_templates.reset_template(db, c.id)
        elif items:
            parsed = [agenda_templates.parse_template_item(i, f"item {n}") for n, i in enumerate(items, 1)]
            t = agenda_templates.set_template(db, c.id, parsed)
        else:
            t = agenda_templates.template(db, c.id)
        return c.name, c.kind.label, t

    name, kind, t = writing(show_or_set)
    origin = "its own" if t.custom else f"the default for a {kind}"
    done(f"{name} uses {origin} agenda:")
    for n, item in enumerate(t.items, 1):
        length = f" ({item.minutes} min)" if item.minutes else ""
        slot = "  <- presenter from the rotation" if item.is_presentation else ""
        done(f"  {n}. {item.title}{length}{slot}")

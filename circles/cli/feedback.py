"""circles feedback ...: answers after sessions, importing forms, and who has not answered yet."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from circles.cli.common import (
    GIVEN,
    RECORD_ID,
    done,
    json_option,
    plain,
    print_json,
    print_table,
    reading,
    writing,
)
from circles.cli.flags import Group
from circles.cli.terminal import FilePath
from circles.words import count

if TYPE_CHECKING:
    from sqlmodel import Session

    from circles.feedback_views import FeedbackSettings


def _stars(rating: int | None) -> str:
    return "" if rating is None else "★" * rating + "☆" * (5 - rating)


@click.group(cls=Group)
def feedback() -> None:
    """Ratings and what people learned, after each session."""


@feedback.command("add")
@click.argument("session_id", type=RECORD_ID)
@click.argument("email")
@click.option("--rating", required=True, metavar="1-5", help="How useful the session was, 1 to 5.")
@click.option("--learned", metavar="TEXT", default="", help="One thing they learned (one line).")
@click.option(
    "--for-presenter", "for_presenter", metavar="TEXT", default="", help="A note for the presenter."
)
@click.option(
    "--anonymous", is_flag=True, help="Store the answer without their name (see 'feedback settings')."
)
def add(session_id: int, email: str, rating: str, learned: str, for_presenter: str, anonymous: bool) -> None:
    """Record what someone who came thought of a session.

    A second answer from the same person replaces the first, and says so; an anonymous first
    answer cannot be found again, so it stays and the second is refused.
    """
    from circles.services import feedback as service
    from circles.services import people

    def answer(db: Session) -> str:
        person = people.find_person(db, email)
        saved = service.add_answer(
            db,
            session_id=session_id,
            person_id=person.id,
            rating=rating,
            learned=learned,
            for_presenter=for_presenter,
            anonymous=anonymous,
        )
        return saved.message

    done(writing(answer))


@feedback.command("import")
@click.argument("file", type=FilePath(dir_okay=False))
@click.option(
    "--session", "session_id", type=RECORD_ID, metavar="ID", help="The session every answer is about."
)
@click.option("--skip-invalid", is_flag=True, help="Import the good lines even if some are bad.")
def import_(file: Path, session_id: int | None, skip_invalid: bool) -> None:
    """Import the CSV that Google Forms or Microsoft Forms export (the questions as headers).

    The e-mail, rating (1-5), 'one thing learned' and 'for the presenter' columns are found by
    their headers and what they hold; without --session a column must name each line's session
    (its id, or its title). With any bad line nothing is imported: every one is listed with its
    number and reason (past 20 of them, in a file beside FILE). Importing the same file again
    adds nothing.
    """
    from circles.cli.bad_lines import list_bad_lines
    from circles.services.feedback_import import import_forms

    result = writing(lambda db: import_forms(db, file, session_id=session_id, skip_invalid=skip_invalid))
    used = ", ".join(f"{what} from {header!r}" for what, header in result.columns)
    click.echo(f"{file.name}: read {used}.", err=True)
    list_bad_lines(file, result.bad)
    if not result.imported:
        click.echo(
            f"circles: nothing imported: {count(len(result.bad), 'bad line')}; "
            f"fix {'it' if len(result.bad) == 1 else 'them'} or add --skip-invalid.",
            err=True,
        )
        raise SystemExit(1)
    for note in result.notes:
        click.echo(f"{file.name}: {note}")
    parts = [f"Imported {count(result.added, 'new answer')}" if result.added else "No new answers"]
    if result.replaced:
        one = result.replaced == 1
        parts.append(f"{result.replaced} replaced {'an earlier one' if one else 'earlier ones'}")
    if result.already:
        parts.append(f"{result.already} {'was' if result.already == 1 else 'were'} imported before")
    if result.bad:
        parts.append(f"skipped {count(len(result.bad), 'bad line')}")
    done("; ".join(parts) + ".")


@feedback.command("list")
@click.argument("session_id", type=RECORD_ID)
@json_option
def list_(session_id: int, as_json: bool) -> None:
    """A session's answers, best rated first (anonymous ones without a name)."""
    from circles.services import feedback as service

    with reading() as db:
        found = service.session_feedback(db, session_id)
    if as_json:
        print_json(found.answers)
        return
    s = found.session
    mean = "-" if found.mean is None else f"{found.mean:.1f}"
    click.echo(
        f"{s.label}: {count(len(found.answers), 'answer')} from {found.responded} of {len(found.attendees)} "
        f"who came, mean {mean}"
    )
    print_table(
        ["Rating", "From", "Learned", "For presenter"],
        [
            (_stars(a.rating), a.person_name or "(anonymous)", a.learned, a.for_presenter.replace("\n", " "))
            for a in found.answers
        ],
        empty="No answers yet: 'circles feedback missing' lists who came and has not answered.",
    )


@feedback.command("missing")
@click.argument("session_id", type=RECORD_ID, required=False)
@click.option("--circle", "circle_ref", type=GIVEN, metavar="CIRCLE", help="Every held session of a circle.")
@click.option("--since", type=GIVEN, metavar="YYYY-MM-DD", help="With --circle: sessions from this day on.")
@click.option("--until", type=GIVEN, metavar="YYYY-MM-DD", help="With --circle: sessions up to this day.")
@json_option
def missing(
    session_id: int | None, circle_ref: str | None, since: str | None, until: str | None, as_json: bool
) -> None:
    """Who came and has not answered yet: for one session, or per person for a circle."""
    from circles.services import feedback as service

    if session_id is None and circle_ref is None:
        raise click.UsageError("Give a SESSION_ID or --circle CIRCLE.")
    if session_id is not None and circle_ref is not None:
        raise click.UsageError("Give a SESSION_ID or --circle CIRCLE, not both.")
    if session_id is not None and (since or until):
        raise click.UsageError("--since and --until go with --circle.")
    with reading() as db:
        if session_id is not None:
            found = service.missing_for_session(db, session_id)
        else:
            found = service.missing_for_circle(db, circle_ref or "", since=since, until=until)
    if as_json:
        print_json(found)
        return
    print_table(
        ["Name", "E-mail", "Sessions", "Last"],
        [
            (
                n.name,
                n.email or "",
                len(n.sessions),
                f"{n.sessions[-1].day:%d %b %Y} {n.sessions[-1].title}".strip(),
            )
            for n in found
        ],
        empty="Everyone who came has answered.",
    )


@feedback.command("settings")
@click.argument("circle_ref", metavar="CIRCLE")
@click.option("--anonymous/--named", default=None, help="Store new answers without names (or with).")
@click.option(
    "--share/--no-share",
    "share",
    default=None,
    help="Presenters see the notes meant for them (in their recognition), or only facilitators.",
)
@json_option
def settings(circle_ref: str, anonymous: bool | None, share: bool | None, as_json: bool) -> None:
    """Show or change how a circle asks for feedback."""
    from circles.feedback_views import ANONYMOUS_MEANS
    from circles.services import circle_records
    from circles.services import feedback as service

    def show_or_set(db: Session) -> tuple[str, FeedbackSettings]:
        circle = circle_records.find_circle(db, circle_ref)
        if anonymous is None and share is None:
            return circle.name, service.get_settings(db, circle.id)
        found = service.set_settings(db, circle.id, anonymous=anonymous, share_with_presenter=share)
        return circle.name, found

    circle_name, found = writing(show_or_set)
    if as_json:
        json.dump(plain(found), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    answers = "anonymous" if found.anonymous else "named"
    notes = "reach them." if found.share_with_presenter else "stay with the facilitators."
    click.echo(f"{circle_name}: answers are {answers}; notes for presenters {notes}")
    if found.anonymous:
        click.echo(ANONYMOUS_MEANS)

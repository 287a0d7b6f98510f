"""The `circles` command: no subcommand opens the app; subcommands script the store."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from circles.cli import terminal
from circles.cli.common import CREATE_HELP, DB_HELP, CliState, given_store
from circles.cli.lazy import Lazy, LazyGroup
from circles.file_errors import shown_path
from models.temp_files import disk_error_text

# Each command: where it is, and the first sentence of its help (`circles --help` lists it).
COMMANDS = {
    "person": Lazy("circles.cli.people:person", "People: members, facilitators and guest speakers."),
    "circle": Lazy(
        "circles.cli.circles:circle",
        "Circles: learning circles, communities of practice, lunch-and-learns, workshops.",
    ),
    "member": Lazy("circles.cli.members:member", "Who belongs to a circle."),
    "session": Lazy("circles.cli.sessions:session", "A circle's sessions."),
    "agenda": Lazy("circles.cli.agenda:agenda", "A session's agenda."),
    "away": Lazy("circles.cli.away:away", "Away periods: the rotation skips people while they are away."),
    "rsvp": Lazy(
        "circles.cli.attendance:rsvp",
        "Record someone's answer to a session's invite, or with --series to a whole circle's.",
    ),
    "check-in": Lazy(
        "circles.cli.attendance:check_in",
        "Record whether someone came to a session (also: attend).",
    ),
    "attend": Lazy(
        "circles.cli.attendance:check_in",
        "Record whether someone came to a session (also: attend).",
    ),  # its first name, kept: scripts use it
    "db": Lazy("circles.cli.db:db", "The store itself: where it is, upgrades, backups."),
    "import": Lazy("circles.cli.imports:import_", "Bring data in from files."),
    "demo": Lazy("circles.cli.demo:demo", "Fill an empty store with a demo organisation to try things on."),
    "export": Lazy("circles.cli.export:export", "Export calendar invites or attendance."),
    "report": Lazy(
        "circles.cli.report:report",
        "Participation, satisfaction and mentoring: is the programme working?",
    ),
    "rotation": Lazy(
        "circles.cli.rotation:rotation",
        "Presenter rotation: fair round robin with away skips, assignments, swaps and guests.",
    ),
    "serve": Lazy(
        "circles.cli.serve:serve",
        "Serve the app to a browser: open the address it prints (it carries a one-run token).",
    ),
    "material": Lazy(
        "circles.cli.knowledge:material",
        "A session's materials: web links (http or https) and files.",
    ),
    "takeaway": Lazy("circles.cli.knowledge:takeaway", "What a session taught, a short line each."),
    "topic": Lazy(
        "circles.cli.knowledge:topic",
        "Topics (free-text tags, any case and accents) on sessions and agenda items.",
    ),
    "search": Lazy(
        "circles.cli.search:search",
        "Search circles, people, sessions and their notes, agenda items, materials, takeaways, topics and"
        " the lines people learned (feedback, without their authors).",
    ),
    "experts": Lazy(
        "circles.cli.search:experts",
        "Who knows TOPIC: people ranked by their talks on it (recent ones count more), the takeaways "
        "those left and their offers to mentor on it, with the evidence.",
    ),
    "digest": Lazy(
        "circles.cli.digest:digest",
        "A digest of a circle's sessions (or a topic's, across circles): date, presenters, agenda, "
        "takeaways, materials and attendance.",
    ),
    "config": Lazy(
        "circles.cli.config:config",
        "The settings for sending invites (SMTP) and the shared calendar (CalDAV).",
    ),
    "send": Lazy("circles.cli.send:send", "Send invites by e-mail."),
    "publish": Lazy(
        "circles.cli.publish:publish",
        "Put a circle's sessions where people look: a shared calendar.",
    ),
    "program": Lazy(
        "circles.cli.programmes:program",
        "Mentoring, reverse-mentoring, buddy and coffee programmes.",
    ),
    "pair": Lazy("circles.cli.programmes:pair", "One pair: its meetings, goals, and how it ended."),
    "feedback": Lazy("circles.cli.feedback:feedback", "Ratings and what people learned, after each session."),
    "thanks": Lazy(
        "circles.cli.recognition:thanks",
        "Thanks people record: they appear in the recognition digest.",
    ),
    "recognition": Lazy(
        "circles.cli.recognition:recognition",
        "Who to thank for a period: talks, first talks and milestones, attendance streaks, mentoring, "
        "feedback received as presenter, and thanks.",
    ),
    "whoami": Lazy(
        "circles.cli.whoami:whoami",
        "Say who you are in the store and which circles are yours (Home lists those first).",
    ),
}


class CirclesGroup(LazyGroup):
    """Turns every error into one line on stderr: exit status 1 for what a person can act on
    (their input, a file, the store's own failure), INTERNAL_ERROR for a bug, logged."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        terminal.watch_standard_output()
        terminal.show_what_the_terminal_can()
        given = sys.argv[1:] if args is None else args
        return super().main(terminal.utf8_arguments(given), *rest, **options)

    def invoke(self, ctx: click.Context) -> object:
        try:
            result = super().invoke(ctx)
            # What is still buffered for stdout fails here, where it is reported, not at exit.
            sys.stdout.flush()
            return result
        except OSError as exc:
            if terminal.is_closed_pipe(exc):
                raise  # the reader (head, less) stopped early: click ends quietly, status 1
            if isinstance(exc, terminal.StandardOutputError):
                terminal.silence_standard_output()
                click.echo(f"circles: cannot write to standard output: {disk_error_text(exc)}", err=True)
            elif exc.filename:
                click.echo(f"circles: {shown_path(exc.filename)}: {disk_error_text(exc)}", err=True)
            else:
                click.echo(f"circles: {disk_error_text(exc)}", err=True)
            ctx.exit(1)
        except Exception as exc:
            if isinstance(exc, click.exceptions.Exit | click.Abort | click.ClickException):
                raise  # click's own ways to end: a status, "Aborted!", a usage error
            ctx.exit(_told(ctx, exc))


# Exit status of a bug in circles (sysexits' EX_SOFTWARE), apart from 1, which says the
# person's input or the store refused: scripts and tests can tell the two apart.
INTERNAL_ERROR = 70


def _told(ctx: click.Context, exc: Exception) -> int:
    """Say what ``exc`` was in one line on stderr, as the screens do (screens/work.py), and
    return the exit status: the person's input or the store's own failure, or else a bug,
    whose traceback goes to the error log."""
    # Imported only now: loading them up front would delay every command, and the
    # app's first screen, by the half second sqlalchemy and alembic take to import.
    from sqlalchemy.exc import SQLAlchemyError

    from circles import error_log, store_access
    from circles.errors import CirclesError, InternalError
    from models.engine import StoreLocationError, StoreOpenError
    from models.migrate import MigrationError
    from models.url_text import redact

    if isinstance(exc, CirclesError | StoreOpenError | StoreLocationError | MigrationError):
        click.echo(f"circles: {exc}", err=True)
        return 1
    if isinstance(exc, SQLAlchemyError) and store_access.is_store_failure(exc):
        # The store went away, stayed locked or is damaged: say so without a traceback
        # or a password, and what to do.
        cli_state = ctx.find_object(CliState)  # there unless the failure came before main() ran
        told = cli_state.explain(exc) if cli_state else redact(store_access.first_line(exc))
        click.echo(f"circles: {told}", err=True)
        return 1
    log = error_log.record(exc, doing=f"circles {ctx.invoked_subcommand or ''}".strip())
    click.echo(f"circles: {InternalError(exc, str(log) if log is not None else None)}", err=True)
    return INTERNAL_ERROR


@click.group(
    cls=CirclesGroup,
    lazy_subcommands=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help=DB_HELP,
)
@click.option(
    "--create",
    is_flag=True,
    help=CREATE_HELP,
)
@click.version_option(package_name="circles")
@click.pass_context
def main(ctx: click.Context, db: str | None, create: bool) -> None:
    """Run learning circles, communities of practice and lunch-and-learns.

    With no command, opens the app.
    """
    ctx.obj = CliState(given_store(db) if db is not None else None, create=create)
    if ctx.invoked_subcommand is None:
        if not terminal.app_can_run():
            click.echo(
                "circles: the app needs a terminal to read keys from and draw on, and this is not "
                "one; give a command to script the store ('circles --help' lists them).",
                err=True,
            )
            ctx.exit(1)
        from circles.app import run

        # Opened by the app once its first screen shows; a SQLite store also gets a first glance.
        failure = run(ctx.obj.open_store, first_glance=ctx.obj.first_glance())
        if failure is not None:  # the app said so on its screen; the terminal keeps it too
            click.echo(f"circles: {failure}", err=True)
            ctx.exit(1)

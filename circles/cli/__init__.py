"""The `circles` command: no subcommand opens the app; subcommands script the store."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from circles.cli import terminal
from circles.cli.common import CliState
from circles.cli.lazy import LazyGroup
from circles.file_errors import reason as plain_reason
from circles.file_errors import shown_path

COMMANDS = {
    "person": "circles.cli.people:person",
    "circle": "circles.cli.circles:circle",
    "member": "circles.cli.members:member",
    "session": "circles.cli.sessions:session",
    "agenda": "circles.cli.agenda:agenda",
    "away": "circles.cli.away:away",
    "rsvp": "circles.cli.attendance:rsvp",
    "attend": "circles.cli.attendance:attend",
    "db": "circles.cli.db:db",
    "import": "circles.cli.imports:import_",
    "demo": "circles.cli.demo:demo",
    "export": "circles.cli.export:export",
    "report": "circles.cli.report:report",
    "rotation": "circles.cli.rotation:rotation",
    "serve": "circles.cli.serve:serve",
    "material": "circles.cli.knowledge:material",
    "takeaway": "circles.cli.knowledge:takeaway",
    "topic": "circles.cli.knowledge:topic",
    "search": "circles.cli.search:search",
    "experts": "circles.cli.search:experts",
    "digest": "circles.cli.digest:digest",
    "config": "circles.cli.config:config",
    "send": "circles.cli.send:send",
    "publish": "circles.cli.publish:publish",
    "program": "circles.cli.programmes:program",
    "pair": "circles.cli.programmes:pair",
    "feedback": "circles.cli.feedback:feedback",
    "thanks": "circles.cli.recognition:thanks",
    "recognition": "circles.cli.recognition:recognition",
}


class CirclesGroup(LazyGroup):
    """Turns the errors a person can act on into one line on stderr and exit status 1."""

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
                click.echo(f"circles: cannot write to standard output: {plain_reason(exc)}", err=True)
            elif exc.filename:
                click.echo(f"circles: {shown_path(exc.filename)}: {plain_reason(exc)}", err=True)
            else:
                click.echo(f"circles: {plain_reason(exc)}", err=True)
            ctx.exit(1)
        except Exception as exc:
            # Imported only now: loading them up front would delay every command, and the
            # app's first screen, by the half second sqlalchemy and alembic take to import.
            from sqlalchemy.exc import DBAPIError
            from sqlalchemy.exc import TimeoutError as PoolTimeoutError

            from circles.errors import CirclesError
            from models.engine import StoreLocationError, StoreOpenError
            from models.migrate import MigrationError

            if isinstance(exc, CirclesError | StoreOpenError | StoreLocationError | MigrationError):
                click.echo(f"circles: {exc}", err=True)
                ctx.exit(1)
            if isinstance(exc, DBAPIError | PoolTimeoutError):
                # The store went away, stayed locked or is damaged: say so without a traceback
                # or a password, and what to do.
                click.echo(f"circles: {ctx.find_object(CliState).explain(exc)}", err=True)  # type: ignore[union-attr]
                ctx.exit(1)
            raise


@click.group(
    cls=CirclesGroup,
    lazy_subcommands=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help="A SQLite file or a database URL (default: CIRCLES_DATABASE_URL, else your data folder).",
)
@click.option(
    "--create",
    is_flag=True,
    help="Make the store's folder if it does not exist (the default store's is always made).",
)
@click.version_option(package_name="circles")
@click.pass_context
def main(ctx: click.Context, db: str | None, create: bool) -> None:
    """Run learning circles, communities of practice and lunch-and-learns.

    With no command, opens the app.
    """
    # A file's path goes back to the system as typed; a URL stays text.
    ctx.obj = CliState(terminal.typed_path(db) if db and "://" not in db else db, create=create)
    if ctx.invoked_subcommand is None:
        from circles.app import run

        # Opened by the app once its first screen shows; a SQLite store also gets a first glance.
        failure = run(ctx.obj.open_store, first_glance=ctx.obj.first_glance())
        if failure is not None:  # the app said so on its screen; the terminal keeps it too
            click.echo(f"circles: {failure}", err=True)
            ctx.exit(1)

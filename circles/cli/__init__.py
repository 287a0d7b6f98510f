"""The `circles` command: no subcommand opens the app; subcommands script the store."""

from __future__ import annotations

import click

from circles.cli.common import CliState
from circles.cli.lazy import LazyGroup

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
}


class CirclesGroup(LazyGroup):
    """Turns the errors a person can act on into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Imported only now: loading them up front would delay every command, and the
            # app's first screen, by the half second sqlalchemy and alembic take to import.
            from sqlalchemy.exc import DBAPIError

            from circles.errors import CirclesError
            from models.engine import StoreLocationError, StoreOpenError
            from models.migrate import MigrationError

            if isinstance(exc, CirclesError | StoreOpenError | StoreLocationError | MigrationError):
                click.echo(f"circles: {exc}", err=True)
                ctx.exit(1)
            if isinstance(exc, DBAPIError):
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
    ctx.obj = CliState(db, create=create)
    if ctx.invoked_subcommand is None:
        from circles.app import run

        # Opened by the app once its first screen shows; a SQLite store also gets a first glance.
        failure = run(ctx.obj.open_store, first_glance=ctx.obj.first_glance())
        if failure is not None:  # the app said so on its screen; the terminal keeps it too
            click.echo(f"circles: {failure}", err=True)
            ctx.exit(1)

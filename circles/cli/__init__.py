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
    "program": "circles.cli.programmes:program",
    "pair": "circles.cli.programmes:pair",
}


class CirclesGroup(LazyGroup):
    """Turns the errors a person can act on into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Imported only now: loading them up front would delay every command, and the
            # app's first screen, by the half second sqlalchemy and alembic take to import.
            from sqlalchemy.exc import OperationalError

            from circles.errors import CirclesError
            from models.engine import StoreLocationError
            from models.migrate import MigrationError
            from models.store import StoreOpenError

            if isinstance(exc, CirclesError | StoreOpenError | StoreLocationError | MigrationError):
                click.echo(f"circles: {exc}", err=True)
                ctx.exit(1)
            if isinstance(exc, OperationalError):
                # The store went away or stayed locked; say so without a traceback or a password.
                reason = str(exc.orig or exc).strip().splitlines()[0]
                click.echo(f"circles: the store did not answer: {reason}", err=True)
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
@click.version_option(package_name="circles")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Run learning circles, communities of practice and lunch-and-learns.

    With no command, opens the app.
    """
    ctx.obj = CliState(db)
    if ctx.invoked_subcommand is None:
        from circles.app import run

        # Opened by the app once its first screen shows; a SQLite store also gets a first glance.
        run(ctx.obj.store, first_glance=ctx.obj.first_glance())

"""circles db ..."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from circles.cli.common import done, state
from circles.cli.terminal import FilePath
from circles.errors import NotAllowed


@click.group()
def db() -> None:
    """The store itself: where it is, upgrades, backups."""


@db.command("path")
def path() -> None:
    """Print where the store is (a file path, or the URL without its password)."""
    from models.engine import resolve_url, safe_url_text, sqlite_file

    url = resolve_url(state().db)
    file = sqlite_file(url)
    click.echo(str(file) if file is not None else safe_url_text(url))


@db.command("upgrade")
def upgrade() -> None:
    """Bring the store's schema up to date (opening it does this too)."""
    store = state().store()
    result = store.upgraded
    if result is None or not result.changed:
        done(f"The store is up to date (schema {result.to_revision if result else '?'}).")
    else:
        saved = f"; the previous version is in {result.backup}" if result.backup else ""
        done(f"Upgraded the store from {result.from_revision or 'empty'} to {result.to_revision}{saved}.")


@db.command("backup")
@click.argument("file", type=FilePath(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, force: bool) -> None:
    """Copy the SQLite store to FILE, consistently, even while it is in use."""
    from models.backup import backup_sqlite

    store = state().store()
    if store.engine.dialect.name != "sqlite":
        raise click.UsageError(
            "Only a SQLite store is backed up this way; for PostgreSQL use pg_dump (see the README)."
        )
    if file.exists() and not force:
        raise click.UsageError(f"{file} already exists; add --force to replace it.")
    target = backup_sqlite(store.engine, file)
    done(f"Backed up {store.display_url} to {target}.")


@db.command("restore")
@click.argument("file", type=FilePath(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool) -> None:
    """Replace the SQLite store's contents with the backup FILE.

    The current contents are saved next to the store first, so a restore can be undone.
    """
    from datetime import UTC, datetime

    from models.backup import backup_sqlite, check_backup, restore_sqlite
    from models.engine import create_store_engine, resolve_url, sqlite_file
    from models.store import Store

    url = resolve_url(state().db)
    target = sqlite_file(url)
    if target is None:
        raise click.UsageError(
            "Only a SQLite store is restored this way; for PostgreSQL use pg_restore (see the README)."
        )
    try:
        revision = check_backup(file)
    except ValueError as exc:
        raise NotAllowed(str(exc)) from None
    if not yes:
        if not sys.stdin.isatty():
            raise NotAllowed("Nothing restored: add --yes to restore without a terminal to ask on.")
        if not click.confirm(f"Replace everything in {target} with {file} (schema {revision})?"):
            raise NotAllowed("Nothing restored.")
    saved = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        engine = create_store_engine(url)
        saved = backup_sqlite(engine, target.with_name(f"{target.name}.before-restore-{stamp}.bak"))
        engine.dispose()
    restore_sqlite(file, target)
    Store.open(url).close()  # brings an older backup's schema up to date
    kept = f"; the previous contents are in {saved}" if saved else ""
    done(f"Restored {target} from {file}{kept}.")

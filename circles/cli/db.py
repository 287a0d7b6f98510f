"""circles db ..."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from circles.cli.common import done, state
from circles.cli.flags import Group
from circles.cli.terminal import FilePath
from circles.errors import NotAllowed

if TYPE_CHECKING:
    from models.migrate import UpgradeResult


@click.group(cls=Group)
def db() -> None:
    """The store itself: where it is, upgrades, backups."""


@db.command("path")
def path() -> None:
    """Print where the store is (a file path, or the URL without its password)."""
    from models.engine import resolve_url, safe_url_text, sqlite_file

    url = resolve_url(state().store_url)
    file = sqlite_file(url)
    click.echo(str(file) if file is not None else safe_url_text(url))


@db.command("upgrade")
def upgrade() -> None:
    """Bring the store's schema up to date (opening it does this too)."""
    store = state().store(say_upgrade=False)  # its one line below says where the old version is
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
    from circles.exports.atomic import check_target
    from models.backup import BackupError, backup_sqlite

    store = state().store()
    if store.engine.dialect.name != "sqlite":
        raise click.UsageError(
            "Only a SQLite store is backed up this way; for PostgreSQL use pg_dump (see the README)."
        )
    # Where it may write, as every export: its folder must exist, a file there needs --force.
    checked = check_target(file, force=force)
    try:
        target = backup_sqlite(store.engine, checked)
    except BackupError as exc:
        raise NotAllowed(str(exc)) from None
    done(f"Backed up {store.display_url} to {target}.")


@db.command("restore")
@click.argument("file", type=FilePath(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool) -> None:
    """Replace the SQLite store's contents with the backup FILE.

    The current contents are saved next to the store first, so a restore can be undone.
    """
    from datetime import UTC, datetime

    from models.engine import resolve_url, sqlite_file
    from models.restore import RestoreError, plan_restore, restore_store
    from models.store import Store

    cli = state()
    url = resolve_url(cli.store_url)
    target = sqlite_file(url)
    if target is None:
        raise click.UsageError(
            "Only a SQLite store is restored this way; for PostgreSQL use pg_restore (see the README)."
        )
    try:
        plan = plan_restore(file, target)
    except RestoreError as exc:
        raise NotAllowed(str(exc)) from None
    if not yes:
        if not sys.stdin.isatty():
            raise NotAllowed("Nothing restored: add --yes to restore without a terminal to ask on.")
        if not click.confirm(f"Replace everything in {target} with {file} (schema {plan.revision})?"):
            raise NotAllowed("Nothing restored.")

    def reopen() -> UpgradeResult | None:
        store = Store.open(url)  # brings an older backup's schema up to date
        store.close()
        return store.upgraded

    try:
        restored = restore_store(
            plan, now=datetime.now(UTC), create_folder=cli.may_create_folder, reopen=reopen
        )
    except RestoreError as exc:
        raise NotAllowed(str(exc)) from None
    kept = f"; the previous contents are in {restored.saved}" if restored.saved else ""
    upgraded = restored.upgraded
    if upgraded is not None and upgraded.changed:
        also = f" (the backup as restored is kept in {upgraded.backup})" if upgraded.backup else ""
        kept += f"; its schema was upgraded from {upgraded.from_revision} to {upgraded.to_revision}{also}"
    done(f"Restored {target} from {file}{kept}.")
    for note in upgraded.notes if upgraded is not None else ():
        click.echo(f"Upgrading the store: {note}", err=True)

"""circles db ..."""

from __future__ import annotations

from pathlib import Path

import click

from circles.cli.common import done, state


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
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, force: bool) -> None:
    """Copy the SQLite store to FILE, consistently, even while it is in use."""
    from models.backup import backup_sqlite

    store = state().store()
    if store.engine.dialect.name != "sqlite":
        raise click.UsageError("Only a SQLite store is backed up this way; for PostgreSQL use pg_dump (see the README).")
    if file.exists() and not force:
        raise click.UsageError(f"{file} already exists; add --force to replace it.")
    target = backup_sqlite(store.engine, file)
    done(f"Backed up {store.display_url} to {target}.")

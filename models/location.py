"""Which store to use, from --db, CIRCLES_DATABASE_URL or the default; plain Python, so the app
can find a SQLite store before SQLAlchemy has loaded."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

ENV_VAR = "CIRCLES_DATABASE_URL"
# The SQLite URLs models/engine.py accepts, each followed by "/" and the file's path.
SQLITE_URL_STARTS = ("sqlite:///", "sqlite+pysqlite:///")


def default_store_path() -> Path:
    """The SQLite file used when nothing else is configured (the user's data directory)."""
    from platformdirs import user_data_path

    return user_data_path("circles", appauthor=False) / "circles.db"


def store_setting(db: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """What the person configured: ``--db``, else CIRCLES_DATABASE_URL, else "" (the default store)."""
    environ = os.environ if environ is None else environ
    return (db or environ.get(ENV_VAR) or "").strip()


def sqlite_file_setting(db: str | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The SQLite file the setting names, as a path, a plain SQLite URL or the default file;
    None for any other URL (PostgreSQL, or a SQLite URL SQLAlchemy has to read: see below)."""
    value = store_setting(db, environ)
    if not value:
        return default_store_path()
    if "://" in value:
        return sqlite_url_file(value)
    return Path(value).expanduser().absolute()


def sqlite_url_file(url: str) -> Path | None:
    """The file a plain SQLite URL names, read as SQLAlchemy's make_url reads it:
    ``sqlite:///notes.db`` is notes.db in the current folder, ``sqlite:////srv/notes.db`` is
    /srv/notes.db, and %xx escapes are decoded. None for whatever else: a host or user, a query
    string, an in-memory database, a ``file:`` URI name; models/engine.py reads (or refuses)
    those with SQLAlchemy itself. A file found here gets the app's first glance (circles/glance.py)
    and is opened by its absolute path, as a path given with --db is.
    """
    start = next((s for s in SQLITE_URL_STARTS if url.startswith(s)), None)
    if start is None or "?" in url:
        return None
    database = unquote(url[len(start) :])
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).absolute()


def read_only_uri(path: Path) -> str:
    """A SQLite URI that reads ``path`` without changing anything beside it.

    Even a read-only connection makes the -wal and -shm files of a WAL database. With no -wal
    there is nothing to read but the file itself, which "immutable" does without making either;
    with one, someone is using the database, and "mode=ro" reads what they committed.
    """
    options = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
    return f"{path.absolute().as_uri()}?{options}"

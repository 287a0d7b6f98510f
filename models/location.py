"""Which store to use, from --db, CIRCLES_DATABASE_URL or the default; plain Python, so the app
can find a SQLite store before SQLAlchemy has loaded."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "CIRCLES_DATABASE_URL"


def default_store_path() -> Path:
    """The SQLite file used when nothing else is configured (the user's data directory)."""
    from platformdirs import user_data_path

    return user_data_path("circles", appauthor=False) / "circles.db"


def store_setting(db: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """What the person configured: ``--db``, else CIRCLES_DATABASE_URL, else "" (the default store)."""
    environ = os.environ if environ is None else environ
    return (db or environ.get(ENV_VAR) or "").strip()


def sqlite_file_setting(db: str | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The SQLite file the setting names as a path (or the default file); None for a URL."""
    value = store_setting(db, environ)
    if not value:
        return default_store_path()
    if "://" in value:
        return None
    return Path(value).expanduser().absolute()


def read_only_uri(path: Path) -> str:
    """A SQLite URI that reads ``path`` without changing anything beside it.

    Even a read-only connection makes the -wal and -shm files of a WAL database. With no -wal
    there is nothing to read but the file itself, which "immutable" does without making either;
    with one, someone is using the database, and "mode=ro" reads what they committed.
    """
    options = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
    return f"{path.absolute().as_uri()}?{options}"

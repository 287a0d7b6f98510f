"""Where the store lives and how to open an engine on it. Nothing here runs at import time."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from models.folders import make_private_folder
from models.location import sqlite_file_setting, store_setting

# Long enough to ride out another facilitator's save, short enough that a stuck lock is
# reported rather than freezing the app.
BUSY_TIMEOUT_MS = 10_000


class StoreLocationError(ValueError):
    """The --db value or CIRCLES_DATABASE_URL is not a usable path or URL."""


def resolve_url(db: str | None = None, environ: Mapping[str, str] | None = None) -> URL:
    """Turn ``--db`` (a path or a URL), else CIRCLES_DATABASE_URL, else the default path, into a URL."""
    path = sqlite_file_setting(db, environ)
    if path is not None:
        return sqlite_url(path)
    value = store_setting(db, environ)
    try:
        url = make_url(value)
    except ArgumentError:
        raise StoreLocationError(f"database URL {safe_url_text(value)!r} is not a valid URL") from None
    if url.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path.absolute()))


def safe_url_text(value: str | URL) -> str:
    """A URL fit for messages and logs: the password is never shown."""
    if isinstance(value, URL):
        return value.render_as_string(hide_password=True)
    try:
        return make_url(value).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for in-memory stores and other backends."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if str(url.database).startswith("file:"):
        return None
    return Path(str(url.database))


def prepare_sqlite_file(path: Path) -> None:
    """Create the store's folder (0700) and file (0600) before SQLite does, so both stay private."""
    make_private_folder(path.parent, parents=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def create_store_engine(url: URL) -> Engine:
    """An engine with the settings each backend needs. Builds nothing on disk."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: URL) -> Engine:
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    in_memory = sqlite_file(url) is None
    if in_memory:
        # One shared connection, so worker threads and the test see the same database.
        kwargs["poolclass"] = StaticPool
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own
        # transaction handling would defer it and make writers fail instead of wait).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) so they queue on the busy
        # timeout; a deferred transaction that later tries to write fails at once instead.
        connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions announce they will write (SQLite: BEGIN IMMEDIATE)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
    return engine

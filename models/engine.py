"""Where the store lives and how to open an engine on it. Nothing here runs at import time."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from models.location import sqlite_file_setting, store_setting
from models.url_text import at_in_secret_value, remember_secrets, url_without_secrets

# Long enough to ride out another facilitator's save, short enough that a stuck lock is
# reported rather than freezing the app.
BUSY_TIMEOUT_MS = 10_000


class StoreLocationError(ValueError):
    """The --db value or CIRCLES_DATABASE_URL is not a usable path or URL."""


class StoreOpenError(RuntimeError):
    """The store could not be opened; the message names it (never with its password) and
    says what to do."""


# Each app's connections to PostgreSQL. Its database work is a few short units of work at a time
# (a screen's reads, which take turns: screens/work.py read_in_turn; sometimes beside a save or
# an export): one connection kept between them, three more lent for a burst and closed after it.
# Fifty facilitators with the app open then hold about fifty connections, within PostgreSQL's
# default of 100, where five kept per app (the old setting, with five more in bursts) ran out at
# a dozen apps. Work that finds all four busy for POOL_TIMEOUT_SECONDS is told the store is busy
# (models/store.py).
# SQLite files keep SQLAlchemy's default pool: connections to a file cost nothing to hold.
POOL_SIZE = 1
POOL_OVERFLOW = 3
POOL_TIMEOUT_SECONDS = 10.0
# A connection given back less than this long ago is lent again without asking the server if it
# is still there: the ask is a round trip before every unit of work (a search's one statement
# took 1.6x bare psycopg with it, about 1.0x without), and a server restart that lands inside
# these seconds costs one "store unavailable" message, after which the pool starts afresh.
PING_AFTER_IDLE_SECONDS = 5.0

# The backends circles is built and tested on; any other URL is refused before it is tried.
POSTGRESQL_DRIVERS = ("postgresql", "postgres", "postgresql+psycopg")
SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
# A server that does not answer is reported after this long, rather than waited on for ever.
CONNECT_TIMEOUT_SECONDS = 10


def resolve_url(db: str | None = None, environ: Mapping[str, str] | None = None) -> URL:
    """Turn ``--db`` (a path or a URL), else CIRCLES_DATABASE_URL, else the default path, into a URL.

    A URL that does not parse, or names a backend circles does not run on, is refused here
    with its secrets hidden, before any driver sees it.
    """
    path = sqlite_file_setting(db, environ)
    if path is not None:
        return sqlite_url(path)
    value = store_setting(db, environ)
    remember_secrets(value)
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise StoreLocationError(
            f"The database URL {_shown(value)} is not valid{_port_problem(value)}."
        ) from None
    if _unescaped_at(value):
        # SQLAlchemy and libpq end the password at its first '@': the rest would be taken for
        # the host, and its tail (part of the password) shown in every connection error.
        raise StoreLocationError(
            f"The database URL {_shown(value)} has an '@' in its user name, password or query: "
            "write it as %40 there."
        )
    if url.port is not None and not 0 < url.port < 65536:
        raise StoreLocationError(f"The database URL {_shown(value)} is not valid{_port_problem(value)}.")
    if url.drivername in SQLITE_DRIVERS:
        if url.username or url.password or url.host or url.port or url.query:
            raise StoreLocationError(
                f"The database URL {_shown(value)} is not valid: a SQLite URL names a file, "
                "like sqlite:///PATH (or give the path itself)."
            )
        if url.database in (None, "", ":memory:"):
            # SQLite's store in memory: "Started a new store at sqlite:///", everything added
            # said to be saved, and all of it gone when the command or the app ended.
            raise StoreLocationError(
                f"The database URL {_shown(value)} names no file: a store in memory is forgotten "
                "when circles ends. Give a file, like sqlite:///PATH (or the path itself)."
            )
        return url
    if url.drivername in POSTGRESQL_DRIVERS:
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        resolved = url.set(drivername="postgresql+psycopg")
        _TYPED_SCHEMES[_without_scheme(resolved)] = url.drivername
        return resolved
    raise StoreLocationError(
        f"The database URL {_shown(value)} is not one circles can use: give a SQLite file "
        "(a path) or a PostgreSQL URL (postgresql://USER@HOST/DATABASE)."
    )


# The scheme each PostgreSQL URL resolve_url gave back was typed with ("postgresql", "postgres"),
# by the rest of the URL (its query left out: the engine takes prepare_threshold out of it).
# Messages show the URL as the facilitator wrote it, not with the driver circles picked for it.
_TYPED_SCHEMES: dict[str, str] = {}


def _without_scheme(url: URL) -> str:
    return url.set(drivername="x", query={}).render_as_string(hide_password=False)


def as_typed(url: URL) -> URL:
    """``url`` with the scheme it was typed with, when resolve_url gave it (else as it is)."""
    typed = _TYPED_SCHEMES.get(_without_scheme(url)) if url.drivername == "postgresql+psycopg" else None
    return url if typed is None else url.set(drivername=typed)


def _unescaped_at(text: str) -> bool:
    """Whether a URL holds an '@' that SQLAlchemy and libpq could take for the end of its user
    part while it belongs to a password or a value: they would show the rest as the host."""
    return text.count("@") > 1 or at_in_secret_value(text)


def _shown(value: str) -> str:
    text = safe_url_text(value)
    return repr(text if len(text) <= 100 else text[:99] + "…")


def _port_problem(value: str) -> str:
    # The port is what people most often get wrong; its text is not repeated, as in a URL
    # that does not parse it could be part of a password.
    found = re.match(r"[^:/]*://(?:[^@]*@)?(?:\[[^\]]*\]|[^/:?@]*):([^/?@]*)(?:[/?]|$)", value)
    port = found.group(1) if found else None
    if port is not None and not (re.fullmatch(r"[0-9]{1,5}", port) and 0 < int(port) < 65536):
        return ": the port must be a number from 1 to 65535"
    return ""


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path.absolute()))


def safe_url_text(value: str | URL) -> str:
    """A URL fit for messages and logs: no password, from the URL or its query string, is shown,
    and a PostgreSQL URL has the scheme it was typed with (as_typed).

    The text as written, with every part that could be a secret under any reading of it
    hidden in place (models/url_text.py): a host that happens to contain the password stays
    whole, and a password with an unescaped '@' does not leave its tail in the host.
    """
    text = value if isinstance(value, str) else as_typed(value).render_as_string(hide_password=False)
    return url_without_secrets(text)


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for in-memory stores and other backends."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if str(url.database).startswith("file:"):
        return None
    return Path(str(url.database))


def create_store_engine(url: URL) -> Engine:
    """An engine with the settings each backend needs. Builds nothing on disk."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if "prepare_threshold" in url.query:
        url, connect_args["prepare_threshold"] = _prepare_threshold(url)
    engine = sa.create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args=connect_args,
    )
    _ping_when_idle(engine)
    _compiled_by_nobody(engine)
    return engine


def _compiled_by_nobody(engine: Engine) -> None:
    """Each connection the app makes to PostgreSQL has its JIT off: the server compiles a
    statement whose cost estimate passes jit_above_cost to machine code first, and for the
    store's statements that took longer than it saved, most of all on a large store, whose
    estimates are large. On the huge demo, Organisation over all time took 3.96 s, 2.46 s with
    JIT off: its retention statement alone spent 5.2 s of the server's time compiling. One
    setting for the whole connection, where each such read had to remember a SET LOCAL.

    Set once per connection, not per transaction (a round trip more for every unit of work).
    Behind PgBouncer in transaction mode it is set on whichever server connection runs it, and
    stays there for the circles apps that share the pool; to have it everywhere from the first
    statement, set it for the role or database too (README: PostgreSQL)."""

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection.info.server_version < 110000:
            return  # no JIT before PostgreSQL 11, nor the setting: SET would refuse the connection
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()  # (a SET in a transaction rolled back is undone)


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections that sat unused a while only: those are
    the ones a restarted server or a closed idle session has dropped."""

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_connection: Any, record: Any) -> None:
        record.info["given_back"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        given_back = record.info.get("given_back")
        if given_back is None or time.monotonic() - given_back < PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(str(exc)) from exc  # the pool connects afresh


def _prepare_threshold(url: URL) -> tuple[URL, int | None]:
    """``?prepare_threshold=none`` (or a number) from the URL, for psycopg, which takes it as a
    connection argument: libpq, which gets the rest of the query, would refuse the name."""
    value = url.query["prepare_threshold"]
    text = (value if isinstance(value, str) else value[-1]).strip().lower()
    rest = url.difference_update_query(["prepare_threshold"])
    if text in ("none", "null", "off", ""):
        return rest, None
    if re.fullmatch(r"[0-9]{1,9}", text):  # (str.isdigit() takes '²' for a digit, int() does not)
        return rest, int(text)
    raise StoreLocationError(
        f"The database URL {_shown(as_typed(url).render_as_string(hide_password=False))} "
        f"has prepare_threshold={text[:20]!r}: "
        "use prepare_threshold=none behind PgBouncer in transaction mode (or a number)."
    )


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

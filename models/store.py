"""The Store: one engine, opened (and migrated) once, handing out units of work."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from models.engine import (
    StoreOpenError as StoreOpenError,  # raised by Store.open; defined beside the engine
)
from models.engine import (
    create_store_engine,
    safe_url_text,
    sqlite_file,
    writer,
)
from models.migrate import UpgradeResult, upgrade
from models.store_file import UNREADABLE, claim_sqlite_file
from models.url_text import redact, remember_secrets

Clock = Callable[[], datetime]
T = TypeVar("T")


def system_clock() -> datetime:
    return datetime.now(UTC)


class WriteHook(Protocol):
    """Work a layer above adds to every write unit of work (models never import that layer).

    The services keep what they derive from stored data right this way, whichever
    function made the change (see circles/services/upkeep.py).
    """

    def opened(self, db: Session) -> None:
        """The unit of work began: set up what it watches."""

    def before_commit(self, db: Session) -> None:
        """The block ended without an error: the last writes, in the same transaction."""


_write_hooks: list[WriteHook] = []


def add_write_hook(hook: WriteHook) -> None:
    """Run ``hook`` in every write unit of work of every Store from now on (once, however often added)."""
    if hook not in _write_hooks:
        _write_hooks.append(hook)


def write_hooks() -> tuple[WriteHook, ...]:
    return tuple(_write_hooks)


class Store:
    """A database the app works on. Build it with :meth:`open`; tests pass ``sqlite://``."""

    def __init__(self, engine: Engine, *, clock: Clock = system_clock) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self.clock = clock
        self.upgraded: UpgradeResult | None = None
        # An in-memory store is one connection every thread shares, and two transactions
        # at once on it fail: its units of work take turns. Files and servers need no turns.
        self._turns: AbstractContextManager[object] = (
            threading.RLock() if isinstance(engine.pool, StaticPool) else nullcontext()
        )

    @classmethod
    def open(
        cls,
        url: URL,
        *,
        clock: Clock = system_clock,
        migrate: bool = True,
        create_folder: bool = False,
        create_file: bool = True,
    ) -> Store:
        """Open (and upgrade) the store at ``url``. A SQLite file must be empty or a circles
        store, or missing if ``create_file`` (it is made), and its folder must exist unless
        ``create_folder``: anything else is refused before it is changed (models/store_file.py)."""
        remember_secrets(url.render_as_string(hide_password=False))
        path = sqlite_file(url)
        where = str(path) if path is not None else safe_url_text(url)
        engine = None
        try:
            if path is not None:
                claim_sqlite_file(path, create_folder=create_folder, create_file=create_file)
            engine = create_store_engine(url)
            store = cls(engine, clock=clock)
            if migrate:
                store.upgraded = upgrade(engine, now=clock())
        except BaseException as exc:
            if engine is not None:
                engine.dispose()
            if isinstance(exc, OSError):
                raise StoreOpenError(f"Cannot open the store {where}: {exc.strerror or exc}") from None
            if isinstance(exc, DBAPIError):
                missing = url.database if _no_such_database(url, exc) else None
                raise StoreOpenError(
                    explain_store_error(exc, where, opening=True, missing_database=missing)
                ) from None
            if isinstance(exc, ImportError):  # a driver not installed with circles
                raise StoreOpenError(f"Cannot open the store {where}: {redact(str(exc))}") from None
            raise
        return store

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def display_url(self) -> str:
        path = sqlite_file(self.engine.url)
        return str(path) if path is not None else safe_url_text(self.engine.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads."""
        with self._turns, Session(self.engine, expire_on_commit=False, info={"clock": self.clock}) as db:
            yield db

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that writes: committed whole when the block ends, rolled back on error.

        The write hooks run inside it: when it opens, and after the block, before the commit.
        """
        hooks = write_hooks()
        with (
            self._turns,
            Session(self._writer, expire_on_commit=False, info={"clock": self.clock, "writes": True}) as db,
            db.begin(),
        ):
            for hook in hooks:
                hook.opened(db)
            yield db
            for hook in hooks:
                hook.before_commit(db)

    WRITE_ATTEMPTS = 6

    def write_retrying(self, work: Callable[[Session], T], *, attempts: int | None = None) -> T:
        """Run ``work`` in a write unit of work, again if the store was briefly busy, up to
        ``attempts`` times in all (``WRITE_ATTEMPTS``).

        SQLite's busy timeout already waits for other writers; this covers what is left
        (a lock held past the timeout, a PostgreSQL serialization failure or deadlock), and a
        unique value taken, or a row referred to deleted, by a writer at the same moment
        (``lost_a_race``).
        ``work`` must be safe to run again: the failed attempt was rolled back whole.
        """
        attempts = attempts or self.WRITE_ATTEMPTS
        lost_before: str | None = None
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as db:
                    return work(db)
            except DBAPIError as exc:
                if attempt == attempts:
                    raise
                lost = lost_a_race(exc)
                if lost == FOREIGN_KEY_VIOLATION and lost_before == lost:
                    # Tried again after the other writer's delete, the service's own check
                    # should have refused: the same violation twice is a bug, raised as it is.
                    raise
                lost_before = lost
                if lost is not None:
                    continue  # the other writer has committed: the next try reads what it did
                if not (isinstance(exc, OperationalError) and is_transient(exc)):
                    raise
                time.sleep(random.uniform(0.02, 0.05) * 2**attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.engine.dispose()

    def explain(self, exc: BaseException) -> str:
        """A database error met while working on this store, as one line a person can act on."""
        return explain_store_error(exc, self.display_url)


def explain_store_error(
    exc: BaseException, where: str, *, opening: bool = False, missing_database: str | None = None
) -> str:
    """One line saying what went wrong with the store ``where``, and what to do; never a password.
    ``missing_database``: the PostgreSQL database the server was found not to have."""
    if isinstance(exc, PoolTimeoutError):
        # Every connection this app may hold (models/engine.py) stayed in use: a long export, a
        # server that stopped answering mid-query. Nothing was done; the next try may well pass.
        return (
            f"The store {where} is busy: every connection this app may open to it stayed in use; "
            "nothing was changed, try again in a moment."
        )
    cause = getattr(exc, "orig", None) or exc
    reason = redact(_first_line(cause))
    if getattr(cause, "sqlite_errorname", None) in UNREADABLE:
        return (
            f"The store {where} is damaged ({reason}): put a backup back with "
            "'circles db restore BACKUP', or give another --db."
        )
    if isinstance(exc, OperationalError) and is_transient(exc):
        return f"The store {where} stayed busy ({reason}); try again in a moment."
    if opening:
        said = _NO_DATABASE.search(reason)
        name = missing_database or (said.group(1) if said else None)
        if name:
            # --create makes a SQLite file, never a PostgreSQL database: say how one is made.
            plain = re.fullmatch(r"[a-z_][a-z0-9_]*", name) is not None
            # Quoted where the shell or SQL would read it otherwise (SQL folds MyDb to mydb).
            shell = name if plain else "'" + name.replace("'", "'\\''") + "'"
            sql = name if plain else '"' + name.replace('"', '""') + '"'
            return (
                f"Cannot open the store {where}: {reason}. circles does not make PostgreSQL "
                f"databases: create it first (createdb {shell}, or CREATE DATABASE {sql} in psql), "
                "then run circles again to set it up."
            )
        return f"Cannot open the store {where}: {reason}"
    return f"The store {where} did not answer: {reason}"


# The server's own words, in English, when the URL names a database it does not have: what is
# left when its list of databases cannot be asked (_no_such_database).
_NO_DATABASE = re.compile(r'database "([^"]+)" does not exist')


def _no_such_database(url: URL, exc: DBAPIError) -> bool:
    """Whether the PostgreSQL server refused the connection because it has no database by the
    name ``url`` gives. libpq hands no SQLSTATE (3D000, invalid_catalog_name) for a connection
    refused at its start (psycopg's ``sqlstate`` is None there), and the server words it in its
    own language: so, when its refusal names the database, its list is asked, over its
    maintenance database "postgres" with the same credentials. False if that cannot be asked."""
    name = url.database
    if url.get_backend_name() != "postgresql" or not name or name not in str(exc.orig):
        return False
    engine = create_store_engine(url.set(database="postgres"))
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            return found.first() is None
    except DBAPIError:
        return False
    finally:
        engine.dispose()


def is_transient(exc: OperationalError) -> bool:
    """A failure that goes away if the same transaction is simply tried again."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01"):  # serialization failure, deadlock detected
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION = "23505", "23503"  # PostgreSQL's SQLSTATEs


def lost_a_race(exc: DBAPIError) -> str | None:
    """A unique value (an e-mail address, a circle's name, a circle's start) that another
    PostgreSQL writer took after this unit of work checked it was free and before it wrote; or
    a row this unit refers to (the programme a person joins) that another writer deleted after
    this unit found it and before it wrote.

    The services check such values and rows themselves, to refuse in words naming the field or
    the thing, but under READ COMMITTED two units may both pass their checks; the unique index
    or the foreign key then stops the second one with this error. Tried again, the unit reads
    the other's committed change, and its own check refuses (AlreadyExists, NotFound) as it
    would have, had they come one after the other. SQLite's writers take turns (BEGIN
    IMMEDIATE), so there such a violation is never a race: a bug, raised as it is.

    Which violation it was (its SQLSTATE), or None for any other error.
    """
    state = getattr(exc.orig, "sqlstate", None)
    return state if state in (UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION) else None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__

"""One unit of work on the Store, as the app runs it: a read, or a write tried again while the
store is briefly busy; the store's own failures (gone, locked, full, read-only) come out as
``StoreUnavailable``, and every other error (a bug) as it is."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from circles.errors import StoreUnavailable
from models.store_file import UNREADABLE
from models.url_text import redact

if TYPE_CHECKING:
    from models.store import Store

# What a screen's job is handed: the database session of one unit of work, to pass to the
# services. Screens name it only under TYPE_CHECKING (they import no SQL library) and never
# query it themselves.
Db: TypeAlias = Session
# What a job run around the unit of work is handed: the store's ``write``, to open it itself.
UnitOfWork: TypeAlias = Callable[[], AbstractContextManager[Session]]

T = TypeVar("T")

# SQLite reports some mistakes in the SQL itself as OperationalError, like a lost store: a bug.
SQLITE_MISTAKES = (
    "syntax error",
    "no such table",
    "no such column",
    "no such function",
    "has no column named",
    "incomplete input",
    "unrecognized token",
    "wrong number of arguments",
)
# PostgreSQL's classes of SQLSTATE that mean the server, not the SQL: connection exception,
# insufficient resources, operator intervention (shut down, restarting), system error (disk).
SERVER_STATE_CLASSES = ("08", "53", "57", "58")
# ... and single states: serialization failure and deadlock (still there after the retries),
# lock not available, read-only transaction (a standby server).
SERVER_STATES = ("40001", "40P01", "55P03", "25006")


def run(
    store: Store,
    job: Callable[[Session], T],
    *,
    write: bool = False,
    committed: Callable[[Session], object] | None = None,
) -> T:
    """``job(db)`` in one unit of work on ``store``: ``store.read()``, or for a write
    ``store.write_retrying`` (``job`` must be safe to run again: a failed attempt is rolled back).
    ``committed(db)`` runs once a write has committed, with the unit that did (what it noted
    on the way, such as invites it made out of date: circles/services/upkeep.py)."""
    try:
        if write:
            return write_unit(store, job, committed=committed)
        with store.read() as db:
            return job(db)
    except sa_exc.SQLAlchemyError as exc:
        raise unavailable(store, exc) from exc


def write_unit(
    store: Store,
    job: Callable[[Session], T],
    *,
    committed: Callable[[Session], object] | None = None,
    attempts: int | None = None,
) -> T:
    """``job(db)`` in one write unit of work, tried again while the store is briefly busy (at
    most ``attempts`` times: ``Store.write_retrying``), then ``committed(db)`` with the unit that
    committed. The store's errors come out as SQLAlchemy raised them: ``run`` tells them as
    ``StoreUnavailable``, the command line in its own words (circles/cli/common.py)."""
    result, db = store.write_retrying(lambda db: (job(db), db), attempts=attempts)
    if committed is not None:
        committed(db)
    return result


def run_around_unit(store: Store, job: Callable[[UnitOfWork], T]) -> T:
    """``job(store.write)``, for work that opens the write unit of work itself because it must
    span it: files written whole before the commit of the store change they announce, and put
    in place after it (circles/exports/invite_files.py). Not tried again when busy."""
    try:
        return job(store.write)
    except sa_exc.SQLAlchemyError as exc:
        raise unavailable(store, exc) from exc


def run_with_store(store: Store, job: Callable[[Store], T]) -> T:
    """``job(store)``, for work that commits step by step as it goes: a send writes each
    message's log row as the server takes it (circles/delivery/send.py)."""
    try:
        return job(store)
    except sa_exc.SQLAlchemyError as exc:
        raise unavailable(store, exc) from exc


def unavailable(store: Store, exc: sa_exc.SQLAlchemyError) -> StoreUnavailable | sa_exc.SQLAlchemyError:
    """The error to raise for ``exc``: ``StoreUnavailable`` when the store failed, else ``exc``
    itself (a bug)."""
    if is_damaged(exc):
        return StoreUnavailable(first_line(exc), explained=store.explain(exc))
    reason = unavailable_reason(exc)
    return exc if reason is None else StoreUnavailable(redact(reason))


def is_store_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the store's own failure (gone, locked past its wait, full, read-only,
    damaged) rather than a bug: the line the app and the command line both draw."""
    return is_damaged(exc) or unavailable_reason(exc) is not None


def is_damaged(exc: BaseException) -> bool:
    """A SQLite store whose pages cannot be read: waiting will not help, a backup will."""
    cause = getattr(exc, "orig", None) or exc
    return getattr(cause, "sqlite_errorname", None) in UNREADABLE


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the store could not do the work, if the failure was the store's; None for a bug."""
    if isinstance(exc, sa_exc.TimeoutError):  # every pooled connection busy past the pool's wait
        return "no free connection to the store"
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    orig = exc.orig if exc.orig is not None else exc
    reason = first_line(orig)
    if exc.connection_invalidated:
        return reason
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    if sqlstate:
        return reason if sqlstate[:2] in SERVER_STATE_CLASSES or sqlstate in SERVER_STATES else None
    if isinstance(exc, sa_exc.OperationalError):
        return None if any(m in reason.lower() for m in SQLITE_MISTAKES) else reason
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

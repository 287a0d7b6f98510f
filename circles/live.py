"""Live screens: noticing that another writer (another app, the CLI, psql) changed the store, on
one dedicated connection per app, and saying what changed to whoever shows it.

PostgreSQL: LISTEN on the channel ``circles_changes``. Triggers send the notifications
(migration 0070), not the unit of work's commit hook, because triggers see every writer: the
CLI and the app, but also a script or psql that never loads circles, and the Core statements
the services use for speed (check-in is an INSERT ... ON CONFLICT, agenda moves are UPDATE
statements) whose ids a commit hook could only guess. They are statement-level, with a
transition table, so a statement sends one notification per distinct set of ids it touched
("attendance circle=3 session=12 person=7": ids, never rows) and a bulk one only its table's
name; PostgreSQL drops a payload already sent in the same transaction and delivers them all at
the commit, none on a rollback. Notifications from this app's own connections are dropped:
the screen that wrote already shows what it wrote.

The listener needs a session of its own on the server, which PgBouncer in transaction mode
cannot give: its LISTEN lands on whichever server connection runs it, and the notifications
are lost. So, with ``CIRCLES_LISTEN_URL`` set to a direct URL (to the server, or a PgBouncer
pool in session mode) the app listens there; set to ``poll``, or unset behind a pooler (a URL
with ``prepare_threshold=none``, the setting transaction mode needs), it polls instead: the
server's snapshot (txid_current_snapshot) changes whenever any writing transaction ends, so
a change to it means "something changed" and the screen looks again. That costs one tiny
query every POLL_SECONDS, and a look again after writes to other databases of the server.

SQLite: ``PRAGMA data_version`` on a connection of its own changes when another connection
commits; read every POLL_SECONDS it costs no I/O. It cannot say what changed, nor tell this
app's own writes from others': after each of its own writes the app reads it at once
(:meth:`ChangeWatcher.own_write_committed`) so its own change is not taken for someone else's.
An in-memory store has no other writer: nothing is watched.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url

from circles import validate
from models.engine import sqlite_file
from models.store import Store

CHANNEL = "circles_changes"
LISTEN_URL_ENV = "CIRCLES_LISTEN_URL"
POLL_SECONDS = 0.4
WAIT_SECONDS = 0.25  # how long the listener waits for a notification before it checks it should stop
GATHER_SECONDS = 0.05  # the rest of a burst (one commit's notifications) comes in one batch
RETRY_SECONDS = 3.0  # after the connection was lost


@dataclass(frozen=True)
class Change:
    """A change someone else made. ``table`` None: something, we cannot say what (SQLite, polling,
    a lost connection). ``ids``: what it is about ({"circle": 3, "session": 12}); empty: any
    row of the table."""

    table: str | None = None
    ids: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, payload: str) -> Change:
        """From a notification's payload, 'attendance circle=3 session=12'."""
        table, *pairs = payload.split()
        ids: dict[str, int] = {}
        for pair in pairs:
            kind, _, value = pair.partition("=")
            found = validate.id_in(value)  # any client may notify the channel: never int() on it
            if found is not None:
                ids[kind] = found
        return cls(table, ids)

    def touches(self, tables: Iterable[str], **ids: int | None) -> bool:
        """Whether a screen showing ``tables`` about ``ids`` (circle=3, session=12) must look
        again: a change to one of its tables that names none of its ids differently."""
        if self.table is None:
            return True
        if self.table not in tables:
            return False
        return all(self.ids.get(kind, value) == value for kind, value in ids.items() if value is not None)


Tell = Callable[[list[Change]], None]


class ChangeWatcher:
    """Watches a store for other writers' changes in a thread of its own, on one connection of
    its own, and tells ``tell`` (from that thread) in batches. :meth:`for_store` builds the
    right one for the store, or None."""

    def __init__(self, tell: Tell) -> None:
        self._tell = tell
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.ready = threading.Event()  # watching: a change committed from now on is told

    @staticmethod
    def for_store(store: Store, tell: Tell, environ: Mapping[str, str]) -> ChangeWatcher | None:
        url = store.url
        if url.get_backend_name() == "sqlite":
            path = sqlite_file(url)
            return DataVersionWatcher(tell, str(path)) if path is not None else None
        if url.get_backend_name() != "postgresql":
            return None
        return PostgresWatcher(tell, store, environ.get(LISTEN_URL_ENV, "").strip())

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="circles-change-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and close the connection (waits for the thread, under a second)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def own_write_committed(self) -> None:
        """This app has just committed a write (called from the thread that wrote)."""

    def _run(self) -> None:
        lost = False
        while not self._stop.is_set():
            try:
                self._connect()
                self._begin()
                self.ready.set()
                if lost:  # whatever happened meanwhile went unseen
                    self._tell([Change()])
                    lost = False
                self._watch()
            except Exception:
                # The server went away or restarted: try again in a while; screens still load
                # whenever they are opened.
                lost = True
            finally:
                with self._lock:
                    self._close()
            self._stop.wait(RETRY_SECONDS)

    def _connect(self) -> None:
        raise NotImplementedError

    def _begin(self) -> None:
        """Connected: note where things stand, so what changes from now on is seen."""

    def _watch(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class _VersionWatcher(ChangeWatcher):
    """Polls a value that changes when a write commits; tells a Change() when it has."""

    _last: object = None

    def _read(self) -> object:
        raise NotImplementedError

    def _begin(self) -> None:
        with self._lock:
            self._last = self._read()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            with self._lock:
                now = self._read()
                changed, self._last = now != self._last, now
            if changed:
                self._tell([Change()])

    def own_write_committed(self) -> None:
        # Read now, so the next poll does not see this app's own write as someone else's. A
        # write by someone else in the same moment is taken in with it; the screen that wrote
        # loads afresh after its write anyway, and every screen does when it comes back.
        with self._lock, contextlib.suppress(Exception):
            if self._last is not None:
                self._last = self._read()


class DataVersionWatcher(_VersionWatcher):
    def __init__(self, tell: Tell, path: str) -> None:
        super().__init__(tell)
        self._path = path
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> None:
        # Read-only, and no file made if it went: it only ever reads one pragma.
        self._db = sqlite3.connect(
            f"file:{self._path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
        )

    def _read(self) -> object:
        assert self._db is not None
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _conninfo(url: URL) -> str:
    """A SQLAlchemy URL as libpq takes it (its driver name and our own query settings left out)."""
    plain = url.set(drivername="postgresql").difference_update_query(["prepare_threshold"])
    return plain.render_as_string(hide_password=False)


class PostgresWatcher(_VersionWatcher):
    """PostgreSQL: LISTEN on a connection of its own, outside the app's pool; or, behind a
    transaction-mode pooler, poll the server's snapshot (each poll a transaction of its own).
    Which one is settled on the watcher's thread, as it first connects (:attr:`polling`)."""

    def __init__(self, tell: Tell, store: Store, listen_url: str) -> None:
        super().__init__(tell)
        self._store = store
        self._listen_url = listen_url  # CIRCLES_LISTEN_URL: a URL, "poll", or "" (decide)
        self.polling: bool | None = None
        self._db: Any = None
        # The server processes of this app's own pool: their notifications are its own writes.
        self._own: set[int] = set()
        event.listen(store.engine, "checkout", self._checked_out)

    def _checked_out(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        self._own.add(dbapi_connection.info.backend_pid)

    def _behind_pooler(self) -> bool:
        """Whether the app's own connections go through a transaction-mode pooler: the store's
        URL then carries prepare_threshold=none (models/engine.py), and its connections say so."""
        with self._store.engine.connect() as conn:
            return conn.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]

    def _connect(self) -> None:
        import psycopg

        if self.polling is None:
            chosen = self._listen_url
            self.polling = chosen.lower() == "poll" or (not chosen and self._behind_pooler())
        if self.polling:
            # No prepared statements: the pooler may run each poll on another server connection.
            url = _conninfo(self._store.url)
            self._db = psycopg.connect(url, autocommit=True, prepare_threshold=None, connect_timeout=10)
            return
        url = _conninfo(make_url(self._listen_url)) if self._listen_url else _conninfo(self._store.url)
        self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        self._db.execute(f"LISTEN {CHANNEL}")

    def _read(self) -> object:
        # The snapshot's text (xmin:xmax:in-progress ids) changes when any writing transaction
        # ends, and only then: read-only transactions take no transaction id.
        return self._db.execute("SELECT txid_current_snapshot()::text").fetchone()[0]

    def _watch(self) -> None:
        if self.polling:
            super()._watch()
            return
        db = self._db
        while not self._stop.is_set():
            first = list(db.notifies(timeout=WAIT_SECONDS, stop_after=1))
            if not first:
                continue
            seen = [*first, *db.notifies(timeout=GATHER_SECONDS)]
            changes = [Change.parse(n.payload) for n in seen if n.pid not in self._own and n.payload]
            if changes:
                self._tell(changes)

    def _begin(self) -> None:
        if self.polling:
            super()._begin()

    def own_write_committed(self) -> None:
        if self.polling:
            super().own_write_committed()

    def stop(self) -> None:
        super().stop()
        with contextlib.suppress(Exception):
            event.remove(self._store.engine, "checkout", self._checked_out)

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None

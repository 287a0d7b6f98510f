"""Shared fixtures: a store on SQLite and, where CIRCLES_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

import models.url_text
from models.engine import create_store_engine, resolve_url, sqlite_url
from models.migrate import UpgradeResult
from models.schema import SCHEMA_HEAD
from models.store import Store
from tests.fault_support import full_disk_dir, small_disk_dir  # noqa: F401  (fixtures every test file may use)

POSTGRES_ENV = "CIRCLES_TEST_POSTGRES_URL"
if TYPE_CHECKING:
    from tests.test_cli import Cli

REPO = Path(__file__).resolve().parent.parent


class FixedClock:
    """A clock tests move by hand. Starts on Tuesday 2026-03-03 09:00 UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the real user's data or state folders (the error log) or inherit a
    store from the shell."""
    monkeypatch.delenv("CIRCLES_DATABASE_URL", raising=False)
    # Nor who the shell's user is (circles/me.py): Home would list their circles only.
    monkeypatch.delenv("CIRCLES_ME", raising=False)
    monkeypatch.delenv("CIRCLES_CONFIG", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    # Nor the user's e-mail settings (under HOME): whether an SMTP server is set changes what
    # screens say.
    monkeypatch.delenv("CIRCLES_SMTP_URL", raising=False)
    # Nor the machine's time zone: the app's "today" is the facilitator's (CirclesApp.today).
    # A test that needs another zone sets TZ itself.
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # The secrets a process has seen are hidden from every later message; one test's password
    # ("ab") must not turn another's "database is locked" into "dat***ase is locked".
    monkeypatch.setattr(models.url_text, "_seen", set())


def postgres_admin_url() -> URL | None:
    value = os.environ.get(POSTGRES_ENV)
    return resolve_url(value) if value else None


def needs_postgres() -> URL:
    url = postgres_admin_url()
    if url is None:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run starts a PostgreSQL server and sets it)")
    return url


class PostgresDatabases:
    """Throw-away PostgreSQL databases, one per test, dropped afterwards.

    A test's store is a copy of one migrated once per worker (``CREATE DATABASE ... TEMPLATE``),
    as running every migration per test cost seconds; a test's database is dropped in the
    background (a drop waits for a checkpoint), all of them before the session ends."""

    def __init__(self, admin: URL) -> None:
        self.admin = admin
        # Built as the store builds its own (a ?prepare_threshold=none for PgBouncer is psycopg's).
        self.engine = create_store_engine(admin).execution_options(isolation_level="AUTOCOMMIT")
        self._template: str | None = None
        # The drops' own connections, one per drop waiting (a store's engine lends four at most).
        # Each is new, so none prepares a statement: PgBouncer's ?prepare_threshold=none, which
        # psycopg would take as text from a plain engine, is left out.
        self._drop_engine = sa.create_engine(
            admin.difference_update_query(["prepare_threshold"]),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
        )
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._drop_failures: list[BaseException] = []
        self._dropper = threading.Thread(target=self._drop_in_turn, name="drop-test-databases", daemon=True)
        self._dropper.start()

    def create(self, *, migrated: bool = False) -> URL:
        """A new database: empty, or (``migrated``) holding an empty store at the schema's head."""
        name = f"circles_test_{uuid.uuid4().hex[:12]}"
        template = f' TEMPLATE "{self._migrated_template()}"' if migrated else ""
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{template}')
        return self.admin.set(database=name)

    def _migrated_template(self) -> str:
        if self._template is None:
            url = self.create()
            Store.open(url).close()  # closed: a template may have no one connected
            # ... and a pooler in between (tests/test_pgbouncer.py) keeps its server connection
            # to it open after the store let go: end it, or every copy is refused.
            with self.engine.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %(name)s AND pid <> pg_backend_pid()",
                    {"name": url.database},
                )
            self._template = url.database
        return self._template

    def drop(self, url: URL) -> None:
        with self._drop_engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')

    def drop_later(self, url: URL) -> None:
        """Drop the database in the background: the next test need not wait for it."""
        assert url.database is not None
        self._drops.put(url.database)

    def _drop_in_turn(self) -> None:
        # A drop waits for a checkpoint, and drops that wait at once share one: those queued
        # meanwhile go together (one at a time, each drop took seconds on a busy server).
        with ThreadPoolExecutor(max_workers=32) as pool:
            while True:
                names = [self._drops.get()]
                while not self._drops.empty():
                    names.append(self._drops.get())
                for failure in pool.map(self._drop_quietly, [n for n in names if n is not None]):
                    if failure is not None:
                        self._drop_failures.append(failure)
                if None in names:
                    return

    def _drop_quietly(self, name: str) -> BaseException | None:
        try:
            self.drop(self.admin.set(database=name))
        except BaseException as exc:  # said when the session ends
            return exc
        return None

    def close(self) -> None:
        self._drops.put(None)
        self._dropper.join()
        if self._template is not None:
            self.drop(self.admin.set(database=self._template))
        self.engine.dispose()
        self._drop_engine.dispose()
        if self._drop_failures:
            raise self._drop_failures[0]


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    admin = needs_postgres()
    dbs = PostgresDatabases(admin)
    yield dbs
    dbs.close()


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases, request: pytest.FixtureRequest) -> Iterator[URL]:
    """A new PostgreSQL database: empty, or a migrated empty store where the test's ``store``
    fixture opens it (the store fixture would migrate it first thing)."""
    url = postgres_databases.create(migrated="store" in request.fixturenames)
    yield url
    postgres_databases.drop_later(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store migrated once per worker, copied for each test's fresh store."""
    path = tmp_path_factory.mktemp("template") / "circles.db"
    Store.open(sqlite_url(path)).close()  # closed: its write-ahead log is folded into the file
    return path


def _as_migrated(store: Store) -> Store:
    # What opening it would have said, had its migrations run here rather than in the template.
    store.upgraded = UpgradeResult(None, SCHEMA_HEAD, None)
    return store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A fresh, empty store's URL: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        folder = tmp_path / "store"
        folder.mkdir(mode=0o700)  # an explicit path's folder is never made on the way (--create)
        yield sqlite_url(folder / "circles.db")
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: URL, clock: FixedClock, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated, empty store on each backend, with the fixed clock: a copy of one migrated
    once per worker (a SQLite file copied; a PostgreSQL database made from a template)."""
    path = store_url.database
    if store_url.get_backend_name() == "sqlite" and path is not None:
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        os.chmod(path, 0o600)  # as the store makes its file
    s = _as_migrated(Store.open(store_url, clock=clock))
    yield s
    s.close()


@pytest.fixture
def second_store(
    store: Store, clock: FixedClock, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Store]:
    """Another migrated, empty store on the backend of the test's ``store``, with the same clock:
    for what must come out the same twice (the demo for a seed)."""
    if store.engine.dialect.name == "sqlite":
        path = tmp_path / "second.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = sqlite_url(path)
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
        url = databases.create(migrated=True)
    s = _as_migrated(Store.open(url, clock=clock))
    yield s
    s.close()
    if s.engine.dialect.name != "sqlite":
        databases.drop_later(url)


@pytest.fixture
def cli(store: Store, tmp_path: Path) -> Cli:
    """The command line on a store that is there, migrated and empty (``store``, each backend):
    a command that only reads refuses a store that is not (tests/test_opening_stores.py)."""
    from tests.test_cli import Cli

    return Cli(store.url.render_as_string(hide_password=False), tmp_path / "home")


@pytest.fixture
def memory_store(clock: FixedClock, sqlite_template: Path) -> Iterator[Store]:
    """A fast in-memory SQLite store, for tests that are not about the backend (TUI, rules):
    the migrated template copied in with SQLite's backup."""
    s = Store.open(make_url("sqlite://"), clock=clock, migrate=False)
    fill_from(s, sqlite_template)
    yield _as_migrated(s)
    s.close()


def fill_from(store: Store, path: Path) -> None:
    """Make an in-memory store hold what the SQLite store at ``path`` holds (SQLite's backup)."""
    raw = store.engine.raw_connection()  # the one connection an in-memory store has
    try:
        with contextlib.closing(sqlite3.connect(path)) as source:
            target = raw.driver_connection
            assert isinstance(target, sqlite3.Connection)
            source.backup(target)
    finally:
        raw.close()


@pytest.fixture(scope="session")
def small_demo_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The small demo (seed 7) at the fixed clock's start, built once per worker for the tests
    that only look at it (build_demo took a second or more each): :func:`fill_from` copies it."""
    from circles.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "circles.db"
    shutil.copyfile(sqlite_template, path)
    store = Store.open(sqlite_url(path), clock=FixedClock())
    build_demo(store, size="small", seed=7)
    store.close()
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, each group in its own order: with work stealing (pyproject.toml),
    a long test started near the end would run on one core while the other sits idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_report_header(config: pytest.Config) -> str:
    url = postgres_admin_url()
    if url is None:
        return f"PostgreSQL: off ({POSTGRES_ENV} not set); store tests run on SQLite only"
    shown = url.render_as_string(hide_password=True)
    return f"PostgreSQL: on, {shown}; store tests run on SQLite and PostgreSQL"

"""Shared fixtures: a store on SQLite and, where CIRCLES_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

import models.url_text
from models.engine import create_store_engine, resolve_url, sqlite_url
from models.store import Store
from tests.fault_support import full_disk_dir, small_disk_dir  # noqa: F401  (fixtures every test file may use)

POSTGRES_ENV = "CIRCLES_TEST_POSTGRES_URL"
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
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("CIRCLES_CONFIG", raising=False)
    monkeypatch.delenv("CIRCLES_SMTP_URL", raising=False)
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
    """Throw-away PostgreSQL databases, one per test, dropped afterwards."""

    def __init__(self, admin: URL) -> None:
        self.admin = admin
        # Built as the store builds its own (a ?prepare_threshold=none for PgBouncer is psycopg's).
        self.engine = create_store_engine(admin).execution_options(isolation_level="AUTOCOMMIT")

    def create(self) -> URL:
        name = f"circles_test_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.admin.set(database=name)

    def drop(self, url: URL) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    admin = needs_postgres()
    dbs = PostgresDatabases(admin)
    yield dbs
    dbs.engine.dispose()


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> Iterator[URL]:
    url = postgres_databases.create()
    yield url
    postgres_databases.drop(url)


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
def store(store_url: URL, clock: FixedClock) -> Iterator[Store]:
    """A migrated, empty store on each backend, with the fixed clock."""
    s = Store.open(store_url, clock=clock)
    yield s
    s.close()


@pytest.fixture
def memory_store(clock: FixedClock) -> Iterator[Store]:
    """A fast in-memory SQLite store, for tests that are not about the backend (TUI, rules)."""
    s = Store.open(make_url("sqlite://"), clock=clock)
    yield s
    s.close()


def pytest_report_header(config: pytest.Config) -> str:
    url = postgres_admin_url()
    if url is None:
        return f"PostgreSQL: off ({POSTGRES_ENV} not set); store tests run on SQLite only"
    shown = url.render_as_string(hide_password=True)
    return f"PostgreSQL: on, {shown}; store tests run on SQLite and PostgreSQL"

"""The first glance (circles/glance.py on SQLite, circles/glance_postgres.py on PostgreSQL)
reads Home's data with the plain driver before the store opens. The store then reloads Home
through the services, so the two must say the same thing, on each backend."""

from __future__ import annotations

import socket
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from circles import glance_postgres
from circles.cli.common import CliState
from circles.demo import build_demo
from circles.glance import home_at_a_glance
from circles.services import attendance, circle_records, members, people, sessions
from circles.services.home import load_home
from models.engine import create_store_engine, sqlite_file, sqlite_url
from models.enums import Rsvp
from models.store import Store


def glance_at(url: URL, now):
    """The first glance the app would take at the store ``url`` names."""
    path = sqlite_file(url)
    if path is not None:
        return home_at_a_glance(path, now)
    conninfo = glance_postgres.postgres_conninfo(url.render_as_string(hide_password=False))
    assert conninfo is not None
    return glance_postgres.home_at_a_glance(conninfo, now)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest import FixedClock

    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("glance") / "demo.db")
    else:
        databases = request.getfixturevalue("postgres_databases")
        url = databases.create()
        request.addfinalizer(lambda: databases.drop(url))
    store = Store.open(url, clock=FixedClock())
    build_demo(store, size="small")
    store.close()
    return url


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo in a SQLite file of its own, for the tests that spoil a copy of it."""
    from tests.conftest import FixedClock

    path = tmp_path_factory.mktemp("glance") / "demo.db"
    store = Store.open(sqlite_url(path), clock=FixedClock())
    build_demo(store, size="small")
    store.close()
    return path


def _through_the_store(url: URL, now):
    store = Store.open(url)
    try:
        with store.read() as db:
            return load_home(db, now)
    finally:
        store.close()


@pytest.mark.parametrize("days_on", [0, 3, 17, 45, -30])
def test_the_glance_and_the_store_agree_on_the_demo(demo_url, clock, days_on):
    now = clock() + timedelta(days=days_on, hours=days_on % 7)
    glance = glance_at(demo_url, now)
    assert glance is not None
    assert glance == _through_the_store(demo_url, now)
    if days_on >= 0:
        # Something to compare: sessions, people's answers and agenda presenters.
        assert glance.upcoming and any(c.yes for c in glance.counts.values())


def test_they_agree_on_archived_circles_cancelled_sessions_leavers_and_answers(store_url, clock):
    store = Store.open(store_url, clock=clock)
    day = timedelta(days=1)
    with store.write() as db:
        ana = people.add_person(db, name="Ana", email="ana@example.org")
        bo = people.add_person(db, name="Bo", email="bo@example.org")
        cy = people.add_person(db, name="Cy", email="cy@example.org")
        kept = circle_records.add_circle(
            db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin"
        )
        gone = circle_records.add_circle(db, name="Old Guild", kind="workshop", timezone="UTC")
        for who in (ana, bo, cy):
            members.add_member(db, circle_id=kept.id, person_id=who.id, joined_at=clock() - day)
        first = sessions.add_session(db, circle_id=kept.id, starts_at=clock() + day)
        later = sessions.add_session(db, circle_id=kept.id, starts_at=clock() + 3 * day)
        sessions.add_session(db, circle_id=gone.id, starts_at=clock() + day)
    with store.write() as db:
        sessions.cancel_session(db, later)
        circle_records.update_circle(db, gone, archived=True)
        members.remove_member(db, circle_id=kept.id, person_id=cy.id, left_at=clock() + 2 * day)
        attendance.set_rsvp(db, session_id=first.id, person_id=ana.id, rsvp=Rsvp.YES)
        attendance.set_rsvp(db, session_id=first.id, person_id=bo.id, rsvp=Rsvp.MAYBE)
    store.close()
    glance = glance_at(store_url, clock())
    assert glance is not None and glance == _through_the_store(store_url, clock())
    assert [s.circle_name for s in glance.upcoming] == ["Rust Lunch", "Rust Lunch"]
    counts = glance.counts[first.id]
    assert (counts.yes, counts.maybe, counts.no_answer) == (1, 1, 1)  # Cy had not left yet
    assert glance.counts[later.id].no_answer == 2  # ... and had by then


def test_a_new_store_shows_the_welcome(store_url, clock):
    Store.open(store_url, clock=clock).close()
    glance = glance_at(store_url, clock())
    assert glance is not None and glance.empty


def test_the_glance_leaves_what_it_cannot_read_to_the_store(tmp_path, demo_file, clock):
    assert home_at_a_glance(tmp_path / "missing.db", clock()) is None
    assert not (tmp_path / "missing.db").exists()  # read-only: no file is made
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    assert home_at_a_glance(junk, clock()) is None
    other = tmp_path / "other.db"
    other.write_bytes(demo_file.read_bytes())
    with sqlite3.connect(other) as conn:  # a store an older or newer circles wrote
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    assert home_at_a_glance(other, clock()) is None


# A store named by a SQLite URL gets the same first glance as one named by its path: the app
# would otherwise wait for SQLAlchemy, the tables and the migrations before Home shows anything.
@pytest.mark.parametrize("form", ["absolute", "relative", "escaped", "driver"])
def test_a_sqlite_url_gets_the_first_glance_a_path_gets(tmp_path, demo_file, clock, monkeypatch, form):
    from circles.cli.common import CliState

    folder = tmp_path / "a folder"
    folder.mkdir()
    (folder / "demo.db").write_bytes(demo_file.read_bytes())
    monkeypatch.chdir(tmp_path)
    url = {
        "absolute": f"sqlite:///{folder / 'demo.db'}",  # sqlite:////tmp/...: four slashes
        "relative": "sqlite:///a folder/demo.db",
        "escaped": "sqlite:///a%20folder/demo.db",
        "driver": "sqlite+pysqlite:///a folder/demo.db",
    }[form]
    monkeypatch.setenv("CIRCLES_DATABASE_URL", url)
    read: list[Path] = []

    def glance_at(path, now):  # the real read, noting which file it read
        read.append(path)
        return home_at_a_glance(path, now)

    monkeypatch.setattr("circles.glance.home_at_a_glance", glance_at)
    glance = CliState(None).first_glance()
    assert glance is not None, f"no first glance for {url}"
    assert glance() is not None
    assert read == [folder / "demo.db"]
    # ... and the store opens that very file.
    from models.engine import resolve_url

    assert resolve_url(None) == sqlite_url(folder / "demo.db")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///notes.db",
        "sqlite:////srv/circles/notes.db",
        "sqlite:///a%20b/notes.db",
        "sqlite+pysqlite:///notes.db",
        "sqlite:///~/notes.db",  # SQLAlchemy does not expand ~, so neither do we
        "sqlite://",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///notes.db?mode=ro",
        "sqlite:///notes.db?",
        "sqlite:///file:notes.db?uri=true",
        "sqlite://host/notes.db",
        "sqlite://user@/notes.db",
        "postgresql://circles@127.0.0.1/circles",
    ],
)
def test_sqlite_urls_name_the_file_sqlalchemy_would_open(url, tmp_path, monkeypatch):
    from sqlalchemy.engine import make_url

    from models.location import sqlite_url_file

    monkeypatch.chdir(tmp_path)
    found = sqlite_url_file(url)
    parsed = make_url(url)
    plain = (
        parsed.get_backend_name() == "sqlite"
        and not (parsed.host or parsed.username or parsed.query or "?" in url)
        and parsed.database not in (None, "", ":memory:")
        and not str(parsed.database).startswith("file:")
    )
    # A plain file URL names the file SQLAlchemy opens; anything else is left to SQLAlchemy.
    assert found == (Path(str(parsed.database)).absolute() if plain else None)


@pytest.mark.postgres
def test_the_postgres_glance_leaves_what_it_cannot_read_to_the_store(postgres_url, clock):
    assert glance_at(postgres_url, clock()) is None  # an empty database: not a store yet
    Store.open(postgres_url, clock=clock).close()
    engine = create_store_engine(postgres_url)
    with engine.begin() as conn:  # a store an older or newer circles wrote
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")
    engine.dispose()
    assert glance_at(postgres_url, clock()) is None
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert glance_at(postgres_url.set(port=port), clock()) is None


def test_only_postgresql_urls_get_the_postgres_glance():
    conninfo = glance_postgres.postgres_conninfo
    assert conninfo("postgresql+psycopg://u:p@h:5/db?prepare_threshold=none&sslmode=require") == (
        "postgresql://u:p@h:5/db?sslmode=require"
    )
    assert conninfo("postgres://h/db") == "postgresql://h/db"
    assert conninfo("sqlite:///x.db") is None
    assert conninfo("mysql://h/db") is None


def test_the_app_is_given_a_first_glance_on_either_backend(demo_url):
    path = sqlite_file(demo_url)
    setting = str(path) if path else demo_url.render_as_string(hide_password=False)
    glance = CliState(setting).first_glance()
    assert glance is not None
    first = glance()
    assert first is not None and not first.empty

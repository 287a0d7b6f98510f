"""A store that is not one: another program's database is refused untouched, a damaged file or an
unusable URL is one line saying what to do (a screen, in the app), and a mistyped folder is not a
new, empty store."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from circles.app import CirclesApp
from circles.cli.common import CliState
from circles.services import people
from models.engine import sqlite_url
from models.migrate import MigrationError
from models.schema import SCHEMA_HEAD
from models.store import Store
from tests.fault_support import one_line_error, run_cli
from tests.tui_support import shown, until


def _fingerprint(path: Path) -> tuple[str, str, list[str]]:
    """The file's checksum, journal mode, and the files beside it: what 'untouched' means."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with open(path, "rb") as f:
        header = f.read(20)
    # Bytes 18-19 of a SQLite header are 2 in WAL mode (a text file has no such header).
    mode = "wal" if header[:16] == b"SQLite format 3\0" and header[18:20] == b"\2\2" else "other"
    return digest, mode, sorted(p.name for p in path.parent.iterdir())


def _notes_app(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('mine, not yours')")
    conn.close()


def _alembic_app(path: Path) -> None:
    """Another program that also keeps its schema with Alembic."""
    _notes_app(path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    conn.close()


def _wal_app(path: Path) -> None:
    _notes_app(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def _views_only(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIEW answer AS SELECT 42 AS value")
    conn.close()


FOREIGN = {"a table": _notes_app, "alembic of its own": _alembic_app, "wal": _wal_app, "a view": _views_only}


@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
def test_another_programs_sqlite_file_is_refused_untouched(tmp_path, make):
    path = tmp_path / "other.db"
    make(path)
    before = _fingerprint(path)
    for command in (["person", "list"], ["person", "add", "Ana", "--email", "ana@example.org"]):
        error = one_line_error(run_cli("--db", str(path), *command))
        assert str(path) in error and "nothing was changed" in error
        assert "not a circles store" in error or "or by another program" in error
    assert _fingerprint(path) == before


@pytest.mark.parametrize(
    "make",
    [
        lambda path: path.touch(),
        lambda path: sqlite3.connect(path).execute("PRAGMA user_version = 7").connection.close(),
        lambda path: (
            sqlite3.connect(path)
            .execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
            .connection.close()
        ),
    ],
    ids=["empty file", "database without a table", "empty alembic_version"],
)
def test_an_empty_file_or_a_database_without_tables_becomes_a_store(tmp_path, make):
    path = tmp_path / "new.db"
    make(path)
    assert run_cli("--db", str(path), "person", "list").exit_code == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]
    conn.close()


def _circles_store(path: Path) -> Path:
    store = Store.open(sqlite_url(path))
    with store.write() as db:
        for i in range(300):  # the person table spans many pages
            people.add_person(db, name=f"Person {i}", email=f"p{i}@example.org")
    store.close()
    return path


def _text(path: Path) -> None:
    path.write_text("Dear diary,\n" * 100)


def _truncated(path: Path) -> None:
    _circles_store(path)
    os.truncate(path, 8192)


def _overwritten_header(path: Path) -> None:
    _circles_store(path)
    with path.open("r+b") as f:
        f.write(b"\x89PNG\r\n\x1a\n" * 12)


def _garbage_pages(path: Path) -> None:
    """Intact schema, a garbage table: opening works, reading people fails."""
    _circles_store(path)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'person'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * size)
        f.write(bytes(range(256)) * (size // 256))


DAMAGED = {
    "text file": _text,
    "truncated": _truncated,
    "overwritten header": _overwritten_header,
    "garbage pages": _garbage_pages,
}


@pytest.mark.parametrize("make", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_store_is_one_line_naming_it_and_the_way_back(tmp_path, make):
    path = tmp_path / "circles.db"
    make(path)
    before = _fingerprint(path)
    error = one_line_error(run_cli("--db", str(path), "person", "list"))
    assert str(path) in error and "db restore" in error and "damaged" in error
    assert _fingerprint(path)[0] == before[0]


@pytest.mark.parametrize(
    "url",
    ["mysql://u@localhost/x", "foo://u@localhost/x", "postgresql+psycopg2://u@localhost/x", "sqlite://u@h/x"],
)
def test_a_url_circles_cannot_use_is_one_line(url):
    error = one_line_error(run_cli("--db", url, "person", "list"))
    assert url.split("@")[0].split("://")[0] in error
    assert ("SQLite" in error and "PostgreSQL" in error) or "sqlite:///PATH" in error


def test_a_store_in_a_folder_that_does_not_exist_is_made_only_when_asked(tmp_path):
    path = tmp_path / "typo" / "team" / "circles.db"
    error = one_line_error(run_cli("--db", str(path), "person", "list"))
    assert str(tmp_path / "typo" / "team") in error and "--create" in error
    env = {"CIRCLES_DATABASE_URL": str(path)}
    assert "--create" in one_line_error(run_cli("person", "list", env=env))
    assert not (tmp_path / "typo").exists()

    assert run_cli("--db", str(path), "--create", "person", "list").exit_code == 0
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A new file in a folder that exists is a new store, as before, for a command that adds.
    another = str(tmp_path / "another.db")
    assert run_cli("--db", another, "person", "add", "Ana", "--email", "ana@example.org").exit_code == 0


def test_a_mistyped_store_is_not_taken_for_an_empty_one(tmp_path):
    """'circles --db circels.db person list' said there was nobody, from a new, empty store
    made on the way: a typo looked like lost data. Only a command that adds something (or
    --create, or the default store) starts a store, and it says so once."""
    typo = tmp_path / "circels.db"
    for args in (
        ["person", "list"],
        ["session", "list", "--json"],
        ["db", "upgrade"],
        ["db", "backup", str(tmp_path / "b.db")],
        ["export", "attendance"],
        ["rsvp", "1", "ana@example.org", "yes"],
    ):
        error = one_line_error(run_cli("--db", str(typo), *args))
        assert error == (
            f"circles: No store at {typo}: check the path, "
            "or add --create to start a new, empty store there.\n"
        ), args
    assert not typo.exists()
    added = run_cli("--db", str(typo), "person", "add", "Ana", "--email", "ana@example.org")
    assert added.exit_code == 0 and added.stderr == f"Started a new store at {typo}.\n"
    listed = run_cli("--db", str(typo), "person", "list")
    assert listed.stderr == "" and "Ana" in listed.stdout
    made = run_cli("--db", str(tmp_path / "new.db"), "--create", "person", "list", "--json")
    assert made.stdout.strip() == "[]" and made.stderr == f"Started a new store at {tmp_path / 'new.db'}.\n"


def test_the_default_store_and_its_folder_are_made_on_first_use(tmp_path):
    # conftest points XDG_DATA_HOME at a folder that does not exist yet: a fresh machine.
    assert run_cli("person", "list").exit_code == 0
    path = Path(run_cli("db", "path").stdout.strip())
    assert path.is_relative_to(tmp_path) and path.is_file()


def test_a_folder_given_as_the_store_is_refused(tmp_path):
    error = one_line_error(run_cli("--db", str(tmp_path), "person", "list"))
    assert "is a folder" in error


@pytest.mark.postgres
def test_a_postgresql_database_with_another_programs_tables_is_refused_untouched(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
    with pytest.raises(MigrationError, match=r"not a circles store .*notes"):
        Store.open(postgres_url)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["notes"]
    engine.dispose()


# The app: a screen that says so, instead of "Opening your store…" for ever.

APP_CASES = {
    "another program's file": (lambda tmp: _made(tmp / "other.db", _notes_app), "not a circles store"),
    "a text file": (lambda tmp: _made(tmp / "notes.db", _text), "db restore"),
    "no such folder": (lambda tmp: str(tmp / "typo" / "circles.db"), "--create"),
    "mysql": (lambda tmp: "mysql://u@localhost/x", "not one circles can use"),
    "bad port": (lambda tmp: "postgresql://u:S3cretPw@127.0.0.1:5432x/db", "port must be a number"),
}


def _made(path: Path, make) -> str:
    make(path)
    return str(path)


@pytest.mark.parametrize(("setting", "said"), APP_CASES.values(), ids=APP_CASES.keys())
async def test_the_app_says_why_the_store_did_not_open(tmp_path, setting, said):
    from screens.start import StartScreen

    cli = CliState(setting(tmp_path))
    app = CirclesApp(open_store=cli.open_store, first_glance=cli.first_glance())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.open_failure is not None)
        assert isinstance(app.screen, StartScreen)
        text = shown(app.screen.query_one("#start-status"))
        assert "could not be opened" in text and said in text and "S3cretPw" not in text
        await pilot.press("q")
    assert said in (app.open_failure or "")


def test_quitting_the_app_after_a_store_failed_to_open_exits_1_and_says_why(monkeypatch, tmp_path):
    import circles.app
    from circles.cli import terminal

    monkeypatch.setattr(terminal, "app_can_run", lambda: True)  # as in a terminal: the test's has none
    monkeypatch.setattr(circles.app, "run", lambda open_store, first_glance=None: "the disk is on fire")
    result = run_cli("--db", str(tmp_path / "circles.db"))
    assert result.exit_code == 1 and result.stderr == "circles: the disk is on fire\n"


async def test_the_app_says_a_store_with_damaged_pages_is_damaged_when_it_meets_them(tmp_path):
    """The schema reads fine, so the store opens; the people directory's pages do not."""
    from screens.home import HomeScreen

    cli = CliState(_made(tmp_path / "circles.db", _garbage_pages))
    app = CirclesApp(open_store=cli.open_store, first_glance=cli.first_glance())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app._store is not None)
        await pilot.press("p")

        def told() -> list[str]:
            return [n.message for n in app._notifications]

        await until(pilot, lambda: any("damaged" in m for m in told()))
        message = next(m for m in told() if "damaged" in m)
        assert str(tmp_path / "circles.db") in message and "db restore" in message


async def test_the_app_leaves_another_programs_wal_database_untouched(tmp_path):
    """The first glance reads the file before the store does: neither may change it."""
    path = tmp_path / "other.db"
    _wal_app(path)
    before = _fingerprint(path)
    cli = CliState(str(path))
    app = CirclesApp(open_store=cli.open_store, first_glance=cli.first_glance())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.open_failure is not None)
    assert "not a circles store" in (app.open_failure or "")
    assert _fingerprint(path) == before


@pytest.mark.skipif(not os.environ.get("CIRCLES_TEST_POSTGRES_URL"), reason="needs a PostgreSQL server")
def test_a_postgresql_database_that_is_not_there_is_said_with_how_to_make_it() -> None:
    """A new user's first --db to PostgreSQL names a database not made yet; --create makes SQLite
    files only, and the server's 'database ... does not exist' left them to guess (walk22)."""
    server = sa.make_url(os.environ["CIRCLES_TEST_POSTGRES_URL"])
    url = server.set(database="walk22_not_made").render_as_string(hide_password=False)
    error = one_line_error(run_cli("--db", url, "--create", "person", "list"))
    assert 'database "walk22_not_made" does not exist' in error
    assert "create it first (createdb walk22_not_made, or CREATE DATABASE" in error
    assert ":circles@" not in error  # the test server's password


@pytest.mark.skipif(not os.environ.get("CIRCLES_TEST_POSTGRES_URL"), reason="needs a PostgreSQL server")
def test_a_database_that_is_not_there_is_known_by_the_servers_list_not_its_words() -> None:
    """libpq hands no SQLSTATE for a refused connection, and the server words the refusal in its
    own language: the hint went by the English words 'database "x" does not exist', which a
    name with a quote in it (or a server speaking German) did not match. The server's list of
    databases says it; the hint quotes a name that the shell or SQL would read otherwise."""
    server = sa.make_url(os.environ["CIRCLES_TEST_POSTGRES_URL"])
    url = server.set(database='Walk23 "Not" Made').render_as_string(hide_password=False)
    error = one_line_error(run_cli("--db", url, "--create", "person", "list"))
    assert "circles does not make PostgreSQL databases: create it first" in error
    assert "(createdb 'Walk23 \"Not\" Made', " in error
    assert 'or CREATE DATABASE "Walk23 ""Not"" Made" in psql)' in error

"""A database URL of any shape is one line when it cannot be used, and no password from it (from
its user part or its query string) or from PGPASSWORD is ever shown: on stdout, on stderr, on the
app's screens, in an exception's message or in a file."""

from __future__ import annotations

import string
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from circles.app import CirclesApp
from circles.cli.common import CliState
from models.engine import StoreLocationError, resolve_url, safe_url_text
from models.store import Store, StoreOpenError
from tests.fault_support import one_line_error, run_cli
from tests.tui_support import shown, until

SECRET = "Sw0rdfish42"

# (URL, what of it must never be shown). Port 1 on this machine refuses at once; 5432 is the
# test server (or nothing), which refuses these users.
HOSTILE = {
    "query password": (f"postgresql://circles@127.0.0.1:1/db?password={SECRET}", [SECRET]),
    "sslpassword": (
        f"postgresql://circles:pw1x@127.0.0.1:1/db?sslpassword={SECRET}&sslmode=prefer",
        [SECRET],
    ),
    "token-like parameters": (f"postgresql://circles@127.0.0.1:1/db?api_token={SECRET}&x=1", [SECRET]),
    "unescaped @": (f"postgresql://circles:ab@{SECRET}@127.0.0.1:1/db", [SECRET, "ab@"]),
    "two unescaped @": (f"postgresql://circles:x@y@{SECRET}@127.0.0.1:5432/db", [SECRET, "x@y"]),
    "escaped @": (f"postgresql://circles:ab%40{SECRET}@127.0.0.1:1/db", [SECRET]),
    "server refuses": (f"postgresql://nobody:{SECRET}@127.0.0.1:5432/nowhere", [SECRET]),
    "bad port": (f"postgresql://u:{SECRET}@127.0.0.1:5432x/db", [SECRET]),
    "bad port, query": (f"postgresql://u@127.0.0.1:54x/db?password={SECRET}", [SECRET]),
    "unparseable": (f"post gres://u:{SECRET}@host/db", [SECRET]),
    "unsupported": (f"mysql://u:{SECRET}@localhost/x?password={SECRET}", [SECRET]),
    "@ in the query": (f"postgresql://u@127.0.0.1:99999/db?password={SECRET}@x", [SECRET]),
}


def _clean(text: str, hidden: list[str]) -> None:
    for secret in hidden:
        assert secret not in text and quote(secret, safe="") not in text, (secret, text)


@pytest.mark.parametrize(("url", "hidden"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_url_is_one_line_and_shows_no_password(url, hidden, tmp_path):
    for command in (["person", "list"], ["db", "path"], ["db", "backup", str(tmp_path / "b.db")]):
        for given_as in ("--db", "environment"):
            args = ["--db", url, *command] if given_as == "--db" else command
            result = run_cli(*args, env={"CIRCLES_DATABASE_URL": url} if given_as != "--db" else None)
            _clean(result.output, hidden)
            if result.exit_code != 0:
                one_line_error(result)
            else:
                assert command == ["db", "path"]


@pytest.mark.parametrize(("url", "hidden"), HOSTILE.values(), ids=HOSTILE.keys())
def test_exceptions_show_no_password(url, hidden):
    with pytest.raises((StoreLocationError, StoreOpenError)) as raised:
        Store.open(resolve_url(url))
    _clean(str(raised.value), hidden)
    _clean(safe_url_text(url), hidden)


def test_db_path_shows_the_url_without_any_secret():
    url = f"postgresql://circles:{SECRET}@db.internal:5432/circles?sslpassword={SECRET}&sslmode=require"
    result = run_cli("--db", url, "db", "path")
    assert result.stdout == (
        "postgresql://circles:***@db.internal:5432/circles?sslmode=require&sslpassword=***\n"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "postgres://circles:{}@127.0.0.1:1/db",
        "postgresql+psycopg://circles:{}@127.0.0.1:1/db",
        "postgresql://circles:{}@127.0.0.1:1/db?prepare_threshold=none",
    ],
)
def test_messages_show_the_url_as_typed_not_with_the_driver_circles_picks(typed):
    """'postgresql+psycopg://' in a message named a URL nobody typed (circles picks psycopg)."""
    shown = typed.format("***")
    assert run_cli("--db", typed.format(SECRET), "db", "path").stdout == f"{shown}\n"
    error = one_line_error(run_cli("--db", typed.format(SECRET), "person", "list"))
    assert error.startswith(f"circles: Cannot open the store {shown.split('?')[0]}")
    with pytest.raises(StoreOpenError) as raised:
        Store.open(resolve_url(typed.format(SECRET)))
    assert str(raised.value).startswith(f"Cannot open the store {shown.split('?')[0]}")


def test_a_password_that_is_part_of_the_host_name_hides_the_password_not_the_host():
    out = run_cli("--db", "postgresql://circles:local@localhost:1/db", "db", "path").stdout
    assert out == "postgresql://circles:***@localhost:1/db\n"
    error = one_line_error(run_cli("--db", "postgresql://circles:local@localhost:1/db", "person", "list"))
    assert "circles:***@localhost:1/db" in error and "circles:local@" not in error


def test_a_password_in_the_environment_is_never_shown(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", SECRET)
    result = run_cli("--db", "postgresql://nobody@127.0.0.1:5432/nowhere", "person", "list")
    one_line_error(result)
    _clean(result.output, [SECRET])


def test_no_file_written_holds_a_password(tmp_path, monkeypatch):
    """No log: every file the commands leave (in HOME, the data folder, the working folder)."""
    monkeypatch.chdir(tmp_path)
    for url, _hidden in HOSTILE.values():
        run_cli("--db", url, "person", "list")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            _clean(path.read_bytes().decode("utf-8", "replace"), [SECRET])


@pytest.mark.parametrize(
    ("url", "hidden"), [HOSTILE[k] for k in ("unescaped @", "bad port", "server refuses")]
)
async def test_the_app_shows_no_password(url, hidden):
    from screens.start import StartScreen

    app = CirclesApp(open_store=CliState(url).open_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.open_failure is not None)
        assert isinstance(app.screen, StartScreen)
        _clean(shown(app.screen.query_one("#start-status")), hidden)
        _clean(app.open_failure or "", hidden)
        _clean(" ".join(n.message for n in app._notifications), hidden)


# Any URL shape: never a traceback, never a password.

_CHUNK = st.text(string.ascii_letters + string.digits, min_size=5, max_size=8).map(lambda s: "Q" + s)
_SEPARATOR = st.sampled_from(["@", ":", "/", "?", "#", "%", "&", "=", "%40", " ", "@@", "+"])


@st.composite
def _secret(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A password made of distinctive chunks, joined by the characters URLs split on."""
    chunks = draw(st.lists(_CHUNK, min_size=1, max_size=3))
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined += draw(_SEPARATOR) + chunk
    return joined, chunks


@st.composite
def _url(draw: st.DrawFn) -> tuple[str, list[str]]:
    secret, chunks = draw(_secret())
    written = draw(st.sampled_from([secret, quote(secret, safe=""), quote(secret, safe="@:")]))
    scheme = draw(
        st.sampled_from(
            [
                "postgresql",
                "postgres",
                "postgresql+psycopg",
                "postgresql+psycopg2",
                "sqlite",
                "mysql",
                "x",
                "a b",
            ]
        )
    )
    user = draw(st.sampled_from(["circles", "", "u", "a b", "%zz"]))
    host = draw(
        st.sampled_from(
            [
                "127.0.0.1:1",
                "127.0.0.1:5432",
                "localhost:1",
                "[::1]:1",
                "",
                "127.0.0.1:5432x",
                "h:99999",
                "127.0.0.1:-1",
                "[::1",
                "127.0.0.1:\u0665\u0664",
                "h@st:1",
            ]
        )
    )
    path = draw(st.sampled_from(["/db", "", "/", "/a/b", "/%zz"]))
    where = draw(st.sampled_from(["user", "query", "both", "other parameter"]))
    userinfo = f"{user}:{written}@" if where in ("user", "both") else (f"{user}@" if user else "")
    query = {
        "user": draw(st.sampled_from(["", "?sslmode=disable", "?application_name=me@x"])),
        "query": f"?{draw(st.sampled_from(['password', 'sslpassword', 'PassWord']))}={written}",
        "both": f"?password={written}&sslmode=disable",
        "other parameter": f"?sslmode=disable&api_token={written}",
    }[where]
    return f"{scheme}://{userinfo}{host}{path}{query}", chunks


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    case=_url(),
    command=st.sampled_from([["db", "path"], ["person", "list"], ["circle", "list"]]),
    env=st.booleans(),
)
def test_no_url_shape_makes_a_traceback_or_shows_a_password(case, command, env, tmp_path, monkeypatch):
    url, chunks = case
    monkeypatch.chdir(tmp_path)  # a SQLite URL names a file relative to here
    result = run_cli(*command, env={"CIRCLES_DATABASE_URL": url}) if env else run_cli("--db", url, *command)
    _clean(result.output, chunks)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        one_line_error(result)


def test_the_url_shapes_include_ones_that_parse(tmp_path):
    """The property above is worth something only if some URLs get as far as a server."""
    assert make_url(f"postgresql://circles:{SECRET}@127.0.0.1:1/db").port == 1
    assert safe_url_text(Path(tmp_path).as_uri().replace("file", "sqlite", 1)).startswith("sqlite://")


async def test_a_password_that_is_an_everyday_word_is_hidden_where_it_is_the_password(tmp_path):
    """Secrets are hidden where they sit, not wherever the word appears: "circles" as a
    password leaves the app's own messages (and the user name) readable."""
    url = "postgresql://circles:circles@127.0.0.1:1/db"
    error = one_line_error(run_cli("--db", url, "person", "list"))
    assert error.startswith("circles: Cannot open the store postgresql://circles:***@127.0.0.1:1/db:")
    other = tmp_path / "other.db"
    other.write_text("not a database")
    app = CirclesApp(open_store=CliState(str(other)).open_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.open_failure is not None)
    said = app.open_failure or ""
    assert "not a SQLite database" in said and f"'circles --db {other} db restore BACKUP'" in said


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:", "sqlite+pysqlite://"])
def test_a_sqlite_url_that_names_no_file_is_refused_not_kept_in_memory(url, tmp_path):
    """`--db sqlite:///` opened a store in memory: 'Started a new store at sqlite:///.', a
    person added, and nothing there the next time. Refused before anything is written."""
    for command in (["person", "add", "Ana", "--email", "ana@example.org"], ["circle", "list"]):
        result = run_cli("--db", url, *command)
        assert one_line_error(result) == (
            f"circles: The database URL '{url}' names no file: a store in memory is forgotten when "
            "circles ends. Give a file, like sqlite:///PATH (or the path itself).\n"
        )
        assert "Started a new store" not in result.output

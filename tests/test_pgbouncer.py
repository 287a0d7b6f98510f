"""The store's tests through a real PgBouncer in transaction mode, the pooler an organisation puts
in front of PostgreSQL for many facilitators: with `?prepare_threshold=none` in the URL (the
README's advice) they pass; without it psycopg's prepared statements land on server
connections other transactions get, and fail."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from models.engine import create_store_engine, resolve_url
from models.store import Store
from tests.conftest import REPO, needs_postgres
from tests.tool_support import require_tool

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
# The store's own tests: its services on sessions, people and circles, and two writers at once.
SUBSET = ["tests/test_services_sessions.py", "tests/test_concurrency.py", "tests/test_store_pool.py"]
# Behind PgBouncer the app's connection is to PgBouncer, which replaces a dropped server
# connection itself; and the test's "administrator" may be handed the server connection it ends.
NOT_BEHIND_PGBOUNCER = "dropped_while_idle"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pgbouncer() -> Iterator[URL]:
    """PgBouncer on a free port of 127.0.0.1, transaction mode, in front of the test server; its URL."""
    require_tool(None if PGBOUNCER else "PgBouncer is not installed (apt-get install pgbouncer)")
    assert PGBOUNCER is not None
    server = needs_postgres()
    folder = Path(tempfile.mkdtemp(prefix="circles-pgbouncer-"))
    port = _free_port()
    (folder / "userlist.txt").write_text(f'"{server.username}" "{server.password}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server.host or '127.0.0.1'} port={server.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {folder / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        # Few server connections, so transactions take turns on them as they do under load (five:
        # a test may hold an app's four at once).
        "default_pool_size = 5\nmax_client_conn = 200\n"
        f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer will not run as root
        user = pwd.getpwnam("postgres")
        for path in (folder, *folder.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # until it takes connections
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "pgbouncer.log").read_text() if (folder / "pgbouncer.log").exists() else ""
                pytest.fail(
                    f"PgBouncer did not start: {process.stdout.read() if process.stdout else ''}{log}"
                )
            time.sleep(0.05)
        yield server.set(port=port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


def _run_subset(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-k",
            f"postgres and not {NOT_BEHIND_PGBOUNCER}",
            "-p",
            "no:cacheprovider",
            *SUBSET,
        ],
        cwd=REPO,
        env={**os.environ, "CIRCLES_TEST_POSTGRES_URL": url},
        capture_output=True,
        text=True,
    )


def test_the_store_works_through_pgbouncer_in_transaction_mode(pgbouncer: URL) -> None:
    url = pgbouncer.render_as_string(hide_password=False) + "?prepare_threshold=none"
    result = _run_subset(url)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("threshold", [None, "none"], ids=["psycopg-default", "prepare_threshold=none"])
def test_a_statement_run_often_survives_changing_server_connections(
    pgbouncer: URL, postgres_url: URL, threshold: str | None
) -> None:
    """Why the setting: psycopg prepares a statement run five times on its connection, but in
    transaction mode the next transaction may run on another server connection, which never
    saw it. Here one app's next transaction is made to land on another server connection."""
    through = pgbouncer.set(database=postgres_url.database)
    if threshold is not None:
        through = through.update_query_dict({"prepare_threshold": threshold})
    Store.open(postgres_url).close()  # migrated directly, so only the statements below go through PgBouncer
    app = create_store_engine(resolve_url(through.render_as_string(hide_password=False)))
    other = create_store_engine(resolve_url(through.render_as_string(hide_password=False)))
    try:
        with app.connect() as conn, conn.begin():
            for _ in range(6):
                conn.exec_driver_sql("SELECT count(*) FROM person").scalar()
        with other.connect() as busy, busy.begin():
            busy.exec_driver_sql("SELECT 1")  # holds the server connection the app just used
            with app.connect() as conn, conn.begin():
                if threshold is None:
                    with pytest.raises(DBAPIError, match="prepared statement"):
                        conn.exec_driver_sql("SELECT count(*) FROM person")
                else:
                    assert conn.exec_driver_sql("SELECT count(*) FROM person").scalar() == 0
    finally:
        app.dispose()
        other.dispose()

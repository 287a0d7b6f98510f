"""A private PostgreSQL for the benchmarks: a cluster of its own under bench/.cache/, holding the
large demo store (the huge one with CIRCLES_BENCH_SIZE=huge), started on 127.0.0.1 on a free
port and stopped again.

The server programs are Debian's, where .ci/run finds them (the newest version under
/usr/lib/postgresql), or the first pg_ctl on PATH. The cluster's data folder is built once
(initdb, the demo loaded with `circles demo --size large` or `huge`) and kept: the next run starts
it again in seconds. It is named after the size and the schema head: after a new migration the
cluster of an older head is renamed, started and brought up to date by the store's own upgrade
(minutes, where building the huge one again takes over an hour), and built afresh only when that
fails. Run as root, the server runs as the `postgres` user, as
PostgreSQL refuses to run as root. It listens on 127.0.0.1 only, with no Unix socket, and
trusts local connections: a throw-away server for measuring, nothing else.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import CACHE, REPO, SIZE

DATABASE = "circles"
USER = "circles"


def server_programs() -> Path:
    """The folder holding initdb and pg_ctl."""
    debian = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in debian.glob("*/bin") if (p / "pg_ctl").exists()),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")],
    )
    if versions:
        return versions[-1]
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise SystemExit("no PostgreSQL server programs (initdb, pg_ctl): .ci/run installs Debian's")


def _as_server_user() -> dict[str, object]:
    """subprocess options that run the server programs as `postgres` when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise SystemExit("running as root, and there is no postgres user to run the server as") from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def url(port: int, database: str = DATABASE) -> str:
    return f"postgresql://{USER}@127.0.0.1:{port}/{database}"


class Server:
    """One cluster's data folder, started and stopped with pg_ctl."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.bin = server_programs()
        self.port: int | None = None

    def _run(self, *args: str) -> None:
        log = self.data.parent / f"{self.data.name.removesuffix('.building')}.log"
        with open(log, "a", encoding="utf-8") as out:
            subprocess.run(
                [str(self.bin / args[0]), *args[1:]],
                check=True,
                stdout=out,
                stderr=subprocess.STDOUT,
                **_as_server_user(),  # type: ignore[arg-type]
            )

    def initdb(self) -> None:
        self.data.mkdir(mode=0o700, parents=True)
        _chown_to_server_user(self.data)
        # Trust, on a server that listens on 127.0.0.1 only while a benchmark runs.
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-instructions"
        )

    def start(self) -> str:
        self.port = free_port()
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories=''"
        # A server a killed run left behind holds the folder: stop it first.
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "stop", "-m", "fast"],
                capture_output=True,
                **_as_server_user(),  # type: ignore[arg-type]
            )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-t", "120", "start")
        return url(self.port)

    def stop(self) -> None:
        """Stops the server; quietly if it has stopped already (a Ctrl-C reaches it too)."""
        if self.port is not None:
            self.port = None
            subprocess.run(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                **_as_server_user(),  # type: ignore[arg-type]
            )


def _load_demo(server: Server) -> None:
    import psycopg

    admin = url(server.port or 0, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    print(f"loading the {SIZE} demo into the private PostgreSQL (once) ...", file=sys.stderr, flush=True)
    subprocess.run(
        [sys.executable, "-m", "circles", "--db", url(server.port or 0), "demo", "--size", SIZE],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with psycopg.connect(url(server.port or 0), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def cluster_folder() -> Path:
    from models.schema import SCHEMA_HEAD

    return CACHE / f"postgres-{SIZE}-{SCHEMA_HEAD}"


def _older_cluster() -> Path | None:
    """A cluster of this size built at an earlier schema head, which an upgrade can bring up to
    date: not a broken build, nor one of a later head (another branch's), which this version
    cannot open."""
    from models.migrate import is_known_revision

    for folder in sorted(CACHE.glob(f"postgres-{SIZE}-*")):
        head = folder.name.removeprefix(f"postgres-{SIZE}-")
        if folder.is_dir() and folder != cluster_folder() and is_known_revision(head):
            return folder
    return None


def _upgraded(older: Path, data: Path) -> bool:
    """Whether the cluster ``older`` now is ``data``, its store at this version's schema head."""
    from models.engine import resolve_url
    from models.store import Store

    log = older.with_name(older.name + ".log")
    print(f"upgrading the PostgreSQL cluster {older.name} to {data.name} ...", file=sys.stderr, flush=True)
    older.rename(data)
    if log.exists():
        log.rename(data.with_name(data.name + ".log"))
    server = Server(data)
    started = time.perf_counter()
    try:
        Store.open(resolve_url(server.start())).close()
    except Exception as exc:  # any failure: the cluster is built again
        print(f"the upgrade failed ({exc}): building it again", file=sys.stderr, flush=True)
        return False
    finally:
        server.stop()
    print(f"upgraded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return True


@contextmanager
def large_demo_server() -> Iterator[str]:
    """The URL of the large demo store on the private server, running while inside."""
    data = cluster_folder()
    if not data.exists() and not ((older := _older_cluster()) and _upgraded(older, data)):
        for old in CACHE.glob(f"postgres-{SIZE}-*"):  # another head's cluster, a broken build or upgrade
            if old.is_dir():
                shutil.rmtree(old)
        building = data.with_name(data.name + ".building")
        server = Server(building)
        print(f"building a PostgreSQL cluster at {data} (once) ...", file=sys.stderr, flush=True)
        server.initdb()
        try:
            server.start()
            _load_demo(server)
        finally:
            server.stop()
        building.rename(data)
    server = Server(data)
    try:
        yield server.start()
    finally:
        server.stop()

"""What the benchmarks share: the cached large demo store on each backend, medians, and one way
to report.

`CIRCLES_BENCH_SIZE=huge` makes every script measure the huge demo store instead (ten times
large, built once under bench/.cache/ like it; for PostgreSQL, point CIRCLES_BENCH_POSTGRES_URL
at a database holding `circles demo --size huge`).

Every benchmark measures its subject and a baseline in the same run (the machines are
shared and noisy, so only ratios mean much) and prints a line `RESULT {json}` that
bench/run.py gathers into one table.

Every script takes `--backend sqlite|postgresql` (default sqlite). On PostgreSQL the large demo
store is the database CIRCLES_BENCH_POSTGRES_URL names (bench/run.py starts a private server,
loads it once and sets the variable); a script that needs a store of its own builds it once in
a database beside that one on the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

# The app as installed runs from compiled modules: where the environment says not to write them
# (PYTHONDONTWRITEBYTECODE), every module a screen imports on first use was compiled from
# source on each run (a third of a second of the Circle screen's first open, on icalendar
# alone), a cost no facilitator pays. The scripts, and the apps they start, write them.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
# The demo size the scripts measure: large, or huge when CIRCLES_BENCH_SIZE says so.
SIZE = os.environ.get("CIRCLES_BENCH_SIZE", "large")
if SIZE not in ("large", "huge"):
    raise SystemExit(f"CIRCLES_BENCH_SIZE must be large or huge, not {SIZE[:60]!r}")
LARGE = CACHE / f"{SIZE}.db"
BACKENDS = ("sqlite", "postgresql")
POSTGRES_ENV = "CIRCLES_BENCH_POSTGRES_URL"


def cached(path: Path, build: Callable[[Path], object]) -> Path:
    """``path``, built by ``build`` the first time and reused after. It is built under
    another name and renamed, so an interrupted build is never mistaken for a store."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".building")
        partial.unlink(missing_ok=True)
        build(partial)
        partial.rename(path)
    return path


def large_store(path: Path = LARGE) -> Path:
    """The large demo store (about a million attendance rows; ten million for huge), built
    once and reused."""

    def build(target: Path) -> None:
        print(f"building the {SIZE} demo store at {path} (once) ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "circles", "--db", str(target), "demo", "--size", SIZE],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    return cached(path, build)


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def proc_stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields from the third (state) on: the name before them may hold
    spaces. Index 1 is the parent, 11 and 12 its own user and system ticks, 13 and 14 those of
    its children that ended (``os.sysconf("SC_CLK_TCK")`` a second). Raises OSError when the
    process has ended."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def report(what: str, figure: str, baseline: str, ratio: float | None, target: str) -> None:
    """One row of the final table, printed readably and as a RESULT line for bench/run.py."""
    shown = f"{ratio:.2f}" if ratio is not None else "-"
    print(f"{what}: {figure} | baseline {baseline} | ratio {shown} | target {target}")
    row = {"what": what, "figure": figure, "baseline": baseline, "ratio": ratio, "target": target}
    print("RESULT " + json.dumps(row), flush=True)


def add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="sqlite",
        help=f"where the large demo is: a SQLite file, or the PostgreSQL database {POSTGRES_ENV} names",
    )


# People in each demo (circles/demo.py's SIZES, and the guest speakers): a database holding
# the other size is refused, so a huge run never reports the large store's figures as its own.
PEOPLE = {"large": range(10_000, 11_000), "huge": range(100_000, 101_000)}
_checked: set[str] = set()


def postgres_setting() -> str:
    """The URL of the PostgreSQL database holding the demo store of SIZE (checked once)."""
    value = os.environ.get(POSTGRES_ENV, "").strip()
    if not value:
        raise SystemExit(
            f"--backend postgresql measures the {SIZE} demo in the database {POSTGRES_ENV} names: "
            "bench/run.py starts a server and sets it, or set it to a database you filled with "
            f"`circles --db URL demo --size {SIZE}`"
        )
    if value not in _checked:
        _check_size(value)
        _checked.add(value)
    return value


def _check_size(value: str) -> None:
    import psycopg

    from circles.glance_postgres import postgres_conninfo

    found = postgres_conninfo(value)
    if found is None:
        raise SystemExit(f"{POSTGRES_ENV} is not a PostgreSQL URL")
    with psycopg.connect(found) as conn:
        row = conn.execute("SELECT count(*) FROM person").fetchone()
    people = row[0] if row else 0
    if people not in PEOPLE[SIZE]:
        raise SystemExit(
            f"the database {POSTGRES_ENV} names holds {people} people, not the {SIZE} demo "
            f"(CIRCLES_BENCH_SIZE={SIZE}); fill one with `circles --db URL demo --size {SIZE}`"
        )


def large_store_url(backend: str):  # type: ignore[no-untyped-def]
    """The large demo store on ``backend``, as a SQLAlchemy URL (the SQLite file is built once)."""
    from models.engine import resolve_url, sqlite_url

    if backend == "sqlite":
        return sqlite_url(large_store())
    return resolve_url(postgres_setting())


def conninfo(url) -> str:  # type: ignore[no-untyped-def]
    """A SQLAlchemy PostgreSQL URL as libpq takes it (a URL still: the bench also hands it to
    the app and to the minimal app as a --db value)."""
    from circles.glance_postgres import postgres_conninfo

    found = postgres_conninfo(url.render_as_string(hide_password=False))
    assert found is not None, url
    return found


def bare_conninfo(url) -> str:  # type: ignore[no-untyped-def]
    """conninfo for the plain psycopg baselines: with JIT off, as the app's connections have it
    (models/engine.py), so both sides of a ratio run the same plans."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(conninfo(url), options="-c jit=off")


def postgres_database(name: str, build: Callable[[object], object]):  # type: ignore[no-untyped-def]
    """A database of its own beside the large demo's on the same server (``<demo db>_<name>``),
    built by ``build(url)`` the first time and reused after. Like ``cached``, it is built under
    another name and renamed, so an interrupted build is never mistaken for a store."""
    import psycopg

    from models.engine import resolve_url

    demo = resolve_url(postgres_setting())
    wanted = f"{demo.database}_{name}"
    admin = conninfo(demo.set(database="postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (wanted,)).fetchone()
        if not exists:
            partial = wanted + "_building"
            conn.execute(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{partial}"')
            print(
                f"building the {name} store in the database {wanted} (once) ...", file=sys.stderr, flush=True
            )
            build(demo.set(database=partial))
            conn.execute(f'ALTER DATABASE "{partial}" RENAME TO "{wanted}"')
    return demo.set(database=wanted)


def store_for(backend: str, sqlite_path: Path, build: Callable[[object], object]):  # type: ignore[no-untyped-def]
    """A benchmark's own store on ``backend``, built once by ``build(url)``: the SQLite file at
    ``sqlite_path``, or a database named after it beside the large demo's."""
    from models.engine import sqlite_url

    if backend == "sqlite":
        cached(sqlite_path, lambda path: build(sqlite_url(path)))
        return sqlite_url(sqlite_path)
    return postgres_database(sqlite_path.stem.replace("-", "_"), build)


def not_on(backend: str, what: str, reason: str, target: str = "-") -> None:
    """A row that cannot mean anything on ``backend``: "-" and why."""
    report(what, "-", reason, None, target)


@contextmanager
def throwaway_store(backend: str, folder: Path, name: str):  # type: ignore[no-untyped-def]
    """An empty store for one run: a SQLite file in ``folder``, or a new database beside the large
    demo's (``<demo db>_<name>``), dropped afterwards."""
    from models.engine import resolve_url, sqlite_url

    if backend == "sqlite":
        yield sqlite_url(folder / f"{name}.db")
        return
    import psycopg

    demo = resolve_url(postgres_setting())
    wanted = f"{demo.database}_{name}"
    with psycopg.connect(conninfo(demo.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{wanted}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{wanted}"')
        try:
            yield demo.set(database=wanted)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{wanted}" WITH (FORCE)')

"""Benchmark: `circles demo --size large` against the fastest plain load of the same rows: sqlite3
executemany on SQLite, psycopg COPY on PostgreSQL.

    uv run python bench/demo.py [--runs 5] [--backend sqlite|postgresql]

Each run builds the large demo into a new file or database (the real command, in a
subprocess), then copies the very rows it wrote into an empty store of the same schema with a
bare cursor (executemany on sqlite3, COPY FROM STDIN on psycopg), one transaction, tables in
the same order. The store's summaries (models/summaries.py) are counted once after the rows, as
the demo and every bulk load count them: kept row by row, each of a million check-ins counts its
person's streaks again, and the baseline measured those triggers, not a load (393 s on SQLite
against the demo's 28; on PostgreSQL it never finished). Prints the medians and the ratio
(baseline time / demo time; the target is at least 0.5). On PostgreSQL the databases are made
beside the large demo's and dropped after. A figure, not a test.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import add_backend, conninfo, report, throwaway_store

REPO = Path(__file__).resolve().parent.parent
# The knowledge tables too: the search index is built by triggers on both sides.
TABLES = (
    "person",
    "away",
    "circle",
    "membership",
    "circle_session",
    "agenda_item",
    "attendance",
    "topic",
    "session_topic",
    "agenda_item_topic",
    "takeaway",
    "material",
)


def demo_run(db: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "circles", "--db", db, "demo", "--size", "large"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def empty_store(db: str) -> None:
    subprocess.run(
        # A new file: without --create, `db upgrade` refuses a path that holds no store yet.
        [sys.executable, "-m", "circles", "--db", db, "db", "upgrade", "--create"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def plain_run(rows: dict[str, tuple[str, list[tuple]]], target) -> float:  # type: ignore[no-untyped-def]
    """The rows loaded on the store's own connection, one transaction, the summaries counted
    after: sqlite3's executemany on SQLite, psycopg's COPY FROM STDIN on PostgreSQL (each
    backend's fastest path)."""
    from models.engine import create_store_engine
    from models.summaries import counted_afterwards

    engine = create_store_engine(target)
    try:
        started = time.perf_counter()
        with engine.begin() as conn, counted_afterwards(conn):
            driver = conn.connection.driver_connection
            if conn.dialect.name == "sqlite":
                _executemany(driver, rows)
            else:
                _copy(driver, rows)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def _executemany(conn: sqlite3.Connection, rows: dict[str, tuple[str, list[tuple]]]) -> None:
    for table in TABLES:
        columns, data = rows[table]
        marks = ", ".join("?" * len(columns.split(",")))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", data)


def _copy(conn, rows: dict[str, tuple[str, list[tuple]]]) -> None:  # type: ignore[no-untyped-def]
    with conn.cursor() as cursor:
        for table in TABLES:
            columns, data = rows[table]
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)


def read_rows(db: str, backend: str) -> dict[str, tuple[str, list[tuple]]]:
    if backend == "sqlite":
        source = sqlite3.connect(db)
    else:
        import psycopg

        source = psycopg.connect(db)
    rows = {}
    for table in TABLES:
        cursor = source.execute(f"SELECT * FROM {table}")
        columns = ", ".join(d[0] for d in cursor.description)
        rows[table] = (columns, cursor.fetchall())
    source.close()
    return rows


def as_db(url) -> str:  # type: ignore[no-untyped-def]
    """A store's URL as --db takes it: the file's path, or the server's URL."""
    return url.database if url.get_backend_name() == "sqlite" else conninfo(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    add_backend(parser)
    args = parser.parse_args()
    sqlite = args.backend == "sqlite"
    plainly = "plain executemany" if sqlite else "plain COPY"
    demo_times, plain_times, count = [], [], 0
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            with (
                throwaway_store(args.backend, Path(folder), f"demo_{run}") as made,
                throwaway_store(args.backend, Path(folder), f"plain_{run}") as target,
            ):
                demo_times.append(demo_run(as_db(made)))
                rows = read_rows(as_db(made), args.backend)
                count = sum(len(data) for _, data in rows.values())
                empty_store(as_db(target))
                plain_times.append(plain_run(rows, target))
                del rows
            print(
                f"run {run + 1}: demo {demo_times[-1]:.2f}s, {plainly} {plain_times[-1]:.2f}s",
                flush=True,
            )
    demo, plain = statistics.median(demo_times), statistics.median(plain_times)
    print()
    print(f"{'what':<38}{'median s':>10}{'rows/s':>12}")
    print(f"{'circles demo --size large':<38}{demo:>10.2f}{count / demo:>12,.0f}")
    print(f"{plainly + ', same rows':<38}{plain:>10.2f}{count / plain:>12,.0f}")
    print(f"ratio (plain time / demo time): {plain / demo:.2f}  (target >= 0.5; {count:,} rows)")
    report(
        f"demo --size large ({count:,} rows)",
        f"{demo:.1f} s, {count / demo:,.0f} rows/s",
        f"{plainly} {plain:.1f} s",
        plain / demo,
        ">= 0.5 of plain",
    )


if __name__ == "__main__":
    main()

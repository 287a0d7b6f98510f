"""Benchmark: `circles demo --size large` against plain sqlite3 executemany of the same rows.

    uv run python bench/demo.py [--runs 5]

Each run builds the large demo into a new file (the real command, in a subprocess), then
copies the very rows it wrote into an empty store of the same schema with a bare sqlite3
cursor's executemany, one transaction, tables in the same order. Prints the medians and
the ratio (baseline time / demo time; the target is at least 0.5). A figure, not a test.
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

from bench.common import report

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


def demo_run(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "circles", "--db", str(path), "demo", "--size", "large"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def empty_store(path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "circles", "--db", str(path), "db", "upgrade"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def plain_run(rows: dict[str, tuple[str, list[tuple]]], target: Path) -> float:
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    started = time.perf_counter()
    conn.execute("BEGIN")
    for table in TABLES:
        columns, data = rows[table]
        marks = ", ".join("?" * len(columns.split(",")))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", data)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    demo_times, plain_times, count = [], [], 0
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            made = Path(folder) / f"demo-{run}.db"
            demo_times.append(demo_run(made))
            source = sqlite3.connect(made)
            rows = {}
            for table in TABLES:
                cursor = source.execute(f"SELECT * FROM {table}")
                columns = ", ".join(d[0] for d in cursor.description)
                rows[table] = (columns, cursor.fetchall())
            source.close()
            count = sum(len(data) for _, data in rows.values())
            target = Path(folder) / f"plain-{run}.db"
            empty_store(target)
            plain_times.append(plain_run(rows, target))
            del rows
            print(
                f"run {run + 1}: demo {demo_times[-1]:.2f}s, plain executemany {plain_times[-1]:.2f}s",
                flush=True,
            )
    demo, plain = statistics.median(demo_times), statistics.median(plain_times)
    print()
    print(f"{'what':<38}{'median s':>10}{'rows/s':>12}")
    print(f"{'circles demo --size large':<38}{demo:>10.2f}{count / demo:>12,.0f}")
    print(f"{'plain sqlite3 executemany, same rows':<38}{plain:>10.2f}{count / plain:>12,.0f}")
    print(f"ratio (plain time / demo time): {plain / demo:.2f}  (target >= 0.5; {count:,} rows)")
    report(
        f"demo --size large ({count:,} rows)",
        f"{demo:.1f} s, {count / demo:,.0f} rows/s",
        f"plain executemany {plain:.1f} s",
        plain / demo,
        ">= 0.5 of plain",
    )


if __name__ == "__main__":
    main()

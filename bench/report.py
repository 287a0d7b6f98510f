"""Benchmark: participation per person over the large store (about a million attendance
rows) through `reports.person_summaries`, against the same GROUP BY run on a bare sqlite3
cursor (a bare psycopg one on PostgreSQL), in the same run. Target: within 1.2x of the bare
cursor.

Both sides keep their connection open between runs (ours its pool's, the bare one its own)
and run in turns, so a busy spell of the shared machine falls on both alike.

    uv run python bench/report.py [--runs 5] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import add_backend, bare_conninfo, large_store_url, report


def in_turns(ours: Callable[[], object], bare: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median seconds of each, run alternately ``runs`` times."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for work, spent in ((ours, times[0]), (bare, times[1])):
            started = time.perf_counter()
            work()
            spent.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    add_backend(parser)
    args = parser.parse_args()
    url = large_store_url(args.backend)

    from circles.services import participation, reports
    from models.store import Store

    store = Store.open(url)
    rows = 0

    def ours() -> None:
        nonlocal rows
        with store.read() as db:
            rows = sum(1 for _ in reports.person_summaries(db, participation.make_scope(db)))

    with store.read() as db:
        compiled = reports.person_summaries_stmt(db, participation.make_scope(db)).compile(
            dialect=store.engine.dialect, compile_kwargs={"render_postcompile": True}
        )
        sql = str(compiled)
    if args.backend == "sqlite":
        params = [compiled.params[k] for k in compiled.positiontup or []]
        # Bound as UTCDateTime stores them on SQLite: naive UTC text.
        params = [
            p.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(p, datetime) else p
            for p in params
        ]

        bare_sqlite = sqlite3.connect(url.database)

        def plain() -> None:
            assert len(bare_sqlite.execute(sql, params).fetchall()) > 0

    else:
        import psycopg

        named = dict(compiled.params)  # psycopg takes SQLAlchemy's %(name)s parameters as they are

        bare_postgres = psycopg.connect(bare_conninfo(url), autocommit=True)

        def plain() -> None:
            assert len(bare_postgres.execute(sql, named).fetchall()) > 0

    ours(), plain()  # warm: the server's buffers, the pool's connection
    took, base = in_turns(ours, plain, args.runs)
    report(
        f"report: participation per person ({rows:,} rows out)",
        f"{took:.2f} s",
        f"plain {'sqlite3' if args.backend == 'sqlite' else 'psycopg'} {base:.2f} s",
        took / base,
        "<= 1.2",
    )


if __name__ == "__main__":
    main()

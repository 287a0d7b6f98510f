"""Benchmark: participation per person over the large store (about a million attendance
rows) through `reports.person_summaries`, against the same GROUP BY run on a bare sqlite3
cursor (a bare psycopg one on PostgreSQL), in the same run. Target: within 1.2x of the bare
cursor.

    uv run python bench/report.py [--runs 5] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import add_backend, conninfo, large_store_url, median_seconds, report


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

        def plain() -> None:
            conn = sqlite3.connect(url.database)
            assert len(conn.execute(sql, params).fetchall()) > 0
            conn.close()

    else:
        import psycopg

        named = dict(compiled.params)  # psycopg takes SQLAlchemy's %(name)s parameters as they are

        def plain() -> None:
            with psycopg.connect(conninfo(url)) as conn:
                assert len(conn.execute(sql, named).fetchall()) > 0

    ours()
    took = median_seconds(ours, args.runs)
    base = median_seconds(plain, args.runs)
    report(
        f"report: participation per person ({rows:,} rows out)",
        f"{took:.2f} s",
        f"plain {'sqlite3' if args.backend == 'sqlite' else 'psycopg'} {base:.2f} s",
        took / base,
        "<= 1.2",
    )


if __name__ == "__main__":
    main()

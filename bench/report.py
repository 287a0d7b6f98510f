"""Benchmark: participation per person over the large store (about a million attendance
rows) through `reports.person_summaries`, against the same GROUP BY run on a bare sqlite3
cursor, in the same run. Target: within 1.2x of plain sqlite3.

    uv run python bench/report.py [--runs 5]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import large_store, median_seconds, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = large_store()

    from circles.services import participation, reports
    from models.engine import sqlite_url
    from models.store import Store

    store = Store.open(sqlite_url(path))
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
        params = [compiled.params[k] for k in compiled.positiontup or []]
        # Bound as UTCDateTime stores them on SQLite: naive UTC text.
        params = [
            p.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(p, datetime) else p
            for p in params
        ]

    def plain() -> None:
        conn = sqlite3.connect(path)
        assert len(conn.execute(sql, params).fetchall()) > 0
        conn.close()

    ours()
    took = median_seconds(ours, args.runs)
    base = median_seconds(plain, args.runs)
    report(
        f"report: participation per person ({rows:,} rows out)",
        f"{took:.2f} s",
        f"plain sqlite3 {base:.2f} s",
        took / base,
        "<= 1.2",
    )


if __name__ == "__main__":
    main()

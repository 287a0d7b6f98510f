"""Benchmark: the rotation preview of 52 sessions for a 500-member circle with five years of history.

    uv run python bench/rotation.py [--runs 7] [--backend sqlite|postgresql]

Builds (once, cached) a store with one weekly circle: 500 members joining over five
years, 260 held sessions with presenters, away periods, then times
`rotation.preview(count=52)` from a fresh unit of work each run. Target: under 20 ms.
The baseline is the same store's plain `SELECT` of the circle's sessions and members,
which any preview must at least read (with psycopg on PostgreSQL, where the store is a database
of its own beside the large demo's).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CACHE, add_backend, bare_conninfo, median_seconds, report, store_for

STORE = CACHE / "rotation-500.db"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def build(url) -> None:  # type: ignore[no-untyped-def]
    from circles.services import away, circle_records, members, people, planning, rotation, series, sessions
    from models.store import Store

    rng = random.Random(500)
    start = NOW - timedelta(weeks=260)
    clock = {"now": start}
    store = Store.open(url, clock=lambda: clock["now"])
    with store.write() as db:
        c = circle_records.add_circle(db, name="Big Circle", kind="learning-circle", timezone="Europe/Berlin")
        series.set_cadence(db, c, "weekly on tue at 12:00")
        for i in range(500):
            p = people.add_person(db, name=f"Member {i:03d}", email=f"m{i}@example.org")
            joined = start + timedelta(days=rng.uniform(0, 5 * 365) if i >= 40 else 0)
            members.add_member(
                db, circle_id=c.id, person_id=p.id, joined_at=joined, in_rotation=rng.random() > 0.1
            )
            if rng.random() < 0.2:
                first = (start + timedelta(days=rng.uniform(0, 5 * 365 + 60))).date()
                away.add_away(db, person_id=p.id, starts_on=first, ends_on=first + timedelta(days=14))
        planning.plan_sessions(db, circle_id=c.id, count=160, start=start.date())
        planning.plan_sessions(db, circle_id=c.id, count=160)
    for s in list_sessions(store):  # hold the past ones in order, as time passes
        if s.starts_at >= NOW:
            break
        clock["now"] = s.starts_at + timedelta(hours=2)
        with store.write() as db:
            rotation.hold_session(db, sessions.get_session(db, s.id))
    store.close()


def list_sessions(store):  # type: ignore[no-untyped-def]
    from circles.services import sessions

    with store.read() as db:
        return sessions.list_sessions(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    add_backend(parser)
    args = parser.parse_args()
    url = store_for(args.backend, STORE, build)

    from circles.services import rotation
    from models.store import Store

    store = Store.open(url, clock=lambda: NOW)

    def preview() -> None:
        with store.read() as db:
            rows = rotation.preview(db, 1, count=52)
        assert len(rows) == 52

    preview()  # warm the caches, as an open app would have
    took = median_seconds(preview, args.runs)

    def plain() -> None:
        if args.backend == "sqlite":
            conn = sqlite3.connect(STORE)
        else:
            import psycopg

            conn = psycopg.connect(bare_conninfo(url))
        conn.execute("SELECT * FROM circle_session WHERE circle_id = 1").fetchall()
        conn.execute(
            "SELECT * FROM membership JOIN person ON person.id = membership.person_id WHERE circle_id = 1"
        ).fetchall()
        conn.close()

    base = median_seconds(plain, args.runs)
    report(
        "rotation preview, 52 sessions, 500 members, 5 years",
        f"{took * 1000:.1f} ms",
        f"plain reads {base * 1000:.1f} ms",
        took / base,
        "< 20 ms",
    )


if __name__ == "__main__":
    main()

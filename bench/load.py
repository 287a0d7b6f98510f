"""Many facilitators at once on one store: N processes, each a facilitator with a circle of their
own, reading (Home, a circle, a session) and writing (check-ins, session edits, agenda items)
through the services for a while; then throughput, latency, errors, lost writes and the
connections PostgreSQL saw.

    uv run python bench/load.py                      # 50 on PostgreSQL, then 8 on one SQLite file
    uv run python bench/load.py --backend sqlite --seconds 20

PostgreSQL is the one on 127.0.0.1 (CIRCLES_BENCH_POSTGRES_URL, else the suite's
CIRCLES_TEST_POSTGRES_URL, else postgresql://circles:circles@127.0.0.1:5432/postgres): the
script makes a database of its own there and drops it afterwards. A benchmark, not a test:
it prints figures (targets: no errors, no lost writes).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_ADMIN = "postgresql://circles:circles@127.0.0.1:5432/postgres"
MEMBERS = 12  # each facilitator's circle
SESSIONS = 8
CHECKED_IN = 3  # the sessions check-ins go to, all held
# What a facilitator does, by weight: mostly looking, some checking people in, a few edits.
MIX = {"home": 30, "circle": 20, "session": 15, "check-in": 25, "edit session": 5, "agenda item": 5}


@dataclass
class Outcome:
    """What one facilitator process did: each operation's time, each failure, each write."""

    index: int
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    check_ins: dict[tuple[int, int], str] = field(default_factory=dict)  # last written wins
    titles: dict[int, str] = field(default_factory=dict)
    agenda: list[tuple[int, str]] = field(default_factory=list)
    setup_error: str | None = None


def facilitator(url_text: str, index: int, seconds: float, ready: Any, results: Any) -> None:
    """One facilitator: set up a circle of their own, wait for the start, then work until time is up."""
    outcome = Outcome(index)
    try:
        from models.engine import resolve_url
        from models.store import Store

        store = Store.open(resolve_url(url_text), migrate=False)
        circle_id, session_ids, person_ids = _own_circle(store, index)
        # Imports and SQLAlchemy's statement cache warmed before the clock starts: the figures
        # are an app at work, not an app starting.
        for kind in ("home", "circle", "session"):
            _do(store, kind, random.Random(), circle_id, session_ids, person_ids, outcome, 0)
    except Exception:
        outcome.setup_error = traceback.format_exc(limit=3)
        ready.wait()
        results.put(outcome)
        return
    ready.wait()
    rng = random.Random(index)
    kinds, weights = list(MIX), list(MIX.values())
    deadline = time.monotonic() + seconds
    counter = 0
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        try:
            counter += 1
            _do(store, kind, rng, circle_id, session_ids, person_ids, outcome, counter)
        except Exception as exc:
            outcome.errors.append(f"{kind}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        outcome.times[kind].append(time.perf_counter() - started)
    store.close()
    outcome.times = dict(outcome.times)  # type: ignore[assignment]
    results.put(outcome)


def _own_circle(store: Any, index: int) -> tuple[int, list[int], list[int]]:
    from circles.services import circle_records, members, people, rotation, sessions

    tag = uuid.uuid4().hex[:6]
    with store.write() as db:
        me = people.add_person(db, name=f"Facilitator {index}", email=f"f{index}-{tag}@load.example")
        circle = circle_records.add_circle(
            db,
            name=f"Load circle {index} {tag}",
            kind="learning-circle",
            timezone="Europe/Paris",
            facilitator_id=me.id,
        )
        person_ids = []
        for n in range(MEMBERS):
            p = people.add_person(db, name=f"Member {index}.{n}", email=f"m{index}.{n}-{tag}@load.example")
            members.add_member(db, circle_id=circle.id, person_id=p.id)
            person_ids.append(p.id)
        first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=17)
        # The first CHECKED_IN took place, the last three days ago (check-ins go to held
        # sessions: a session of a day to come takes none); the rest are to come.
        session_ids = [
            (rotation.add_held_session if k < CHECKED_IN else sessions.add_session)(
                db, circle_id=circle.id, starts_at=first + timedelta(days=7 * k), title=f"Week {k}"
            ).id
            for k in range(SESSIONS)
        ]
    return circle.id, session_ids, person_ids


def _do(
    store: Any,
    kind: str,
    rng: random.Random,
    circle_id: int,
    session_ids: list[int],
    person_ids: list[int],
    outcome: Outcome,
    counter: int,
) -> None:
    from circles.services import agenda, attendance, sessions
    from circles.services.circle_page import load_circle
    from circles.services.home import load_home
    from screens.session import load_session

    now = datetime.now(UTC)
    if kind == "home":
        with store.read() as db:
            load_home(db, now)
    elif kind == "circle":
        with store.read() as db:
            load_circle(db, circle_id, now)
    elif kind == "session":
        with store.read() as db:
            load_session(db, rng.choice(session_ids))
    elif kind == "check-in":
        session_id, person_id = rng.choice(session_ids[:CHECKED_IN]), rng.choice(person_ids)
        status = rng.choice(["present", "late", "excused", "absent"])

        def check_in(db: Any) -> None:
            attendance.check_in(db, session_id=session_id, person_id=person_id, attended=status)

        store.write_retrying(check_in)
        outcome.check_ins[(session_id, person_id)] = status
    elif kind == "edit session":
        session_id = rng.choice(session_ids)
        title = f"Edited {counter}"

        def edit(db: Any) -> None:
            sessions.update_session(db, sessions.get_session(db, session_id), title=title)

        store.write_retrying(edit)
        outcome.titles[session_id] = title
    elif kind == "agenda item":
        session_id = rng.choice(session_ids)
        title = f"Item {outcome.index}.{counter}"

        def add(db: Any) -> None:
            agenda.add_item(db, session_id=session_id, title=title, minutes=10)

        store.write_retrying(add)
        outcome.agenda.append((session_id, title))


def lost_writes(store: Any, outcomes: list[Outcome]) -> list[str]:
    """Every write a facilitator was told had succeeded, looked for in the store."""
    import sqlalchemy as sa

    from models.tables import AgendaItem, Attendance, CircleSession

    lost: list[str] = []
    with store.read() as db:
        attended = {
            (s, p): (a.value if a is not None else None)
            for s, p, a in db.execute(
                sa.select(Attendance.session_id, Attendance.person_id, Attendance.attended)
            )
        }
        titles = dict(db.execute(sa.select(CircleSession.id, CircleSession.title)).all())
        items = set(db.execute(sa.select(AgendaItem.session_id, AgendaItem.title)).all())
    for o in outcomes:
        lost += [f"check-in {k}: {v}" for k, v in o.check_ins.items() if attended.get(k) != v]
        lost += [f"title of session {k}: {v}" for k, v in o.titles.items() if titles.get(k) != v]
        lost += [f"agenda item {k}" for k in o.agenda if k not in items]
    return lost


class ConnectionWatch:
    """The most connections PostgreSQL held to the database at once, sampled ten times a second."""

    def __init__(self, admin_url: Any, database: str) -> None:
        import sqlalchemy as sa

        self.engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.database = database
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                count = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %(db)s", {"db": self.database}
                ).scalar_one()
                self.peak = max(self.peak, int(count))
                self._stop.wait(0.1)

    def __enter__(self) -> ConnectionWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.engine.dispose()


def run_load(url_text: str, processes: int, seconds: float, watch: ConnectionWatch | None) -> dict[str, Any]:
    from models.engine import resolve_url
    from models.store import Store

    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(processes + 1)
    results = spawn.Queue()
    workers = [
        spawn.Process(target=facilitator, args=(url_text, i, seconds, ready, results), daemon=True)
        for i in range(processes)
    ]
    for w in workers:
        w.start()
    ready.wait(timeout=600)  # everyone set up; the clock starts now
    started = time.perf_counter()
    outcomes = [results.get(timeout=seconds + 600) for _ in workers]
    elapsed = time.perf_counter() - started
    for w in workers:
        w.join(60)
    if watch is not None:
        watch.__exit__()
    store = Store.open(resolve_url(url_text), migrate=False)
    try:
        lost = lost_writes(store, outcomes)
    finally:
        store.close()
    return {"outcomes": outcomes, "elapsed": elapsed, "lost": lost, "peak": watch.peak if watch else None}


def summary(backend: str, processes: int, result: dict[str, Any]) -> None:
    outcomes: list[Outcome] = result["outcomes"]
    setup = [o.setup_error for o in outcomes if o.setup_error]
    times: dict[str, list[float]] = defaultdict(list)
    for o in outcomes:
        for kind, values in o.times.items():
            times[kind] += values
    every = sorted(t for values in times.values() for t in values)
    errors = [e for o in outcomes for e in o.errors]
    writes = sum(len(o.check_ins) + len(o.titles) + len(o.agenda) for o in outcomes)
    print(f"\n{backend}: {processes} facilitators, {result['elapsed']:.1f} s")
    if setup:
        print(f"  {len(setup)} could not start; the first:\n{setup[0]}")
    if every:
        print(f"  {len(every)} operations, {len(every) / result['elapsed']:.0f} per second")
        print(
            f"  latency ms  p50 {_ms(every, 50)}  p95 {_ms(every, 95)}  p99 {_ms(every, 99)}"
            f"  max {every[-1] * 1000:.0f}"
        )
        for kind in MIX:
            values = sorted(times.get(kind, []))
            if values:
                print(
                    f"    {kind:<12} {len(values):>6}  p50 {_ms(values, 50):>6}  p95 {_ms(values, 95):>6}  "
                    f"p99 {_ms(values, 99):>6}"
                )
    print(f"  errors: {len(errors)}" + (f" (first: {Counter(errors).most_common(3)})" if errors else ""))
    print(
        f"  lost writes: {len(result['lost'])} of {writes} checked"
        + (f" (first: {result['lost'][:3]})" if result["lost"] else "")
    )
    if result["peak"] is not None:
        print(
            "  peak connections to the database (pg_stat_activity; the watcher's is to another one): "
            f"{result['peak']}"
        )


def _ms(values: list[float], percentile: int) -> str:
    if len(values) == 1:
        return f"{values[0] * 1000:.0f}"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[percentile - 1] * 1000:.0f}"


def on_postgresql(processes: int, seconds: float) -> None:
    import sqlalchemy as sa

    from circles.demo import build_demo
    from models.engine import as_typed, resolve_url, safe_url_text
    from models.store import Store

    admin_text = (
        os.environ.get("CIRCLES_BENCH_POSTGRES_URL")
        or os.environ.get("CIRCLES_TEST_POSTGRES_URL")
        or DEFAULT_ADMIN
    )
    admin = resolve_url(admin_text)
    name = f"circles_load_{uuid.uuid4().hex[:8]}"
    maker = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with maker.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name)
    url_text = url.render_as_string(hide_password=False)
    # Shown with the scheme typed: the database's URL is made here from the one typed, which
    # is the one resolve_url noted the scheme of (models/engine.py: as_typed).
    shown = safe_url_text(as_typed(admin).set(database=name))
    print(f"PostgreSQL: {shown} (made for this run, dropped after)", flush=True)
    try:
        store = Store.open(url)
        build_demo(store, size="small")
        store.close()
        with ConnectionWatch(admin, name) as watch:
            result = run_load(url_text, processes, seconds, watch)
        summary("PostgreSQL", processes, result)
    finally:
        with maker.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maker.dispose()


def on_sqlite(processes: int, seconds: float) -> None:
    from circles.demo import build_demo
    from models.engine import sqlite_url
    from models.store import Store

    with tempfile.TemporaryDirectory(prefix="circles-load-") as folder:
        path = Path(folder) / "circles.db"
        print(f"SQLite: one file, {path.name}, in a temporary folder", flush=True)
        store = Store.open(sqlite_url(path))
        build_demo(store, size="small")
        store.close()
        summary("SQLite", processes, run_load(str(path), processes, seconds, None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--facilitators", type=int, default=50, help="processes on PostgreSQL")
    parser.add_argument("--sqlite-facilitators", type=int, default=8, help="processes on one SQLite file")
    parser.add_argument("--backend", choices=["both", "postgresql", "sqlite"], default="both")
    args = parser.parse_args()
    if args.backend in ("both", "postgresql"):
        on_postgresql(args.facilitators, args.seconds)
    if args.backend in ("both", "sqlite"):
        on_sqlite(args.sqlite_facilitators, args.seconds)


if __name__ == "__main__":
    main()

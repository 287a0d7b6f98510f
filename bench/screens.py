"""Benchmark: how long each main screen takes to show its data on the large demo store (headless, Pilot).

    uv run python bench/screens.py [--db FILE] [--runs 3] [--backend sqlite|postgresql]

For each screen, the clock runs from the key press (or push) to the last frame the app drew
before it fell idle with every database worker finished: the moment the screen, data and all,
stopped changing. Typing in a filter is timed per keystroke. The Pilot then goes on waiting
until the process is idle (it sleeps in 20 ms steps until the CPU is quiet); that figure,
"until idle", is printed beside it, since earlier runs quoted it, but it is the test
harness's time, not the app's.

Beside the wall clock, "cpu s" is the processor time the whole process (UI thread and
database workers) spent from the key press to the frame that showed the data: on a loaded
machine the wall clock mostly measures the other processes, this does not.

The baseline is the same unit of work called straight on the services, so the ratio
(baseline / screen) shows how much the screen itself adds; a bare Textual screen (Header, a
40-row DataTable, Footer) pushed in the same app shows what Textual alone costs on this
machine. Target: each screen's data within 150 ms, on each backend. Prints medians; a figure,
not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from bench.common import add_backend, large_store_url, report
from bench.tui import SIZE, Frames, busiest, settled
from circles.app import CirclesApp
from circles.services import lookups, people
from circles.services.circle_page import load_circle
from circles.services.home import load_home
from models.engine import sqlite_url
from models.store import Store
from screens.checkin import CheckInScreen, load_check_in
from screens.people import PeopleScreen, load_page
from screens.person import load_person
from screens.rotation_panel import load_rotation
from screens.session import load_session
from screens.stats_panel import load_stats

BARE = "bare Textual screen (reference)"
START = "Home (start-up to upcoming list)"
# Start-up's own targets are ratios to a minimal Textual app, in a real terminal: bench/startup.py.
TARGETS = {BARE: "reference", START: "start-up: see startup.py"}


class BareScreen(Screen[None]):
    """Header, a DataTable of 40 rows and Footer, filled on mount: what any screen costs to show."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When", "Circle", "Title")
        table.add_rows([(f"Tue 24 Nov {i % 12 + 8}:00", f"Circle {i}", "A talk") for i in range(40)])


Timings = dict[str, tuple[float, float, float, float]]


async def one_run(store: Store, ids: tuple[int, int, int]) -> Timings:
    """One pass over every screen: seconds to (data shown, last frame, idle, processor time to
    data shown) by screen."""
    circle_id, session_id, person_id = ids
    times: Timings = {}
    app = CirclesApp(store)
    app.animation_level = "none"  # time the data, not the tab underline's slide
    frames = Frames(app)

    async def quiet(t0: float, cpu0: float, name: str) -> None:
        await settled(app, pilot)
        await pilot.pause()  # the Pilot's own wait for an idle process: frames still due land here
        shown, still, cpu = frames.since(t0, cpu0)
        times[name] = (shown, still, time.perf_counter() - t0, cpu)

    started, started_cpu = time.perf_counter(), time.process_time()
    async with app.run_test(size=SIZE) as pilot:
        await quiet(started, started_cpu, START)

        async def timed(name: str, act: Callable[[], Awaitable[object] | object]) -> None:
            t0, cpu0 = time.perf_counter(), time.process_time()
            result = act()
            if asyncio.iscoroutine(result):
                await result
            await quiet(t0, cpu0, name)

        # The floor: a screen with no database work and nothing of ours, pushed in the same app.
        await timed(BARE, lambda: app.push_screen(BareScreen()))
        await timed("Home (back to it: reloads)", app.pop_screen)

        async def typed(name: str, keys: str) -> None:
            per_key = []
            for key in keys:
                await timed(name, lambda: pilot.press(key))  # noqa: B023 (called at once)
                per_key.append(times[name])
            times[name] = tuple(statistics.median(column) for column in zip(*per_key, strict=True))

        await timed("Circles list", lambda: pilot.press("c"))
        await timed("Circle (members tab)", lambda: app.open_circle(circle_id))
        await timed("Circle sessions tab", lambda: pilot.press("2"))
        # These two tabs fill in when first opened: their cost shows here, not in the circle's.
        await timed("Circle rotation tab (first open)", lambda: pilot.press("3"))
        await timed("Circle stats tab (first open)", lambda: pilot.press("4"))
        await timed("Session (agenda)", lambda: app.open_session(session_id))
        await timed("Check-in", lambda: app.push_screen(CheckInScreen(session_id)))
        await typed("Check-in filter, per key", "son")
        await timed("People directory", lambda: app.push_screen(PeopleScreen()))
        await pilot.press("slash")
        await typed("People filter, per key", "ann")
        await timed("Person", lambda: app.open_person(person_id))
    return times


def baselines(store: Store, ids: tuple[int, int, int]) -> dict[str, float]:
    """The same units of work without any screen."""
    circle_id, session_id, person_id = ids
    now = store.clock()

    def t(work: Callable[[], object]) -> float:
        t0 = time.perf_counter()
        work()
        return time.perf_counter() - t0

    def read(job: Callable[[object], object]) -> Callable[[], object]:
        def run() -> object:
            with store.read() as db:
                return job(db)

        return run

    return {
        START: t(read(lambda db: load_home(db, now))),
        "Home (back to it: reloads)": t(read(lambda db: load_home(db, now))),
        "Circles list": t(read(lambda db: lookups.circles_overview(db, now=now))),
        "Circle (members tab)": t(read(lambda db: load_circle(db, circle_id, now))),
        "Circle rotation tab (first open)": t(read(lambda db: load_rotation(db, circle_id))),
        "Circle stats tab (first open)": t(read(lambda db: load_stats(db, circle_id))),
        "Session (agenda)": t(read(lambda db: load_session(db, session_id))),
        "Check-in": t(read(lambda db: load_check_in(db, session_id))),
        "People directory": t(read(lambda db: load_page(db, None, 0))),
        "People filter, per key": t(read(lambda db: people.list_people(db, search="ann", limit=100))),
        "Person": t(read(lambda db: load_person(db, person_id))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a store to measure (default: the cached large demo store)")
    parser.add_argument("--runs", type=int, default=3)
    add_backend(parser)
    args = parser.parse_args()
    store = Store.open(sqlite_url(args.db) if args.db else large_store_url(args.backend))
    ids = busiest(store)
    runs = []
    for _ in range(args.runs):
        gc.collect()  # each run starts without the last app's garbage, as a new process would
        runs.append(asyncio.run(one_run(store, ids)))
    base_runs = [baselines(store, ids) for _ in range(args.runs)]
    print(
        f"{'screen':36} {'data shown s':>12} {'cpu s':>6} {'last frame s':>12} {'until idle s':>12}"
        f" {'services s':>11} {'x bare':>6}"
    )
    # Each screen against the bare one drawn in the same runs: on a shared machine the wall clock
    # of every figure rises and falls together, and this ratio moves much less than they do.
    bare = statistics.median(run[BARE][0] for run in runs)
    for name in runs[0]:
        screen, still, harness, cpu = (statistics.median(run[name][i] for run in runs) for i in range(4))
        base = statistics.median(b[name] for b in base_runs) if name in base_runs[0] else None
        services = f"{'':11}" if base is None else f"{base:11.3f}"
        times = f"{screen:12.3f} {cpu:6.3f} {still:12.3f} {harness:12.3f}"
        print(f"{name:36} {times} {services} {screen / bare:6.2f}")
        report(
            f"TUI {name}",
            f"{screen * 1000:.0f} ms (cpu {cpu * 1000:.0f}, last frame {still * 1000:.0f},"
            f" idle {harness * 1000:.0f}, {screen / bare:.2f}x bare)",
            "-" if base is None else f"services alone {base * 1000:.0f} ms",
            None if base is None else base / screen,
            TARGETS.get(name, "<= 150 ms"),
        )
    store.close()


if __name__ == "__main__":
    main()

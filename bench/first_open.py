"""Benchmark: each main screen's first open after the app has started, against its later opens
(headless, Pilot, on the large demo store).

    uv run python bench/first_open.py [--runs 3] [--backend sqlite|postgresql] [--only Person ...]

bench/screens.py gives the medians of several opens in one process: what a screen costs only
the first time (SQLAlchemy compiling each statement, modules imported on first use, styles of
widgets not drawn before) is not in its figures. A facilitator meets it the first time they
open a circle, a session or People after starting circles. Here each screen is opened in a
fresh interpreter, with Home up and the app idle (its work after Home's data done, as it is
for someone who reads Home first: screens/preload.py): the first open is timed, then the screen is
left for Home and opened again (LATER times) in the same process. The figure is the first
open; the baseline the later ones, in the same processes; the ratio later / first (1: the
first costs nothing more). Beside each: the processor time of the whole process, and how many
statements ran and how many of them SQLAlchemy compiled there and then (not from its cache).
A screen's wall clock runs from the key press to the first frame after its data, as in
bench/screens.py. Target: each screen's first open within 150 ms, on each backend. Prints
medians over RUNS fresh processes per screen; a figure, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Only what the app loads before Home is up (the bench's own helpers import no screen of ours):
# a screen's modules must be imported by its first open, as they are in a facilitator's circles.
from bench.common import add_backend, large_store_url, report

LATER = 2  # later opens per process
# What puts the app where the screen is opened from (untimed), and the key or call that opens it.
Step = Callable[[Any, Any, tuple[int, int, int]], Awaitable[object] | object]


def circle(app: Any, _pilot: Any, ids: tuple[int, int, int]) -> object:
    return app.open_circle(ids[0])


def session(app: Any, _pilot: Any, ids: tuple[int, int, int]) -> object:
    return app.open_session(ids[1])


def key(name: str) -> Step:
    return lambda _app, pilot, _ids: pilot.press(name)


# name: (what comes before, untimed; what opens it). Circles, People, Recognition and
# Organisation open with Home's keys; a circle, a session or a person as the lists open them.
SCREENS: dict[str, tuple[Step | None, Step]] = {
    "Circles list": (None, key("c")),
    "Circle (members tab)": (None, circle),
    "Circle sessions tab": (circle, key("2")),
    "Circle rotation tab": (circle, key("3")),
    "Circle stats tab": (circle, key("4")),
    "Session (agenda)": (None, session),
    "Check-in": (session, key("i")),
    "People directory": (None, key("p")),
    "Person": (None, lambda app, _pilot, ids: app.open_person(ids[2])),
    "Recognition": (None, key("R")),
    "Organisation": (None, key("O")),
}

# One open: wall seconds to the data on screen, processor seconds, statements run, compiled.
Open = tuple[float, float, int, int]


async def opens(name: str, backend: str, later: int) -> list[Open]:
    """In this (fresh) process: the first open of ``name``, then ``later`` more."""
    import sqlalchemy as sa
    from sqlalchemy.engine.interfaces import CacheStats

    from bench.tui import SIZE, Frames, busiest, settled
    from circles.app import CirclesApp
    from models.store import Store

    url = large_store_url(backend)
    before, act = SCREENS[name]
    counted = [0, 0]

    def count(
        _conn: object, _cursor: object, _sql: object, _params: object, context: Any, _many: bool
    ) -> None:
        if context is not None:
            counted[0] += 1
            # Compiled now, not taken from the cache (a driver's own statement, SQLite's BEGIN, is neither).
            counted[1] += context.compiled is not None and context.cache_hit is not CacheStats.CACHE_HIT

    found: list[Open] = []
    # As `circles` starts: the store opened by the app, in its worker, after the first paint.
    app = CirclesApp(open_store=lambda: Store.open(url))
    app.animation_level = "none"  # time the data, not the tab underline's slide
    frames = Frames(app)
    async with app.run_test(size=SIZE) as pilot:
        # Home with its rows, and the work the app does after them (screens/preload.py), done.
        while not app._screens_loading:
            await pilot.pause(0.01)
        await pilot.pause()
        await settled(app, pilot)
        await pilot.pause()
        store = app.store
        ids = busiest(store)
        for n in range(1 + later):
            if n:  # back to Home, as it was before the first
                while len(app.screen_stack) > 2:
                    await app.pop_screen()
                await settled(app, pilot)
                gc.collect()
            if before is not None:
                result = before(app, pilot, ids)
                if asyncio.iscoroutine(result):
                    await result
                await settled(app, pilot)
                await pilot.pause()
            counted[:] = [0, 0]
            sa.event.listen(store.engine, "before_cursor_execute", count)
            t0, cpu0 = time.perf_counter(), time.process_time()
            result = act(app, pilot, ids)
            if asyncio.iscoroutine(result):
                await result
            await settled(app, pilot)
            await pilot.pause()
            sa.event.remove(store.engine, "before_cursor_execute", count)
            shown, _, cpu = frames.since(t0, cpu0)
            found.append((shown, cpu, *counted))
    store.close()
    return found


def in_fresh_process(name: str, backend: str) -> list[Open]:
    command = [sys.executable, __file__, "--backend", backend, "--child", name]
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
    if done.returncode != 0:
        raise SystemExit(f"{name}: {done.stderr.strip()[-2000:]}")
    return [tuple(o) for o in json.loads(done.stdout.splitlines()[-1])]  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per screen")
    parser.add_argument("--only", nargs="*", choices=SCREENS, metavar="SCREEN", help=", ".join(SCREENS))
    parser.add_argument("--child", choices=SCREENS, help=argparse.SUPPRESS)
    add_backend(parser)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(opens(args.child, args.backend, LATER))))
        return
    large_store_url(args.backend)  # built, or the server checked, once here rather than in each child
    print(
        f"{'screen':24} {'first s':>8} {'cpu s':>6} {'stmts':>5} {'compiled':>8}"
        f" {'later s':>8} {'cpu s':>6} {'compiled':>8}"
    )
    for name in args.only or SCREENS:
        runs = [in_fresh_process(name, args.backend) for _ in range(args.runs)]
        first = [statistics.median(run[0][i] for run in runs) for i in range(4)]
        later = [statistics.median(o[i] for run in runs for o in run[1:]) for i in range(4)]
        print(
            f"{name:24} {first[0]:8.3f} {first[1]:6.3f} {first[2]:5.0f} {first[3]:8.0f}"
            f" {later[0]:8.3f} {later[1]:6.3f} {later[3]:8.0f}",
            flush=True,
        )
        report(
            f"TUI first open: {name}",
            f"{first[0] * 1000:.0f} ms (cpu {first[1] * 1000:.0f}; {first[3]:.0f} of {first[2]:.0f}"
            " statements compiled)",
            f"later opens {later[0] * 1000:.0f} ms (cpu {later[1] * 1000:.0f})",
            later[0] / first[0],
            "<= 150 ms",
        )


if __name__ == "__main__":
    main()

"""What the benchmarks share: the cached large demo store, medians, and one way to report.

`CIRCLES_BENCH_SIZE=huge` makes every script measure the huge demo store instead (ten times
large, built once under bench/.cache/ like it; for PostgreSQL, point CIRCLES_BENCH_POSTGRES_URL
at a database holding `circles demo --size huge`).

Every benchmark measures its subject and a baseline in the same run (the machines are
shared and noisy, so only ratios mean much) and prints a line `RESULT {json}` that
bench/run.py gathers into one table.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
# The demo size the scripts measure: large, or huge when CIRCLES_BENCH_SIZE says so.
SIZE = os.environ.get("CIRCLES_BENCH_SIZE", "large")
if SIZE not in ("large", "huge"):
    raise SystemExit(f"CIRCLES_BENCH_SIZE must be large or huge, not {SIZE[:60]!r}")
LARGE = CACHE / f"{SIZE}.db"


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


def report(what: str, figure: str, baseline: str, ratio: float | None, target: str) -> None:
    """One row of the final table, printed readably and as a RESULT line for bench/run.py."""
    shown = f"{ratio:.2f}" if ratio is not None else "-"
    print(f"{what}: {figure} | baseline {baseline} | ratio {shown} | target {target}")
    row = {"what": what, "figure": figure, "baseline": baseline, "ratio": ratio, "target": target}
    print("RESULT " + json.dumps(row), flush=True)

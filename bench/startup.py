"""Benchmark: start-up in a real terminal. tmux runs `circles` on the large store until its
home screen shows data, and a minimal Textual app (bench/minimal_app.py) the same way;
prints the medians of time to first paint and time to data, and their ratios.
Targets: first paint within 1.25x of the minimal app, data within 2x. With `--backend
postgresql` both read the large demo from the PostgreSQL database CIRCLES_BENCH_POSTGRES_URL
names (the minimal app with plain psycopg).

    uv run python bench/startup.py [--runs 7] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HERE, REPO, add_backend, conninfo, large_store_url, report

TIMEOUT = 60.0


def screen(name: str) -> str:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True)
    return out.stdout


def time_to(command: list[str], marker: str, run: int) -> tuple[float, float]:
    """Seconds until anything is painted, and until ``marker`` is on the screen."""
    name = f"bench-startup-{os.getpid()}-{run}"
    started = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", " ".join(command)],
        check=True,
        cwd=REPO,
    )
    first_paint = None
    try:
        while time.perf_counter() - started < TIMEOUT:
            text = screen(name)
            now = time.perf_counter() - started
            if first_paint is None and text.strip():
                first_paint = now
            if marker in text:
                return first_paint or now, now
            time.sleep(0.005)
        raise TimeoutError(f"{marker!r} never showed: {text[-500:]}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def upcoming_circle(store: str) -> str:
    """The start of a circle name the home screen lists among the next sessions: the marker for
    'data shown'. Its first ten characters: Home cuts a long name in its middle, keeping its
    start and its end ("Databases Lu…(Tokyo)"), where the minimal app shows it whole."""
    from bench.minimal_app import upcoming_rows

    return str(upcoming_rows(store)[0][1])[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    add_backend(parser)
    args = parser.parse_args()
    url = large_store_url(args.backend)
    # The file's path, or the server's URL as the person would give it (and libpq takes it).
    store = url.database if args.backend == "sqlite" else conninfo(url)
    marker = upcoming_circle(store)
    python = sys.executable
    ours = [python, "-m", "circles", "--db", f"'{store}'"]
    minimal = [python, str(HERE / "minimal_app.py"), f"'{store}'"]
    # A tmux server that outlives the runs, so no run pays for starting one.
    subprocess.run(["tmux", "new-session", "-d", "-s", f"bench-keep-{os.getpid()}"], check=True)
    try:
        results = {"circles": [], "minimal": []}
        for run in range(args.runs):
            results["minimal"].append(time_to(minimal, marker, 2 * run))
            results["circles"].append(time_to(ours, marker, 2 * run + 1))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", f"bench-keep-{os.getpid()}"], capture_output=True)
    med = {
        k: (statistics.median(p for p, _ in v), statistics.median(d for _, d in v))
        for k, v in results.items()
    }
    (paint, data), (base_paint, base_data) = med["circles"], med["minimal"]
    report(
        "start-up: first paint",
        f"{paint * 1000:.0f} ms",
        f"minimal app {base_paint * 1000:.0f} ms",
        paint / base_paint,
        "<= 1.25",
    )
    report(
        "start-up: data on screen",
        f"{data * 1000:.0f} ms",
        f"minimal app {base_data * 1000:.0f} ms",
        data / base_data,
        "<= 2",
    )


if __name__ == "__main__":
    main()

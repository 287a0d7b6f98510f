"""Runs every benchmark on SQLite and on PostgreSQL and prints one table of figures side by side
(the README's bench command).

    uv run python bench/run.py [--quick] [--only screens.py report.py] [--backend sqlite|postgresql]

Builds the large demo store once on each side and keeps it under bench/.cache/: a SQLite file,
and a PostgreSQL cluster (bench/postgres_server.py) that this script starts on 127.0.0.1 on a
free port for the run and stops at the end, whatever happens. Each benchmark then runs in its
own process, once with `--backend sqlite` and once with `--backend postgresql` (which reads the
server's URL from CIRCLES_BENCH_POSTGRES_URL), and measures its subject and its baseline in
the same run: on PostgreSQL the baseline is the same idea on plain psycopg.
`--quick` runs fewer rounds (for a first look; quote the full run's figures).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.common import BACKENDS, POSTGRES_ENV, large_store  # noqa: E402

# (script, its option for the number of runs, runs for --quick, runs otherwise)
BENCHMARKS = (
    # Start-up rounds are short and swing with the load: over three runs of each at a load of
    # 6 to 8, the data ratio spread 0.3 (SQLite 1.57-1.91) with 3 rounds and up to 0.7 with 5,
    # and 0.1 with 7, for about 10 s more on each backend.
    ("startup.py", "--runs", 7, 9),
    ("screens.py", "--runs", 3, 5),
    # A fresh process per screen and run: eleven screens, about 4 s each.
    ("first_open.py", "--runs", 1, 3),
    ("export_attendance.py", "--rounds", 3, 5),
    ("ics.py", "--runs", 3, 5),
    ("rotation.py", "--runs", 3, 5),
    ("report.py", "--runs", 3, 5),
    ("search.py", "--runs", 3, 5),
    ("delivery.py", "--runs", 3, 5),
    ("mentorship.py", "--runs", 3, 5),
    ("feedback.py", "--runs", 3, 5),
    ("demo.py", "--runs", 1, 3),  # last: each run loads the whole large demo
)


def takes_backend(script: str) -> bool:
    """Whether a script has --backend yet (a script from before the convention is SQLite-only)."""
    text = (HERE / script).read_text(encoding="utf-8")
    return "--backend" in text or "add_backend" in text


def run_one(script: str, option: str, runs: int, backend: str, env: dict[str, str]) -> list[dict]:
    print(f"== {script} --backend {backend}", flush=True)
    command = [sys.executable, str(HERE / script), option, str(runs)]
    if takes_backend(script):
        command += ["--backend", backend]
    elif backend != "sqlite":
        print("   - (this script measures SQLite only)", flush=True)
        return []
    result = subprocess.run(
        command,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        env=env,
    )
    found = [json.loads(line[7:]) for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    for n, row in enumerate(found):  # a row's name may hold a count that differs by backend
        row["key"] = f"{script}#{n}"
    if result.returncode != 0 or not found:
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
        reason = result.stderr.strip().splitlines()[-1][:80] if result.stderr.strip() else ""
        found.append(
            {
                "what": script,
                "key": script,
                "figure": "FAILED",
                "baseline": reason,
                "ratio": None,
                "target": "",
            }
        )
    for row in found:
        ratio = f" (ratio {row['ratio']:.2f})" if row["ratio"] is not None else ""
        print(f"   {row['what']}: {row['figure']}{ratio} | baseline {row['baseline']}", flush=True)
    return found


def shown(row: dict | None) -> str:
    if row is None:
        return "-"  # not measured on this side (the run's log says why)
    ratio = f" ({row['ratio']:.2f})" if row["ratio"] is not None else ""
    return f"{row['figure']}{ratio}"


def table(rows: dict[str, list[dict]], backends: list[str]) -> None:
    """One line per benchmark: each backend's figure (its ratio to its own baseline), the target."""
    order: list[str] = []  # keys: a script's n-th row is the same figure on either side
    by_backend: dict[str, dict[str, dict]] = {b: {} for b in backends}
    names: dict[str, str] = {}
    targets: dict[str, str] = {}
    for backend in backends:
        for row in rows[backend]:
            if row["key"] not in order:
                order.append(row["key"])
                names[row["key"]] = row["what"]
            by_backend[backend][row["key"]] = row
            targets[row["key"]] = targets.get(row["key"]) or row["target"]
    heads = {"sqlite": "SQLite figure (ratio)", "postgresql": "PostgreSQL figure (ratio)"}
    width = max(len(w) for w in [*names.values(), "benchmark"])
    columns = {b: max([len(heads[b]), *(len(shown(r)) for r in by_backend[b].values())]) for b in backends}
    head = "  ".join(f"{heads[b]:<{columns[b]}}" for b in backends)
    print(f"{'benchmark':<{width}}  {head}  target")
    for key in order:
        cells = "  ".join(f"{shown(by_backend[b].get(key)):<{columns[b]}}" for b in backends)
        print(f"{names[key]:<{width}}  {cells}  {targets[key]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs each (3; 7 start-up rounds; 1 for demo.py)"
    )
    parser.add_argument("--only", nargs="*", help="run only these scripts, e.g. ics.py report.py")
    parser.add_argument("--backend", choices=BACKENDS, help="run one side only (default: both)")
    args = parser.parse_args()
    backends = [args.backend] if args.backend else list(BACKENDS)
    chosen = [b for b in BENCHMARKS if (not args.only or b[0] in args.only) and (HERE / b[0]).exists()]
    rows: dict[str, list[dict]] = {b: [] for b in backends}
    env = dict(os.environ)
    with ExitStack() as stack:
        if "sqlite" in backends:
            large_store()
        if "postgresql" in backends:
            from bench.postgres_server import large_demo_server

            # Stopped on the way out of this block: at the end, on an error or on Ctrl-C.
            env[POSTGRES_ENV] = stack.enter_context(large_demo_server())
        try:
            for script, option, quick, full in chosen:
                for backend in backends:
                    runs = quick if args.quick else full
                    rows[backend].extend(run_one(script, option, runs, backend, env))
        except KeyboardInterrupt:
            print("\ninterrupted: the figures so far", flush=True)
    print()
    table(rows, backends)


if __name__ == "__main__":
    main()

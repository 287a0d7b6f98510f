"""Runs every benchmark and prints one table of figures and ratios (the README's bench command).

    uv run python bench/run.py [--quick]

Builds the large demo store once (cached under bench/.cache/), then runs each benchmark
in its own process; each measures its subject and its baseline in the same run.
`--quick` runs fewer rounds (for a first look; quote the full run's figures).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.common import large_store  # noqa: E402

# (script, its option for the number of runs)
BENCHMARKS = (
    ("startup.py", "--runs"),
    ("screens.py", "--runs"),
    ("export_attendance.py", "--rounds"),
    ("ics.py", "--runs"),
    ("demo.py", "--runs"),
    ("rotation.py", "--runs"),
    ("report.py", "--runs"),
    ("search.py", "--runs"),
    ("delivery.py", "--runs"),
    ("mentorship.py", "--runs"),
    ("feedback.py", "--runs"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 5 or more")
    parser.add_argument("--only", nargs="*", help="run only these scripts, e.g. ics.py report.py")
    args = parser.parse_args()
    large_store()
    rows = []
    for script, runs_option in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        if not (HERE / script).exists():
            continue
        runs = "3" if args.quick else "5"
        print(f"== {script}", flush=True)
        result = subprocess.run(
            [sys.executable, str(HERE / script), runs_option, runs],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
        )
        found = [json.loads(line[7:]) for line in result.stdout.splitlines() if line.startswith("RESULT ")]
        if result.returncode != 0 or not found:
            print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
            rows.append({"what": script, "figure": "FAILED", "baseline": "", "ratio": None, "target": ""})
        rows.extend(found)
        for row in found:
            print(
                f"   {row['what']}: {row['figure']} (ratio {row['ratio']:.2f})"
                if row["ratio"]
                else f"   {row}"
            )
    print()
    width = max(len(r["what"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'figure':<30} {'ratio':>6}  {'target':<28} baseline")
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        print(f"{r['what']:<{width}}  {r['figure']:<30} {ratio:>6}  {r['target']:<28} {r['baseline']}")


if __name__ == "__main__":
    main()

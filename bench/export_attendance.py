"""Benchmark: `circles export attendance` (CSV) against a plain sqlite3 cursor + csv.writer.

    uv run python bench/export_attendance.py [--store FILE] [--rounds 5]

Builds the large demo store once (`circles demo --size large`, about a million attendance
rows) under bench/.cache/, then runs, in the same run and alternately, (a) the real CLI
command in a subprocess and (b) a subprocess that runs the very SQL the export runs on a
bare sqlite3 cursor and writes every row with csv.writer (no neutralising, no local dates).
Prints rows/s, peak memory (max RSS of each process) and the throughput ratio. A figure,
not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import LARGE, REPO, large_store, report


def export_sql(store: Path) -> tuple[str, list[str]]:
    """The export's own SELECT, compiled for SQLite, with its parameters as plain strings."""
    from circles.exports.rows import rows_statement
    from circles.services.participation import Scope
    from models.engine import sqlite_url
    from models.store import Store

    opened = Store.open(sqlite_url(store))
    try:
        with opened.read() as db:
            compiled = rows_statement(db, Scope()).compile(dialect=opened.engine.dialect)
        return str(compiled), [str(compiled.params[k]) for k in compiled.positiontup or []]
    finally:
        opened.close()


def plain(store: str, sql_file: str, out: str) -> None:
    """The baseline, run as its own process: sqlite3 cursor -> csv.writer, nothing else."""
    import csv
    import sqlite3

    sql, params = json.loads(Path(sql_file).read_text(encoding="utf-8"))
    connection = sqlite3.connect(store)
    with open(out, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(connection.execute(sql, params))
    connection.close()


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MB) of one child process.

    CPU time is reported beside wall time because a shared machine's load swings wall time
    by a factor of two between runs; CPU time moves far less.
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command[:4]}... failed with status {child.returncode}")
    # ru_maxrss is in kilobytes on Linux.
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=LARGE, help="SQLite store to export")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each side; the medians are reported")
    args = parser.parse_args()

    store = large_store(args.store.absolute())
    sql, params = export_sql(store)

    with tempfile.TemporaryDirectory(prefix="circles-bench-") as tmp:
        folder = Path(tmp)
        sql_file = folder / "export.json"
        sql_file.write_text(json.dumps([sql, params]), encoding="utf-8")
        ours_out, plain_out = folder / "circles.csv", folder / "plain.csv"
        ours_cmd = [sys.executable, "-m", "circles", "--db", str(store)]
        ours_cmd += ["export", "attendance", "-o", str(ours_out), "--force"]
        plain_cmd = [sys.executable, __file__, "--plain", str(store), str(sql_file), str(plain_out)]
        ours: list[tuple[float, float, float]] = []
        base: list[tuple[float, float, float]] = []
        for round_ in range(1, args.rounds + 1):
            base.append(measure(plain_cmd))
            ours.append(measure(ours_cmd))
            print(
                f"round {round_}: plain {base[-1][0]:.1f}s wall {base[-1][1]:.1f}s cpu {base[-1][2]:.0f} MB; "
                f"circles {ours[-1][0]:.1f}s wall {ours[-1][1]:.1f}s cpu {ours[-1][2]:.0f} MB",
                flush=True,
            )
        rows = count_lines(ours_out) - 1
        plain_rows = count_lines(plain_out)
        if rows != plain_rows:
            print(f"warning: circles wrote {rows} rows, the plain cursor {plain_rows}")

    wall_ours, wall_base = median(r[0] for r in ours), median(r[0] for r in base)
    cpu_ours, cpu_base = median(r[1] for r in ours), median(r[1] for r in base)
    peak_ours, peak_base = max(r[2] for r in ours), max(r[2] for r in base)
    print()
    print(f"rows                        {rows:>10,}   (medians of {args.rounds} runs each)")
    print("                            rows/s (wall)  rows/s (cpu)  peak memory")
    for label, wall, cpu, peak in (
        ("plain sqlite3 + csv.writer", wall_base, cpu_base, peak_base),
        ("circles export attendance ", wall_ours, cpu_ours, peak_ours),
    ):
        print(f"{label}  {rows / wall:>13,.0f} {rows / cpu:>13,.0f}  {peak:7.0f} MB")
    print(
        f"throughput ratio            {wall_base / wall_ours:>13.2f} {cpu_base / cpu_ours:>13.2f}"
        "  (aim: >= 0.80; memory < 150 MB)"
    )
    print("(circles' time includes starting Python, opening the store and writing the file atomically)")
    report(
        "export attendance CSV",
        f"{rows / wall_ours:,.0f} rows/s, peak {peak_ours:.0f} MB",
        f"plain sqlite3 + csv.writer {rows / wall_base:,.0f} rows/s, peak {peak_base:.0f} MB",
        wall_base / wall_ours,
        ">= 0.80 of plain, < 150 MB",
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--plain":
        plain(*sys.argv[2:])
    else:
        main()

"""Benchmark: `circles export attendance` (CSV) against the plainest way to get the same rows out.

    uv run python bench/export_attendance.py [--backend sqlite|postgresql] [--rounds 3]

The baseline is the simplest query that yields the same information, the join of attendance,
circle_session, circle and person (not the export's own SQL), written out the plainest way:
- sqlite: a bare sqlite3 cursor over the join, written with csv.writer(quoting=QUOTE_ALL);
- postgresql: psycopg's ``COPY (SELECT ... join ...) TO STDOUT (FORMAT csv, FORCE_QUOTE *)``
  written to the file as it comes.
The export does more (members expected but not checked, walk-ins, the presenter, formulas made
inert, local days, the order), so a ratio near 1 means that extra costs next to nothing.

Both sides run as child processes, alternately, in the same run; each gets a warm-up run first
(Python's bytecode is written then, as it is after an installed circles' first run). Reported:
rows/s by wall time and by CPU time (the machine is shared: CPU time swings far less), the
ratio baseline/export (aim: >= 0.80) and each side's peak memory (max RSS of the child, aim:
< 100 MB for the export). On PostgreSQL the server's own work is not in the CPU figures (it
is the same server for both), so the wall ratio is the one that counts there.

SQLite uses the large demo store under bench/.cache/ (built once); PostgreSQL the database in
CIRCLES_BENCH_POSTGRES_URL, which must hold the large demo (bench/run.py sets it up).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import LARGE, REPO, large_store, report

POSTGRES_ENV = "CIRCLES_BENCH_POSTGRES_URL"

# The simplest query that yields the export's information: every attendance record with its
# session (start, zone, title), circle and person, and whether that person was the presenter.
PLAIN_JOIN = """
SELECT c.name, s.starts_at, c.timezone, s.title, p.name, p.email, p.team, a.rsvp, a.attended,
       s.presenter_id = p.id
FROM attendance a
JOIN circle_session s ON s.id = a.session_id
JOIN circle c ON c.id = s.circle_id
JOIN person p ON p.id = a.person_id
"""


def plain_sqlite(store: str, out: str) -> None:
    """The SQLite baseline, run as its own process: sqlite3 cursor -> csv.writer, nothing else."""
    import csv
    import sqlite3

    connection = sqlite3.connect(store)
    with open(out, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(connection.execute(PLAIN_JOIN))
    connection.close()


def plain_postgresql(url: str, out: str) -> None:
    """The PostgreSQL baseline, run as its own process: COPY of the join, straight to the file."""
    import psycopg

    with psycopg.connect(url) as connection, open(out, "wb") as f:
        cursor = connection.cursor()
        query = f"COPY ({PLAIN_JOIN}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)"
        with cursor.copy(query) as copy:
            for data in copy:
                f.write(data)


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MB) of one child process."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached after the first run
    # Neither side's standard error is a terminal, however the benchmark is started: on a
    # terminal the export shows its progress, and counts the rows first for the total (a
    # second pass over the store, 1.5 s of 4.8 s on the large demo), which the baseline never
    # does. Run from a terminal, the export was measured with that pass, from bench/run.py
    # (output captured) without it. What it writes there is shown if it fails.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            errors.seek(0)
            sys.stderr.write(errors.read().decode("utf-8", "replace")[-2000:])
            raise SystemExit(f"{command[:4]}... failed with status {os.waitstatus_to_exitcode(status)}")
    # ru_maxrss is in kilobytes on Linux.
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--store", type=Path, default=LARGE, help="SQLite store to export (sqlite only)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side; the medians are reported")
    args = parser.parse_args()

    if args.backend == "postgresql":
        target = os.environ.get(POSTGRES_ENV)
        if not target:
            raise SystemExit(f"--backend postgresql needs {POSTGRES_ENV}: a database holding the large demo")
        baseline = "psycopg COPY (simple join) TO STDOUT csv"
    else:
        target = str(large_store(args.store.absolute()))
        baseline = "sqlite3 simple join + csv.writer"

    with tempfile.TemporaryDirectory(prefix="circles-bench-") as tmp:
        folder = Path(tmp)
        ours_out, plain_out = folder / "circles.csv", folder / "plain.csv"
        ours_cmd = [sys.executable, "-m", "circles", "--db", target]
        ours_cmd += ["export", "attendance", "-o", str(ours_out), "--force"]
        plain_cmd = [sys.executable, __file__, f"--plain-{args.backend}", target, str(plain_out)]
        measure(plain_cmd)  # warm-ups: bytecode, the file cache, the server's buffers
        measure(ours_cmd)
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

    wall_ours, wall_base = median(r[0] for r in ours), median(r[0] for r in base)
    cpu_ours, cpu_base = median(r[1] for r in ours), median(r[1] for r in base)
    peak_ours, peak_base = max(r[2] for r in ours), max(r[2] for r in base)
    print()
    print(f"backend {args.backend}: export {rows:,} rows, baseline {plain_rows:,} attendance records")
    print(f"(medians of {args.rounds} runs each; rows/s counts each side's own rows)")
    print("                                      rows/s (wall)  rows/s (cpu)  peak memory")
    for label, n, wall, cpu, peak in (
        (f"{baseline:<36}", plain_rows, wall_base, cpu_base, peak_base),
        (f"{'circles export attendance':<36}", rows, wall_ours, cpu_ours, peak_ours),
    ):
        print(f"{label}  {n / wall:>13,.0f} {n / cpu:>13,.0f}  {peak:7.0f} MB")
    wall_ratio = (rows / wall_ours) / (plain_rows / wall_base)
    cpu_ratio = (rows / cpu_ours) / (plain_rows / cpu_base)
    label = "ratio (export / baseline)"
    print(f"{label:<36}  {wall_ratio:>13.2f} {cpu_ratio:>13.2f}  (aim >= 0.80, < 100 MB)")
    print("(circles' time includes starting Python, opening the store and writing the file atomically)")
    report(
        "export attendance CSV",
        f"{rows / wall_ours:,.0f} rows/s, peak {peak_ours:.0f} MB",
        f"{baseline} {plain_rows / wall_base:,.0f} rows/s, peak {peak_base:.0f} MB",
        wall_ratio,
        ">= 0.80 of baseline, < 100 MB",
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--plain-sqlite", "--plain-postgresql"):
        (plain_sqlite if sys.argv[1] == "--plain-sqlite" else plain_postgresql)(*sys.argv[2:])
    else:
        main()

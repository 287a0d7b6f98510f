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
< 100 MB for the export).

On PostgreSQL each side's work is split between two processes, the client and its server
backend, and the two split it differently: the baseline's server makes the CSV while its
client handles a million rows in Python, each taking a core of its own on an idle machine;
the export's server does nearly everything, in two backends that each make every other block
of sessions (circles/exports/attendance_parts.py), while its client mostly waits. So the wall
ratio moves with how many cores are free (one backend: 0.68 and 0.82 in two runs of the same
code at one load, 1.09 at a higher one), whatever either side costs. When the server runs on
this machine (bench/run.py's does), its processor seconds for each side are counted too (its
backends' time, collected by the postmaster as they end) and printed beside the client's: the
CPU ratio then compares the whole work, and each side's client and server seconds show what
an idle machine would make of it. The wall ratio stays the one reported to bench/run.py.

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

from bench.common import LARGE, REPO, large_store, proc_stat, report

POSTGRES_ENV = "CIRCLES_BENCH_POSTGRES_URL"

# The simplest query that yields the export's information: every attendance record of the
# sessions that have happened (the export's scope: not cancelled, started by now; without it
# the baseline also wrote the 18,580 RSVPs of sessions to come, 2% more rows than the export)
# with its session (start, zone, title), circle and person, and whether that person was the
# presenter, and whether they walked in: read from the flag check-in keeps on each record, where
# the export asks whether a membership covered the session's start (on the large demo the two
# agree on every row). {now} is the backend's "now" in the form starts_at is stored in.
PLAIN_JOIN = """
SELECT c.name, s.starts_at, c.timezone, s.title, p.name, p.email, p.team, a.rsvp, a.attended,
       s.presenter_id = p.id, a.walk_in
FROM attendance a
JOIN circle_session s ON s.id = a.session_id
JOIN circle c ON c.id = s.circle_id
JOIN person p ON p.id = a.person_id
WHERE s.status != 'cancelled' AND s.starts_at <= {now}
"""


def plain_sqlite(store: str, out: str) -> None:
    """The SQLite baseline, run as its own process: sqlite3 cursor -> csv.writer, nothing else."""
    import csv
    import sqlite3

    connection = sqlite3.connect(store)
    with open(out, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(
            connection.execute(PLAIN_JOIN.format(now="datetime('now')"))
        )
    connection.close()


def plain_postgresql(url: str, out: str) -> None:
    """The PostgreSQL baseline, run as its own process: COPY of the join, straight to the file."""
    import psycopg

    with psycopg.connect(url) as connection, open(out, "wb") as f:
        cursor = connection.cursor()
        query = f"COPY ({PLAIN_JOIN.format(now='now()')}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)"
        with cursor.copy(query) as copy:
            for data in copy:
                f.write(data)


class ServerClock:
    """Processor seconds a local PostgreSQL server spent on the connections that have ended:
    a backend's time goes to its postmaster's children's time (``cutime`` and ``cstime`` in
    /proc) when the postmaster reaps it, parallel workers' too."""

    def __init__(self, url: str) -> None:
        import psycopg

        # This connection stays open while measuring: its own backend's time is never counted.
        self.connection = psycopg.connect(url, autocommit=True)
        row = self.connection.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        self.postmaster = int(proc_stat(int(row[0]))[1])  # the backend's parent
        self.resident = self._children()  # the server's own processes, and this connection's

    def _children(self) -> set[int]:
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int(proc_stat(int(entry.name))[1]) == self.postmaster:
                        found.add(int(entry.name))
                except (OSError, IndexError, ValueError):
                    pass  # a process that ended while looking
        return found

    def seconds(self) -> float:
        """Processor seconds of every backend ended so far, once those of the last child have
        ended (a backend ends just after its client disconnects)."""
        deadline = time.monotonic() + 5
        while self._children() - self.resident and time.monotonic() < deadline:
            time.sleep(0.01)
        fields = proc_stat(self.postmaster)
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")

    @classmethod
    def of(cls, url: str) -> ServerClock | None:
        """The clock of the server ``url`` names, if it runs on this machine (None otherwise)."""
        try:
            return cls(url)
        except (OSError, IndexError, ValueError):
            return None


def measure(command: list[str], server: ServerClock | None = None) -> tuple[float, float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MB) of one child
    process, and the processor seconds its server spent for it (0 without a ``server``)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached after the first run
    # Neither side's standard error is a terminal, however the benchmark is started: on a
    # terminal the export shows its progress, and counts the rows first for the total (a
    # second pass over the store, 1.5 s of 4.8 s on the large demo), which the baseline never
    # does. Run from a terminal, the export was measured with that pass, from bench/run.py
    # (output captured) without it. What it writes there is shown if it fails.
    served = server.seconds() if server else 0.0
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            errors.seek(0)
            sys.stderr.write(errors.read().decode("utf-8", "replace")[-2000:])
            raise SystemExit(f"{command[:4]}... failed with status {os.waitstatus_to_exitcode(status)}")
    served = server.seconds() - served if server else 0.0
    # ru_maxrss is in kilobytes on Linux.
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, served


def _run(figures: tuple[float, float, float, float]) -> str:
    wall, cpu, peak, served = figures
    server = f" + {served:.1f}s server" if served else ""
    return f"{wall:.1f}s wall {cpu:.1f}s cpu{server} {peak:.0f} MB"


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

    # Only on PostgreSQL, and only when the server runs here: SQLite's work is all the client's.
    server = ServerClock.of(target) if args.backend == "postgresql" else None
    with tempfile.TemporaryDirectory(prefix="circles-bench-") as tmp:
        folder = Path(tmp)
        ours_out, plain_out = folder / "circles.csv", folder / "plain.csv"
        ours_cmd = [sys.executable, "-m", "circles", "--db", target]
        ours_cmd += ["export", "attendance", "-o", str(ours_out), "--force"]
        plain_cmd = [sys.executable, __file__, f"--plain-{args.backend}", target, str(plain_out)]
        measure(plain_cmd, server)  # warm-ups: bytecode, the file cache, the server's buffers
        measure(ours_cmd, server)
        ours: list[tuple[float, float, float, float]] = []
        base: list[tuple[float, float, float, float]] = []
        for round_ in range(1, args.rounds + 1):
            base.append(measure(plain_cmd, server))
            ours.append(measure(ours_cmd, server))
            print(f"round {round_}: plain {_run(base[-1])}; circles {_run(ours[-1])}", flush=True)
        rows = count_lines(ours_out) - 1
        plain_rows = count_lines(plain_out)
    if server is not None:
        server.connection.close()

    wall_ours, wall_base = median(r[0] for r in ours), median(r[0] for r in base)
    cpu_ours, cpu_base = median(r[1] + r[3] for r in ours), median(r[1] + r[3] for r in base)
    peak_ours, peak_base = max(r[2] for r in ours), max(r[2] for r in base)
    print()
    print(f"backend {args.backend}: export {rows:,} rows, baseline {plain_rows:,} attendance records")
    print(f"(medians of {args.rounds} runs each; rows/s counts each side's own rows)")
    cpu_head = "rows/s (cpu)" if server is None else "(cpu, both)"
    print(f"{'':36}  rows/s (wall) {cpu_head:>13}  peak memory  cpu: client + server")
    for label, n, wall, cpu, peak, runs in (
        (f"{baseline:<36}", plain_rows, wall_base, cpu_base, peak_base, base),
        (f"{'circles export attendance':<36}", rows, wall_ours, cpu_ours, peak_ours, ours),
    ):
        split = f"{median(r[1] for r in runs):.2f} s + {median(r[3] for r in runs):.2f} s" if server else ""
        print(f"{label}  {n / wall:>13,.0f} {n / cpu:>13,.0f}  {peak:8.0f} MB  {split}")
    wall_ratio = (rows / wall_ours) / (plain_rows / wall_base)
    cpu_ratio = (rows / cpu_ours) / (plain_rows / cpu_base)
    label = "ratio (export / baseline)"
    print(f"{label:<36}  {wall_ratio:>13.2f} {cpu_ratio:>13.2f}  (aim >= 0.80, < 100 MB)")
    print("(circles' time includes starting Python, opening the store and writing the file atomically)")
    if args.backend == "postgresql" and server is None:
        print("(the server runs elsewhere: its processor time is in neither CPU figure)")
    both = f", cpu ratio with the server's {cpu_ratio:.2f}" if server else ""
    report(
        "export attendance CSV",
        f"{rows / wall_ours:,.0f} rows/s, peak {peak_ours:.0f} MB{both}",
        f"{baseline} {plain_rows / wall_base:,.0f} rows/s, peak {peak_base:.0f} MB",
        wall_ratio,
        ">= 0.80 of baseline, < 100 MB",
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--plain-sqlite", "--plain-postgresql"):
        (plain_sqlite if sys.argv[1] == "--plain-sqlite" else plain_postgresql)(*sys.argv[2:])
    else:
        main()

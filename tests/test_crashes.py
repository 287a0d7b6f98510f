"""A laptop killed mid-save: after SIGKILL at random moments the SQLite store passes its
integrity check, opens, and holds each unit of work whole or not at all."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from circles.services import circle_records, members, people, series
from models.engine import sqlite_url
from models.migrate import head_revision
from models.store import Store
from tests import forked
from tests.crash_worker import PLAN

REPO = Path(__file__).resolve().parent.parent
WORK_KILLS = 25
MIGRATE_KILLS = 12
MEMBERS = 12


def _start(mode: str, path: Path) -> forked.Child:
    worker = [mode, str(sqlite_url(path))]
    return forked.start(
        "tests.crash_worker", worker, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _kill_after(proc: forked.Child, seconds: float, *, once: tuple[str, ...] = ()) -> str:
    """SIGKILL at a random moment: ``seconds`` after the worker printed the lines ``once`` (or
    started). The sleep is the moment of the crash, chosen at random: it waits for nothing."""
    for expected in once:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == expected, f"the worker said {line!r}: {proc.stderr.read() if proc.stderr else ''}"
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    return out


def _intact(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return conn


@pytest.mark.slow
def test_killed_while_planning_and_checking_in(tmp_path, clock):
    path = tmp_path / "circles.db"
    store = Store.open(sqlite_url(path), clock=clock)
    with store.write() as db:
        c = circle_records.add_circle(db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin")
        series.set_cadence(db, c, "weekly on tue at 12:00")
        for i in range(MEMBERS):
            p = people.add_person(db, name=f"Member {i}", email=f"m{i}@example.org")
            members.add_member(db, circle_id=c.id, person_id=p.id)
    store.close()

    rng = random.Random(20261122)
    for kill in range(WORK_KILLS):
        # The first kill comes after a unit of work, however busy the machine: one at least is kept.
        after = ("ready", "0") if kill == 0 else ("ready",)
        out = _kill_after(_start("work", path), rng.uniform(0.1, 1.5), once=after)
        finished = len(out.split()) + after.count("0")
        conn = _intact(path)
        planned = conn.execute("SELECT count(*) FROM circle_session").fetchone()[0]
        assert planned % PLAN == 0, f"{planned} sessions: a series was planned in part"
        per_batch = conn.execute("SELECT note, count(*) FROM attendance GROUP BY note").fetchall()
        assert all(n == MEMBERS for _, n in per_batch), per_batch
        assert per_batch or not finished, "a unit of work the worker finished was lost"
        agenda_less = conn.execute(
            "SELECT count(*) FROM circle_session s WHERE NOT EXISTS "
            "(SELECT 1 FROM agenda_item a WHERE a.session_id = s.id)"
        ).fetchone()[0]
        assert agenda_less == 0, "a session was saved without the agenda planned with it"
        conn.close()
    Store.open(sqlite_url(path)).close()


@pytest.mark.slow
def test_killed_while_migrating(tmp_path):
    rng = random.Random(7)
    for attempt in range(MIGRATE_KILLS):
        path = tmp_path / f"store-{attempt}.db"
        _kill_after(_start("migrate", path), rng.uniform(0.3, 1.2))
        if path.exists():
            conn = _intact(path)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" in tables:
                version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                assert version in (None, (head_revision(),))
                if version is None:
                    assert tables == {"alembic_version"}
            conn.close()
        store = Store.open(sqlite_url(path))  # whatever the kill left, it opens and upgrades
        with store.read() as db:
            assert people.count_people(db) == 0
        store.close()

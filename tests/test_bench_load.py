"""bench/load.py starts its facilitators and counts no errors, run for a moment on SQLite: the
script is how the team measures many facilitators at once, and a date that slid into the past
once stopped every facilitator from starting (the figures then said "0 errors" of nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_load_script_runs_its_facilitators_without_errors() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            "--backend",
            "sqlite",
            "--seconds",
            "2",
            "--sqlite-facilitators",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "could not start" not in done.stdout, done.stdout[-2000:]
    assert "errors: 0" in done.stdout, done.stdout[-2000:]
    assert "lost writes: 0 of 0" not in done.stdout  # some writes were made and checked

"""The tests' forked processes (tests/forked.py) behave as fresh ones: a `circles` command says
and ends as `python -m circles` does, in the given folder and environment; workers started side
by side all run at once, can be killed, and report their output and status as Popen's do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from tests import forked
from tests.conftest import REPO


def _both(
    args: list[str], tmp_path: Path, **options: Any
) -> tuple[CompletedProcess[Any], CompletedProcess[Any]]:
    """The command run fresh and forked, each with a folder of its own for {tmp} in ``args``."""
    done = []
    for name, run in (("fresh", _fresh), ("forked", forked.run_circles)):
        (tmp_path / name).mkdir()
        done.append(run([a.format(tmp=tmp_path / name) for a in args], **options))
    return tuple(done)


def _fresh(args: list[str], **options: Any) -> CompletedProcess[Any]:
    return subprocess.run([sys.executable, "-m", "circles", *args], timeout=120, **options)


def _said(done: CompletedProcess[Any]) -> tuple[int, Any, Any]:
    def same_folder(said: Any) -> Any:  # each wrote in its own folder
        return said.replace("/forked/", "/fresh/") if isinstance(said, str) else said

    return done.returncode, same_folder(done.stdout), same_folder(done.stderr)


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), **more}
    env.pop("CIRCLES_DATABASE_URL", None)
    return env


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["db", "path"],
        ["circle", "nope"],  # a usage error: status 2
        ["--db", "{tmp}/none.db", "person", "list"],  # a store that is not there: status 1
        ["--db", "{tmp}/new.db", "person", "add", "Ana Lopez", "--email", "ana@example.org"],
    ],
)
def test_a_fork_says_and_ends_as_a_fresh_interpreter_does(tmp_path: Path, args: list[str]) -> None:
    fresh, forked_ = _both(args, tmp_path, capture_output=True, text=True, env=_env(tmp_path), cwd=REPO)
    assert _said(forked_) == _said(fresh)


def test_a_fork_runs_in_the_given_folder(tmp_path: Path) -> None:
    made = forked.run_circles(["--db", "here.db", "person", "add", "Ana", "--email", "ana@example.org"],
                          capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "here.db").is_file()


def test_settings_the_interpreter_reads_at_start_get_a_fresh_interpreter(tmp_path: Path) -> None:
    env = _env(tmp_path, LC_ALL="C", PYTHONUTF8="0", PYTHONIOENCODING="")
    template = forked._template()
    assert template.can_run(_env(tmp_path)) and not template.can_run(env)
    fresh, forked_ = _both(["db", "path"], tmp_path, capture_output=True, env=env, cwd=REPO)
    assert _said(forked_) == _said(fresh)


def test_a_command_past_its_time_is_stopped_and_the_next_one_runs(tmp_path: Path) -> None:
    serve = ["--db", str(tmp_path / "t.db"), "--create", "serve", "--port", "0"]  # serves until stopped
    with pytest.raises(subprocess.TimeoutExpired):
        forked.run_circles(serve, capture_output=True, timeout=3)
    assert forked.run_circles(["--version"], capture_output=True).returncode == 0


def test_workers_run_side_by_side_and_are_killed_as_popen_s_are(tmp_path: Path) -> None:
    # Each waits until all of them have started (a file each in the folder), so all run at once.
    code = "tests.forked_probe"
    workers = [forked.start(code, [str(tmp_path / "all"), "3", str(n)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True) for n in range(3)]  # fmt: skip
    sleeper = forked.start(code, [str(tmp_path / "alone"), "2", "sleeper"], stdout=subprocess.PIPE, text=True)
    assert all(isinstance(w, forked.Process) for w in [*workers, sleeper])
    said = [w.communicate(timeout=60) for w in workers]
    assert said == [(f"worker {n} saw 3\n", "") for n in range(3)]
    assert [w.returncode for w in workers] == [0, 0, 0]
    assert sleeper.stdout is not None and sleeper.stdout.readline() == "waiting\n"
    assert sleeper.poll() is None
    sleeper.kill()
    assert sleeper.wait(timeout=30) == -signal.SIGKILL

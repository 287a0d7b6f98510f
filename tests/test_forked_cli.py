"""The CLI tests' forked `circles` (tests/forked_cli.py) gives what a fresh `python -m circles`
gives: the same output, errors and exit status, in the given folder, environment and time zone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from tests import forked_cli
from tests.conftest import REPO


def _both(
    args: list[str], tmp_path: Path, **options: Any
) -> tuple[CompletedProcess[Any], CompletedProcess[Any]]:
    """The command run fresh and forked, each with a folder of its own for {tmp} in ``args``."""
    done = []
    for name, run in (("fresh", _fresh), ("forked", forked_cli.run)):
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
    fresh, forked = _both(args, tmp_path, capture_output=True, text=True, env=_env(tmp_path), cwd=REPO)
    assert _said(forked) == _said(fresh)


def test_a_fork_runs_in_the_given_folder(tmp_path: Path) -> None:
    made = forked_cli.run(["--db", "here.db", "person", "add", "Ana", "--email", "ana@example.org"],
                          capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "here.db").is_file()


def test_settings_the_interpreter_reads_at_start_get_a_fresh_interpreter(tmp_path: Path) -> None:
    env = _env(tmp_path, LC_ALL="C", PYTHONUTF8="0", PYTHONIOENCODING="")
    template = forked_cli._template()
    assert template.can_run(_env(tmp_path)) and not template.can_run(env)
    fresh, forked = _both(["db", "path"], tmp_path, capture_output=True, env=env, cwd=REPO)
    assert _said(forked) == _said(fresh)


def test_a_command_past_its_time_is_stopped_and_the_next_one_runs(tmp_path: Path) -> None:
    serve = ["--db", str(tmp_path / "t.db"), "--create", "serve", "--port", "0"]  # serves until stopped
    with pytest.raises(subprocess.TimeoutExpired):
        forked_cli.run(serve, capture_output=True, timeout=3)
    assert forked_cli.run(["--version"], capture_output=True).returncode == 0

"""Every folder circles makes is the user's alone (0700), whatever the umask; and an export
makes no folder but the one it was asked for (--per-member DIR), never a tree of them."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from circles.export_folder import remember_folder
from circles.file_errors import shown_path
from models.folders import make_private_folder
from models.store import Store
from tests.conftest import REPO
from tests.test_cli import Cli
from tests.test_ics_export import FAR_AHEAD, _world


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o277], ids=lambda m: f"umask-{m:03o}")
def test_a_folder_and_the_folders_above_it_are_private(tmp_path: Path, mask: int) -> None:
    with _umask(mask):
        make_private_folder(tmp_path / "a" / "b" / "c", parents=True)
    assert [_mode(tmp_path / p) for p in ("a", "a/b", "a/b/c")] == [0o700] * 3


def test_a_folder_already_there_is_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir(mode=0o755)
    os.chmod(tmp_path / "shared", 0o755)
    make_private_folder(tmp_path / "shared")
    assert _mode(tmp_path / "shared") == 0o755


def test_the_export_settings_folder_is_private(tmp_path: Path) -> None:
    settings = tmp_path / "config" / "circles" / "last-export-folder.json"
    with _umask(0):
        remember_folder(tmp_path, settings)
    assert _mode(tmp_path / "config") == _mode(tmp_path / "config" / "circles") == 0o700


def _per_member(cli: Cli, folder: Path) -> subprocess.CompletedProcess[str]:
    export = ["export", "ics", "--circle", "Rust Lunch", "--per-member", str(folder)]
    return subprocess.run(
        [sys.executable, "-m", "circles", "--db", cli.db, *export],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=REPO,
        preexec_fn=lambda: os.umask(0),  # in the child, before it runs circles
    )


def test_the_per_member_folder_is_private_under_umask_000(file_store: tuple[Store, Cli]) -> None:
    _, cli = file_store
    folder = Path(cli.env["HOME"]).parent / "invites"
    result = _per_member(cli, folder)
    assert result.returncode == 0, result.stderr
    assert _mode(folder) == 0o700
    assert {_mode(p) for p in folder.iterdir()} == {0o600}


def test_the_per_member_folder_is_made_only_where_its_own_folder_exists(
    file_store: tuple[Store, Cli],
) -> None:
    _, cli = file_store
    typo = Path(cli.env["HOME"]).parent / "no-such-folder"
    result = _per_member(cli, typo / "invites")
    assert result.returncode == 1
    shown = shown_path(typo / "invites")
    assert f"--per-member '{shown}' is in a folder that does not exist ({typo})." in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert not typo.exists()


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[tuple[Store, Cli]]:
    from models.engine import sqlite_url

    store = Store.open(sqlite_url(tmp_path / "store.db"))
    _world(store, first=FAR_AHEAD)
    yield store, Cli(str(tmp_path / "store.db"), tmp_path / "home")
    store.close()


def _makes_folders(path: Path) -> list[int]:
    """Lines of ``path`` that make a folder some other way than models.folders."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if call and node.func.attr in ("mkdir", "makedirs", "mkdtemp"):  # type: ignore[attr-defined]
            found.append(node.lineno)
    return found


def test_folders_are_made_in_one_place() -> None:
    """mkdir's mode passes through the umask: one helper makes every folder, and sets 0700."""
    files = [p for d in ("circles", "models", "screens") for p in sorted((REPO / d).rglob("*.py"))]
    offenders = {
        str(p.relative_to(REPO)): lines
        for p in files
        if p != REPO / "models" / "folders.py" and (lines := _makes_folders(p))
    }
    assert offenders == {}

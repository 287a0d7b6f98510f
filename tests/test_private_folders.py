"""Every folder circles makes is the user's alone (0700), whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from circles.export_folder import remember_folder
from models.folders import make_private_folder


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

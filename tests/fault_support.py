"""Real faults for tests to run into: a disk that is full (a small tmpfs, filled up)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = "filler"


def _mount_tmpfs(folder: Path, size: str) -> str | None:
    """Mount a tmpfs of ``size`` on ``folder``; the reason it cannot be done, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "mounting a tmpfs needs root (CI runs the suite as root in its container)"
    if shutil.which("mount") is None:
        return "there is no mount command on this system"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return f"this machine does not allow mounting a tmpfs: {done.stderr.strip() or done.returncode}"
    return None


def _fill(folder: Path) -> None:
    """Write zeros to FILLER until the disk refuses more."""
    block = bytes(4096)
    with open(folder / FILLER, "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError:
            pass


@pytest.fixture
def full_disk_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder on its own small disk (a 64 KiB tmpfs) that is full: creating a file works,
    writing a byte into it fails with ENOSPC. It holds only FILLER; a test checks that
    nothing else was left behind. Skipped, with the reason, where mounting is not allowed."""
    folder = tmp_path / "full-disk"
    folder.mkdir()
    reason = _mount_tmpfs(folder, "64k")
    if reason:
        pytest.skip(reason)
    try:
        _fill(folder)
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], capture_output=True)


def leftovers(folder: Path) -> list[str]:
    """What a failed write left in a full_disk_dir (it should be nothing)."""
    return sorted(p.name for p in folder.iterdir() if p.name != FILLER)

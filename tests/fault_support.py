"""Faults tests put circles through on purpose (a disk with no space left), and running the
command line in-process to see how it answers them.

Import the fixtures a test module uses (``from tests.fault_support import full_disk_dir``).
"""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# The first line of a child process a test stops with a signal, as a terminal would start it:
# SIGINT raising KeyboardInterrupt, SIGHUP and SIGTERM ending the process. A process started
# with one of them ignored (the suite run in the background by a shell without job control, or
# under nohup) inherits that, rightly keeps ignoring it, and its child would never stop.
INTERRUPTIBLE = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "signal.signal(signal.SIGHUP, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
)

# Big enough for a new, empty store (about 200 KiB) and its safety copy; small to fill.
SMALL_DISK = "1m"
# The one file fill_up() leaves on a full disk: anything else there was left by the test.
FILLER = ".filler"


@pytest.fixture
def small_disk_dir(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on a tmpfs of 1 MiB of its own, so a test can fill it (:func:`fill_up`).

    Mounting needs root (or CAP_SYS_ADMIN); where it is not allowed the test is skipped, saying why.
    """
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command here: a full disk cannot be made for this test")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={SMALL_DISK},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        why = done.stderr.strip() or f"mount exited with {done.returncode}"
        pytest.skip(f"cannot mount a small tmpfs here ({why}); a full disk needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def full_disk_dir(small_disk_dir: Path) -> Path:
    """A folder on a disk with no space left: creating a file works, writing to it fails (ENOSPC)."""
    fill_up(small_disk_dir)
    return small_disk_dir


def fill_up(folder: Path) -> None:
    """Take every free byte of the disk ``folder`` is on, with one file."""
    block = b"\0" * 4096
    with (folder / FILLER).open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(block)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise


def leftovers(folder: Path) -> list[str]:
    """What a failed write left in a full_disk_dir (it should be nothing)."""
    return sorted(p.name for p in folder.iterdir() if p.name != FILLER)


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """``circles ARGS`` in this process: it must end with an exit status, never an exception
    (which a person would see as a traceback), nor the status that says circles met a bug."""
    from circles.cli import INTERNAL_ERROR, main

    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != INTERNAL_ERROR, result.stderr
    return result


def one_line_error(result: Result) -> str:
    """The error a command printed: exit status 1, one line on stderr, nothing on stdout."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert result.stderr.startswith("circles: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == "", result.stdout
    return result.stderr

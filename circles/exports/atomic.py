"""Atomic files: written beside the target under a temporary name, then renamed over it.

An export that fails or is interrupted (Ctrl+C included) leaves the old file, or none,
never half a file: a reader sees either the whole old file or the whole new one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from circles.errors import AlreadyExists, InvalidInput


class OutputExists(AlreadyExists):
    """The export's file is there already and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; pass --force to replace it.")
        self.path = path


def check_target(path: Path, *, force: bool, field: str = "file") -> Path:
    """The absolute target, or a clear error: folder missing, a folder or link in the way, or no --force."""
    target = Path(path).expanduser().absolute()
    if target.is_symlink():
        # Renaming over a link someone else planted would not write through it, but the
        # person meant some file and we cannot tell which: say so instead of guessing.
        raise InvalidInput(
            field, str(path), f"is a symbolic link (to {os.readlink(target)}); give the real file's path"
        )
    if target.is_dir():
        raise InvalidInput(field, str(path), "is a folder; give a file name inside it")
    if not target.parent.is_dir():
        raise InvalidInput(field, str(path), f"is in a folder that does not exist ({target.parent})")
    if target.exists() and not force:
        raise OutputExists(target)
    return target


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, field: str = "file") -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` only when the block ends without an error."""
    target = check_target(path, force=force, field=field)
    try:
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise InvalidInput(field, str(path), f"cannot be written: {exc.strerror or exc}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):
            # Replacing a file keeps its permissions; a new one stays private (0600), like the store.
            os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def write_file(path: Path, content: bytes, *, force: bool = False, field: str = "file") -> Path:
    """Write a whole file atomically; returns where it went."""
    with atomic_output(path, force=force, field=field) as out:
        out.write(content)
    return check_target(path, force=True, field=field)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; not every system allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

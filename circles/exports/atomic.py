"""Atomic files: written beside the target under a temporary name, then renamed over it.

An export that fails or is interrupted (Ctrl+C, SIGTERM, a full disk) leaves the old file,
or none, never half a file: a reader sees either the whole old file or the whole new one,
and the temporary file goes away (signals raise meanwhile: models/temp_files.py). The rule
for where an export may write is here too: the file (or the --per-member folder) a person
names is created, the folder it goes in must exist.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from circles.errors import AlreadyExists, InvalidInput
from circles.file_errors import file_errors, shown_path
from models.folders import make_private_folder
from models.temp_files import signals_raise


class OutputExists(AlreadyExists):
    """The export's file is there already and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; pass --force to replace it.")
        self.path = path


def _parent_must_exist(target: Path, given: Path, field: str) -> None:
    # A typo in a folder name must not quietly make a tree of folders somewhere unexpected.
    if target.parent.exists() and not target.parent.is_dir():
        raise InvalidInput(field, shown_path(given), f"is in {target.parent}, which is a file, not a folder")
    if not target.parent.is_dir():
        raise InvalidInput(field, shown_path(given), f"is in a folder that does not exist ({target.parent})")


def check_target(path: Path, *, force: bool, field: str = "file") -> Path:
    """The absolute target, or a clear error: folder missing, a folder or link in the way, or no --force."""
    with file_errors(path, field=field):  # a name too long, a folder that cannot be looked in
        return _check_target(path, force=force, field=field)


def _check_target(path: Path, *, force: bool, field: str) -> Path:
    target = Path(path).expanduser().absolute()
    if target.is_symlink():
        # Renaming over a link someone else planted would not write through it, but the
        # person meant some file and we cannot tell which: say so instead of guessing.
        raise InvalidInput(
            field,
            shown_path(path),
            f"is a symbolic link (to {os.readlink(target)}); give the real file's path",
        )
    if target.is_dir():
        raise InvalidInput(field, shown_path(path), "is a folder; give a file name inside it")
    _parent_must_exist(target, Path(path), field)
    if target.exists() and not force:
        raise OutputExists(target)
    return target


def check_folder(path: Path, *, field: str = "folder") -> Path:
    """The absolute folder to write files into (it may not exist yet: it is made when written to)."""
    with file_errors(path, field=field):
        folder = Path(path).expanduser().absolute()
        if folder.exists() and not folder.is_dir():
            raise InvalidInput(field, shown_path(path), "is a file, not a folder")
        _parent_must_exist(folder, Path(path), field)
        return folder


@dataclass(frozen=True, slots=True)
class _Part:
    temp: Path
    target: Path
    given: Path
    field: str


class Staging:
    """Files written whole beside their targets, put in place together by :meth:`put_in_place`
    (after, say, the store has committed what they report), or removed if anything fails.

    Folders made for them (:meth:`folder`) are removed too if they are left empty.
    """

    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._folders: list[Path] = []
        self._signals = contextlib.ExitStack()

    def __enter__(self) -> Staging:
        self._signals.enter_context(signals_raise())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is not None:
                self.discard()
        finally:
            self._signals.close()

    def folder(self, path: Path, *, field: str = "folder") -> Path:
        """The folder ``path``, made (0700) if it is not there yet; its own folder must exist."""
        folder = check_folder(path, field=field)
        if not folder.is_dir():
            with file_errors(path, field=field, doing="made"):
                make_private_folder(folder)
            self._folders.append(folder)
        return folder

    @contextlib.contextmanager
    def open(self, path: Path, *, force: bool = False, field: str = "file") -> Iterator[BinaryIO]:
        """A binary file that will become ``path``; any OSError while it is written names ``path``."""
        target = check_target(path, force=force, field=field)
        with file_errors(path, field=field):
            fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        self._parts.append(_Part(Path(temp_name), target, Path(path), field))
        out = os.fdopen(fd, "wb")
        with file_errors(path, field=field):
            finished = False
            try:
                yield out
                out.flush()
                os.fsync(out.fileno())
                finished = True
            finally:
                if finished:
                    out.close()
                else:
                    # Closing flushes, and on a full disk that fails again: the file goes anyway.
                    with contextlib.suppress(OSError):
                        out.close()
            with contextlib.suppress(FileNotFoundError):
                # Replacing a file keeps its permissions; a new one stays private (0600), like the store.
                os.chmod(temp_name, stat.S_IMODE(target.stat().st_mode))

    def write(self, path: Path, content: bytes, *, force: bool = False, field: str = "file") -> None:
        with self.open(path, force=force, field=field) as out:
            out.write(content)

    def put_in_place(self) -> list[Path]:
        """Rename every file over its target, in the order they were written; returns the targets."""
        placed: list[Path] = []
        while self._parts:
            part = self._parts[0]
            with file_errors(part.given, field=part.field):
                os.replace(part.temp, part.target)
            self._parts.pop(0)
            placed.append(part.target)
        self._folders.clear()  # they hold files now: ours to keep
        for folder in dict.fromkeys(p.parent for p in placed):
            _sync_folder(folder)
        return placed

    def discard(self) -> None:
        """Remove the files not put in place yet, and the folders made for them."""
        for part in self._parts:
            part.temp.unlink(missing_ok=True)
        self._parts.clear()
        for folder in reversed(self._folders):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: never what someone else put there
        self._folders.clear()


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, field: str = "file") -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` only when the block ends without an error."""
    with Staging() as staging:
        with staging.open(path, force=force, field=field) as out:
            yield out
        staging.put_in_place()


def write_file(path: Path, content: bytes, *, force: bool = False, field: str = "file") -> Path:
    """Write a whole file atomically; returns where it went."""
    with Staging() as staging:
        staging.write(path, content, force=force, field=field)
        (placed,) = staging.put_in_place()
    return placed


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

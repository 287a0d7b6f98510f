"""A file a person named that cannot be read or written, as one line they can act on."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from circles.errors import InvalidInput

# What the system's own words mean for the person, where they can be said better.
_REASONS = {
    errno.ENOSPC: "the disk is full",
    getattr(errno, "EDQUOT", -1): "the disk quota is used up",
    errno.EFBIG: "the file would be too large for the disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "it does not exist",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "the disk reported an input/output error",
}


def reason(exc: OSError) -> str:
    """Why ``exc`` happened, in a few plain words ("the disk is full")."""
    known = _REASONS.get(exc.errno or 0)
    if known:
        return known
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def shown_path(path: str | Path) -> str:
    """A path for a one-line message: its end is what a person recognises, so a long one
    loses its beginning (InvalidInput would cut the end, the file's name)."""
    text = str(path)
    return text if len(text) <= 60 else "..." + text[-57:]


class FileError(InvalidInput):
    """A file (or folder) a person named could not be read or written; nothing was half done."""

    def __init__(self, field: str, path: str | Path, doing: str, exc: OSError) -> None:
        super().__init__(field, shown_path(path), f"cannot be {doing}: {reason(exc)}")
        self.path = Path(path)
        self.errno = exc.errno


@contextmanager
def file_errors(path: str | Path, *, field: str, doing: str = "written") -> Iterator[None]:
    """Within the block, an OSError becomes a FileError naming ``path`` and what went wrong."""
    try:
        yield
    except OSError as exc:
        raise FileError(field, path, doing, exc) from None

"""A file a person named that cannot be read or written, as one line they can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from circles.errors import InvalidInput
from models.temp_files import disk_error_text


def shown_path(path: str | Path) -> str:
    """A path for a one-line message: its end is what a person recognises, so a long one
    loses its beginning (InvalidInput would cut the end, the file's name)."""
    text = str(path)
    return text if len(text) <= 60 else "..." + text[-57:]


class FileError(InvalidInput):
    """A file (or folder) a person named could not be read or written; nothing was half done."""

    def __init__(self, field: str, path: str | Path, doing: str, exc: OSError) -> None:
        super().__init__(field, shown_path(path), f"cannot be {doing}: {disk_error_text(exc)}")
        self.path = Path(path)
        self.errno = exc.errno


@contextmanager
def file_errors(path: str | Path, *, field: str, doing: str = "written") -> Iterator[None]:
    """Within the block, an OSError becomes a FileError naming ``path`` and what went wrong."""
    try:
        yield
    except OSError as exc:
        raise FileError(field, path, doing, exc) from None

"""Writing .ics files: atomically (a failed export leaves no half file), one or a folder full."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from circles.errors import InvalidInput


def write_atomically(path: Path, content: bytes, *, field: str = "file") -> Path:
    """Write ``content`` to ``path`` through a temporary file in the same folder, then rename."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InvalidInput(field, str(path), f"cannot be written: {exc.strerror or exc}") from None
    return path


def write_files(folder: Path, files: Iterable[tuple[str, bytes]], *, field: str = "folder") -> list[Path]:
    """Write each (name, content) into ``folder``; returns the paths written."""
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(field, str(folder), "is a file, not a folder")
    return [write_atomically(folder / name, content, field=field) for name, content in files]

"""Folders circles makes: private to the user (0700) whatever the umask, like the store's own."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o700


def make_private_folder(folder: Path, *, parents: bool = False) -> None:
    """Create ``folder`` (and, with ``parents``, each missing folder above it) readable only by
    the user. Folders already there are left as they are. Raises FileNotFoundError when the
    folder above is missing and ``parents`` is False, FileExistsError when a file is in the way.
    """
    folder = Path(folder)
    if folder.is_dir():
        return
    if parents and not folder.parent.is_dir() and folder.parent != folder:
        make_private_folder(folder.parent, parents=True)
    try:
        os.mkdir(folder, PRIVATE)
    except FileExistsError:
        if folder.is_dir():  # made by someone else meanwhile: theirs, not ours to change
            return
        raise
    # mkdir's mode passes through the umask, which can only take bits away (and may take
    # the owner's own): set it outright on the folder we just made.
    os.chmod(folder, PRIVATE)

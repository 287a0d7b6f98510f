"""What went wrong inside circles (a bug, not the person's data): its traceback, appended to a
log file in the user's state folder, which is made (readable only by its owner) the first time
there is something to write."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from models.folders import make_private_folder

# One earlier log is kept beside the current one (circles.log.1) once it reaches this size.
KEEP_BYTES = 1_000_000


def log_file() -> Path:
    """Where the log is (or would be): ~/.local/state/circles/log/circles.log on Linux."""
    from platformdirs import user_log_path

    return user_log_path("circles", appauthor=False) / "circles.log"


def record(error: BaseException, *, doing: str = "") -> Path | None:
    """Append ``error``'s traceback to the log; returns the log's path, or None if it could
    not be written (the caller then shows the error itself)."""
    path = log_file()
    when = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(error))
    entry = f"--- {when}{f' while {doing}' if doing else ''}\n{text}\n"
    try:
        make_private_folder(path.parent, parents=True)  # 0700: tracebacks quote people's data
        if path.exists() and path.stat().st_size > KEEP_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(entry)
    except OSError:
        return None
    return path

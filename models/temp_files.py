"""Files written under a temporary name before they take their real one: removed if the work
fails, or if the process is stopped (SIGTERM, SIGINT, SIGHUP) while they exist, so no
half-written file is left behind. Also the sentence that says why a file could not be written.

Shared by backups and exports; it knows nothing of either.
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

# The signals that end a process without unwinding its stack when nobody handles them.
STOPPING_SIGNALS = tuple(
    s for s in (getattr(signal, name, None) for name in ("SIGTERM", "SIGINT", "SIGHUP")) if s is not None
)

_pending: set[Path] = set()
# Re-entrant: the signal handler runs on the main thread, possibly while it holds the lock.
_lock = threading.RLock()
# The handlers found before ours, put back once the last temporary file is gone.
_previous: dict[int, Any] = {}


@contextmanager
def removed_unless_kept(path: Path) -> Iterator[Path]:
    """Remove ``path`` if the block fails, or if a stopping signal ends the process inside it.

    The block usually ends by renaming ``path`` over its target (``os.replace``): nothing is
    left to remove then. Signals are watched only while such a file exists, and only where
    their default would kill the process at once; a signal that Python turns into an
    exception (SIGINT's KeyboardInterrupt) unwinds through this block and removes it here.
    """
    _add(path)
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        _discard(path)


def _add(path: Path) -> None:
    with _lock:
        _pending.add(path)
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set from the main thread
        for signum in STOPPING_SIGNALS:
            if signum not in _previous and signal.getsignal(signum) == signal.SIG_DFL:
                _previous[signum] = signal.signal(signum, _stopped)


def _discard(path: Path) -> None:
    with _lock:
        _pending.discard(path)
        if _pending or threading.current_thread() is not threading.main_thread():
            return
        for signum, previous in list(_previous.items()):
            if signal.getsignal(signum) is _stopped:
                signal.signal(signum, previous)
            del _previous[signum]


def _stopped(signum: int, _frame: FrameType | None) -> None:
    # The default action would end the process here: remove what is half-written, then let it.
    with _lock:
        for path in _pending:
            path.unlink(missing_ok=True)
        _pending.clear()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def disk_error_text(exc: OSError | sqlite3.Error) -> str:
    """Why a file could not be written, in a few words: "the disk is full", "permission denied"."""
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_FULL":
            return "the disk is full"
        if name.startswith("SQLITE_READONLY") or name == "SQLITE_PERM":
            return "it cannot be written here (read-only)"
        return str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is used up"
    return exc.strerror.lower() if exc.strerror else str(exc)

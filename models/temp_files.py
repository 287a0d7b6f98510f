"""Files written under a temporary name before they take their real one, and what becomes of
them when the work fails or the process is told to stop; also the few words that say why a
file could not be written. One mechanism for backups, restores and exports alike.

While such work runs, the signals that would end the process on the spot (SIGTERM, SIGHUP;
SIGINT is Python's KeyboardInterrupt already) raise where the program is instead, so every
``finally`` and ``except BaseException`` on the way out runs: temporary files are removed,
transactions rolled back, a library's own temporary files closed. The process then exits
with the usual 128 + the signal's number.

Shared by backups and exports; it knows nothing of either.
"""

from __future__ import annotations

import errno
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any


class Terminated(SystemExit):
    """SIGTERM (or SIGHUP), raised where the program was, as Ctrl+C raises KeyboardInterrupt,
    so that the code cleaning up after it runs; the process then exits with 128 + the signal."""


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(128 + signum)


# What each stopping signal does inside signals_raise(); SIGHUP is not on every system.
_RAISING: dict[int, Callable[[int, FrameType | None], Any]] = {
    signal.SIGTERM: _terminate,
    signal.SIGINT: signal.default_int_handler,
    **({signal.SIGHUP: _terminate} if hasattr(signal, "SIGHUP") else {}),
}
# Handlers we replace: the defaults (which end the process or raise KeyboardInterrupt) and ours.
_REPLACEABLE = (signal.SIG_DFL, signal.default_int_handler, _terminate)


@contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM, SIGHUP and SIGINT raise instead of ending the process at once.

    A handler someone else installed (the app's, a test's) is left alone, and the previous
    ones come back when the block ends. Signals reach only the main thread: elsewhere (the
    app's workers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}  # whatever was there: a function, SIG_DFL, SIG_IGN
    for signum, handler in _RAISING.items():
        if signal.getsignal(signum) in _REPLACEABLE:
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)


@contextmanager
def removed_unless_kept(path: Path) -> Iterator[Path]:
    """Remove ``path`` if the block fails, or if a stopping signal comes while it runs.

    The block usually ends by renaming ``path`` over its target (``os.replace``): nothing is
    left to remove then.
    """
    with signals_raise():
        try:
            yield path
        except BaseException:
            path.unlink(missing_ok=True)
            raise


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


def disk_error_text(exc: OSError | sqlite3.Error) -> str:
    """Why a file could not be read or written, in a few plain words ("the disk is full")."""
    if isinstance(exc, sqlite3.Error):  # SQLite writing a copy says so in its own terms
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_FULL":
            return "the disk is full"
        if name.startswith("SQLITE_READONLY") or name == "SQLITE_PERM":
            return "it cannot be written here (read-only)"
        return str(exc)
    known = _REASONS.get(exc.errno or 0)
    if known:
        return known
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]

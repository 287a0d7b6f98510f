"""The app process `circles serve` starts for a tab: circles itself, which the kernel sends SIGTERM
if the server dies without ending it (kill -9, a crash), so no app outlives its server."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

# <linux/prctl.h>: deliver a signal to this process when its parent dies.
PR_SET_PDEATHSIG = 1


def end_with_parent(signum: int = signal.SIGTERM) -> None:
    """Ask Linux for ``signum`` when the server dies; elsewhere the server's own ending has to do."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)


def main() -> None:
    parent = os.getppid()
    end_with_parent()
    if os.getppid() != parent:  # the server died before the request took hold
        sys.exit(1)
    from circles.cli import main as circles

    # The store comes from CIRCLES_DATABASE_URL, set by the server: never on a command line.
    circles(args=[], prog_name="circles")


if __name__ == "__main__":
    main()

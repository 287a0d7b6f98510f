"""Holding Python's cyclic collector off while a read model of many small objects is built.

A year's recognition digest builds about 70,000 small objects (talks, streaks, people, their
lists) that refer to nothing that refers back to them: reference counting frees every one of
them, and the cyclic collector can find nothing among them. It still ran a few hundred times
while they were made, twice over everything the process holds, because so many new objects
outlived its youngest generation: a fifth of the digest's time (bench/feedback.py). Held off,
it catches up on the next allocations after, over whatever is still alive then.

The collector is one for the process: in the TUI a screen's data is built in a worker thread,
while screens/heap.py's CollectorHold may hold it too from the UI thread. Whoever turned it off
turns it back on; someone finding it off already leaves it be.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_held() -> Iterator[None]:
    """The cyclic collector off inside, back on after (unless it was off already)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

"""The attendance CSV on PostgreSQL made by two server backends at once.

The export's query does nearly all its work in the server (exports/attendance_copy.py): one
backend, one core, while the client waits for it; a plain COPY of the joined rows keeps two
cores busy, its server making the CSV while its client writes it. So the sessions are dealt
out in blocks of SESSIONS_AT_ONCE, in the export's order, to two connections that share one
snapshot (what pg_dump does for a parallel dump): each COPY makes every other block, a thread
of the client reads each into a small queue, and the main thread writes the blocks in turn.
The file is the same, byte for byte; memory holds a few blocks per part (a few megabytes).

Only inside a REPEATABLE READ transaction (the command line's whole-store export): there each
statement sees the transaction's snapshot, the one the second connection takes. Elsewhere, or
when no second connection can be had, the one connection makes all of it, as before.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from circles.exports.columns import Tick

# Blocks each part's reader may hold while the main thread writes another part's: enough for
# the part whose turn is next to be ready when it comes, a few megabytes at most.
WAITING_BLOCKS = 2
# How often a reader blocked on a full queue looks whether the export has stopped (seconds).
_LOOK_EVERY = 0.1
# How long a stopped export waits for its readers to see their query cancelled (seconds).
_STOP_WAIT = 10.0

# A block: its number in the export's order, its lines and how many rows they are.
Block = tuple[int, bytes, int]


class _Stopped(Exception):
    """The export stopped (an error, a signal, a full disk): a reader ends without a word."""


class PartReader(threading.Thread):
    """Reads one part's COPY on its own connection into a bounded queue of whole blocks."""

    def __init__(self, cursor: Any, query: str, block_of: Callable[[int], int]) -> None:
        super().__init__(name="attendance export part", daemon=True)
        self.cursor = cursor
        self.query = query
        self.block_of = block_of
        self.blocks: queue.Queue[Block | BaseException | None] = queue.Queue(maxsize=WAITING_BLOCKS)
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            self._read()
            self._put(None)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the main thread, which raises it there
            with contextlib.suppress(_Stopped):
                self._put(exc)

    def _read(self) -> None:
        with self.cursor.copy(self.query) as copy:
            copy.set_types(["int8", "bytea", "int8"])
            block, lines, rows = -1, list[bytes](), 0
            for n, text, count in copy.rows():
                if self.block_of(n) != block:
                    if lines:
                        self._put((block, b"".join(lines), rows))
                    block, lines, rows = self.block_of(n), [], 0
                lines.append(text)
                rows += count
            if lines:
                self._put((block, b"".join(lines), rows))

    def _put(self, item: Block | BaseException | None) -> None:
        while not self.stopping.is_set():
            try:
                self.blocks.put(item, timeout=_LOOK_EVERY)
                return
            except queue.Full:
                continue
        raise _Stopped

    def next_block(self) -> Block | None:
        """The part's next block, None after its last; raises what ended its reading."""
        item = self.blocks.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        """Ends the reading, cancelling the query if it still runs."""
        self.stopping.set()
        if self.is_alive():
            # The connection is being given up on: a cancel that fails changes nothing.
            with contextlib.suppress(Exception):
                self.cursor.connection.cancel_safe(timeout=_STOP_WAIT)
            self.join(_STOP_WAIT)


def in_turn(readers: list[PartReader]) -> Iterator[tuple[bytes, int]]:
    """Every part's blocks, in the export's order: the lowest-numbered waiting block next (a
    part may have no rows in a block, when its sessions have nobody)."""
    heads = [reader.next_block() for reader in readers]
    while True:
        waiting = [(head[0], i) for i, head in enumerate(heads) if head is not None]
        if not waiting:
            return
        _, i = min(waiting)
        head = heads[i]
        assert head is not None
        yield head[1], head[2]
        heads[i] = readers[i].next_block()


def write_parts(cursors: list[Any], queries: list[str], out: BinaryIO, tick: Tick, block_size: int) -> int:
    """Write the export made by the ``queries`` (one COPY each, on its cursor) to ``out`` in the
    order of their blocks of ``block_size`` sessions; returns the rows written."""
    readers = [
        PartReader(c, q, lambda n: (n - 1) // block_size) for c, q in zip(cursors, queries, strict=True)
    ]
    for reader in readers:
        reader.start()
    written = 0
    try:
        for lines, rows in in_turn(readers):
            out.write(lines)
            written += rows
            tick(written)
    except BaseException:
        for reader in readers:
            reader.stop()
        raise
    for reader in readers:  # each has sent its end: its thread is ending
        reader.join()
    return written

"""The attendance export's columns, its CSV header as csv.writer writes it (every cell quoted),
and the frame every path of the CSV writes its rows in."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import BinaryIO

# Told how many rows are written so far (0 once, for an export with none).
Tick = Callable[[int], None]

COLUMNS = (
    "circle",
    "session date",
    "session title",
    "person",
    "email",
    "team",
    "rsvp",
    "attended",
    "presenter",
    "walk-in",
)
# Keys of the JSON Lines objects, the same columns in a script's words.
KEYS = ("circle", "date", "title", "person", "email", "team", "rsvp", "attended", "presenter", "walk_in")


def quoted(value: str) -> str:
    """One CSV cell as csv.writer quotes every cell: in double quotes, inner quotes doubled."""
    return '"' + value.replace('"', '""') + '"'


HEADER = ",".join(quoted(c) for c in COLUMNS) + "\r\n"


def write_framed(out: BinaryIO, *, excel: bool, tick: Tick, rows: Callable[[], int]) -> int:
    """The whole CSV: byte order mark (``excel``), header, then what ``rows()`` writes; returns
    how many rows it wrote."""
    if excel:
        out.write(codecs.BOM_UTF8)
    out.write(HEADER.encode("utf-8"))
    written = rows()
    if not written:
        tick(0)
    return written

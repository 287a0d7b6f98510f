"""The attendance export's columns, and its CSV header as csv.writer writes it (every cell quoted)."""

from __future__ import annotations

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
)
# Keys of the JSON Lines objects, the same columns in a script's words.
KEYS = ("circle", "date", "title", "person", "email", "team", "rsvp", "attended", "presenter")


def quoted(value: str) -> str:
    """One CSV cell as csv.writer quotes every cell: in double quotes, inner quotes doubled."""
    return '"' + value.replace('"', '""') + '"'


HEADER = ",".join(quoted(c) for c in COLUMNS) + "\r\n"

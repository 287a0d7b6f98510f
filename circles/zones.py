"""Time zones by name, each read from the system's zone database once per run."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo


@cache
def time_zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name such as "Europe/Lisbon"), kept for the whole run.

    ``ZoneInfo`` itself keeps only the last eight zones it built once nothing holds them; an
    organisation with circles in more zones than that re-read a zone file for each row of a
    list or an export. A name that is not a zone raises as ``ZoneInfo`` does, and is not kept.
    """
    return ZoneInfo(name)

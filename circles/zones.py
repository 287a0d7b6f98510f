"""Time zones by name, each read from the system's zone database once per run; and the name of
this machine's own zone."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def time_zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name such as "Europe/Lisbon"), kept for the whole run.

    ``ZoneInfo`` itself keeps only the last eight zones it built once nothing holds them; an
    organisation with circles in more zones than that re-read a zone file for each row of a
    list or an export. A name that is not a zone raises as ``ZoneInfo`` does, and is not kept.
    """
    return ZoneInfo(name)


def local_zone_name(environ: Mapping[str, str] = os.environ, etc: Path = Path("/etc")) -> str:
    """The IANA name of this machine's zone ("Europe/Berlin"), to suggest for a new circle: most
    facilitators run the circles of the place they work in. From TZ, else the zone file
    /etc/localtime links to (Linux, macOS), else /etc/timezone (Debian); "UTC" when none of them
    names a zone (a POSIX rule such as "CET-1CEST" in TZ, a copied /etc/localtime, Windows)."""
    candidates = [environ.get("TZ", "").removeprefix(":")]
    with contextlib.suppress(OSError):  # not a link (or not there): it names no zone
        candidates.append(os.readlink(etc / "localtime"))
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append((etc / "timezone").read_text(encoding="utf-8").strip())
    for candidate in candidates:
        # A path to a zone file names the zone after its "zoneinfo/" folder.
        name = candidate.rpartition("zoneinfo/")[2] if "zoneinfo/" in candidate else candidate
        if name and not name.startswith("/") and is_zone(name):
            return "UTC" if name in _UTC_ALIASES else name
    return "UTC"


def day_here(at: datetime, zone: tzinfo | None = None) -> date:
    """The day instant ``at`` falls on in ``zone``, else in this machine's zone: the facilitator's
    day, for an app and a command line that run on the facilitator's own machine."""
    return at.astimezone(zone or time_zone(local_zone_name())).date()


_UTC_ALIASES = {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"}


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows ("Europe/Berlin"; not a path, not a folder)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        return False
    return True

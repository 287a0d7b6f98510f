"""Time zones are read once per run, however many zones an organisation's circles span."""

from __future__ import annotations

import weakref
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from circles.zones import time_zone

TEN_ZONES = [
    "Europe/Lisbon", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Africa/Lagos",
]  # fmt: skip


def test_a_zone_is_kept_when_more_zones_are_in_use_than_zoneinfo_keeps():
    # Nothing holds the first zone but the cache, as when a list row has formatted its date.
    first = weakref.ref(time_zone(TEN_ZONES[0]))
    for name in TEN_ZONES[1:]:
        time_zone(name)
        ZoneInfo(name)  # pushes older zones out of ZoneInfo's own short list
    assert first() is not None
    assert time_zone(TEN_ZONES[0]) is first()


def test_a_name_that_is_not_a_zone_raises_as_zoneinfo_does():
    with pytest.raises(ZoneInfoNotFoundError):
        time_zone("Mars/Olympus_Mons")

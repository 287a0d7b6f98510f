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


@pytest.mark.parametrize(
    ("tz", "localtime", "timezone_file", "expected"),
    [
        ("Asia/Kolkata", None, None, "Asia/Kolkata"),
        (":Europe/Berlin", None, None, "Europe/Berlin"),
        ("/usr/share/zoneinfo/America/Chicago", None, None, "America/Chicago"),
        ("", "/usr/share/zoneinfo/Asia/Tokyo", None, "Asia/Tokyo"),
        ("", "../usr/share/zoneinfo/Europe/Lisbon", None, "Europe/Lisbon"),
        ("", "/var/db/timezone/zoneinfo/Australia/Sydney", None, "Australia/Sydney"),  # macOS
        ("CET-1CEST,M3.5.0,M10.5.0/3", None, "America/New_York\n", "America/New_York"),
        ("", "/usr/share/zoneinfo/Etc/UTC", "Etc/UTC\n", "UTC"),
        ("Mars/Olympus_Mons", "/usr/share/zoneinfo/Europe", None, "UTC"),  # a folder, not a zone
        ("", None, None, "UTC"),
    ],
)
def test_the_machines_zone_is_named_from_tz_then_etc_localtime_then_etc_timezone(
    tmp_path, tz, localtime, timezone_file, expected
):
    from circles.zones import local_zone_name

    if localtime is not None:
        (tmp_path / "localtime").symlink_to(localtime)
    if timezone_file is not None:
        (tmp_path / "timezone").write_text(timezone_file, encoding="utf-8")
    assert local_zone_name({"TZ": tz}, tmp_path) == expected

"""Checks for values people type. Each returns the cleaned value or raises InvalidInput."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from circles.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Tab and newline are fine in free text such as notes; every other control character
# (NUL above all: it makes libical reject a whole calendar file) is refused.
_MULTILINE_OK = {"\n", "\t"}

MAX_MINUTES = 24 * 60


def _control_chars(value: str, allow: set[str]) -> list[str]:
    return [c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in allow]


def as_stored(value: str | None, *, multiline: bool = False) -> str:
    """A text as the store keeps it: without surrounding blanks, and with plain newlines."""
    value = (value or "").strip()
    return value.replace("\r\n", "\n").replace("\r", "\n") if multiline else value


def text(
    value: str | None,
    field: str,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Stripped text, refused if it holds control characters or is too long."""
    value = as_stored(value, multiline=multiline)
    if required and not value:
        raise InvalidInput(field, value, "is required")
    bad = _control_chars(value, _MULTILINE_OK if multiline else set())
    if bad:
        raise InvalidInput(field, value, f"contains a control character (U+{ord(bad[0]):04X}); remove it")
    if len(value) > max_length:
        raise InvalidInput(field, value, f"is {len(value)} characters long; the limit is {max_length}")
    return value


def optional_text(value: str | None, field: str, *, max_length: int) -> str | None:
    return text(value, field, max_length=max_length) or None


def email(value: str | None, field: str = "email") -> str:
    cleaned = text(value, field, max_length=254, required=True).lower()
    if not _EMAIL.match(cleaned):
        raise InvalidInput(field, value, "is not an e-mail address like ana@example.org")
    return cleaned


def url(value: str | None, field: str = "video link") -> str | None:
    cleaned = optional_text(value, field, max_length=500)
    if cleaned and not re.match(r"^https?://\S+$", cleaned):
        raise InvalidInput(field, value, "must start with http:// or https:// and have no spaces")
    return cleaned


def timezone(value: str | None, field: str = "timezone") -> str:
    cleaned = text(value, field, max_length=64, required=True)
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder name such as "Europe"
        hint = _zone_hint(cleaned)
        raise InvalidInput(field, value, f"is not an IANA timezone name like Europe/Berlin{hint}") from None
    return cleaned


def _zone_hint(value: str) -> str:
    lowered = value.lower().replace(" ", "_")
    matches = sorted(z for z in available_timezones() if lowered in z.lower())
    return f"; did you mean {matches[0]}?" if matches else ""


def minutes(value: int | None, field: str = "minutes", *, allow_zero: bool = False) -> int:
    if value is None or isinstance(value, bool):
        raise InvalidInput(field, value, "is required")
    low = 0 if allow_zero else 1
    if not low <= value <= MAX_MINUTES:
        raise InvalidInput(field, value, f"must be between {low} and {MAX_MINUTES} minutes")
    return value


def parse_int(value: str | int, field: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidInput(field, value, "is not a whole number") from None


def parse_date(value: str | date, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, value, "is not a date like 2026-03-17") from None


def parse_local_time(value: str, field: str, tz: str) -> datetime:
    """'YYYY-MM-DD HH:MM' on the wall clock of ``tz``, as an aware datetime.

    A time that does not exist there (skipped by a daylight-saving change) is refused
    rather than silently shifted; an ambiguous one takes its first occurrence.
    """
    cleaned = value.strip().replace("T", " ")
    try:
        naive = datetime.strptime(cleaned, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(field, value, "is not a time like 2026-03-17 12:00") from None
    return local_to_aware(naive, field, tz)


def local_to_aware(naive: datetime, field: str, tz: str) -> datetime:
    zone = ZoneInfo(tz)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise InvalidInput(
            field,
            naive.strftime("%Y-%m-%d %H:%M"),
            f"does not exist in {tz} (the clocks skip it for daylight saving); pick another time",
        )
    return aware


def date_range(start: date, end: date, *, start_field: str = "from", end_field: str = "to") -> None:
    if end < start:
        raise InvalidInput(end_field, end.isoformat(), f"is before {start_field} {start.isoformat()}")

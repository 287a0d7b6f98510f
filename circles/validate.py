"""Checks for values people type. Each returns the cleaned value or raises InvalidInput.

Every number, id, date, time, name and e-mail address a person types (in the CLI, a form
or a file) is read here, so each kind of value follows one rule wherever it comes in.
"""

from __future__ import annotations

import calendar
import difflib
import functools
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from circles.errors import InvalidInput
from circles.zones import time_zone
from models.url_text import url_without_secrets

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Tab and newline are fine in free text such as notes; every other control character
# (NUL above all: it makes libical reject a whole calendar file) is refused.
_MULTILINE_OK = {"\n", "\t"}

MAX_MINUTES = 24 * 60

# Numbers are typed with the digits 0-9 only. str.isdigit() and int() accept other
# scripts' digits, and not the same ones ('²' passes isdigit() and fails int()).
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 18  # any count or length people type fits; int() of 5,000 digits raises
# Ids are INTEGER in the store: 32 bits on PostgreSQL, where looking up a larger one fails
# ("integer out of range") instead of finding nobody; SQLite's go further, but none gets there.
MAX_ID = 2**31 - 1

# The days circles keeps: far enough back for any record, far enough ahead for any plan,
# and far from the ends of Python's calendar (years 1 and 9999), where adding a day, a
# time zone's offset or a calendar's two years of daylight-saving rules overflows.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2199, 12, 31)

# Characters that show nothing. In a name they are dropped: they come in with pasted
# text and only make one name look like two. In an e-mail address they are refused.
# Zero-width joiner and non-joiner are not here: Persian, the Indic scripts and emoji
# spell with them, so in a name they are part of the spelling.
_INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero-width space
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\ufeff"  # zero-width no-break space (a byte order mark)
)
# Embeddings, overrides and isolates reorder the text around them, so a name holding one
# can display as another name (or spill its direction into the rest of a line). A
# right-to-left name needs none of them: the Unicode bidirectional algorithm lays it
# out. They are refused rather than dropped, as dropping one changes what shows.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control_chars(value: str, allow: set[str]) -> list[str]:
    return [c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in allow]


def _character(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip()


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


def name(value: str | None, field: str = "name", *, max_length: int, required: bool = True) -> str:
    """A name people know someone or something by (a person, a circle, a team).

    Two names that look the same are stored the same: composed the one way Unicode
    defines (NFC, so 'é' typed as one character or as 'e' and an accent is one name),
    and without invisible characters. Direction overrides are refused.
    """
    raw = as_stored(value)
    bidi = [c for c in raw if c in _BIDI_CONTROLS]
    if bidi:
        raise InvalidInput(
            field,
            raw,
            f"contains a direction control ({_character(bidi[0])}) that can disguise it; remove it",
        )
    cleaned = unicodedata.normalize("NFC", "".join(c for c in raw if c not in _INVISIBLE))
    return text(cleaned, field, max_length=max_length, required=required)


def optional_name(value: str | None, field: str, *, max_length: int) -> str | None:
    return name(value, field, max_length=max_length, required=False) or None


def email_key(value: str) -> str:
    """An e-mail address the way the store keeps it, to look someone up by (no checks).

    NFC, then lower case, then NFC again: lower-casing can undo the composition
    ('İ' becomes 'i' and a combining dot).
    """
    lowered = unicodedata.normalize("NFC", value.strip()).lower()
    return unicodedata.normalize("NFC", lowered)


def _hidden(c: str) -> bool:
    return c in _INVISIBLE or c in _BIDI_CONTROLS or unicodedata.category(c) == "Cf"


def email_identity(value: str) -> str:
    """What an address stored before these rules is, once the rules apply: two people
    whose addresses give the same identity are one address that looks like two."""
    return email_key("".join(c for c in value if not _hidden(c)))


def email(value: str | None, field: str = "email") -> str:
    """An e-mail address, as stored: NFC and lower case, so look-alikes are one address.

    Invisible and direction-control characters are refused, not dropped: an address
    is an identity, and one with a hidden character in it is a different address
    that nobody could tell apart from the real one; the person should see it.
    """
    cleaned = text(value, field, max_length=254, required=True)
    hidden = [c for c in cleaned if _hidden(c)]
    if hidden:
        raise InvalidInput(
            field, cleaned, f"contains an invisible character ({_character(hidden[0])}); retype the address"
        )
    cleaned = email_key(cleaned)
    if len(cleaned) > 254:
        # Lower case can be longer than what was typed ('İ' is 'i' and a combining dot): the
        # limit is the stored address's, which PostgreSQL's column refuses past 254 characters.
        raise InvalidInput(field, value, f"is {len(cleaned)} characters long in lower case; the limit is 254")
    if not _EMAIL.match(cleaned):
        raise InvalidInput(field, value, "is not an e-mail address like ana@example.org")
    return cleaned


def url(value: str | None, field: str = "video link") -> str | None:
    cleaned = optional_text(value, field, max_length=500)
    if cleaned and not re.match(r"^https?://\S+$", cleaned):
        raise InvalidInput(field, value, "must start with http:// or https:// and have no spaces")
    if cleaned:
        url_parts(cleaned, field)
    return cleaned


def url_parts(value: str, field: str) -> SplitResult:
    """A URL's parts, or InvalidInput naming ``field``. urllib refuses an unclosed [ (an IPv6
    host) when it splits, but a port out of range or not a number only when the port is read:
    kept, such a link failed later, wherever it was read (an invite, a connection), as a bug's
    "Something went wrong". Shown as typed, but never with its password."""
    try:
        parts = urlsplit(value)
    except ValueError:
        raise InvalidInput(field, url_without_secrets(value), "is not a valid URL") from None
    try:
        parts.port  # noqa: B018 - read only to check it
    except ValueError:
        raise InvalidInput(
            field, url_without_secrets(value), "has a port that is not a number from 0 to 65535"
        ) from None
    return parts


def timezone(value: str | None, field: str = "timezone") -> str:
    cleaned = text(value, field, max_length=64, required=True)
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder name such as "Europe"
        # "europe/berlin", "America/New York": one zone, spelled as calendars know it. Asking
        # the person to type it again would only change the capitals. (Looked up only here:
        # listing every zone takes tens of milliseconds, once.)
        spelled = _zones_by_lowered().get(cleaned.lower().replace(" ", "_"))
        if spelled is not None:
            return spelled
        hint = _zone_hint(cleaned)
        raise InvalidInput(field, value, f"is not an IANA timezone name like Europe/Berlin{hint}") from None
    return cleaned


@functools.cache
def _zones_by_lowered() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def _zone_hint(value: str) -> str:
    """The zone the person most likely meant: one whose name holds what they typed ("berlin"),
    else the closest spelling ("Europe/Berln")."""
    lowered = value.lower().replace(" ", "_")
    zones = _zones_by_lowered()
    matches = sorted(z for low, z in zones.items() if lowered in low)
    if not matches:
        matches = [zones[z] for z in difflib.get_close_matches(lowered, zones, n=1, cutoff=0.8)]
    return f"; did you mean {matches[0]}?" if matches else ""


def minutes(value: int | None, field: str = "minutes", *, allow_zero: bool = False) -> int:
    if value is None or isinstance(value, bool):
        raise InvalidInput(field, value, "is required")
    low = 0 if allow_zero else 1
    if not low <= value <= MAX_MINUTES:
        raise InvalidInput(field, value, f"must be between {low} and {MAX_MINUTES} minutes")
    return value


def parse_int(value: str | int, field: str) -> int:
    """A whole number typed with the digits 0-9 (and an optional sign)."""
    if isinstance(value, bool):
        raise InvalidInput(field, value, "is not a whole number")
    if isinstance(value, int):
        return value
    cleaned = value.strip()
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        raise InvalidInput(field, value, "is not a whole number; type it with the digits 0 to 9")
    if len(cleaned.lstrip("+-")) > _MAX_DIGITS:
        raise InvalidInput(field, value, "is too large a number")
    return int(cleaned)


def record_id(value: str | int, field: str) -> int:
    """The id of a circle, person, session...: a whole number from 1."""
    number = parse_int(value, field)
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(field, value, f"is not an id; ids are whole numbers from 1 to {MAX_ID}")
    return number


def id_in(ref: str) -> int | None:
    """The id ``ref`` names, for a lookup that takes a name (or address) or an id; else None.

    Only the digits 0-9 make an id: a circle called '²' or '٣' is looked up by its name.
    """
    cleaned = ref.strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > len(str(MAX_ID)):
        return None
    number = int(cleaned)
    return number if 1 <= number <= MAX_ID else None


def day(value: date, field: str) -> date:
    """A day inside the range circles keeps (1970 to 2199)."""
    if isinstance(value, datetime):
        value = value.date()
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(field, value.isoformat(), _outside_days())
    return value


def _outside_days() -> str:
    return f"is outside the dates circles keeps: {FIRST_DAY.year} to {LAST_DAY.year}"


def instant(value: datetime, field: str) -> datetime:
    """An aware instant whose day, in any time zone, is inside the range circles keeps."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, value.isoformat(), "needs a timezone")
    # A day of slack either side: 2199-12-31 23:00 on a clock behind UTC is in 2200 there.
    utc_day = value.astimezone(UTC).date()
    if not FIRST_DAY - timedelta(days=1) <= utc_day <= LAST_DAY + timedelta(days=1):
        raise InvalidInput(field, f"{value:%Y-%m-%d %H:%M}", _outside_days())
    return value


_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def parse_date(value: str | date, field: str) -> date:
    """A day typed as 2026-03-17 (or a date already), between 1970 and 2199."""
    if isinstance(value, date):
        return day(value, field)
    match = _DATE.fullmatch(value.strip())
    if match is None:
        raise InvalidInput(field, value, "is not a date like 2026-03-17")
    year, month, number = (int(part) for part in match.groups())
    try:
        parsed = date(year, month, number)
    except ValueError:
        raise InvalidInput(field, value, _no_such_day(year, month)) from None
    return day(parsed, field)


def _no_such_day(year: int, month: int) -> str:
    """Why a date written the right way is not a day: 2026-02-30 looked right to the person
    who typed it, and "is not a date like 2026-03-17" did not say what was wrong."""
    if not 1 <= month <= 12:
        return f"has no month {month}: months go from 01 to 12"
    if year < 1:
        return "is not a date like 2026-03-17"
    days = calendar.monthrange(year, month)[1]
    return f"is not a day of the calendar: {calendar.month_name[month]} {year} has {days} days"


class AmbiguousTime(InvalidInput):
    """A wall-clock time that happens twice (the hour the clocks go back).

    ``choices`` are the two instants, earlier first; ``typed`` is how to write each
    one so that it is no longer ambiguous (e.g. "2026-10-25 02:30 CEST").
    """

    def __init__(self, field: str, value: str, tz: str, choices: tuple[datetime, datetime]) -> None:
        self.choices = choices
        marks = _marks(*choices)
        self.typed = tuple(f"{c:%Y-%m-%d %H:%M} {m}" for c, m in zip(choices, marks, strict=True))
        first, second = (_described(c, m) for c, m in zip(choices, marks, strict=True))
        super().__init__(
            field,
            value,
            f"happens twice in {tz} (the clocks go back that night): {first}, "
            f"then an hour later {second}; add {marks[0]} or {marks[1]} to say which",
        )


def _marks(earlier: datetime, later: datetime) -> tuple[str, str]:
    """How a person tells two same wall-clock times apart: the zone's abbreviations
    (CEST, CET) where it has distinct ones, else the offsets (+02:00, +01:00)."""
    names = (earlier.tzname() or "", later.tzname() or "")
    if all(n.isalpha() for n in names) and names[0] != names[1]:
        return names
    return _offset(earlier), _offset(later)


def _mark(when: datetime) -> str:
    name = when.tzname() or ""
    return name if name.isalpha() else _offset(when)


def _offset(when: datetime) -> str:
    offset = when.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes_east = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes_east // 60:02d}:{minutes_east % 60:02d}"


def _described(when: datetime, mark: str) -> str:
    return f"{when:%H:%M} {mark} (UTC{_offset(when)}, {when.astimezone(UTC):%H:%M} UTC)"


# Which of two same times a time names: "CET", "+01:00".
_MARK = r"(?:\s*(?P<mark>[+-][0-9]{2}(?::?[0-9]{2})?|[A-Za-z]{1,6}))?"
# "2026-03-17 12:00", optionally followed by its mark.
_LOCAL_TIME = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]+|\s+)([0-9]{1,2}):([0-9]{2})" + _MARK)
# "13:00" (or "13:00 CET"), with no day: read on a given day (parse_local_time's ``day_of``).
_TIME_ALONE = re.compile(r"[0-9]{1,2}:[0-9]{2}" + _MARK)


def parse_local_time(value: str, field: str, tz: str, *, day_of: datetime | None = None) -> datetime:
    """'YYYY-MM-DD HH:MM' on the wall clock of ``tz``, as an aware datetime.

    A time that does not exist there (skipped by a daylight-saving change) is refused
    rather than silently shifted. A time that happens twice (when the clocks go back)
    is refused with both instants (AmbiguousTime) unless it names one: "02:30 CEST"
    or "02:30 +02:00". A mark that matches the zone at that time is always accepted.

    ``day_of``: a time alone ("13:00") is on that instant's day on the clock of ``tz``, so
    moving a session within its day is typing its new hour (the Move form, `session move`).
    """
    text = value.strip()
    if day_of is not None and _TIME_ALONE.fullmatch(text):
        text = f"{day_of.astimezone(time_zone(tz)):%Y-%m-%d} {text}"
    match = _LOCAL_TIME.fullmatch(text)
    if match is None:
        example = "2026-03-17 12:00" + (" or 12:00 (that day)" if day_of is not None else "")
        raise InvalidInput(field, value, f"is not a time like {example}")
    year, month, day_of_month, hour, minute = (int(part) for part in match.groups()[:5])
    try:
        naive_day = date(year, month, day_of_month)
    except ValueError:
        raise InvalidInput(field, value, _no_such_day(year, month)) from None
    if hour > 23 or minute > 59:
        # Written the right way, so "is not a time like ..." would not say what is wrong.
        raise InvalidInput(
            field, value, f"has no time {hour:02d}:{minute:02d}: a day goes from 00:00 to 23:59"
        )
    naive = datetime.combine(naive_day, time(hour, minute))
    if not FIRST_DAY <= naive.date() <= LAST_DAY:
        raise InvalidInput(field, value, _outside_days())
    return local_to_aware(naive, field, tz, mark=match.group("mark"), typed=value.strip())


def local_to_aware(
    naive: datetime, field: str, tz: str, *, mark: str | None = None, typed: str | None = None
) -> datetime:
    """``naive`` on the wall clock of ``tz``; ``mark`` ("CET", "+01:00") picks one of two same times."""
    zone = time_zone(tz)
    shown = typed or naive.strftime("%Y-%m-%d %H:%M")
    earlier, later = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidInput(
            field,
            shown,
            f"does not exist in {tz} (the clocks skip it for daylight saving); pick another time",
        )
    choices = [earlier] if earlier.utcoffset() == later.utcoffset() else [earlier, later]
    if mark is not None:
        picked = [c for c in choices if _names(mark, c)]
        if not picked:
            names = " or ".join(_marks(earlier, later)) if len(choices) == 2 else _mark(earlier)
            raise InvalidInput(field, shown, f"says {mark}, but {tz} is on {names} at that time")
        return picked[0]
    if len(choices) == 2:
        raise AmbiguousTime(field, shown, tz, (earlier, later))
    return earlier


def _names(mark: str, when: datetime) -> bool:
    if mark[0] in "+-":
        digits = mark[1:].replace(":", "")
        hours, minutes_ = int(digits[:2]), int(digits[2:] or 0)
        offset = timedelta(hours=hours, minutes=minutes_) * (-1 if mark[0] == "-" else 1)
        return when.utcoffset() == offset
    return mark.upper() == (when.tzname() or "").upper()


def local_time_text(when: datetime, tz: str) -> str:
    """``when`` as a person types it on the clock of ``tz``; parse_local_time reads it back
    to the same instant (a time that happens twice there carries its abbreviation or offset)."""
    local = when.astimezone(time_zone(tz))
    wall = f"{local:%Y-%m-%d %H:%M}"
    earlier, later = local.replace(fold=0), local.replace(fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return wall
    return f"{wall} {_marks(earlier, later)[local.fold]}"


def date_range(start: date, end: date, *, start_field: str = "from", end_field: str = "to") -> None:
    day(start, start_field)
    day(end, end_field)
    if end < start:
        raise InvalidInput(
            # The first day by its value, not its field's name: a form shows this under its
            # last day's box, where "(--from …)" named a flag nobody typed there.
            end_field,
            end.isoformat(),
            f"is earlier than the first day ({start.isoformat()})",
        )

"""Spreadsheet safety: text that a spreadsheet would run as a formula is made inert."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

# Excel, LibreOffice and Google Sheets start a formula (or DDE call) on these; tab, CR and
# LF let a payload hide behind a line break. A leading apostrophe makes the cell text.
DANGEROUS_FIRST = frozenset("=+-@\t\r\n|%")
# XML 1.0 refuses these; openpyxl raises on them, so they are dropped from XLSX cells.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe if a spreadsheet would treat it as a formula."""
    return "'" + value if value and value[0] in DANGEROUS_FIRST else value


def safe_cell(value: Any) -> Any:
    """A cell for CSV or XLSX: text neutralised; numbers, booleans and dates kept as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool | int | float | date):
        return value
    return safe_text(str(value))


def xml_safe(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


MEMO_LIMIT = 200_000


def memoised(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``convert`` remembering its answers: an export repeats the same names and titles
    on thousands of rows, and a dictionary lookup is cheaper than checking again."""
    cache: dict[str, Any] = {}

    def cell(value: str) -> Any:
        try:
            return cache[value]
        except KeyError:
            converted = convert(value)
            if len(cache) < MEMO_LIMIT:
                cache[value] = converted
            return converted

    return cell


def spreadsheet_text(value: str) -> str:
    """Text for an XLSX cell: XML-safe, then neutralised."""
    return safe_text(xml_safe(value))

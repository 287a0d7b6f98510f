"""The formats an attendance export is written in, and which one a command asks for."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from circles.errors import InvalidInput


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"

    @property
    def suffix(self) -> str:
        return f".{self.value}"


def parse_format(value: str | ExportFormat) -> ExportFormat:
    try:
        return ExportFormat(str(value).strip().lower().lstrip("."))
    except ValueError:
        raise InvalidInput("format", value, "must be csv, xlsx or jsonl") from None


def format_for(path: Path | None, given: str | None) -> ExportFormat:
    """The format asked for, else the one the file name says (.csv, .xlsx, .jsonl), else CSV.

    A name that says another kind of file (``attendance.pdf``, ``attendance.xls``) is refused
    rather than filled with CSV: it would not open as what its name promises, and the export said
    only "Wrote 575 rows". A name without such a suffix (``attendance``, ``attendance.2026.12``)
    is written as CSV."""
    if given:
        return parse_format(given)
    typed = path.suffix if path is not None else ""
    if not typed[1:].isalpha():
        return ExportFormat.CSV
    try:
        return ExportFormat(typed[1:].lower())
    except ValueError:
        raise InvalidInput(
            "output",
            str(path),
            f"ends in {typed}, which an attendance export is not written as; "
            "name it .csv, .xlsx or .jsonl, or choose the format",
        ) from None

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
    """The format asked for, else the one the file name says (.xlsx, .jsonl), else CSV."""
    if given:
        return parse_format(given)
    if path is not None and path.suffix.lower() in (".xlsx", ".jsonl"):
        return parse_format(path.suffix)
    return ExportFormat.CSV

"""The formats an attendance export is written in, and which one a command asks for."""

from __future__ import annotations

from collections.abc import Sequence
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
    """The format asked for, else the one the file name says (.csv, .xlsx, .jsonl), else CSV
    (a name without a kind, or with a date after a dot); a name of another kind is refused."""
    if given:
        return parse_format(given)
    if path is None:
        return ExportFormat.CSV
    kinds = [f.suffix for f in ExportFormat]
    refuse_another_kind(
        path, kinds, field="output", written="an attendance export", or_else="choose the format"
    )
    return parse_format(path.suffix) if path.suffix.lower() in kinds else ExportFormat.CSV


def refuse_another_kind(
    path: Path, kinds: Sequence[str], *, field: str, written: str, or_else: str = ""
) -> None:
    """Refuse a file name that says another kind of file than the one written (attendance.pdf,
    invites.xlsx): filled anyway, it did not open as what its name promised, and the command
    said only that it wrote it. A name without a kind (attendance, attendance.2026.12) is taken
    as it is. ``kinds``: the suffixes that say the file written, lower case."""
    typed = path.suffix
    if typed[1:].isalpha() and typed.lower() not in kinds:
        named = ", ".join(kinds[:-1]) + f" or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
        raise InvalidInput(
            field,
            str(path),
            f"ends in {typed}, but what is written is {written}: name it {named}"
            + (f", or {or_else}" if or_else else ""),
        )

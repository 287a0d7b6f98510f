"""`circles export attendance`'s work: choose the format, stream the rows, write the file atomically."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session

from circles.exports import rows as attendance_rows
from circles.exports.atomic import atomic_output
from circles.exports.cells import memoised, spreadsheet_text
from circles.exports.formats import ExportFormat as ExportFormat
from circles.exports.formats import format_for as format_for
from circles.exports.formats import parse_format as parse_format
from circles.exports.writers import Sheet, write_csv, write_jsonl, write_xlsx
from circles.services import reports
from circles.services.participation import Scope

SUMMARY_COLUMNS = ("circle", "person", "email", "team", "expected", "attended", "walk-ins", "rate")
SUMMARY_KEYS = ("circle", "person", "email", "team", "expected", "attended", "walk_ins", "rate")
CIRCLE_COLUMNS = ("circle", "sessions", "expected", "attended", "walk-ins", "rate", "average headcount")
CIRCLE_KEYS = ("circle", "sessions", "expected", "attended", "walk_ins", "rate", "average_headcount")


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path | None  # None when written to a stream (stdout)
    format: ExportFormat
    rows: int  # attendance rows, or summary rows with summary=True
    summary: bool


def _rate(value: float | None) -> float | str:
    # A rate rounds to 4 places (0.8333): a real number in every format, never "0.83333333".
    return "" if value is None else round(value, 4)


def summary_rows(items: Iterable[reports.PersonSummary]) -> Iterator[tuple[Any, ...]]:
    for s in items:
        yield (s.circle, s.person, s.email, s.team, s.expected, s.attended, s.walk_ins, _rate(s.rate))


def circle_rows(items: Iterable[reports.CircleParticipation]) -> Iterator[tuple[Any, ...]]:
    for c in items:
        yield (
            c.circle,
            c.sessions,
            c.expected,
            c.attended,
            c.walk_ins,
            _rate(c.rate),
            _rate(c.average_headcount),
        )


def _json_ready(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    # JSON says "no rate" with null, not an empty string.
    for row in rows:
        yield tuple(None if v == "" else v for v in row)


def _style(fmt: ExportFormat) -> attendance_rows.CellStyle:
    # CSV is made by the database (exports/attendance_csv.py).
    if fmt is ExportFormat.XLSX:
        return attendance_rows.CellStyle(
            text=memoised(spreadsheet_text), day=lambda d: d, missing=None, flag=("no", "yes")
        )
    return attendance_rows.RAW


def write_attendance(
    db: Session,
    out: BinaryIO,
    *,
    scope: Scope,
    fmt: ExportFormat = ExportFormat.CSV,
    summary: bool = False,
    excel: bool = False,
    progress: attendance_rows.Progress | None = None,
    count_first: bool = False,
) -> int:
    """Write the export to an open binary stream; returns the number of (main) rows written.

    With ``count_first`` the rows are counted beforehand so ``progress`` gets a total
    (one more pass over the data); otherwise the total is None.
    """
    total = None
    if progress is not None and count_first and not summary:
        total = attendance_rows.count_rows(db, scope)
        progress(0, total)

    def tick(n: int) -> None:
        if progress is not None:
            progress(n, total)

    def people_summary(**options: Any) -> Sheet:
        rows = summary_rows(reports.person_summaries(db, scope))
        if fmt is ExportFormat.JSONL:
            rows = _json_ready(rows)
        return Sheet.of_rows("Summary", SUMMARY_COLUMNS, rows, keys=SUMMARY_KEYS, **options)

    if fmt is ExportFormat.CSV and not summary:
        from circles.exports.attendance_csv import write_attendance_csv

        return write_attendance_csv(db, out, scope, excel=excel, tick=tick)
    if summary:
        main = people_summary(tick=tick)
    else:
        main = Sheet(
            "Attendance",
            attendance_rows.COLUMNS,
            attendance_rows.attendance_batches(db, scope, style=_style(fmt)),
            keys=attendance_rows.KEYS,
            tick=tick,
            prepared=True,
        )
    if fmt is ExportFormat.XLSX:
        extra = [] if summary else [people_summary()]
        # Generators: each sheet's query runs only when the previous sheet is written.
        extra.append(
            Sheet.of_rows("Circles", CIRCLE_COLUMNS, circle_rows(_lazy(reports.circle_summaries, db, scope)))
        )
        return write_xlsx(out, [main, *extra])
    if fmt is ExportFormat.JSONL:
        return write_jsonl(out, main)
    return write_csv(out, main, excel=excel)


def _lazy(function: Any, *args: Any) -> Iterator[Any]:
    yield from function(*args)


def export_attendance(
    db: Session,
    path: Path,
    *,
    scope: Scope,
    fmt: ExportFormat | None = None,
    summary: bool = False,
    excel: bool = False,
    force: bool = False,
    progress: attendance_rows.Progress | None = None,
    count_first: bool = False,
) -> ExportResult:
    """Export to ``path`` atomically: the file appears whole when done, or not at all.

    Raises OutputExists when ``path`` is there and ``force`` is False (the TUI asks first).
    """
    fmt = fmt or format_for(path, None)
    with atomic_output(path, force=force) as out:
        n = write_attendance(
            db,
            out,
            scope=scope,
            fmt=fmt,
            summary=summary,
            excel=excel,
            progress=progress,
            count_first=count_first,
        )
    return ExportResult(path=Path(path).expanduser().absolute(), format=fmt, rows=n, summary=summary)

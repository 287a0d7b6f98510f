"""Writers for CSV, XLSX and JSON Lines: batches of rows in, bytes out, memory flat."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import islice
from typing import Any, BinaryIO

from circles.exports.cells import memoised, safe_cell, safe_text, spreadsheet_text

Tick = Callable[[int], None]
"""Told how many rows have been written so far (after every batch)."""

Row = Sequence[Any]
BATCH = 5000
# Excel's limit of rows per sheet, header included.
XLSX_MAX_ROWS = 1_048_576


def in_batches(rows: Iterable[Row], size: int = BATCH) -> Iterator[list[Row]]:
    """Rows one at a time, regrouped as lists of ``size``."""
    it = iter(rows)
    while part := list(islice(it, size)):
        yield part


class Sheet:
    """A table to write: a name (the XLSX sheet), its header, and its rows in batches.

    ``prepared`` batches already hold the cells the format needs (made safe while the
    rows streamed, see rows.CellStyle); other rows are converted cell by cell here.
    """

    def __init__(
        self,
        name: str,
        header: Sequence[str],
        batches: Iterable[Sequence[Row]],
        *,
        keys: Sequence[str] | None = None,
        tick: Tick | None = None,
        prepared: bool = False,
    ) -> None:
        self.name = name
        self.header = tuple(header)
        self.keys = tuple(keys or header)
        self.batches = batches
        self.tick = tick
        self.prepared = prepared
        self.written = 0

    @classmethod
    def of_rows(cls, name: str, header: Sequence[str], rows: Iterable[Row], **options: Any) -> Sheet:
        return cls(name, header, in_batches(rows), **options)

    def __iter__(self) -> Iterator[Sequence[Row]]:
        """The batches, counting rows in ``written`` and telling ``tick`` after each batch."""
        for part in self.batches:
            yield part
            self.written += len(part)
            if self.tick is not None:
                self.tick(self.written)
        if self.tick is not None and not self.written:
            self.tick(0)


def write_csv(out: BinaryIO, sheet: Sheet, *, excel: bool = False) -> int:
    """Every cell quoted except real numbers; dangerous text neutralised. Returns the row count."""
    # Each batch is made as text, then encoded and written in one go. (A TextIOWrapper over
    # ``out`` would hold what it failed to write on a full disk, and try again when collected.)
    text = io.StringIO(newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC)

    def write_out() -> None:
        out.write(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()

    if excel:
        out.write(codecs.BOM_UTF8)
    writer.writerow(sheet.header)
    if sheet.prepared:
        for part in sheet:
            writer.writerows(part)
            write_out()
    else:
        cell = _csv_cell_maker()
        for part in sheet:
            writer.writerows([[cell(v) for v in row] for row in part])
            write_out()
    write_out()
    return sheet.written


def _csv_cell_maker() -> Callable[[Any], Any]:
    text = memoised(safe_text)

    def cell(value: Any) -> Any:
        if value.__class__ is str:
            return text(value)
        if value is None:
            return ""  # QUOTE_NONNUMERIC would leave None as a bare empty field
        if value is True or value is False:
            return "yes" if value else "no"
        if isinstance(value, date):
            return value.isoformat()
        return safe_cell(value)

    return cell


def write_jsonl(out: BinaryIO, sheet: Sheet) -> int:
    """One JSON object per line, keys in the sheet's order; values as they are (no neutralising:
    JSON is read by programs, not spreadsheets)."""
    keys = sheet.keys
    dumps = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    for part in sheet:
        lines = "".join(dumps(dict(zip(keys, row, strict=True))) + "\n" for row in part)
        out.write(lines.encode("utf-8"))
    return sheet.written


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_xlsx(out: BinaryIO, sheets: Sequence[Sheet]) -> int:
    """A workbook with one sheet per table, written in openpyxl's write-only (streaming) mode.

    Returns the row count of the first sheet. Dates are date cells and numbers numbers;
    text is neutralised, because openpyxl itself stores any text starting with '=' as a formula.
    A table longer than Excel's row limit continues on "Name (2)", "Name (3)", ...
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    try:
        for sheet in sheets:
            part_no = 1
            ws = _new_sheet(book, sheet, part_no)
            room = XLSX_MAX_ROWS - 1
            convert = _xlsx_cell_maker()
            for part in sheet:
                for row in part:
                    if not room:
                        part_no += 1
                        ws = _new_sheet(book, sheet, part_no)
                        room = XLSX_MAX_ROWS - 1
                    ws.append(row if sheet.prepared else [convert(v) for v in row])
                    room -= 1
        _save(book, out)
    except BaseException:
        _discard(book)
        raise
    return sheets[0].written if sheets else 0


def _save(book: Any, out: BinaryIO) -> None:
    """``book.save(out)``, except that a failed save closes its zip archive.

    openpyxl leaves the archive open when writing fails (a full disk): it is then closed
    when garbage-collected, after the file under it, and "seek of closed file" hides the
    real error.
    """
    from openpyxl.writer.excel import ExcelWriter

    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).save()  # closes the archive when it succeeds
    except BaseException:
        # Closing writes the archive's directory, which fails again on a full disk; the
        # file is thrown away whatever happens, so only the archive's own state matters.
        with contextlib.suppress(Exception):
            archive.close()
        raise


def _xlsx_cell_maker() -> Callable[[Any], Any]:
    text = memoised(spreadsheet_text)

    def cell(value: Any) -> Any:
        if value.__class__ is str:
            return text(value)
        if value is True or value is False:
            return "yes" if value else "no"
        return None if value is None else safe_cell(value)

    return cell


def _new_sheet(book: Any, sheet: Sheet, part_no: int) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    name = sheet.name[:31] if part_no == 1 else f"{sheet.name[:25]} ({part_no})"
    ws = book.create_sheet(name)
    bold = []
    for title in sheet.header:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        bold.append(cell)
    ws.append(bold)
    return ws


def _discard(book: Any) -> None:
    """Close and delete the temporary files openpyxl keeps one per sheet (it would only remove
    them when Python exits, and complain about the half-written sheet on the way)."""
    for ws in book.worksheets:
        writer = getattr(ws, "_writer", None)
        rows = getattr(ws, "_rows", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
        with contextlib.suppress(Exception):
            if writer is not None:
                writer.close()
                writer.cleanup()

"""Writers for CSV, XLSX and JSON Lines: rows in, bytes out, one row at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, BinaryIO

from circles.exports.cells import safe_cell, safe_text, xml_safe

Tick = Callable[[int], None]
"""Told how many rows have been written so far (every few thousand rows)."""

TICK_EVERY = 5000


class Sheet:
    """A table to write: a name (the XLSX sheet), its header, and its rows as tuples."""

    def __init__(
        self,
        name: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        keys: Sequence[str] | None = None,
        tick: Tick | None = None,
    ) -> None:
        self.name = name
        self.header = tuple(header)
        self.keys = tuple(keys or header)
        self.rows = rows
        self.tick = tick


def _ticking(sheet: Sheet) -> Iterable[Sequence[Any]]:
    """The sheet's rows, reporting progress every TICK_EVERY rows and at the end."""
    tick = sheet.tick
    if tick is None:
        yield from sheet.rows
        return
    n = 0
    for n, row in enumerate(sheet.rows, 1):
        yield row
        if not n % TICK_EVERY:
            tick(n)
    tick(n)


def write_csv(out: BinaryIO, sheet: Sheet, *, excel: bool = False) -> int:
    """Every cell quoted except real numbers; dangerous text neutralised. Returns the row count."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if excel else "utf-8", newline="", write_through=False)
    writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(sheet.header)
    n = 0
    # Text cells repeat (a circle's name on every row of it), so their safe form is memoised.
    memo: dict[str, str] = {}
    for row in _ticking(sheet):
        cells = []
        for value in row:
            if value.__class__ is str:
                cell = memo.get(value)
                if cell is None:
                    cell = safe_text(value)
                    if len(memo) < 100_000:
                        memo[value] = cell
                cells.append(cell)
            elif value is None:
                cells.append("")
            elif value is True or value is False:
                cells.append("yes" if value else "no")
            elif isinstance(value, date):
                cells.append(value.isoformat())
            else:
                cells.append(safe_cell(value))
        writer.writerow(cells)
        n += 1
    text.flush()
    text.detach()
    return n


def write_jsonl(out: BinaryIO, sheet: Sheet) -> int:
    """One JSON object per line, keys in the sheet's order; values as they are (no neutralising:
    JSON is read by programs, not spreadsheets)."""
    keys = sheet.keys
    dumps = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    write = out.write
    n = 0
    for row in _ticking(sheet):
        write(dumps(dict(zip(keys, row, strict=True))).encode("utf-8"))
        write(b"\n")
        n += 1
    return n


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_xlsx(out: BinaryIO, sheets: Sequence[Sheet]) -> int:
    """A workbook with one sheet per table, written in openpyxl's write-only (streaming) mode.

    Returns the row count of the first sheet. Dates are date cells and numbers numbers;
    text is neutralised, because openpyxl itself stores any text starting with '=' as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    first = 0
    for index, sheet in enumerate(sheets):
        ws = book.create_sheet(sheet.name[:31])
        bold = []
        for title in sheet.header:
            cell = WriteOnlyCell(ws, value=title)
            cell.font = Font(bold=True)
            bold.append(cell)
        ws.append(bold)
        n = 0
        for row in _ticking(sheet):
            ws.append([_xlsx_cell(v) for v in row])
            n += 1
        if index == 0:
            first = n
    book.save(out)
    return first


def _xlsx_cell(value: Any) -> Any:
    if value.__class__ is str:
        return safe_text(xml_safe(value))
    if value is True or value is False:
        return "yes" if value else "no"
    return safe_cell(value)

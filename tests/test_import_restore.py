"""Importing people from real-world CSV files, and putting a backup back."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from circles.errors import InvalidInput
from circles.file_errors import shown_path
from circles.services import imports, members, people
from tests import factories
from tests.test_cli import REPO, Cli


def _csv(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_spreadsheet_export_with_bom_semicolons_and_quoted_newlines(store, tmp_path):
    c = factories.circle(store)
    path = _csv(
        tmp_path,
        "\ufeffName;E-mail;Department;Circle\r\n"
        "Ana Lopez;Ana@Example.org;Data;Rust Lunch\r\n"
        "\r\n"
        '"Bo ""the builder"" Chen";bo@example.org;"Plat;form";\r\n'
        ";;;\r\n",
    )
    with store.write() as db:
        result = imports.import_rows(db, *imports.read_rows(path))
    assert (result.imported, result.added, result.joined, result.bad) == (True, 2, 1, [])
    with store.read() as db:
        bo = people.find_person(db, "bo@example.org")
        assert (bo.name, bo.team) == ('Bo "the builder" Chen', "Plat;form")
        assert [m.name for m in members.list_members(db, c.id)] == ["Ana Lopez"]


def test_any_bad_line_imports_nothing_and_every_bad_line_is_listed(store, tmp_path):
    factories.circle(store)
    path = _csv(
        tmp_path,
        "name,email,team,circle\n"
        "Ana,ana@example.org,Data,Rust Lunch\n"
        "Bo,not-an-address,,\n"
        '"Cy\nwith a newline",cy@example.org,,\n'
        "Ana again,ANA@example.org,,\n"
        "Dee,dee@example.org,,Knitting Club\n"
        ",eve@example.org,,\n",
    )
    with store.write() as db:
        result = imports.import_rows(db, *imports.read_rows(path))
    assert not result.imported
    assert [str(b) for b in result.bad] == [
        "line 3: email 'not-an-address' is not an e-mail address like ana@example.org.",
        "line 5: name 'Cy\\nwith a newline' contains a control character (U+000A); remove it.",
        "line 6: ana@example.org is already on line 2.",
        "line 7: circle: there is no circle named 'Knitting Club'.",
        "line 8: name is required.",
    ]
    with store.read() as db:
        assert people.count_people(db) == 0


def test_skip_invalid_imports_the_good_lines_and_still_lists_the_bad(store, tmp_path):
    path = _csv(tmp_path, "email,name\nana@example.org,Ana\nbad,Bo\n")
    with store.write() as db:
        result = imports.import_rows(db, *imports.read_rows(path), skip_invalid=True)
    assert result.imported and result.added == 1 and [b.line for b in result.bad] == [3]


def test_windows_1252_files_and_people_already_known(store, tmp_path):
    factories.person(store, "José", "jose@example.org")
    path = _csv(
        tmp_path, "name,email\nJosé Núñez,jose@example.org\nRenée,renee@example.org\n", encoding="cp1252"
    )
    with store.write() as db:
        result = imports.import_rows(db, *imports.read_rows(path))
    assert (result.added, result.already_known) == (1, 1)
    with store.read() as db:
        assert people.find_person(db, "renee@example.org").name == "Renée"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "has no header line"),
        (b"first,last\nAna,Lopez\n", "needs columns name and email"),
        (b"\x00\xff\xfe" * 10, "holds NUL bytes"),
    ],
)
def test_files_that_are_not_people_lists_are_explained(store, tmp_path, content, problem):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=problem), store.write() as db:
        imports.import_rows(db, *imports.read_rows(path))


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("name,email,teams", "column 'teams' is not one circles reads: did you mean team?"),
        ("Name,E Mail,Team", "column 'E Mail' is not one circles reads: did you mean email?"),
        ("name,email,team,circel", "column 'circel' is not one circles reads: did you mean circle?"),
    ],
)
def test_a_column_nearly_named_as_one_circles_reads_is_refused(tmp_path, header, said):
    """'teams' was left out with the columns circles does not read, so every team was dropped
    without a word (found walking the CLI); other columns (an HR export's many) still are."""
    path = _csv(tmp_path, f"{header}\nAna Lopez,ana@example.org,Data,\n")
    with pytest.raises(InvalidInput) as caught:
        imports.read_rows(path)
    assert str(caught.value).startswith(said)
    hr_export = _csv(
        tmp_path,
        "Employee ID,Name,Email,Job title,Team,Manager email\n7,Ana,ana@example.org,X,Data,b@x.org\n",
    )
    rows, bad = imports.read_rows(hr_export)
    assert ([(r.name, r.team) for r in rows], bad) == ([("Ana", "Data")], [])


LUKASZ = "name,email,team\r\nŁukasz Żółw,lukasz@example.org,Kraków\r\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_a_byte_order_mark_says_how_the_file_is_written(store, tmp_path, encoding):
    """Excel's "Unicode text" is UTF-16 with a byte order mark; it used to be read as
    Windows-1252 and refused as "needs columns name and email (got 'ÿþn\\x00a…')"."""
    data = (
        b"\xfe\xff" + LUKASZ.encode("utf-16-be") if encoding == "utf-16-be-bom" else LUKASZ.encode(encoding)
    )
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    with store.write() as db:
        result = imports.import_rows(db, *imports.read_rows(path))
    assert (result.added, result.bad) == (1, [])
    with store.read() as db:
        person = people.find_person(db, "lukasz@example.org")
    assert (person.name, person.team) == ("Łukasz Żółw", "Kraków")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            "name,email\nJosé,jose@example.org\nBad \x81 byte,bad@example.org\n".encode("latin-1"),
            "is neither UTF-8 (line 2, byte 0xE9) nor Windows-1252 text (line 3, byte 0x81); "
            "save it as 'CSV UTF-8'",
        ),
        (
            LUKASZ.encode("utf-16-le"),  # no byte order mark
            "holds NUL bytes (from line 1, byte 0x00): it is UTF-16 without a byte order mark",
        ),
        (
            b"\xff\xfe" + LUKASZ.encode("utf-16-le") + b"\x00\xd8A\x00",  # a lone surrogate on line 3
            "starts as UTF-16 text but is not UTF-16 at line 3, byte 0x00",
        ),
        (
            b"\xef\xbb\xbfname,email\nAna \xff,ana@example.org\n",
            "starts as UTF-8 text but is not UTF-8 at line 2, byte 0xFF",
        ),
    ],
    ids=["neither-utf8-nor-cp1252", "utf16-without-bom", "broken-utf16", "broken-utf8-with-bom"],
)
def test_text_in_no_known_encoding_is_refused_naming_the_line(memory_store, tmp_path, data, problem):
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    with pytest.raises(InvalidInput) as refused, memory_store.write() as db:
        imports.import_rows(db, *imports.read_rows(path))
    message = str(refused.value)
    assert message.startswith("file '") and f"people.csv' {problem}" in message
    assert "\n" not in message


def _limited(cli, *args, seconds=60):
    """The CLI with at most 1 GiB of memory: reading a huge file whole fails fast, not the machine."""
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "circles", "--db", cli.db, *args],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=REPO,
        timeout=seconds,
        preexec_fn=limit,
    )


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    cli = Cli(str(tmp_path / "circles.db"), tmp_path / "home")
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as f:  # 2 GiB, sparse: it costs no disk
        f.write(b"name,email\n")
        f.truncate(2 << 30)
    result = _limited(cli, "import", "people", str(huge))
    assert result.returncode == 1
    assert result.stderr.startswith("circles: file '") and "huge.csv'" in result.stderr
    assert result.stderr.endswith(" is larger than 20 MB.\n"), result.stderr


def test_a_device_or_a_pipe_is_refused_before_reading(tmp_path):
    cli = Cli(str(tmp_path / "circles.db"), tmp_path / "home")
    fifo = tmp_path / "people.csv"
    os.mkfifo(fifo)  # nobody writes to it: reading would wait forever
    for path in ("/dev/zero", str(fifo)):
        result = _limited(cli, "import", "people", path)
        assert result.returncode == 1, result.stderr
        assert f"file '{shown_path(path)}' is not a regular file (a folder, device or pipe)" in result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_import_and_restore_from_the_command_line(tmp_path):
    cli = Cli(str(tmp_path / "circles.db"), tmp_path / "home")
    good = _csv(tmp_path, "name,email\nAna,ana@example.org\n")
    assert "Imported 1 new person" in cli("import", "people", str(good)).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nBo,bo@example.org\nCy,nope\n")
    result = cli("import", "people", str(bad), ok=False)
    assert result.returncode == 1
    assert "bad.csv: line 3: email 'nope' is not an e-mail address" in result.stderr
    assert "nothing imported" in result.stderr
    many = tmp_path / "many.csv"  # past twenty bad lines: a count, and all of them in a file
    many.write_text("name,email\n" + "".join(f"P{n},nope{n}\n" for n in range(30)))
    result = cli("import", "people", str(many), ok=False)
    assert result.returncode == 1 and result.stderr.count("many.csv: line ") == 20
    report = Path(result.stderr.split("all 30 of them are in ", 1)[1].split("\n", 1)[0])
    assert len(report.read_text().splitlines()) == 30 and "nothing imported: 30 bad lines" in result.stderr
    missing = cli("import", "people", str(tmp_path / "missing.csv"), ok=False)
    assert missing.returncode == 1 and missing.stderr.startswith("circles: file ")
    assert "cannot be read" in missing.stderr

    cli("db", "backup", str(tmp_path / "monday.db"))
    cli("person", "add", "Added After", "--email", "after@example.org")
    refused = cli("db", "restore", str(tmp_path / "monday.db"), ok=False)  # no terminal to confirm on
    assert refused.returncode == 1 and "Nothing restored" in refused.stderr
    out = cli("db", "restore", str(tmp_path / "monday.db"), "--yes").stdout
    assert "previous contents are in" in out
    emails = [p["email"] for p in cli.json("person", "list")]
    assert emails == ["ana@example.org"]
    saved = next(tmp_path.glob("circles.db.before-restore-*.bak"))
    assert sqlite3.connect(saved).execute("SELECT count(*) FROM person").fetchone() == (2,)
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello")
    result = cli("db", "restore", str(not_a_store), "--yes", ok=False)
    assert result.returncode == 1 and "not a circles backup" in result.stderr


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "it is empty"),
        (b"name,email\nAna,ana@example.org\n", "it is not a SQLite database"),
        (None, "it is a SQLite database, but not a circles store"),
    ],
)
def test_a_file_that_is_not_a_backup_is_told_by_what_it_is(tmp_path, content, found):
    from models.backup import check_backup

    given = tmp_path / "monday.db"
    if content is None:  # another program's database
        with sqlite3.connect(given) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
        other.close()
    else:
        given.write_bytes(content)
    with pytest.raises(ValueError) as refused:
        check_backup(given)
    assert str(refused.value) == f"{given} is not a circles backup ({found})"

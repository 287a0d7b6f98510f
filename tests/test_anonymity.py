"""An anonymous answer cannot be tied back to its author: not by any table, not by the order or
the write its row carries, not by any export or JSON output. Who has answered is still known,
so the non-responder list works.

Zed answers anonymously with a line no one else writes; the test then searches every row of
every table, and every record of every output, that holds that line or the answer's id, for
Zed's id, name or e-mail address.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import SQLModel

from circles.cli import main
from circles.services import attendance, circle_records, feedback, members, people, sessions
from models.enums import PresenterSource
from models.store import Store
from tests.factories import scheduled_ahead

LINE = "zanzibar-quokka-7731 taught me ownership"
NOTE = "marmalade-otter-0442: slower please"
ZED = ("Zed Quux", "zed.quux@anon.example")


def _build(store: Store) -> dict[str, Any]:
    with store.write() as db:
        # Filler people, so that Zed's id is a number no session, rating or count shares.
        for n in range(40):
            people.add_person(db, name=f"Filler {n}", email=f"filler{n}@example.org")
        zed = people.add_person(db, name=ZED[0], email=ZED[1]).id
        yan = people.add_person(db, name="Yan Ode", email="yan@example.org").id
        xia = people.add_person(db, name="Xia Pell", email="xia@example.org").id
        circle = circle_records.add_circle(db, name="Quiet Circle", kind="learning-circle", timezone="UTC").id
        for pid in (zed, yan, xia):
            members.add_member(
                db, circle_id=circle, person_id=pid, joined_at=datetime(2026, 1, 1, tzinfo=UTC)
            )
        with scheduled_ahead(db, datetime(2026, 2, 3, 12, tzinfo=UTC)):
            session = sessions.add_session(
                db, circle_id=circle, starts_at=datetime(2026, 2, 3, 12, tzinfo=UTC)
            ).id
        view = sessions.set_presenter(
            db, sessions.get_session(db, session), presenter_id=xia, source=PresenterSource.MANUAL
        )
        sessions.update_session(db, view, status="held")
        for pid in (zed, yan, xia):
            attendance.check_in(db, session_id=session, person_id=pid, attended="present")
        feedback.set_settings(db, circle, anonymous=True)
    # Separate writes, Yan first: the order they were written in must not survive.
    with store.write() as db:
        feedback.add_answer(db, session_id=session, person_id=yan, rating=4, learned="traits")
    with store.write() as db:
        saved = feedback.add_answer(
            db, session_id=session, person_id=zed, rating=2, learned=LINE, for_presenter=NOTE
        )
    assert zed > 40 and session < 10
    return {"zed": zed, "yan": yan, "session": session, "answer_id": saved.answer.id, "circle": circle}


def _ties(record: list[str], zed: int) -> bool:
    """Whether a record (cells as text) names Zed: his id as a whole cell, his name or address."""
    return str(zed) in record or any(ZED[0] in cell or ZED[1] in cell for cell in record)


def _about_the_answer(record: list[str], answer_id: str) -> bool:
    return any(LINE in cell or NOTE in cell or answer_id in cell for cell in record)


def _table_rows(store: Store) -> Iterator[tuple[str, list[str]]]:
    with store.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                yield table.name, ["" if v is None else str(v) for v in row]


def test_no_table_ties_an_anonymous_answer_to_its_author(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    clock.now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    made = _build(store)
    holding = [(name, row) for name, row in _table_rows(store) if _about_the_answer(row, made["answer_id"])]
    # The answer, and the search index's document of what people learned at the session.
    assert sorted(name for name, _ in holding) == ["feedback_answer", "search_doc"]
    assert not any(_ties(row, made["zed"]) for _, row in holding)
    # Who answered is kept apart, with nothing of the answer in it.
    answer_columns = {c.name for c in SQLModel.metadata.tables["feedback_answer"].columns}
    response_columns = {c.name for c in SQLModel.metadata.tables["feedback_response"].columns}
    assert answer_columns == {"id", "session_id", "person_id", "rating", "learned", "for_presenter"}
    assert response_columns == {"id", "session_id", "person_id", "source"}
    # No time of its own, and no order of writing: SQLite keeps no rowid for these rows, and on
    # PostgreSQL every anonymous answer of the session carries the last write, in id order.
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            with pytest.raises(sa.exc.OperationalError, match="rowid"):
                conn.exec_driver_sql("SELECT rowid FROM feedback_answer")
        else:
            writes = conn.exec_driver_sql(
                "SELECT count(DISTINCT xmin::text) FROM feedback_answer WHERE person_id IS NULL"
            ).scalar_one()
            assert writes == 1
            by_place = conn.exec_driver_sql("SELECT id FROM feedback_answer ORDER BY ctid").scalars().all()
            assert by_place == sorted(by_place)
    # ... and yet the reminder list is right.
    with store.read() as db:
        assert [n.name for n in feedback.missing_for_session(db, made["session"])] == ["Xia Pell"]


def _json_records(value: Any) -> Iterator[list[str]]:
    """Every JSON object (at any depth) as its scalar values, as text."""
    if isinstance(value, dict):
        yield [
            json.dumps(v) if not isinstance(v, str) else v
            for v in value.values()
            if not isinstance(v, dict | list)
        ]
        for v in value.values():
            yield from _json_records(v)
    elif isinstance(value, list):
        strings = [v for v in value if isinstance(v, str)]
        if strings:
            yield strings
        for v in value:
            yield from _json_records(v)


def test_no_export_or_json_output_ties_it_back(store: Store, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock.now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    made = _build(store)
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    sid = str(made["session"])
    period = ["--since", "2026-01-01", "--until", "2026-02-28"]
    records: dict[str, list[list[str]]] = {}

    def run(*args: str) -> str:
        result = runner.invoke(main, [*db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    for name, args in {
        "feedback list --json": ("feedback", "list", sid, "--json"),
        "feedback missing --json": ("feedback", "missing", sid, "--json"),
        "feedback missing --circle --json": ("feedback", "missing", "--circle", "Quiet Circle", "--json"),
        "recognition --json": ("recognition", *period, "--json"),
        "report --json": ("report", *period, "--json"),
        "search --json": ("search", "zanzibar", "--json"),
    }.items():
        records[name] = list(_json_records(json.loads(run(*args))))
    # Text outputs: one record per line.
    for name, args in {
        "feedback list": ("feedback", "list", sid),
        "recognition": ("recognition", *period),
        "report --explain": ("report", *period, "--explain"),
        "search": ("search", "quokka"),
    }.items():
        records[name] = [[line] for line in run(*args).splitlines()]
    xlsx = tmp_path / "report.xlsx"
    run("report", *period, "--xlsx", str(xlsx))
    for sheet in openpyxl.load_workbook(xlsx).worksheets:
        records[f"report.xlsx {sheet.title}"] = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    for fmt in ("csv", "jsonl", "xlsx"):
        out = tmp_path / f"attendance.{fmt}"
        run("export", "attendance", "--format", fmt, "-o", str(out))
        if fmt == "csv":
            records["attendance.csv"] = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        elif fmt == "jsonl":
            records["attendance.jsonl"] = [
                r for line in out.read_text().splitlines() for r in _json_records(json.loads(line))
            ]
        else:
            for sheet in openpyxl.load_workbook(out).worksheets:
                records[f"attendance.xlsx {sheet.title}"] = [
                    ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
                ]
    about = {
        name: [r for r in rows if _about_the_answer(r, made["answer_id"])] for name, rows in records.items()
    }
    # The answer does show (its line, its note for the presenter) ...
    assert about["feedback list --json"] and about["feedback list"] and about["report.xlsx Learned"]
    assert about["search --json"] and about["search"]  # found by search, as "learned"
    assert about["recognition --json"]  # the note reaches the presenter, Xia
    # ... and nowhere beside Zed.
    tied = {name: rows for name, rows in about.items() if any(_ties(r, made["zed"]) for r in rows)}
    assert tied == {}
    # The presenter's record names the presenter, not the author.
    (entry,) = [p for p in json.loads(run("recognition", *period, "--json"))["people"] if p["feedback"]]
    assert entry["name"] == "Xia Pell" and entry["feedback"]["notes_for_presenter"] == [NOTE]


def test_no_name_meets_an_anonymous_answer_in_a_session_with_named_ones(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    """Zed answers with his name, the circle turns anonymous and Zed answers again: the message
    names him but not his rating, and the session's answers lose every name, since beside who
    has answered the named ones would single out the anonymous one's author by elimination."""
    clock.now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    made = _build(store)
    with store.write() as db:
        feedback.set_settings(db, made["circle"], anonymous=False)
    # A second session of the same circle, answered with names first.
    with store.write() as db:
        first = sessions.get_session(db, made["session"])
        with scheduled_ahead(db, datetime(2026, 2, 10, 12, tzinfo=UTC)):
            later = sessions.add_session(
                db, circle_id=first.circle_id, starts_at=datetime(2026, 2, 10, 12, tzinfo=UTC)
            ).id
        sessions.update_session(db, sessions.get_session(db, later), status="held")
        xia = people.find_person(db, "xia@example.org").id
        for pid in (made["zed"], made["yan"], xia):
            attendance.check_in(db, session_id=later, person_id=pid, attended="present")
        for pid, stars in ((made["yan"], 4), (xia, 3), (made["zed"], 5)):
            feedback.add_answer(db, session_id=later, person_id=pid, rating=stars, learned=f"line {stars}")
        feedback.set_settings(db, made["circle"], anonymous=True)
    db_args = ["--db", store.url.render_as_string(hide_password=False)]
    result = CliRunner().invoke(
        main, [*db_args, "feedback", "add", str(later), ZED[1], "--rating", "1", "--learned", LINE]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Replaced {ZED[0]}'s earlier answer about Quiet Circle")
    assert "rated" not in result.output and LINE not in result.output
    listed = CliRunner().invoke(main, [*db_args, "feedback", "list", str(later), "--json"])
    answers = json.loads(listed.output)
    assert sorted(a["rating"] for a in answers) == [1, 3, 4]
    assert {(a["person_id"], a["person_name"]) for a in answers} == {(None, None)}
    text = CliRunner().invoke(main, [*db_args, "feedback", "list", str(later)]).output
    assert not any(name in text for name in (ZED[0], "Yan Ode", "Xia Pell"))
    # Check-out's roster and the Feedback tab: who has answered, and nothing of what.
    with store.read() as db:
        found = feedback.session_feedback(db, later)
    assert [(a.name, a.answered, a.rating, a.learned) for a in found.attendees] == [
        ("Xia Pell", True, None, ""),
        ("Yan Ode", True, None, ""),
        (ZED[0], True, None, ""),
    ]
    assert all(a.person_name is None for a in found.answers)

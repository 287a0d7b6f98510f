"""The attendance CSV made in SQL (circles/exports/attendance_csv.py) is byte for byte what the
rows and the CSV writer make of the same store, on SQLite and PostgreSQL: on the demo store,
and on the cells that are hard to get right in SQL (quotes, line breaks, formulas, missing
e-mails and teams, a local day that is not the UTC day, walk-ins, agenda presenters)."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from circles.cli import export_attendance as export_attendance_command
from circles.cli import main
from circles.demo import build_demo
from circles.exports import attendance_copy
from circles.exports.attendance import write_attendance
from circles.exports.cells import memoised, safe_text
from circles.exports.rows import COLUMNS, CellStyle, attendance_batches
from circles.exports.writers import Sheet, write_csv
from circles.services.participation import Scope
from models.enums import Attended, CircleKind, Role, Rsvp, SessionStatus
from models.store import Store
from models.tables import AgendaItem, Attendance, Circle, CircleSession, Membership, Person
from tests.conftest import REPO, FixedClock

# What the CSV export wrote before it was made in SQL: the rows, made safe, through csv.writer.
CSV_CELLS = CellStyle(text=memoised(safe_text), day=date.isoformat, missing="", flag=("no", "yes"))


def _reference(store: Store, scope: Scope) -> bytes:
    out = io.BytesIO()
    with store.read() as db:
        batches = attendance_batches(db, scope, style=CSV_CELLS)
        write_csv(out, Sheet("Attendance", COLUMNS, batches, prepared=True))
    return out.getvalue()


def _export(store: Store, scope: Scope, *, excel: bool = False) -> bytes:
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=scope, excel=excel)
    return out.getvalue()


def _on_the_system_clock(store: Store, scope: Scope, *, excel: bool = False) -> bytes:
    """The export as the command line makes it, which runs on the system clock."""
    system = Store.open(store.url)
    try:
        return _export(system, scope, excel=excel)
    finally:
        system.close()


def _awkward(store: Store, clock: FixedClock) -> dict[str, int]:
    """A circle whose every cell is awkward, in a zone where its sessions' local day is the next UTC day."""
    now = clock()
    with store.write() as db:
        kiwi = Circle(
            name='=Kiwi "late" club',
            kind=CircleKind.LEARNING_CIRCLE,
            timezone="Pacific/Auckland",
            ics_series_uid="kiwi@test",
        )
        db.add(kiwi)
        db.flush()
        names = ['Quinn "Q" O\'Hara', "-Minus\nTwo lines", "@Handle", "Émile Zola", "+Plus", "%Per"]
        who = []
        for i, name in enumerate(names):
            person = Person(
                name=name, email=None if i % 2 else f"{i}@kiwi.example", team=None if i % 3 else "|Ops"
            )
            db.add(person)
            who.append(person)
        db.flush()
        for person in who[:4]:
            db.add(
                Membership(
                    circle_id=kiwi.id,
                    person_id=person.id,
                    role=Role.MEMBER,
                    joined_at=now - timedelta(days=60),
                )
            )
        db.flush()
        for week in range(3):
            # 11:30 UTC is 00:30 the next day in Auckland (NZDT, or 23:30 the same day in winter).
            starts = (now - timedelta(days=7 * week + 1)).replace(hour=11, minute=30, second=0, microsecond=0)
            session = CircleSession(
                circle_id=kiwi.id,
                starts_at=starts,
                planned_starts_at=starts,
                title=["=SUM(A1)", 'Plain "quoted"\r\ntitle', ""][week],
                ics_uid=f"kiwi-{week}@test",
                status=SessionStatus.HELD,
                presenter_id=who[week].id,
            )
            db.add(session)
            db.flush()
            db.add(AgendaItem(session_id=session.id, position=1, title="talk", presenter_id=who[3].id))
            db.add(
                Attendance(
                    session_id=session.id, person_id=who[0].id, rsvp=Rsvp.YES, attended=Attended.PRESENT
                )
            )
            db.add(Attendance(session_id=session.id, person_id=who[1].id, rsvp=Rsvp.NONE, attended=None))
            db.add(
                Attendance(
                    session_id=session.id,
                    person_id=who[4 + week % 2].id,
                    rsvp=Rsvp.NONE,
                    attended=Attended.LATE,
                    walk_in=True,
                )
            )
    return {"kiwi": kiwi.id}


@pytest.mark.slow
def test_the_csv_made_in_sql_is_the_csv_the_rows_make(store: Store, clock: FixedClock) -> None:
    build_demo(store, size="small")
    ids = _awkward(store, clock)
    today = clock().date()
    for scope in (
        Scope(),
        Scope(circle_id=ids["kiwi"]),
        Scope(since=today - timedelta(days=30), until=today - timedelta(days=8)),
    ):
        made = _export(store, scope)
        assert made == _reference(store, scope), scope
        assert made.count(b"\r\n") > 3, scope  # something to compare
    assert b'"\'=Kiwi ""late"" club"' in _export(store, Scope(circle_id=ids["kiwi"]))


def test_the_whole_store_from_the_command_line_is_the_stores_csv(
    store: Store, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _awkward(store, clock)

    # The whole store's CSV comes from psycopg or sqlite3 alone (exports/attendance_copy.py,
    # exports/attendance_lines.py), not from the store.
    def no_store(*args: object, **kwargs: object) -> int:
        raise AssertionError("the store's modules made the whole store's CSV")

    monkeypatch.setattr(export_attendance_command, "_by_store", no_store)
    url = store.url.render_as_string(hide_password=False)
    target = tmp_path / "out.csv"
    written = CliRunner().invoke(main, ["--db", url, "export", "attendance", "-o", str(target), "--excel"])
    piped = CliRunner().invoke(main, ["--db", url, "export", "attendance"])
    assert written.exit_code == 0, written.output
    assert piped.exit_code == 0, piped.output
    expected = _on_the_system_clock(store, Scope(), excel=True)
    assert expected.startswith(codecs.BOM_UTF8)
    assert target.read_bytes() == expected
    assert "Wrote 15 rows to" in written.output  # 3 sessions: 4 members and a walk-in each
    assert piped.stdout_bytes == _on_the_system_clock(store, Scope())
    if store.engine.dialect.name == "postgresql":  # the total a terminal's progress shows
        connection = attendance_copy.connect(url)
        assert connection is not None
        with connection:
            cursor = connection.cursor()
            now = attendance_copy.happened(cursor, datetime.now(UTC))
            assert attendance_copy.count_rows(cursor, now) == 15


def test_the_whole_store_csv_loads_no_store_module(store: Store, clock: FixedClock, tmp_path: Path) -> None:
    """SQLAlchemy, SQLModel and the tables take half a second to import, a third of the
    export of a large store on PostgreSQL and a sixth on SQLite: the whole store's CSV is made
    without them."""
    _awkward(store, clock)
    target = tmp_path / "out.csv"
    url = store.url.render_as_string(hide_password=False)
    args = ["--db", url, "export", "attendance", "-o", str(target)]
    code = (
        "import sys\n"
        "from circles.cli import main\n"
        f"main({args!r}, standalone_mode=False)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic'})\n"
        "print('loaded:', *heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1].strip() == "loaded:"
    assert target.read_bytes() == _on_the_system_clock(store, Scope())

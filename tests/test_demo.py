"""The demo organisation: realistic, deterministic, refuses a store with data, both sizes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from circles.demo import build_demo
from circles.errors import NotAllowed
from circles.services import attendance, circle_records, members, people, rotation, sessions
from models.enums import CircleKind
from models.store import Store
from tests.conftest import FixedClock

TABLES = ("person", "circle", "membership", "circle_session", "agenda_item", "attendance", "away")


def _dump(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id")] for t in TABLES}


def test_small_demo_is_a_believable_organisation(store, clock):
    stages = []
    summary = build_demo(store, size="small", progress=lambda stage, f: stages.append((stage, f)))
    assert 40 <= summary.people <= 50 and summary.circles == 5
    assert stages[-1] == ("done", 1.0)
    with store.read() as db:
        found = circle_records.list_circles(db)
        assert {c.kind for c in found} == set(CircleKind)
        assert len({c.timezone for c in found}) == 5
        assert any(p.is_guest for p in people.list_people(db))
        rust = circle_records.find_circle(db, "Rust Lunch")
        assert 8 <= len(members.list_members(db, rust.id)) <= 15
        past = sessions.list_sessions(db, circle_id=rust.id, end=clock())
        ahead = sessions.list_sessions(db, circle_id=rust.id, start=clock())
        assert (len(past), len(ahead)) == (12, 8)
        held = [s for s in past if s.status.value == "held"]
        assert all(s.presenter_id is not None for s in held)
        count = attendance.headcount(db, held[-1].id)
        assert count.came > 0 and count.yes > 0
        assert all(s.local_start.hour == 12 for s in past + ahead)  # across the DST change too


def test_the_demo_names_the_rotations_presenters_for_what_is_ahead(store, clock):
    """Issue 13: the small demo's Rust Lunch named one presenter in lists and another in the preview."""
    build_demo(store, size="small")
    with store.read() as db:
        for c in circle_records.list_circles(db):
            rows = [r for r in rotation.preview(db, c.id, count=20) if r.session is not None]
            assert rows, c.name
            stored = {r.session.id: sessions.get_session(db, r.session.id).presenter_id for r in rows}
            assert stored == {r.session.id: r.presenter_id for r in rows}, c.name


def test_same_seed_same_store_and_other_seed_other_store(clock):
    def made(seed: int) -> dict[str, list[tuple]]:
        store = Store.open(make_url("sqlite://"), clock=FixedClock(clock()))
        build_demo(store, seed=seed)
        return _dump(store)

    assert made(3) == made(3)
    assert made(3)["person"] != made(4)["person"]


def _every_table(store: Store) -> dict[str, list[tuple]]:
    """Every table's rows (the search index's and the migrations' own included), and on
    PostgreSQL where each id sequence stands."""
    with store.engine.connect() as conn:
        dump = {
            t: sorted((tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}"')), key=repr)
            for t in sa.inspect(conn).get_table_names()
        }
        if conn.dialect.name == "postgresql":
            dump["sequences"] = [
                tuple(r) for r in conn.exec_driver_sql("SELECT sequencename, last_value FROM pg_sequences")
            ]
            dump["sequences"].sort()
    return dump


def test_the_same_seed_and_clock_make_the_same_store_every_table(store, second_store):
    """Nothing in the demo comes from the wall clock or an unseeded random: programmes were
    dated today and pairs' calendar UIDs were random."""
    build_demo(store, size="small", seed=5)
    build_demo(second_store, size="small", seed=5)
    first, second = _every_table(store), _every_table(second_store)
    assert first["programme_pair"] and first["search_doc"]
    assert first.keys() == second.keys()
    different = {t: next(a for a, b in zip(first[t], second[t], strict=True) if a != b)
                 for t in first if first[t] != second[t]}  # fmt: skip
    assert different == {}


def test_demo_refuses_a_store_that_holds_data(store):
    with store.write() as db:
        people.add_person(db, name="Ana", email="ana@example.org")
    with pytest.raises(NotAllowed, match="already holds 1 person and 0 circles"):
        build_demo(store)
    with store.read() as db:
        assert people.count_people(db) == 1


def test_after_the_demo_new_rows_get_fresh_ids(store):
    build_demo(store)
    with store.write() as db:
        p = people.add_person(db, name="New Person", email="new@example.org")
    assert p.id > 45


@pytest.mark.slow
def test_large_demo_has_the_promised_size(tmp_path, clock):
    from models.engine import sqlite_url

    store = Store.open(sqlite_url(tmp_path / "large.db"), clock=clock)
    summary = build_demo(store, size="large")
    assert summary.people == 10_005 and summary.circles == 300
    assert summary.sessions >= 300 * 100
    assert 900_000 <= summary.attendance <= 1_200_000
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute(sa.text("SELECT count(*) FROM attendance")).scalar() == summary.attendance


def test_demo_timings_name_each_stage_and_its_time(tmp_path):
    """`circles demo --timings` says how long each stage took, to find what a big build spends."""
    from click.testing import CliRunner

    from circles.cli import main

    result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "demo", "--timings"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stderr.splitlines() if " s wall " in line]
    assert [line[0] for line in lines] == [
        "people", "sessions", "keys", "knowledge", "programmes", "feedback", "search", "statistics",
    ]  # fmt: skip
    assert all(float(line[-6]) >= 0 and float(line[-3]) >= 0 for line in lines)

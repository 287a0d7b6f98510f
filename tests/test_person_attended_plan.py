"""A person's screen reads the sessions they came to from their own attendance, never by walking
the store's sessions: joined as one, PostgreSQL walked every session from the latest planned one
back and looked each up in attendance, hoping to meet the first 50 early; the count beside them
kept it walking to the very first (the large demo's busiest person: 114 ms, all 31,200 sessions).

The store here has that shape in small: a year of sessions ahead that nobody has come to yet,
and one person at a fifth of those held, analysed so that PostgreSQL plans as on a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from circles.services import circle_records, lookups, people
from circles.services.sql import table_of
from models.enums import SessionStatus
from models.store import Store
from models.tables import Attendance, CircleSession
from tests.statements import postgres_plan, statements_sent

HELD, AHEAD, EVERY = 600, 300, 5  # sessions held, planned ahead; the person came to 1 in 5


def _a_store_of_sessions(store: Store) -> int:
    with store.write() as db:
        ana = people.add_person(db, name="Ana Quill", email="ana@example.org").id
        circle = circle_records.add_circle(db, name="Rust Lunch", kind="learning-circle", timezone="UTC").id
        first = datetime(2020, 1, 1, 12, tzinfo=UTC)
        planned = [
            CircleSession(
                circle_id=circle,
                starts_at=first + timedelta(days=n),
                planned_starts_at=first + timedelta(days=n),
                title="Lunch",
                status=SessionStatus.HELD if n < HELD else SessionStatus.SCHEDULED,
                ics_uid=f"s{n}@test",
            )
            for n in range(HELD + AHEAD)
        ]
        db.add_all(planned)
        db.flush()
        session_ids = [s.id for s in planned]
        db.execute(
            sa.insert(table_of(Attendance)),
            [
                {
                    "session_id": sid,
                    "person_id": ana,
                    "rsvp": "none",
                    "attended": "present",
                    "note": "",
                    "walk_in": False,
                    "version": 1,
                }
                for n, sid in enumerate(session_ids[:HELD])
                if n % EVERY == 0
            ],
        )
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            conn.execute(sa.text("ANALYZE circle_session"))
            conn.execute(sa.text("ANALYZE attendance"))
            conn.commit()
    return ana


def test_the_sessions_a_person_came_to_are_read_from_their_attendance(store: Store) -> None:
    ana = _a_store_of_sessions(store)
    with statements_sent(store.engine) as sent, store.read() as db:
        record = lookups.person_record(db, ana)
    came = HELD // EVERY
    assert record.attended_total == came and len(record.attended) == 50
    assert record.attended[0].session.starts_at > record.attended[-1].session.starts_at
    [latest] = [s for s in sent if "OVER ()" in s[0]]
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + latest[0], latest[1])]
        assert any("attendance USING INDEX ix_attendance_person_id" in step for step in plan), plan
        assert not any(step.startswith("SCAN circle_session") for step in plan), plan
        return
    # Run, so that each node says how many rows it read: the sessions are each looked up once
    # for a session the person came to, not walked. A table this small is read whole and
    # hashed where it can be: planned as for a large one, without that.
    nodes = postgres_plan(
        store.engine, latest, analyze=True, off=("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
    )
    sessions_read = sum(
        n["Actual Rows"] * n["Actual Loops"] for n in nodes if n.get("Relation Name") == "circle_session"
    )
    assert sessions_read <= came, nodes

"""On PostgreSQL a change to who presents writes only the talks whose number changed (migration
0290), not every talk the presenter ever gave: an agenda item naming a speaker with hundreds of
talks took 14 ms on the large demo, and a load of agenda items slowed down as each rewrite left
dead rows behind. Counted in rows written to talk (SQLite keeps the rewrite, which leaves
nothing behind there and costs less than reading the talks twice)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from circles.services import circle_records, people
from models.store import Store
from tests.test_summaries import START, _session, kept_talks, talks

WEEKS = 30


def _a_speaker_with_talks(store: Store) -> tuple[int, list[int], int]:
    """A speaker presenting 30 weekly sessions of a circle, and a session in the middle of
    them (week 10) that someone else presents: (speaker, their sessions, the other's session)."""
    with store.write() as db:
        circle = circle_records.add_circle(db, name="Guests", kind="learning-circle", timezone="UTC").id
        speaker = people.add_person(db, name="Gita Guest", email="gita@example.org").id
        other = people.add_person(db, name="Olu Other", email="olu@example.org").id
        assert circle is not None and speaker is not None and other is not None
        sessions = []
        for week in range(WEEKS):
            s = _session(circle, START + timedelta(weeks=week), week)
            s.presenter_id = other if week == 10 else speaker
            db.add(s)
            db.flush()
            assert s.id is not None
            sessions.append(s.id)
    middle = sessions.pop(10)
    return speaker, sessions, middle


def talk_writes(conn: sa.Connection) -> int:
    """Rows inserted, updated or deleted in talk so far by this connection's transaction."""
    return conn.exec_driver_sql(
        "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables WHERE relname = 'talk'"
    ).scalar_one()


def _add_item(conn: sa.Connection, session: int, presenter: int) -> int:
    before = talk_writes(conn)
    conn.exec_driver_sql(
        "INSERT INTO agenda_item (session_id, position, title, presenter_id, is_presentation, version) "
        f"VALUES ({session}, 9, 'Lightning talk', {presenter}, false, 1)"
    )
    return talk_writes(conn) - before


def test_an_agenda_item_writes_only_the_talks_it_changes(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite numbers a presenter's talks again whole: nothing is left behind")
    speaker, theirs, middle = _a_speaker_with_talks(store)
    with store.engine.begin() as conn:
        assert kept_talks(conn) == talks(conn)
        # A session they already present: no talk changes (it wrote all 29 twice).
        assert _add_item(conn, theirs[-1], speaker) == 0
        # The session in the middle: one talk more, and the 19 after it one number up.
        assert _add_item(conn, middle, speaker) == 1 + 19
        assert kept_talks(conn) == talks(conn)
        # That item gone again: the talk goes, and the 19 after it one number down.
        before = talk_writes(conn)
        conn.exec_driver_sql(f"DELETE FROM agenda_item WHERE session_id = {middle}")
        assert talk_writes(conn) - before == 1 + 19
        assert kept_talks(conn) == talks(conn)
        # Their latest session cancelled: its talk goes, no other number moves.
        before = talk_writes(conn)
        conn.exec_driver_sql(f"UPDATE circle_session SET status = 'cancelled' WHERE id = {theirs[-1]}")
        assert talk_writes(conn) - before == 1
        assert kept_talks(conn) == talks(conn)

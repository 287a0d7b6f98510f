"""Two writes at once on PostgreSQL never deadlock on the summaries' locks within one change: a
row's change takes the circle and person locks its recounts need in one order (circles, then
people, each by id) before the recounts take them one by one in whatever order they come. One
unit of work's several changes can still meet another's in opposite order: the app tries the
one PostgreSQL cancels again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlmodel import Session

from circles.services import agenda, attendance, circle_records
from models.engine import create_store_engine
from models.schema import SCHEMA_HEAD
from models.store import Store
from tests import factories
from tests.conftest import FixedClock
from tests.test_migrations import _migrate_to
from tests.test_summaries import assert_kept

TABLES = ("attendance", "circle_session", "membership", "feedback_response", "agenda_item", "feedback_answer")

WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
)


def _wait_for_waiters(watch: sa.Connection, waiters: int, alive: Callable[[], bool]) -> None:
    """Until ``waiters`` transactions of this database wait for a lock (no sleep decides it)."""
    deadline = time.monotonic() + 30
    while watch.exec_driver_sql(WAITING).scalar_one() < waiters:
        assert alive(), "a write ended before it waited for the lock it was meant to wait for"
        assert time.monotonic() < deadline, "the writes never waited for each other"
        watch.rollback()  # the server keeps what a transaction read of pg_stat_activity
        time.sleep(0.02)
    watch.rollback()


def test_two_sessions_rescheduled_at_once_with_the_same_presenters_both_save(store: Store) -> None:
    """Two facilitators of two circles move a session each at the same moment; both agendas
    name Pia and Quentin, in opposite orders. Moving a session renumbers the talks of everyone
    on its agenda, one person's lock at a time in the order of the agenda's rows: each move
    held one person's lock and waited for the other's, and PostgreSQL cancelled one of them
    ("deadlock detected"): a facilitator's change refused for nothing they did. A third write,
    holding Rosa's lock (she presents in the first session too, between the two), makes the
    interleaving happen every time."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    pia, quentin, rosa = (factories.person(store, n) for n in ("Pia Ahn", "Quentin Bo", "Rosa Cruz"))
    first_circle = factories.circle(store, "Rust Lunch")
    second_circle = factories.circle(store, "Go Lunch")
    first = factories.session(store, first_circle, "2026-04-07 12:00")
    second = factories.session(store, second_circle, "2026-04-08 12:00")
    elsewhere = factories.session(store, second_circle, "2026-04-15 12:00")
    with store.write() as db:  # the agendas' rows in this order: Pia, Rosa, Quentin; Quentin, Pia
        for session, who in ((first, (pia, rosa, quentin)), (second, (quentin, pia))):
            for p in who:
                agenda.add_item(db, session_id=session.id, title=f"{p.name}'s talk", presenter_id=p.id)

    def move(conn: sa.Connection, session_id: int) -> None:  # as sessions.update_session saves a new time
        conn.exec_driver_sql(
            "UPDATE circle_session SET starts_at = starts_at + interval '1 hour', version = version + 1"
            f" WHERE id = {session_id}"
        )

    failed: list[BaseException] = []

    def in_thread(session_id: int) -> threading.Thread:
        def run() -> None:
            try:
                with store.engine.begin() as conn:
                    move(conn, session_id)
            except BaseException as error:  # reported by the test, not lost in the thread
                failed.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    with store.engine.connect() as holding_rosa, store.engine.connect() as watch:
        holding_rosa.begin()  # a third facilitator gives Rosa a talk elsewhere, not yet saved
        holding_rosa.execute(
            sa.text(
                "INSERT INTO agenda_item (session_id, position, title, presenter_id, minutes,"
                " is_presentation, version) VALUES (:s, 1, 'Rosa again', :p, 10, true, 1)"
            ),
            {"s": elsewhere.id, "p": rosa.id},
        )
        moving_first = in_thread(first.id)  # Pia's lock taken, waits for Rosa's
        _wait_for_waiters(watch, 1, moving_first.is_alive)
        moving_second = in_thread(second.id)  # Quentin's lock taken, waits for Pia's
        _wait_for_waiters(watch, 2, moving_second.is_alive)
        holding_rosa.commit()  # the first move goes on to Quentin's lock
        moving_first.join(60)
        moving_second.join(60)
    assert not failed, failed
    with store.engine.connect() as conn:
        moved = dict(
            conn.execute(
                sa.text("SELECT id, starts_at FROM circle_session WHERE id IN (:a, :b)"),
                {"a": first.id, "b": second.id},
            ).all()
        )
        assert moved == {
            first.id: datetime(2026, 4, 7, 11, 0, tzinfo=UTC),  # 12:00 in Berlin, an hour later
            second.id: datetime(2026, 4, 8, 11, 0, tzinfo=UTC),
        }
        assert_kept(conn)


def _summary_lock_triggers(conn: sa.Connection) -> set[str]:
    if conn.dialect.name != "postgresql":
        return set()
    found = conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'summary\\_locks\\_%%'")
    return {name for (name,) in found}


def test_0170_adds_the_lock_triggers_from_0130_and_takes_them_away_again(
    store_url: URL, clock: FixedClock
) -> None:
    """From the previous head, on either backend: the summaries stay right after each step,
    and the downgrade leaves 0130's triggers as they were."""
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0130")
    with Store(engine, clock=clock).write() as db:
        c = circle_records.add_circle(db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin")
    # 0170 and on to the head: the services below write every column the models have.
    _migrate_to(engine, SCHEMA_HEAD)
    store = Store(engine, clock=clock)
    ana = factories.person(store, "Ana Lima")
    session = factories.session(store, c, "2026-04-07 12:00")
    with store.write() as db:
        agenda.add_item(db, session_id=session.id, title="Ownership", presenter_id=ana.id)
    with engine.connect() as conn:
        expected = {f"summary_locks_{t}" for t in TABLES} if conn.dialect.name == "postgresql" else set()
        assert _summary_lock_triggers(conn) == expected
        assert_kept(conn)
    _migrate_to(engine, "0130", down=True)
    with engine.begin() as conn:
        assert _summary_lock_triggers(conn) == set()
        conn.exec_driver_sql(f"UPDATE circle_session SET status = 'cancelled' WHERE id = {session.id}")
    with engine.connect() as conn:
        # 0100's triggers still count, without the locks taken first (0200's and 0260's tables
        # and 0250's column are gone)
        assert_kept(conn, turnout_kept=False, notes_kept=False, figures_kept=False)
    engine.dispose()


def test_two_units_of_work_crossing_two_circles_meet_a_deadlock_and_the_app_tries_again(store: Store) -> None:
    """What 0170 cannot order: one unit of work's several writes. Two replies imported at once,
    one answering for a session of circle A and then of circle B, the other B and then A: each
    holds one circle's lock and waits for the other's, and PostgreSQL cancels one. The app's
    writes go through ``Store.write_retrying``, which runs the cancelled one again: both saved.
    (The command line's writes are tried again the same way: tests/test_cli_write_retry.py.)"""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    ana, ben = factories.person(store, "Ana Lima"), factories.person(store, "Ben Okafor")
    a, b = factories.circle(store, "Rust Lunch"), factories.circle(store, "Go Lunch")
    in_a = factories.session(store, a, "2026-04-07 12:00")
    in_b = factories.session(store, b, "2026-04-08 12:00")
    first_half = [threading.Event(), threading.Event()]
    attempts: list[int] = []
    failed: list[BaseException] = []

    def answers(who: int, order: tuple[int, int], me: int) -> Callable[[Session], None]:
        def work(db: Session) -> None:
            attempts.append(who)
            attendance.set_rsvp(db, session_id=order[0], person_id=who, rsvp="yes")
            if attempts.count(who) == 1:  # the first attempt waits for the other's first half
                first_half[me].set()
                assert first_half[1 - me].wait(30)
            attendance.set_rsvp(db, session_id=order[1], person_id=who, rsvp="yes")

        return work

    def run(work: Callable[[Session], None]) -> None:
        try:
            store.write_retrying(work)
        except BaseException as error:  # reported by the test, not lost in the thread
            failed.append(error)

    threads = [
        threading.Thread(target=run, args=(answers(ana.id, (in_a.id, in_b.id), 0),)),
        threading.Thread(target=run, args=(answers(ben.id, (in_b.id, in_a.id), 1),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failed, failed
    assert len(attempts) == 3  # one of the two was cancelled once, and tried again
    with store.engine.connect() as conn:
        rsvps = set(conn.exec_driver_sql("SELECT session_id, person_id, rsvp FROM attendance").all())
        assert rsvps == {(s, p, "yes") for s in (in_a.id, in_b.id) for p in (ana.id, ben.id)}
        assert_kept(conn)

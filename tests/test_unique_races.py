"""Two facilitators on one PostgreSQL store take the same unique value at the same moment: an
e-mail address, a circle's name, a circle's start. The services check each value before they
write it, but under READ COMMITTED both checks may pass; the second writer then met the unique
index's error and the app showed a traceback. The store tries that unit of work again
(models/store.py, ``lost_a_race``), and its check refuses in words, as it does when the two come
one after the other. So too when one deletes a row (a programme, an agenda item) as the other
writes something that refers to it: the foreign key refused the second, and the app said
'Something went wrong' over the server's ForeignKeyViolation; tried again, the writer's own check
finds the row gone. SQLite's writers take turns, so these races are PostgreSQL's alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlmodel import Session

from circles import store_access, validate
from circles.errors import AlreadyExists, CirclesError, InvalidInput, NotFound
from circles.services import agenda, circle_records, knowledge, people, programmes, sessions
from models.store import Store
from tests import factories
from tests.conftest import FixedClock

WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
)


@pytest.fixture
def other_app(store: Store, store_url: URL, clock: FixedClock) -> Iterator[Store]:
    """A second app on the same PostgreSQL store, as another facilitator's."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    other = Store.open(store_url, clock=clock)
    yield other
    other.close()


def _second_writes_while_first_holds(
    store: Store, other: Store, first: Callable[[Session], object], second: Callable[[Session], object]
) -> CirclesError | None:
    """``first`` in a unit of work on ``store`` that stays open until ``second``, on ``other``
    (through the app's own write path), has checked its value and waits on the unique index for
    ``first`` to end; then ``first`` commits. What ``second`` raised, if it raised."""
    raised: list[BaseException] = []

    def run_second() -> None:
        try:
            store_access.write_unit(other, second)
        except BaseException as exc:  # reported by the test, not lost in the thread
            raised.append(exc)

    thread = threading.Thread(target=run_second)
    with store.write() as db:
        first(db)
        db.flush()
        thread.start()
        with store.engine.connect() as watch:  # no sleep decides it: the second waits on our row
            deadline = time.monotonic() + 30
            while watch.exec_driver_sql(WAITING).scalar_one() < 1:
                assert thread.is_alive(), f"the second write ended without waiting: {raised}"
                assert time.monotonic() < deadline, "the second write never waited for the first"
                watch.rollback()
                time.sleep(0.02)
    thread.join(timeout=30)
    if not raised:
        return None
    if not isinstance(raised[0], CirclesError):
        raise raised[0]
    return raised[0]


def test_an_address_taken_at_the_same_moment_is_refused_in_words(store: Store, other_app: Store) -> None:
    refused = _second_writes_while_first_holds(
        store,
        other_app,
        lambda db: people.add_person(db, name="Ana Ruiz", email="ana@example.org"),
        lambda db: people.add_person(db, name="Ana R.", email="ana@example.org"),
    )
    assert isinstance(refused, AlreadyExists)
    assert str(refused) == "Ana Ruiz already uses the e-mail address 'ana@example.org'."
    with store.read() as db:
        assert [p.name for p in people.list_people(db)] == ["Ana Ruiz"]


def test_a_circle_name_taken_at_the_same_moment_is_refused_in_words(store: Store, other_app: Store) -> None:
    refused = _second_writes_while_first_holds(
        store,
        other_app,
        lambda db: circle_records.add_circle(db, name="Rust Lunch", kind="lunch-and-learn", timezone="UTC"),
        lambda db: circle_records.add_circle(db, name="rust lunch", kind="workshop", timezone="UTC"),
    )
    assert isinstance(refused, AlreadyExists)
    assert "Rust Lunch" in str(refused)


def test_a_start_taken_at_the_same_moment_is_refused_in_words(store: Store, other_app: Store) -> None:
    """Two facilitators of one circle schedule its next session at the same time: one session,
    not two events at once in every member's calendar."""
    circle = factories.circle(store)
    start = validate.parse_local_time("2026-04-14 12:00", "at", circle.timezone)
    refused = _second_writes_while_first_holds(
        store,
        other_app,
        lambda db: sessions.add_session(db, circle_id=circle.id, starts_at=start, title="Ownership"),
        lambda db: sessions.add_session(db, circle_id=circle.id, starts_at=start, title="Lifetimes"),
    )
    assert isinstance(refused, InvalidInput)
    assert refused.field == "start"
    assert "is when the circle already meets (Ownership)" in str(refused)
    with store.engine.connect() as conn:
        titles = conn.execute(
            sa.text("SELECT title FROM circle_session WHERE circle_id = :c"), {"c": circle.id}
        )
        assert titles.scalars().all() == ["Ownership"]


def test_joining_a_programme_deleted_at_the_same_moment_is_refused_in_words(
    store: Store, other_app: Store
) -> None:
    ana = factories.person(store, "Ana Ruiz", "ana@example.org")
    with store.write() as db:
        walk = programmes.add_programme(db, name="Walk Mentors", kind="mentoring")
    refused = _second_writes_while_first_holds(
        store,
        other_app,
        lambda db: programmes.delete_programme(db, walk.id),
        lambda db: programmes.join(db, walk.id, ana.id, role="mentee"),
    )
    assert isinstance(refused, NotFound)
    assert str(refused) == f"There is no programme with id {walk.id}."


def test_tagging_an_agenda_item_deleted_at_the_same_moment_is_refused_in_words(
    store: Store, other_app: Store
) -> None:
    session = factories.session(store, factories.circle(store), "2026-03-10 12:00")
    with store.write() as db:
        item = agenda.add_item(db, session_id=session.id, title="Welcome")
    refused = _second_writes_while_first_holds(
        store,
        other_app,
        lambda db: agenda.delete_item(db, item),
        lambda db: knowledge.add_topics(db, agenda_item_id=item.id, topics="rust"),
    )
    assert isinstance(refused, NotFound)
    assert str(refused) == f"There is no agenda item with id {item.id}."


def test_a_foreign_key_refused_again_after_a_retry_is_raised_not_tried_six_times(memory_store: Store) -> None:
    """A row deleted by another writer is a race lost once: tried again, the service's own check
    says it is gone. The same violation on the retry is a bug (a check missing, a delete that
    misses a cascade): it was tried the store's six times, at once, before it came out."""

    class Refused(Exception):
        sqlstate = "23503"  # foreign_key_violation, as psycopg gives it

    tries: list[int] = []

    def work(_db: Session) -> None:
        tries.append(1)
        raise sa.exc.IntegrityError("INSERT INTO pair_member ...", {}, Refused())

    with pytest.raises(sa.exc.IntegrityError):
        memory_store.write_retrying(work)
    assert len(tries) == 2

"""Every new row's time stamp is the Store's clock (models/stamps.py), whichever service wrote it:
a stamp left to the wall clock dated what a service forgot to stamp with today, under any clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import SQLModel

from circles.services import away, decisions, knowledge, pairing, pairs, programmes, recognition, rotation
from models.stamps import STAMPED
from models.store import Store
from models.tables import Person
from tests import factories
from tests.conftest import FixedClock

# Every stamped column there is: a table that gains one is checked without being named here.
STAMPED_COLUMNS = sorted(
    (table.name, column.name)
    for table in SQLModel.metadata.sorted_tables
    for column in table.columns
    if column.info.get(STAMPED)
)


def _write_one_of_each(store: Store) -> None:
    """A row of every stamped table, written through the services as a person would."""
    ana = factories.person(store, "Ana Lima")
    ben = factories.person(store, "Ben Okafor")
    rust = factories.circle(store, "Rust Lunch")
    factories.member(store, rust, ana)
    talk = factories.session(store, rust, "2026-03-10 12:00")
    with store.write() as db:
        rotation.assign(db, talk, person_id=ana.id)  # a rotation_event
        away.add_away(db, person_id=ben.id, starts_on=date(2026, 3, 16), ends_on=date(2026, 3, 20))
        knowledge.add_material(db, session_id=talk.id, target="https://example.org/slides")
        knowledge.add_takeaway(db, session_id=talk.id, text="measure before optimising")
        recognition.add_thanks(db, person=str(ana.id), text="for the talk", session_id=talk.id)
        coffee = programmes.add_programme(db, name="Coffee", kind="coffee", starts_on=date(2026, 2, 1))
        for who in (ana, ben):
            programmes.join(db, coffee.id, who.id, role="member")
        pair = pairing.confirm(db, coffee.id, seed=1).pairs[0]  # a programme_round and its pair
        pairs.log_meeting(db, pair.id, held_on=date(2026, 3, 3), minutes=30, note="")
        pairs.add_goal(db, pair.id, "Give a first talk")
        decisions.add_rejection(db, coffee.id, ana.id, ben.id)


def test_a_service_writing_under_a_fixed_clock_stamps_that_clock(store: Store, clock: FixedClock) -> None:
    """One world holding a row of every stamped table; each stamped column is checked in it."""
    assert len(STAMPED_COLUMNS) >= 14  # found from the tables' marks (models/stamps.py)
    _write_one_of_each(store)
    with store.read() as db:
        found = {
            f"{table}.{column}": set(
                db.execute(sa.select(SQLModel.metadata.tables[table].c[column])).scalars()
            )
            for table, column in STAMPED_COLUMNS
        }
    assert {name: stamps for name, stamps in found.items() if stamps != {clock()}} == {}


def test_a_stamp_given_by_hand_is_kept(store: Store) -> None:
    """The demo dates its history itself."""
    long_ago = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)
    with store.write() as db:
        db.add(Person(name="Ana Lima", email="ana@example.org", created_at=long_ago))
    with store.read() as db:
        assert db.execute(sa.select(Person.created_at)).scalar_one() == long_ago


def test_seniority_in_a_proposal_counts_from_when_the_store_says_someone_was_added(
    store: Store, clock: FixedClock
) -> None:
    """Someone in no circle is 'here' since they were added. Dated by the wall clock, two people
    added three years apart by the store's clock were as senior as each other, and the
    reverse-mentoring proposal did not say the newcomer teaches the one who has been here longer."""
    clock.now = datetime(2031, 6, 3, 9, 0, tzinfo=UTC)
    senior = factories.person(store, "Ana Lima")
    clock.advance(days=3 * 365.25)
    newcomer = factories.person(store, "Ben Okafor")
    with store.write() as db:
        reverse = programmes.add_programme(db, name="Reverse", kind="reverse-mentoring")
        programmes.join(db, reverse.id, newcomer.id, role="mentor", offers="AI assistants")
        programmes.join(db, reverse.id, senior.id, role="mentee", wants="AI assistants")
        (group,) = pairing.propose(db, reverse.id).groups
    assert "mentor new, mentee here 3 years" in group.reasons

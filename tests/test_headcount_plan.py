"""Home's RSVP counts are read from the sums the store keeps per session (session_turnout, by
triggers on every write), not counted from the memberships and answers of its sessions: on the
huge demo that count took 74 ms of PostgreSQL's time for Home's 300 sessions (and, planned
member by member, once 4 s). The counts stay those of the members each session expected
(joined by its start, not yet left) by their effective answer, through every kind of change."""

from __future__ import annotations

from datetime import UTC, datetime

from circles.services import attendance, circle_records, members, people, sessions
from circles.views import Headcount
from models.store import Store
from tests.statements import statements_sent


def _counted(store: Store, *session_ids: int) -> list[tuple[int, int, int, int]]:
    with statements_sent(store.engine) as sent, store.read() as db:
        counts: list[Headcount] = [attendance.headcounts(db, session_ids)[s] for s in session_ids]
    read = " ".join(statement for statement, _ in sent)
    assert "membership" not in read
    assert "rsvp" not in read.replace("session_turnout.rsvp_", "")
    return [(c.yes, c.maybe, c.no, c.no_answer) for c in counts]


def test_rsvp_counts_are_the_stores_sums_and_follow_every_change(store: Store) -> None:
    when = datetime(2037, 3, 3, 12, tzinfo=UTC)
    with store.write() as db:
        circle = circle_records.add_circle(db, name="Counted", kind="learning-circle", timezone="UTC")
        who = [people.add_person(db, name=f"Person {n}", email=f"p{n}@example.org") for n in range(5)]
        for person in who[:4]:
            members.add_member(db, circle_id=circle.id, person_id=person.id, joined_at=when.replace(month=1))
        first = sessions.add_session(db, circle_id=circle.id, starts_at=when).id
        later = sessions.add_session(db, circle_id=circle.id, starts_at=when.replace(month=5)).id
        empty = circle_records.add_circle(db, name="Empty", kind="learning-circle", timezone="UTC")
        nobody = sessions.add_session(db, circle_id=empty.id, starts_at=when).id
    assert _counted(store, first, later, nobody) == [(0, 0, 0, 4), (0, 0, 0, 4), (0, 0, 0, 0)]
    with store.write() as db:
        attendance.set_rsvp(db, session_id=first, person_id=who[0].id, rsvp="yes")
        attendance.set_rsvp(db, session_id=first, person_id=who[1].id, rsvp="no")
        attendance.set_series_rsvp(db, circle_id=circle.id, person_id=who[2].id, rsvp="maybe")
        # Joined after the first session: expected at the later one only.
        members.add_member(db, circle_id=circle.id, person_id=who[4].id, joined_at=when.replace(month=4))
        # Left before the later session: expected at the first one only.
        members.remove_member(db, circle_id=circle.id, person_id=who[3].id, left_at=when.replace(month=4))
    assert _counted(store, first, later) == [(1, 1, 1, 1), (0, 1, 0, 3)]

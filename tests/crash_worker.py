"""Works on a store until it is killed (see test_crashes): plans series, records
check-ins in batches, or migrates a new store, each as one unit of work."""

from __future__ import annotations

import sys
from itertools import count

from sqlalchemy.engine import make_url

from circles.services import attendance, members, planning, sessions
from models.store import Store
from tests.factories import taken_place

PLAN = 10  # sessions per planned series


def work(url: str) -> None:
    store = Store.open(make_url(url))
    with store.read() as db:
        circle_id = sessions.list_sessions(db)[0].circle_id if sessions.list_sessions(db) else 1
        people = [m.person_id for m in members.list_members(db, circle_id)]
    print("ready", flush=True)  # the kill's clock starts here, not while Python starts
    for batch in count():
        with store.write() as db:
            planning.plan_sessions(db, circle_id=circle_id, count=PLAN)
        with store.write() as db:
            target = sessions.list_sessions(db, circle_id=circle_id)[batch]
            # Planned ahead, so checked in on the store's clock moved to the session's end.
            with taken_place(db, target):
                for person_id in people:  # a whole check-in in one unit of work
                    attendance.check_in(
                        db,
                        session_id=target.id,
                        person_id=person_id,
                        attended="present",
                        note=f"batch {batch}",
                    )
        print(batch, flush=True)


def migrate(url: str) -> None:
    Store.open(make_url(url)).close()
    print("migrated", flush=True)


if __name__ == "__main__":
    {"work": work, "migrate": migrate}[sys.argv[1]](sys.argv[2])

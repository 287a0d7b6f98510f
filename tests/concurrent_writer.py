"""One of many processes writing RSVPs and check-ins into one store at once (see test_concurrency)."""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url

from circles.services import attendance
from models.store import Store


def main(url: str, worker: int, session_ids: list[int], person_ids: list[int]) -> None:
    store = Store.open(make_url(url), migrate=False)
    for n, person_id in enumerate(person_ids):
        session_id = session_ids[n % len(session_ids)]

        def rsvp(db, session_id=session_id, person_id=person_id):  # type: ignore[no-untyped-def]
            attendance.set_rsvp(db, session_id=session_id, person_id=person_id, rsvp="yes")

        def check_in(db, session_id=session_id, person_id=person_id):  # type: ignore[no-untyped-def]
            attendance.check_in(db, session_id=session_id, person_id=person_id, attended="present")

        store.write_retrying(rsvp)
        store.write_retrying(check_in)
    store.close()
    print(f"worker {worker}: {2 * len(person_ids)} writes")


if __name__ == "__main__":
    url, worker, sessions, people = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    main(url, worker, [int(s) for s in sessions.split(",")], [int(p) for p in people.split(",")])

"""One of many processes racing on one circle's rotation (see test_rotation_race).

assign: assigns its sessions to its person by hand, gives them back, and assigns them again.
churn: its person leaves and rejoins, goes away on its sessions' days, its sessions move.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from sqlalchemy.engine import make_url
from sqlmodel import Session

from circles.services import away, members, sessions
from circles.services import rotation as rot
from models.store import Store

ROUNDS = 6


def assign(store: Store, session_ids: list[int], person_id: int) -> int:
    writes = 0
    for n in range(ROUNDS):
        for sid in session_ids:

            def give(db: Session, sid: int = sid) -> None:
                rot.assign(db, sessions.get_session(db, sid), person_id=person_id)

            def back(db: Session, sid: int = sid) -> None:
                rot.clear_assignment(db, sessions.get_session(db, sid))

            store.write_retrying(give)
            writes += 1
            if n < ROUNDS - 1:
                store.write_retrying(back)
                writes += 1
    return writes


def churn(store: Store, session_ids: list[int], person_id: int) -> int:
    writes = 0
    circle_id = sessions_circle(store, session_ids[0])
    for _ in range(ROUNDS):
        store.write_retrying(lambda db: members.remove_member(db, circle_id=circle_id, person_id=person_id))
        store.write_retrying(lambda db: members.add_member(db, circle_id=circle_id, person_id=person_id))
        writes += 2
        for sid in session_ids:

            def off(db: Session, sid: int = sid) -> None:
                day = sessions.get_session(db, sid).local_day
                away.add_away(db, person_id=person_id, starts_on=day, ends_on=day)

            def later(db: Session, sid: int = sid, by: timedelta = timedelta(hours=1)) -> None:
                s = sessions.get_session(db, sid)
                sessions.move_session(db, s, starts_at=s.starts_at + by)

            store.write_retrying(off)
            store.write_retrying(later)
            store.write_retrying(lambda db, sid=sid: later(db, sid, timedelta(hours=-1)))
            writes += 3
    return writes


def sessions_circle(store: Store, session_id: int) -> int:
    with store.read() as db:
        return sessions.get_session(db, session_id).circle_id


def main(url: str, kind: str, worker: int, session_ids: list[int], person_id: int) -> None:
    store = Store.open(make_url(url), migrate=False)
    writes = (assign if kind == "assign" else churn)(store, session_ids, person_id)
    store.close()
    print(f"{kind} {worker}: {writes} writes")


if __name__ == "__main__":
    url, kind, worker, sids, person = sys.argv[1:6]
    main(url, kind, int(worker), [int(s) for s in sids.split(",")], int(person))

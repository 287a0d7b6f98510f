"""One of many processes adding items to one session's agenda at once (see test_agenda_order)."""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url

from circles.services import agenda
from models.store import Store


def main(url: str, worker: int, session_id: int, count: int) -> None:
    store = Store.open(make_url(url), migrate=False)
    for n in range(count):

        def add(db, n=n):  # type: ignore[no-untyped-def]
            agenda.add_item(db, session_id=session_id, title=f"worker {worker} item {n}")

        store.write_retrying(add)
    store.close()
    print(f"worker {worker}: {count} items")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))

"""The Circles list and Person screens read the big tables by an index, never whole: on the huge
demo store (ten years' worth of sessions, ten million attendance rows) a walk through every
session or attendance row is what made these screens ten times slower than on the large one.

SQLite plans without statistics, so its plan for an empty store is the plan for a huge one:
each statement the services run is asked for its plan (EXPLAIN QUERY PLAN) with its own
parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from circles.services import lookups, people
from models.store import Store
from tests.statements import statements_sent

BIG = ("circle_session", "attendance", "agenda_item", "search_doc")


def _full_scans(store: Store, work: Callable[[Any], object]) -> list[str]:
    with statements_sent(store.engine) as statements, store.read() as db:
        work(db)
    assert statements
    scans = []
    with store.engine.connect() as conn:
        for statement, parameters in statements:
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
                detail = str(row[-1])
                if any(detail.startswith(f"SCAN {table}") for table in BIG):
                    scans.append(f"{detail}  <-  {' '.join(statement.split())[:200]}")
    return scans


@pytest.mark.parametrize("screen", ["Circles list", "Person"])
def test_the_circles_list_and_person_screens_read_no_big_table_whole(
    memory_store: Store, clock: Any, screen: str
) -> None:
    with memory_store.write() as db:
        ana = people.add_person(db, name="Ana Quill", email="ana@example.org")
    work = {
        "Circles list": lambda db: lookups.circles_overview(db, now=clock()),
        "Person": lambda db: lookups.person_record(db, ana.id),
    }[screen]
    assert _full_scans(memory_store, work) == []

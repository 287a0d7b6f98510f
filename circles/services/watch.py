"""What a write unit of work touches: the circles whose rotation inputs it changes, each
locked before its first write, found from the SQL itself rather than from a call in each
service (circles/services/upkeep.py refreshes them before the commit).

- a row of circle_session, membership or circle written: that circle;
- a row of away or person written: the circles the person belongs or belonged to.

ORM inserts, updates and deletes are seen before they are flushed (``before_flush``); UPDATE
and DELETE statements are seen before they run (``do_orm_execute``), their rows found by
selecting with the statement's own WHERE. A plain INSERT statement into those tables is
refused: add such rows with ``db.add()`` so they are seen.

Concurrency: before the first write to a circle, its row is locked (PostgreSQL: SELECT ...
FOR NO KEY UPDATE; SQLite writers already take turns, see models/engine.py ``writer``).
Every writer that changes a circle's rotation inputs takes that lock first, so two units of
work on one circle run one after the other and a refresh reads inputs nobody else is
changing; a decision that reads the rotation before it writes (assign, swap, hold) takes
it with :func:`touch` before reading. A person's row is locked before their circles are looked up,
so "X is away" and "X joins circle C" cannot slip past each other either. One statement
locks in id order, people before circles; two units of work that lock the same rows in
opposite orders over several statements are a deadlock PostgreSQL breaks by failing one
(the app tries its writes again: ``Store.write_retrying``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlmodel import Session, col, select

from circles.views import PresenterChange
from models.enums import SessionStatus
from models.tables import Away, Circle, CircleSession, InviteExport, Membership, Person

_KEY = "rotation_upkeep"
_WATCHED = frozenset({"circle_session", "membership", "circle", "away", "person"})


@dataclass(slots=True)
class Watch:
    """What one write unit of work has touched, locked and changed."""

    pending: set[int] = field(default_factory=set)  # circles touched since the last refresh
    locked: set[int] = field(default_factory=set)  # circles whose row this transaction holds
    locked_people: set[int] = field(default_factory=set)
    # The presenters of the locked circles' exported sessions before this unit of work wrote.
    before: dict[int, int | None] = field(default_factory=dict)
    changes: dict[int, PresenterChange] = field(default_factory=dict)
    settling: bool = False  # the refresh itself is writing: nothing new is touched


def start(db: Session) -> None:
    """Watch this write unit of work (the upkeep's hook calls it when the unit of work opens)."""
    db.info[_KEY] = Watch()
    event.listen(db, "before_flush", _on_flush)
    event.listen(db, "do_orm_execute", _on_execute)


def of(db: Session) -> Watch | None:
    """The unit of work's watch; None in a read unit of work."""
    found: Watch | None = db.info.get(_KEY)
    return found


def touch(db: Session, circle_ids: Iterable[int]) -> None:
    """Lock the circles now and have them refreshed before the commit: for a decision that
    reads the rotation before it writes, and for a write the watch cannot see (rows inserted
    straight on the connection, as the demo does for speed)."""
    found = of(db)
    if found is None:
        raise RuntimeError("this needs a write unit of work (store.write())")
    _touch(db, found, set(circle_ids), set(), set())


# ---------------------------------------------------------------- seeing writes


def _on_flush(db: Session, _flush: UOWTransaction, _instances: Any) -> None:
    found = of(db)
    if found is None or found.settling:
        return
    circle_ids: set[int] = set()
    member_people: set[int] = set()
    people: set[int] = set()
    changed = [*db.new, *db.deleted, *(o for o in db.dirty if db.is_modified(o))]
    for obj in changed:
        if isinstance(obj, CircleSession):
            circle_ids.add(obj.circle_id)
        elif isinstance(obj, Membership):
            circle_ids.add(obj.circle_id)
            member_people.add(obj.person_id)
        elif isinstance(obj, Away):
            people.add(obj.person_id)
        # A new person or circle has no sessions or memberships yet: nothing to refresh.
        elif isinstance(obj, Person) and obj.id is not None:
            people.add(obj.id)
        elif isinstance(obj, Circle) and obj.id is not None:
            circle_ids.add(obj.id)
    if circle_ids or member_people or people:
        _touch(db, found, circle_ids, member_people, people)


def _on_execute(state: ORMExecuteState) -> None:
    statement = state.statement
    if not isinstance(statement, sa.Update | sa.Delete | sa.Insert):
        return
    db = cast(Session, state.session)  # the Store's units of work are sqlmodel Sessions
    found = of(db)
    if found is None or found.settling:
        return
    table = statement.table
    if not isinstance(table, sa.TableClause) or table.name not in _WATCHED:
        return
    if isinstance(statement, sa.Insert):
        raise RuntimeError(
            f"Add {table.name} rows with db.add(): the rotation's upkeep cannot see an INSERT statement."
        )
    where = statement.whereclause

    def rows(*columns: Any) -> list[Any]:
        query = select(*columns)
        return list(db.execute(query if where is None else query.where(where)).all())

    t = table.c
    if table.name == "membership":
        hit = rows(t.circle_id, t.person_id)
        _touch(db, found, {c for c, _ in hit}, {p for _, p in hit}, set())
    elif table.name in ("away", "person"):
        person = t.person_id if table.name == "away" else t.id
        _touch(db, found, set(), set(), {p for (p,) in rows(person)})
    else:
        circle = t.circle_id if table.name == "circle_session" else t.id
        _touch(db, found, {c for (c,) in rows(circle)}, set(), set())


# ---------------------------------------------------------------- locks


def _touch(
    db: Session, found: Watch, circle_ids: set[int], member_people: set[int], people: set[int]
) -> None:
    """Lock what a write is about to change (people first), and remember its circles.

    ``member_people`` are locked only; ``people`` are locked and their circles are touched.
    """
    lock_people = (member_people | people) - found.locked_people
    if lock_people:
        db.execute(
            select(Person.id)
            .where(col(Person.id).in_(sorted(lock_people)))
            .order_by(col(Person.id))
            .with_for_update(key_share=True)
        ).all()
        found.locked_people |= lock_people
    if people:
        circle_ids = circle_ids | _circles_of(db, people)
    new = circle_ids - found.locked
    if new:
        db.execute(
            select(Circle.id)
            .where(col(Circle.id).in_(sorted(new)))
            .order_by(col(Circle.id))
            .with_for_update(key_share=True)
        ).all()
        found.locked |= new
        # Taken under the lock and before this unit of work's write: what calendars were
        # last told is compared with what the unit of work leaves.
        found.before.update((sid, presenter) for sid, presenter, _ in exported(db, sorted(new)))
    found.pending |= circle_ids


def _circles_of(db: Session, people: Iterable[int]) -> set[int]:
    """Every circle the people have belonged to, those they left too: the rotation replays
    a circle's history, so a former member (deactivated, renamed, away) can still change
    the pick of a past session left open, and with it every pick after."""
    rows = db.exec(
        select(Membership.circle_id).where(col(Membership.person_id).in_(sorted(people))).distinct()
    )
    return set(rows)


def exported(db: Session, circle_ids: Sequence[int]) -> list[tuple[int, int | None, InviteExport]]:
    """Scheduled sessions of the circles whose invite was exported: (id, presenter, export)."""
    rows = db.exec(
        select(CircleSession.presenter_id, InviteExport)
        .join(InviteExport, col(InviteExport.session_id) == CircleSession.id)
        .where(
            col(CircleSession.circle_id).in_(circle_ids),
            CircleSession.status == SessionStatus.SCHEDULED,
        )
    )
    return [(export.session_id, presenter, export) for presenter, export in rows]

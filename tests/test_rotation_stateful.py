"""Random sequences of what facilitators do, through the services: after every step, each
upcoming session's stored presenter is the preview's and the one its .ics DESCRIPTION names,
and the facilitator is told exactly which exported invites the step made wrong."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from icalendar import Calendar
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from circles import validate
from circles.errors import CirclesError
from circles.services import (
    away,
    circle_records,
    invites,
    members,
    people,
    planning,
    series,
    sessions,
    upkeep,
)
from circles.services import rotation as rot
from circles.views import SessionView
from models.engine import create_store_engine
from models.enums import SessionStatus
from models.store import Store
from models.tables import InviteExport
from tests.conftest import FixedClock

NAMES = ("Ana", "Bob", "Cleo", "Dev", "Eve", "Finn")
indexes = st.integers(min_value=0, max_value=1000)  # picked modulo what exists at that step
# Agenda lines name a presenter in brackets; a session without an agenda says "Presenter: X".
NAMED = re.compile(r"^- .*\((?P<agenda>[^()]+)\)(, \d+ min)?$|^Presenter: (?P<plain>.+)$", re.MULTILINE)


_migrated: sqlite3.Connection | None = None


def _empty_store(clock: FixedClock) -> Store:
    """A fresh in-memory store, copied from one migrated once (migrating takes a second)."""
    global _migrated
    if _migrated is None:
        first = Store.open(make_url("sqlite://"), clock=clock)
        _migrated = sqlite3.connect(":memory:", check_same_thread=False)
        with first.engine.connect() as conn:
            conn.connection.driver_connection.backup(_migrated)  # type: ignore[union-attr]
        first.close()
    store = Store(create_store_engine(make_url("sqlite://")), clock=clock)
    with store.engine.connect() as conn:
        _migrated.backup(conn.connection.driver_connection)  # type: ignore[arg-type]
    return store


class Facilitators(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.store = _empty_store(self.clock)
        with self.store.write() as db:
            self.people = [people.add_person(db, name=n, email=f"{n.lower()}@example.org").id for n in NAMES]
            c = circle_records.add_circle(
                db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin"
            )
            for p in self.people[:4]:
                members.add_member(db, circle_id=c.id, person_id=p)
            self.circle = series.set_cadence(db, c, "weekly on tue at 12:00")
            planning.plan_sessions(db, circle_id=c.id, count=3)
        self.told: tuple[int, ...] = ()
        self.expected_told: set[int] = set()
        self.changed = True  # something to check: a refused step leaves everything as it was

    def teardown(self) -> None:
        self.store.close()

    # ------------------------------------------------------------ stepping

    def _write(self, work) -> None:  # type: ignore[no-untyped-def]
        """One facilitator's action: refused (nothing changes) or committed whole."""
        with self.store.read() as db:
            before = self._presenters(db)
            exported = dict(db.exec(select(InviteExport.session_id, InviteExport.presenter_id)).all())
        try:
            with self.store.write() as db:
                work(db)
        except CirclesError:
            self.told, self.expected_told, self.changed = (), set(), False
            return
        self.changed = True
        self.told = tuple(c.session.id for c in upkeep.presenter_changes(db))
        with self.store.read() as db:
            after = self._presenters(db)
            scheduled = {s.id for s in self._sessions(db) if s.status is SessionStatus.SCHEDULED}
        self.expected_told = {
            sid
            for sid, presenter in after.items()
            if sid in exported
            and sid in scheduled
            and presenter != before.get(sid)
            and presenter != exported[sid]
        }

    def _sessions(self, db: Session) -> list[SessionView]:
        return sessions.list_sessions(db, circle_id=self.circle.id)

    def _presenters(self, db: Session) -> dict[int, int | None]:
        return {s.id: s.presenter_id for s in self._sessions(db)}

    def _session(self, db: Session, n: int) -> SessionView:
        found = self._sessions(db)
        return found[n % len(found)]

    def _person(self, n: int) -> int:
        return self.people[n % len(self.people)]

    def _day(self, offset: int) -> date:
        return self.clock.now.date() + timedelta(days=offset % 70)

    # ------------------------------------------------------------ what facilitators do

    @rule(count=st.integers(1, 3))
    def plan(self, count: int) -> None:
        self._write(lambda db: planning.plan_sessions(db, circle_id=self.circle.id, count=count))

    @rule(offset=indexes, hour=st.integers(8, 18))
    def add_session(self, offset: int, hour: int) -> None:
        def add(db: Session) -> None:
            at = f"{self._day(offset).isoformat()} {hour:02d}:00"
            starts = validate.parse_local_time(at, "at", self.circle.timezone)
            sessions.add_session(db, circle_id=self.circle.id, starts_at=starts, title="Extra")

        self._write(add)

    @rule(n=indexes, days=st.integers(-10, 10))
    def move_session(self, n: int, days: int) -> None:
        def move(db: Session) -> None:
            s = self._session(db, n)
            sessions.move_session(db, s, starts_at=s.starts_at + timedelta(days=days, hours=days % 3))

        self._write(move)

    @rule(n=indexes)
    def cancel_session(self, n: int) -> None:
        self._write(lambda db: sessions.cancel_session(db, self._session(db, n)))

    @rule(n=indexes)
    def hold(self, n: int) -> None:
        self._write(lambda db: rot.hold_session(db, self._session(db, n)))

    @rule(p=indexes, in_rotation=st.booleans())
    def member_add(self, p: int, in_rotation: bool) -> None:
        self._write(
            lambda db: members.add_member(
                db, circle_id=self.circle.id, person_id=self._person(p), in_rotation=in_rotation
            )
        )

    @rule(p=indexes)
    def member_remove(self, p: int) -> None:
        self._write(lambda db: members.remove_member(db, circle_id=self.circle.id, person_id=self._person(p)))

    @rule(p=indexes, in_rotation=st.booleans())
    def member_in_rotation(self, p: int, in_rotation: bool) -> None:
        def update(db: Session) -> None:
            member = members.current_membership(db, circle_id=self.circle.id, person_id=self._person(p))
            if member is not None:
                members.update_member(db, member, in_rotation=in_rotation)

        self._write(update)

    @rule(p=indexes, offset=indexes, length=st.integers(0, 14))
    def away_add(self, p: int, offset: int, length: int) -> None:
        first = self._day(offset)
        self._write(
            lambda db: away.add_away(
                db, person_id=self._person(p), starts_on=first, ends_on=first + timedelta(days=length)
            )
        )

    @rule(n=indexes, p=indexes, guest=st.booleans())
    def assign(self, n: int, p: int, guest: bool) -> None:
        self._write(lambda db: rot.assign(db, self._session(db, n), person_id=self._person(p), guest=guest))

    @rule(n=indexes)
    def clear(self, n: int) -> None:
        self._write(lambda db: rot.clear_assignment(db, self._session(db, n)))

    @rule(n=indexes, m=indexes)
    def swap(self, n: int, m: int) -> None:
        self._write(lambda db: rot.swap(db, self._session(db, n), self._session(db, m)))

    @rule(p=indexes, active=st.booleans())
    def person_active(self, p: int, active: bool) -> None:
        self._write(
            lambda db: people.update_person(db, people.get_person(db, self._person(p)), active=active)
        )

    @precondition(lambda self: self.clock.now.date() < date(2026, 4, 15))
    @rule(days=st.integers(1, 8))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)
        self.told, self.expected_told, self.changed = (), set(), True

    # ------------------------------------------------------------ what must hold after each

    @invariant()
    def told_exactly_the_invites_made_wrong(self) -> None:
        assert set(self.told) == self.expected_told
        assert len(self.told) == len(set(self.told))

    @invariant()
    def stored_preview_and_invite_name_one_presenter(self) -> None:
        if not self.changed:
            return
        with self.store.write() as db:  # an export records what it named, for the next step's check
            upcoming = [
                s
                for s in sessions.list_sessions(db, circle_id=self.circle.id, start=self.clock.now)
                if s.status is SessionStatus.SCHEDULED
            ]
            if not upcoming:
                return
            preview = {r.session_id: r for r in rot.preview(db, self.circle.id, count=len(upcoming))}
            exported = invites.export_circle(db, self.circle.id)
        described = {
            str(e["UID"]): str(e.get("DESCRIPTION", ""))
            for e in Calendar.from_ical(exported.files[0].content).walk("VEVENT")
        }
        for s in upcoming:
            row = preview[s.id]
            assert s.presenter_id == row.presenter_id, (s.label, s.presenter_name, row.presenter_name)
            named = {m["agenda"] or m["plain"] for m in NAMED.finditer(described[s.ics_uid])}
            assert named == ({s.presenter_name} if s.presenter_name else set()), (s.label, named)


def test_a_few_weeks_of_facilitators() -> None:
    """A few short sequences, quick enough for every run."""
    run_state_machine_as_test(Facilitators, settings=_settings(max_examples=10, stateful_step_count=12))


@pytest.mark.slow
def test_many_weeks_of_facilitators() -> None:
    run_state_machine_as_test(Facilitators, settings=_settings(max_examples=60, stateful_step_count=30))


def _settings(**limits: int) -> settings:
    return settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], **limits)  # type: ignore[arg-type]

"""A realistic, deterministic demo organisation, written with bulk inserts.

small: about 40 people, 5 circles of different kinds and timezones, 12 weeks of past
sessions (agendas, presenters, RSVPs, attendance) and 8 ahead. large: 10,000 people,
300 circles, two years of weekly sessions, about a million attendance rows. huge: ten times
large (100,000 people, 3,000 circles, about ten million attendance rows), for measuring.
The same seed and clock always give the same store.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session

from circles import words
from circles.demo_bulk import insert_rows
from circles.demo_index import index_afterwards
from circles.demo_knowledge import add_knowledge
from circles.demo_names import (
    FIRST_NAMES,
    GUEST_SPEAKERS,
    LAST_NAMES,
    OFFICES,
    SESSION_TITLES,
    TEAMS,
    TOPICS,
)
from circles.demo_postgres import analyse, keys_and_indexes_after, quiet_changes
from circles.demo_sqlite import larger_cache
from circles.errors import NotAllowed
from circles.folding import folded_words
from circles.services import clock, uids, watch
from circles.services.agenda_templates import DEFAULT_TEMPLATES
from circles.services.sql import ids
from circles.zones import time_zone
from models.enums import CircleKind, PresenterSource, Role, Rsvp, SessionStatus
from models.store import Store
from models.summaries import counted_afterwards
from models.tables import (
    AgendaItem,
    Attendance,
    Away,
    Circle,
    CircleSession,
    Membership,
    Person,
)

Progress = Callable[[str, float], None]

_KIND_WORD = {
    CircleKind.LUNCH_AND_LEARN: "Lunch & Learn",
    CircleKind.LEARNING_CIRCLE: "Learning Circle",
    CircleKind.COMMUNITY_OF_PRACTICE: "Community of Practice",
    CircleKind.WORKSHOP: "Workshop Series",
}
_MINUTES = {
    CircleKind.LUNCH_AND_LEARN: 60,
    CircleKind.LEARNING_CIRCLE: 60,
    CircleKind.COMMUNITY_OF_PRACTICE: 60,
    CircleKind.WORKSHOP: 120,
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


ATTENDANCE_COLUMNS = (
    "id",
    "session_id",
    "person_id",
    "rsvp",
    "attended",
    "recorded_at",
    "note",
    "walk_in",
    "version",
)
# The tables each circle's life writes in bulk (the rest are small): on PostgreSQL their keys
# and indexes are made after their rows (circles/demo_postgres.py).
BULK_TABLES = ("membership", "circle_session", "agenda_item", "attendance")
# And what the feedback writes in bulk, reading only the tables above.
FEEDBACK_TABLES = ("feedback_answer", "feedback_response", "thanks")
# Cumulative odds: how people answer, and whether they then came, by their answer.
_RSVP_ODDS = ((0.55, "yes"), (0.70, "maybe"), (0.80, "no"), (1.0, "none"))
_CAME_ODDS = {
    "yes": ((0.80, "present"), (0.88, "late"), (0.92, "excused"), (1.0, "absent")),
    "maybe": ((0.45, "present"), (0.55, "late"), (0.65, "excused"), (1.0, "absent")),
    "no": ((0.05, "present"), (0.05, "late"), (0.65, "excused"), (1.0, "absent")),
    "none": ((0.35, "present"), (0.40, "late"), (0.45, "excused"), (1.0, "absent")),
}


def _pick(odds: tuple[tuple[float, str], ...], roll: float) -> str:
    for limit, value in odds:
        if roll < limit:
            return value
    return odds[-1][1]


@dataclass(frozen=True)
class Size:
    people: int
    circles: int
    members: tuple[int, int]  # per circle, inclusive range
    weeks_past: int
    weeks_ahead: int
    # Mentors, mentees, reverse mentors, reverse mentees, buddies, coffee (demo_programmes).
    programmes: tuple[int, int, int, int, int, int]
    # The small store: hand-picked circles, addresses without numbers.
    hand_picked: bool = False
    # Fill the search index once at the end rather than row by row (circles.demo_index): the same
    # documents (only their ids, which break ties between equal search results, differ); for the
    # large demo 124 -> 49 s of processor. The small one keeps the triggers, the app's own path.
    index_afterwards: bool = False


SIZES = {
    "small": Size(40, 5, (8, 14), 12, 8, (5, 9, 3, 3, 8, 17), hand_picked=True),
    "large": Size(10_000, 300, (30, 46), 96, 8, (150, 300, 40, 40, 200, 500), index_afterwards=True),
    # Programmes four times large's: they are written through the services, row by row.
    "huge": Size(100_000, 3_000, (30, 46), 96, 8, (600, 1_200, 160, 160, 800, 2_000), index_afterwards=True),
}

# The small store's circles, hand-picked to cover every kind and several timezones.
_SMALL_CIRCLES = (
    ("Rust Lunch", CircleKind.LUNCH_AND_LEARN, "Europe/Berlin", 1, time(12, 0), "Room Ada, 3rd floor"),
    ("Data Science Learning Circle", CircleKind.LEARNING_CIRCLE, "America/New_York", 3, time(16, 0), None),
    ("Frontend Guild", CircleKind.COMMUNITY_OF_PRACTICE, "Europe/London", 2, time(15, 0), "Library"),
    ("Security Workshop Series", CircleKind.WORKSHOP, "Australia/Sydney", 0, time(10, 0), "Harbour room"),
    ("Leadership Reading Circle", CircleKind.LEARNING_CIRCLE, "America/Los_Angeles", 4, time(9, 30), None),
)


class _AllBut(Sequence[dict[str, Any]]):
    """``people`` without the one at ``skip``, without copying them: random.sample draws only
    indices, so it picks what it picked from the copied list (a copy per circle was most of
    the huge demo's time)."""

    def __init__(self, people: list[dict[str, Any]], skip: int) -> None:
        self.people, self.skip = people, skip

    def __len__(self) -> int:
        return len(self.people) - 1

    def __getitem__(self, index: Any) -> Any:
        return self.people[index + (index >= self.skip)]


@dataclass(frozen=True)
class DemoSummary:
    people: int
    circles: int
    memberships: int
    sessions: int
    agenda_items: int
    attendance: int
    away: int


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def build_demo(
    store: Store, *, size: str | Size = "small", seed: int = 7, progress: Progress | None = None
) -> DemoSummary:
    """Fill an empty store with a demo organisation; refuses a store that holds data."""
    with store.write() as db:
        summary = fill_demo(db, size=size, seed=seed, progress=progress)
    if progress is not None:
        progress("done", 1.0)
    return summary


def fill_demo(
    db: Session, *, size: str | Size = "small", seed: int = 7, progress: Progress | None = None
) -> DemoSummary:
    """:func:`build_demo` inside a write unit of work the caller holds (the app's, which it
    tries again whole if the store was busy): all or nothing. ``size`` names one of SIZES, or
    is a Size of its own (the tests build a tiny huge one)."""
    if isinstance(size, str) and size not in SIZES:
        raise NotAllowed(f"Unknown demo size {size!r}: choose {', '.join(SIZES)}.")
    shape = SIZES[size] if isinstance(size, str) else size
    report = progress or (lambda _stage, _fraction: None)
    conn = db.connection()
    _refuse_if_not_empty(conn)
    now = clock.now(db)
    # The summaries of models/summaries.py are counted once after the rows, on every size:
    # kept row by row, each of a million check-ins would count its person's streaks again.
    # On SQLite the page cache is larger until the end of the build (circles/demo_sqlite.py).
    with (
        larger_cache(conn),
        quiet_changes(conn),
        counted_afterwards(conn),
        index_afterwards(conn) if shape.index_afterwards else nullcontext(),
    ):
        builder = _Builder(conn, shape, random.Random(seed), now, report)
        summary = builder.build()
        from circles.demo_programmes import add_programmes

        report("programmes", 0.9)
        # Written through the services: their pairs' calendar UIDs are drawn from the seed, as the
        # sessions' are here (a random one each made the same seed's stores differ).
        with uids.drawn_from(db, random.Random(seed * 7919 + 2)):
            add_programmes(db, counts=shape.programmes, seed=seed)
        from circles.demo_feedback import add_feedback

        report("feedback", 0.92)
        with keys_and_indexes_after(conn, FEEDBACK_TABLES):
            add_feedback(conn, seed=seed, now=now, progress=lambda f: report("feedback", 0.92 + 0.07 * f))
        report("search index", 0.99)
    report("statistics", 0.995)
    analyse(conn)
    # The rows went in straight on the connection: the upcoming sessions get the rotation's
    # presenters when this commits, as after any other write (the history stays as made).
    watch.touch(db, conn.execute(sa.select(ids(Circle.id))).scalars())
    return summary


def _refuse_if_not_empty(conn: Connection) -> None:
    people = conn.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one()
    circles = conn.execute(sa.select(sa.func.count()).select_from(Circle)).scalar_one()
    if people or circles:
        raise NotAllowed(
            f"This store already holds {words.count(people, 'person', 'people')} and "
            f"{words.count(circles, 'circle')}; demo data goes into an empty store only. "
            "Point --db at a new file to try the demo."
        )


class _Builder:
    """Generates rows in memory a circle at a time and inserts them in batches."""

    def __init__(
        self, conn: Connection, size: Size, rng: random.Random, now: datetime, report: Progress
    ) -> None:
        self.conn = conn
        self.size = size
        self.small = size.hand_picked
        self.rng = rng
        self.now = now
        self.report = report
        self.sqlite = conn.dialect.name == "sqlite"
        self.ids = {"agenda_item": 0, "attendance": 0, "circle_session": 0, "membership": 0}
        self.counts = dict.fromkeys(("agenda_item", "attendance", "circle_session", "membership"), 0)

    # -- helpers ---------------------------------------------------------------------

    def _uid(self, kind: str) -> str:
        return uids.uid_from(self.rng, kind)

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            columns = tuple(rows[0])
            native = self._native
            self._insert_tuples(table, columns, [tuple(native(r[c]) for c in columns) for r in rows])

    def _insert_tuples(self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Straight on the driver (executemany, or COPY on PostgreSQL): a million rows through
        SQLAlchemy's per-row type processing takes several times longer than the insert itself."""
        if rows:
            insert_rows(self.conn, table.__tablename__, columns, rows)

    def _native(self, value: Any) -> Any:
        """A value as the driver stores it for our column types (see models.types)."""
        if isinstance(value, datetime):
            return self._instant(value)
        if isinstance(value, Enum):
            return value.value
        return value

    def _instant(self, value: datetime) -> Any:
        # UTCDateTime keeps naive UTC text on SQLite, in SQLAlchemy's storage format.
        if self.sqlite:
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value

    def _next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -- the organisation --------------------------------------------------------------

    def build(self) -> DemoSummary:
        people = self._people()
        guests = self._guests(len(people) + 1)
        self.report("people", 0.05)
        away = self._away(people)
        circles = self._circles(people)
        with keys_and_indexes_after(self.conn, BULK_TABLES):
            for done, circle in enumerate(circles, start=1):
                self._circle_life(circle, people, guests, away)
                self.report("sessions", 0.05 + 0.75 * done / len(circles))
            self.report("keys and indexes", 0.8)
        # Its own stage from the start: its first batch is most of it (all of the large demo's).
        self.report("knowledge", 0.8)
        add_knowledge(
            self.conn,
            insert=self._insert,
            created_at=self.now,
            progress=lambda f: self.report("knowledge", 0.8 + 0.1 * f),
        )
        self._fix_sequences()
        return DemoSummary(
            people=len(people) + len(guests),
            circles=len(circles),
            memberships=self.counts["membership"],
            sessions=self.counts["circle_session"],
            agenda_items=self.counts["agenda_item"],
            attendance=self.counts["attendance"],
            away=len(away),
        )

    def _people(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for i in range(1, self.size.people + 1):
            first = self.rng.choice(FIRST_NAMES)
            last = self.rng.choice(LAST_NAMES)
            # Small stores read better without numbers in addresses; large ones need them.
            local = f"{first}.{last}".lower() if self.small else f"{first}.{last}.{i}".lower()
            if self.small and any(r["email"].startswith(local + "@") for r in rows):
                local = f"{local}{i}"
            team = self.rng.choice(TEAMS)
            rows.append(
                {
                    "id": i,
                    "name": f"{first} {last}",
                    "name_folded": folded_words(f"{first} {last}"),
                    "email": f"{local}@example.org",
                    "team": team,
                    "team_folded": folded_words(team),
                    "is_guest": False,
                    "active": self.rng.random() > 0.02,
                    "version": 1,
                    "created_at": self.now - timedelta(days=800),
                }
            )
        for start in range(0, len(rows), 5000):
            self._insert(Person, rows[start : start + 5000])
        return rows

    def _guests(self, first_id: int) -> list[dict[str, Any]]:
        rows = [
            {
                "id": first_id + n,
                "name": name,
                "name_folded": folded_words(name),
                "email": f"{name.split()[-1].lower()}.guest@{org.lower().replace(' ', '-')}.example",
                "team": org,
                "team_folded": folded_words(org),
                "is_guest": True,
                "active": True,
                "version": 1,
                "created_at": self.now - timedelta(days=400),
            }
            for n, (name, org) in enumerate(GUEST_SPEAKERS)
        ]
        self._insert(Person, rows)
        return rows

    def _away(self, people: list[dict[str, Any]]) -> dict[int, list[tuple[date, date, str]]]:
        """A few people away now and then: holidays, conferences, parental leave."""
        today = self.now.date()
        reasons = ("holiday", "conference", "parental leave", "offsite", "training")
        away: dict[int, list[tuple[date, date, str]]] = {}
        rows = []
        share = 0.15 if self.small else 0.05
        for person in people:
            if self.rng.random() > share:
                continue
            start = today + timedelta(days=self.rng.randint(-80, 50))
            end = start + timedelta(days=self.rng.randint(3, 20))
            reason = self.rng.choice(reasons)
            away.setdefault(person["id"], []).append((start, end, reason))
            rows.append(
                {
                    "person_id": person["id"],
                    "starts_on": start,
                    "ends_on": end,
                    "reason": reason,
                    "created_at": self.now,
                }
            )
        self._insert(Away, rows)
        return away

    def _circles(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        specs = list(_SMALL_CIRCLES) if self.small else self._large_circle_specs()
        rows = []
        for i, (name, kind, tz, weekday, at, location) in enumerate(specs, start=1):
            facilitator = self.rng.choice(people)
            rows.append(
                {
                    "id": i,
                    "name": name,
                    "kind": kind,
                    "description": f"A {kind.label} on {name.split(' ')[0]}, open to everyone.",
                    "timezone": tz,
                    "location": location,
                    "video_url": f"https://meet.example.org/{_slug(name)}",
                    "cadence": f"weekly on {_WEEKDAYS[weekday]} at {at:%H:%M}",
                    "default_minutes": _MINUTES[kind],
                    "reminder_minutes": 15,
                    "facilitator_id": facilitator["id"],
                    "archived": False,
                    "ics_series_uid": self._uid("series"),
                    "ics_series_sequence": 0,
                    "version": 1,
                    "created_at": self.now - timedelta(weeks=self.size.weeks_past + 2),
                    # Not columns: how the generator schedules this circle.
                    "_weekday": weekday,
                    "_at": at,
                }
            )
        self._insert(Circle, [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
        return rows

    def _large_circle_specs(self) -> Iterator[tuple[str, CircleKind, str, int, time, str | None]]:
        kinds = list(CircleKind)
        count = 0
        # Past one circle per topic and office (huge), each office runs a second, third... one.
        for cohort in range(1, self.size.circles + 1):
            for topic in TOPICS:
                for office, tz in OFFICES:
                    if count == self.size.circles:
                        return
                    kind = kinds[count % len(kinds)]
                    at = time(self.rng.choice((9, 10, 12, 13, 15, 16)), self.rng.choice((0, 30)))
                    place = office if cohort == 1 else f"{office} {cohort}"
                    name = f"{topic} {_KIND_WORD[kind]} ({place})"
                    yield (name, kind, tz, count % 5, at, f"{office} office")
                    count += 1

    # -- one circle's history ------------------------------------------------------------

    def _circle_life(
        self,
        circle: dict[str, Any],
        people: list[dict[str, Any]],
        guests: list[dict[str, Any]],
        away: dict[int, list[tuple[date, date, str]]],
    ) -> None:
        zone = time_zone(circle["timezone"])
        kind: CircleKind = circle["kind"]
        days = self._meeting_days(zone, circle["_weekday"])
        starts = [datetime.combine(d, circle["_at"], tzinfo=zone).astimezone(UTC) for d in days]
        members = self._members(circle, people, starts[0])
        agenda = DEFAULT_TEMPLATES[kind]
        session_rows, agenda_rows, attendance_rows = [], [], []
        rotation = sorted(
            (m for m in members if m["in_rotation"]), key=lambda m: (m["joined_at"], m["person_id"])
        )
        last_turn: dict[int, datetime] = {m["person_id"]: m["joined_at"] for m in rotation}
        cancelled_index = self.rng.randrange(2, len(starts) - 2)

        for n, starts_at in enumerate(starts):
            session_id = self._next_id("circle_session")
            past = starts_at < self.now
            status = SessionStatus.HELD if past else SessionStatus.SCHEDULED
            if n == cancelled_index:
                status = SessionStatus.CANCELLED
            day = starts_at.astimezone(zone).date()
            present_members = [
                m
                for m in members
                if m["joined_at"] <= starts_at and (m["left_at"] is None or m["left_at"] > starts_at)
            ]
            presenter_id, source = self._presenter(rotation, last_turn, away, starts_at, day, guests, n)
            session_rows.append(
                {
                    "id": session_id,
                    "circle_id": circle["id"],
                    "starts_at": starts_at,
                    "minutes": circle["default_minutes"],
                    "title": self.rng.choice(SESSION_TITLES),
                    "location": circle["location"],
                    "video_url": circle["video_url"],
                    "status": status,
                    "ics_uid": self._uid("session"),
                    "ics_sequence": 1 if status is SessionStatus.CANCELLED else 0,
                    "planned_starts_at": starts_at,
                    "presenter_id": presenter_id if status is not SessionStatus.CANCELLED else None,
                    "presenter_source": source if status is not SessionStatus.CANCELLED else None,
                    "notes": "",
                    "version": 1,
                    "created_at": starts_at - timedelta(weeks=3),
                }
            )
            for position, item in enumerate(agenda, start=1):
                agenda_rows.append(
                    {
                        "id": self._next_id("agenda_item"),
                        "session_id": session_id,
                        "position": position,
                        "title": item.title,
                        "presenter_id": presenter_id if item.is_presentation else None,
                        "minutes": item.minutes,
                        "is_presentation": item.is_presentation,
                        "version": 1,
                    }
                )
            if status is not SessionStatus.CANCELLED:
                attendance_rows.extend(self._attendance(session_id, starts_at, present_members, past))

        self._insert(CircleSession, session_rows)
        self._insert(AgendaItem, agenda_rows)
        self._insert_tuples(Attendance, ATTENDANCE_COLUMNS, attendance_rows)
        self.counts["circle_session"] += len(session_rows)
        self.counts["agenda_item"] += len(agenda_rows)
        self.counts["attendance"] += len(attendance_rows)

    def _meeting_days(self, zone: ZoneInfo, weekday: int) -> list[date]:
        today = self.now.astimezone(zone).date()
        this_week = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
        first = this_week - timedelta(weeks=self.size.weeks_past)
        return [first + timedelta(weeks=w) for w in range(self.size.weeks_past + self.size.weeks_ahead)]

    def _members(
        self, circle: dict[str, Any], people: list[dict[str, Any]], first_session: datetime
    ) -> list[dict[str, Any]]:
        count = self.rng.randint(*self.size.members)
        chosen = self.rng.sample(_AllBut(people, circle["facilitator_id"] - 1), count)
        founding = first_session - timedelta(days=14)
        span = (self.now - founding).total_seconds()
        rows = [
            {
                "id": self._next_id("membership"),
                "circle_id": circle["id"],
                "person_id": circle["facilitator_id"],
                "role": Role.FACILITATOR,
                "joined_at": founding,
                "left_at": None,
                "in_rotation": True,
                "default_rsvp": Rsvp.YES,
                "version": 1,
            }
        ]
        for person in chosen:
            joined = founding
            left = None
            roll = self.rng.random()
            if roll < 0.2:  # a newcomer, joined along the way
                joined = founding + timedelta(seconds=self.rng.uniform(0.2, 0.9) * span)
            elif roll < 0.27:  # someone who moved on; their history stays
                left = founding + timedelta(seconds=self.rng.uniform(0.3, 0.9) * span)
            rows.append(
                {
                    "id": self._next_id("membership"),
                    "circle_id": circle["id"],
                    "person_id": person["id"],
                    "role": Role.MEMBER,
                    "joined_at": joined,
                    "left_at": left,
                    "in_rotation": self.rng.random() > 0.15,
                    "default_rsvp": Rsvp.YES if self.rng.random() < 0.2 else Rsvp.NONE,
                    "version": 1,
                }
            )
        self._insert(Membership, rows)
        self.counts["membership"] += len(rows)
        return rows

    def _presenter(
        self,
        rotation: list[dict[str, Any]],
        last_turn: dict[int, datetime],
        away: dict[int, list[tuple[date, date, str]]],
        starts_at: datetime,
        day: date,
        guests: list[dict[str, Any]],
        n: int,
    ) -> tuple[int | None, PresenterSource | None]:
        """The fair rotation's pick: the available member whose last turn is oldest."""
        if n % 9 == 5:  # now and then a guest speaker, who uses nobody's turn
            return self.rng.choice(guests)["id"], PresenterSource.GUEST
        eligible = [
            m
            for m in rotation
            if m["joined_at"] <= starts_at
            and (m["left_at"] is None or m["left_at"] > starts_at)
            and not any(a <= day <= b for a, b, _ in away.get(m["person_id"], ()))
        ]
        if not eligible:
            return None, None
        chosen = min(eligible, key=lambda m: (last_turn[m["person_id"]], m["person_id"]))
        last_turn[chosen["person_id"]] = starts_at
        return chosen["person_id"], PresenterSource.ROTATION

    def _attendance(
        self, session_id: int, starts_at: datetime, members: list[dict[str, Any]], past: bool
    ) -> list[tuple[Any, ...]]:
        """Rows in ATTENDANCE_COLUMNS order; the hot loop of the large demo, so plain tuples."""
        rows: list[tuple[Any, ...]] = []
        soon = starts_at - self.now < timedelta(days=15)
        if not past and not soon:
            return rows
        recorded = self._instant(starts_at + timedelta(minutes=10)) if past else None
        random = self.rng.random
        for m in members:
            rsvp = _pick(_RSVP_ODDS, random())
            if past:
                attended = _pick(_CAME_ODDS[rsvp], random())
            elif rsvp == "none":
                continue  # nobody has answered for this future session yet
            else:
                attended = None
            self.ids["attendance"] += 1
            rows.append(
                (self.ids["attendance"], session_id, m["person_id"], rsvp, attended, recorded, "", False, 1)
            )
        return rows

    def _fix_sequences(self) -> None:
        """Explicit ids leave PostgreSQL's id sequences behind; move them past the demo rows."""
        if self.conn.dialect.name != "postgresql":
            return
        for table in (
            "person",
            "circle",
            "membership",
            "circle_session",
            "agenda_item",
            "attendance",
            "away",
        ):
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )

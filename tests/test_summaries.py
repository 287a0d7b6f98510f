"""The summaries the store keeps (migration 0100): streak milestones, numbered talks, each
session's ratings (and from 0250 its notes for the presenters), the people it expected, and who
came and answered. After any mix of writes (sessions added in the past, cancelled, uncancelled,
moved, moved to another circle, deleted; attendance checked in, changed, moved and removed;
presenters and agenda items' presenters set, changed and removed; answers added, changed, moved
and removed, notes for the presenter written, edited and cleared; memberships added and ended,
series and session RSVPs changed; feedback responses given and taken back) each table holds
exactly what its definition gives from the raw rows, on SQLite and PostgreSQL; so do the bulk
count after a load and the backfill of a store made before 0100."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL
from sqlmodel import select

import models.migrate as migrate
from circles.services import circle_records, people
from models.engine import create_store_engine, sqlite_file
from models.enums import Attended, Role, Rsvp, SessionStatus
from models.store import Store
from models.store_file import claim_sqlite_file
from models.summaries import FILLS, count_all, counted_afterwards
from models.tables import (
    AgendaItem,
    Attendance,
    CircleSession,
    FeedbackAnswer,
    FeedbackResponse,
    Membership,
    Person,
)
from tests.test_migrations import _migrate_to

MILESTONES = (5, 10, 25)
MARKS = (Attended.PRESENT, Attended.LATE, Attended.ABSENT, Attended.EXCUSED, None)
Milestones = set[tuple[int, int, int, int]]


def definition(conn: sa.Connection) -> Milestones:
    """(session, person, circle, length) for every milestone, from the raw rows, by the
    definition: a circle's held (not cancelled) sessions in order of start (then id); a person's
    streak grows by one at each they came to (present or late) and ends at any other."""
    sessions = conn.exec_driver_sql(
        "SELECT id, circle_id, starts_at FROM circle_session WHERE status <> 'cancelled'"
    ).all()
    came: dict[int, set[int]] = {}
    for sid, pid, attended in conn.exec_driver_sql("SELECT session_id, person_id, attended FROM attendance"):
        if attended in ("present", "late"):
            came.setdefault(sid, set()).add(pid)
    by_circle: dict[int, list[tuple[object, int]]] = {}
    for sid, cid, starts in sessions:
        by_circle.setdefault(cid, []).append((starts, sid))
    everyone = {pid for ids in came.values() for pid in ids}
    found: Milestones = set()
    for cid, held in by_circle.items():
        for pid in everyone:
            run = 0
            for _, sid in sorted(held):
                run = run + 1 if pid in came.get(sid, ()) else 0
                if run in MILESTONES:
                    found.add((sid, pid, cid, run))
    return found


def talks(conn: sa.Connection) -> set[tuple[int, int, int]]:
    """(session, person, number): each talk (presenter of a session not cancelled, or of an
    agenda item of it), numbered over the person's talks in order of start."""
    start = dict(
        conn.exec_driver_sql("SELECT id, starts_at FROM circle_session WHERE status <> 'cancelled'").all()
    )
    given = {
        (sid, pid)
        for sid, pid in conn.exec_driver_sql(
            "SELECT id, presenter_id FROM circle_session "
            "UNION ALL SELECT session_id, presenter_id FROM agenda_item"
        )
        if pid is not None and sid in start
    }
    found = set()
    for person in {pid for _, pid in given}:
        theirs = sorted((start[sid], sid) for sid, pid in given if pid == person)
        found |= {(sid, person, n) for n, (_, sid) in enumerate(theirs, start=1)}
    return found


def ratings(conn: sa.Connection) -> set[tuple[int, ...]]:
    """(session, how many, sum, 1s, 2s, 3s, 4s, 5s) for each session with answers."""
    by_session: dict[int, list[int]] = {}
    for sid, rating in conn.exec_driver_sql("SELECT session_id, rating FROM feedback_answer"):
        by_session.setdefault(sid, []).append(rating)
    return {(sid, len(r), sum(r), *(r.count(k) for k in range(1, 6))) for sid, r in by_session.items()}


def notes(conn: sa.Connection) -> set[tuple[int, int]]:
    """(session, how many answers carry a note for the presenter) for each session with answers,
    anonymous ones too: what Recognition counts as notes written for a presenter."""
    counts: dict[int, int] = {}
    for sid, note in conn.exec_driver_sql("SELECT session_id, for_presenter FROM feedback_answer"):
        counts[sid] = counts.get(sid, 0) + (note != "")
    return set(counts.items())


def kept_notes(conn: sa.Connection) -> set[tuple[int, int]]:
    return {(s, n) for s, n in conn.exec_driver_sql("SELECT session_id, notes FROM session_feedback")}


def expected(conn: sa.Connection) -> set[tuple[object, ...]]:
    """(session, effective RSVP, how it went, people) for the members each session expected:
    memberships covering its start; the session's own answer unless 'none', else the series'."""
    rows = {
        (sid, pid): (rsvp, attended)
        for sid, pid, rsvp, attended in conn.exec_driver_sql(
            "SELECT session_id, person_id, rsvp, attended FROM attendance"
        )
    }
    members = conn.exec_driver_sql(
        "SELECT circle_id, person_id, joined_at, left_at, default_rsvp FROM membership"
    ).all()
    counts: dict[tuple[object, ...], int] = {}
    for sid, cid, starts in conn.exec_driver_sql("SELECT id, circle_id, starts_at FROM circle_session"):
        for mcid, pid, joined, left, series in members:
            if mcid != cid or joined > starts or (left is not None and left <= starts):
                continue
            rsvp, attended = rows.get((sid, pid), (None, None))
            answer = rsvp if rsvp not in (None, "none") else series
            how = (
                "came"
                if attended in ("present", "late")
                else "excused"
                if attended == "excused"
                else "missed"
            )
            counts[(sid, answer, how)] = counts.get((sid, answer, how), 0) + 1
    return {(*key, n) for key, n in counts.items()}


def kept_expected(conn: sa.Connection) -> set[tuple[object, ...]]:
    rows = conn.exec_driver_sql("SELECT session_id, answer, how, people FROM session_expected")
    return {tuple(r) for r in rows}


TURNOUT = (
    "expected, came, rsvp_yes, came_yes, rsvp_maybe, came_maybe, rsvp_no, came_no, rsvp_none, came_none, "
    "missed_yes"
)


def turnout(conn: sa.Connection) -> set[tuple[object, ...]]:
    """Each session's expected people in one row, as TURNOUT lists them: from the definition
    (``expected``), not from session_expected."""
    sums: dict[object, list[int]] = {}
    for sid, answer, how, n in expected(conn):
        row = sums.setdefault(sid, [0] * 11)
        answered = 2 + 2 * ("yes", "maybe", "no", "none").index(str(answer))
        row[0] += n
        row[answered] += n
        if how == "came":
            row[1] += n
            row[answered + 1] += n
        if (answer, how) == ("yes", "missed"):
            row[10] += n
    return {(sid, *row) for sid, row in sums.items()}


def kept_turnout(conn: sa.Connection) -> set[tuple[object, ...]]:
    return {tuple(r) for r in conn.exec_driver_sql(f"SELECT session_id, {TURNOUT} FROM session_turnout")}


def responses(conn: sa.Connection) -> set[tuple[int, int, int]]:
    """(session, people who came, how many of them answered) for each session someone came to."""
    answered = set(conn.exec_driver_sql("SELECT session_id, person_id FROM feedback_response").all())
    counts: dict[int, list[int]] = {}
    for sid, pid, attended in conn.exec_driver_sql("SELECT session_id, person_id, attended FROM attendance"):
        if attended in ("present", "late"):
            row = counts.setdefault(sid, [0, 0])
            row[0] += 1
            row[1] += (sid, pid) in answered
    return {(sid, n, r) for sid, (n, r) in counts.items()}


def kept_responses(conn: sa.Connection) -> set[tuple[int, int, int]]:
    rows = conn.exec_driver_sql("SELECT session_id, attendees, responders FROM session_responses")
    return {(s, n, r) for s, n, r in rows}


FIGURES = (
    f"{TURNOUT}, ratings, rating_sum, rated_1, rated_2, rated_3, rated_4, rated_5, attendees, responders"
)


def figures(conn: sa.Connection) -> set[tuple[object, ...]]:
    """Each session's circle, start and status, then its figures as FIGURES lists them, each
    from its definition (``turnout``, ``ratings``, ``responses``), not from a summary: zeros
    where the definition has no row."""
    by_turnout = {row[0]: row[1:] for row in turnout(conn)}
    by_ratings = {row[0]: row[1:] for row in ratings(conn)}
    by_responses = {row[0]: row[1:] for row in responses(conn)}
    return {
        (
            sid,
            circle,
            starts,
            status,
            *by_turnout.get(sid, (0,) * 11),
            *by_ratings.get(sid, (0,) * 7),
            *by_responses.get(sid, (0, 0)),
        )
        for sid, circle, starts, status in conn.exec_driver_sql(
            "SELECT id, circle_id, starts_at, status FROM circle_session"
        )
    }


def kept_figures(conn: sa.Connection) -> set[tuple[object, ...]]:
    return {
        tuple(r)
        for r in conn.exec_driver_sql(
            f"SELECT session_id, circle_id, starts_at, status, {FIGURES} FROM session_figures"
        )
    }


def kept(conn: sa.Connection) -> Milestones:
    rows = conn.exec_driver_sql("SELECT session_id, person_id, circle_id, sessions FROM streak_milestone")
    return {(s, p, c, n) for s, p, c, n in rows}


def kept_talks(conn: sa.Connection) -> set[tuple[int, int, int]]:
    return {tuple(r) for r in conn.exec_driver_sql("SELECT session_id, person_id, number FROM talk")}  # type: ignore[misc]


def kept_ratings(conn: sa.Connection) -> set[tuple[int, ...]]:
    return {
        tuple(r)
        for r in conn.exec_driver_sql(
            "SELECT session_id, ratings, rating_sum, rated_1, rated_2, rated_3, rated_4, rated_5 "
            "FROM session_feedback"
        )
    }


def assert_kept(
    conn: sa.Connection,
    *context: object,
    turnout_kept: bool = True,
    notes_kept: bool = True,
    figures_kept: bool = True,
) -> None:
    assert kept(conn) == definition(conn), context
    assert kept_talks(conn) == talks(conn), context
    assert kept_ratings(conn) == ratings(conn), context
    if notes_kept:  # from migration 0250
        assert kept_notes(conn) == notes(conn), context
    assert kept_expected(conn) == expected(conn), context
    if turnout_kept:  # from migration 0200
        assert kept_turnout(conn) == turnout(conn), context
    assert kept_responses(conn) == responses(conn), context
    if figures_kept:  # from migration 0260
        assert kept_figures(conn) == figures(conn), context


def _session(circle_id: int, starts: datetime, n: int) -> CircleSession:
    return CircleSession(
        circle_id=circle_id, starts_at=starts, planned_starts_at=starts, ics_uid=f"s-{n}@test", title=f"S{n}"
    )


START = datetime(2025, 1, 6, 12, tzinfo=UTC)
WRITES = (
    *("add", "cancel", "uncancel", "move", "other circle", "delete", "mark", "unmark", "new", "person"),
    *("presenter", "agenda", "agenda presenter", "agenda gone", "answer", "rating", "answer gone"),
    *("note", "note edited", "note cleared", "note moved"),
    *("join", "leave", "series rsvp", "rsvp", "respond", "unrespond"),
)
RSVPS = ("yes", "maybe", "no", "none")


def _answer(session_id: int, rng: random.Random) -> FeedbackAnswer:
    return FeedbackAnswer(
        id=uuid.UUID(int=rng.getrandbits(128)).hex, session_id=session_id, rating=rng.randint(1, 5)
    )


def _fill(store: Store, rng: random.Random, circles: int = 2, weeks: int = 30, folk: int = 6) -> None:
    """Circles of weekly sessions most people come to (runs of 5, 10 and 25 happen)."""
    with store.write() as db:
        ids = [people.add_person(db, name=f"P{k}", email=f"p{k}@example.org").id for k in range(folk)]
        for c in range(circles):
            cid = circle_records.add_circle(db, name=f"C{c}", kind="learning-circle", timezone="UTC").id
            for pid in ids:
                joined = START + timedelta(weeks=rng.choice([-1, -1, 3, 12]))
                series = Rsvp(rng.choice(RSVPS))
                db.add(
                    Membership(
                        circle_id=cid, person_id=pid, role=Role.MEMBER, joined_at=joined, default_rsvp=series
                    )
                )
            for w in range(weeks):
                s = _session(cid, START + timedelta(weeks=w, hours=c), c * 1000 + w)
                db.add(s)
                db.flush()
                assert s.id is not None
                if rng.random() < 0.7:
                    s.presenter_id = rng.choice(ids)
                if rng.random() < 0.3:
                    db.add(
                        AgendaItem(session_id=s.id, position=1, title="Talk", presenter_id=rng.choice(ids))
                    )
                for _ in range(rng.randint(0, 3)):
                    db.add(_answer(s.id, rng))
                for pid in ids:
                    if rng.random() < 0.3:
                        db.add(FeedbackResponse(session_id=s.id, person_id=pid))
                    if pid == ids[0]:  # one who never misses: a run of 25 (and more)
                        db.add(Attendance(session_id=s.id, person_id=pid, attended=Attended.LATE))
                    elif rng.random() < 0.95:
                        mark = Attended.PRESENT if rng.random() < 0.93 else rng.choice(MARKS)
                        db.add(Attendance(session_id=s.id, person_id=pid, attended=mark))
            db.flush()


def _write_something(store: Store, rng: random.Random, n: int) -> str:
    """One random write, as any path could make it (an ORM change is an UPDATE like the app's)."""
    with store.write() as db:
        sessions = list(db.exec(select(CircleSession)))
        circles = sorted({s.circle_id for s in sessions})
        person_ids = [p for p in db.exec(select(Person.id)) if p is not None]
        s = rng.choice(sessions)
        kind = rng.choice([*WRITES])
        if kind == "add":
            starts = START + timedelta(weeks=rng.uniform(-1, 31))
            added = _session(rng.choice(circles), starts, 100_000 + n)
            db.add(added)
            db.flush()
            assert added.id is not None
            for pid in rng.sample(person_ids, rng.randint(0, len(person_ids))):
                db.add(Attendance(session_id=added.id, person_id=pid, attended=Attended.PRESENT))
        elif kind == "cancel":
            s.status = SessionStatus.CANCELLED
        elif kind == "uncancel":
            cancelled = [x for x in sessions if x.status is SessionStatus.CANCELLED] or [s]
            rng.choice(cancelled).status = SessionStatus.HELD
        elif kind == "move":
            s.starts_at = START + timedelta(weeks=rng.uniform(-1, 31))
        elif kind == "other circle":
            s.circle_id = rng.choice(circles)
        elif kind == "delete":
            db.delete(s)
        elif kind == "join":  # a past membership: joined and left again
            joined = START + timedelta(weeks=rng.uniform(-2, 30))
            db.add(
                Membership(
                    circle_id=rng.choice(circles),
                    person_id=rng.choice(person_ids),
                    role=Role.MEMBER,
                    joined_at=joined,
                    left_at=joined + timedelta(weeks=rng.uniform(0, 10)),
                    default_rsvp=Rsvp(rng.choice(RSVPS)),
                )
            )
        elif kind in ("leave", "series rsvp"):
            membership = rng.choice(list(db.exec(select(Membership))))
            if kind == "leave":
                membership.left_at = membership.joined_at + timedelta(weeks=rng.uniform(0, 30))
            else:
                membership.default_rsvp = Rsvp(rng.choice(RSVPS))
        elif kind == "respond":
            a = rng.choice(list(db.exec(select(Attendance))))
            answered = db.exec(
                select(FeedbackResponse).where(
                    FeedbackResponse.session_id == a.session_id, FeedbackResponse.person_id == a.person_id
                )
            ).first()
            if answered is None:
                db.add(FeedbackResponse(session_id=a.session_id, person_id=a.person_id))
        elif kind == "unrespond":
            given = list(db.exec(select(FeedbackResponse)))
            if given:
                db.delete(rng.choice(given))
        elif kind == "rsvp":
            rng.choice(list(db.exec(select(Attendance)))).rsvp = Rsvp(rng.choice(RSVPS))
        elif kind == "presenter":
            s.presenter_id = rng.choice([None, *person_ids])
        elif kind == "agenda":
            top = max(
                (i.position for i in db.exec(select(AgendaItem).where(AgendaItem.session_id == s.id))),
                default=0,
            )
            db.add(
                AgendaItem(
                    session_id=s.id, position=top + 1, title="Talk", presenter_id=rng.choice(person_ids)
                )
            )
        elif kind in ("agenda presenter", "agenda gone"):
            items = list(db.exec(select(AgendaItem)))
            if items:
                item = rng.choice(items)
                if kind == "agenda gone":
                    db.delete(item)
                else:
                    item.presenter_id = rng.choice([None, *person_ids])
        elif kind == "answer":
            db.add(_answer(s.id, rng))
        elif kind in ("rating", "answer gone"):
            answers = list(db.exec(select(FeedbackAnswer)))
            if answers:
                answer = rng.choice(answers)
                if kind == "answer gone":
                    db.delete(answer)
                else:
                    answer.rating = rng.randint(1, 5)
        elif kind == "note":  # an answer written with a note, named or anonymous
            answer = _answer(s.id, rng)
            answer.for_presenter = f"Thanks {n}"
            answer.person_id = rng.choice([None, *person_ids])
            if (
                answer.person_id is not None
                and db.exec(
                    select(FeedbackAnswer).where(
                        FeedbackAnswer.session_id == s.id, FeedbackAnswer.person_id == answer.person_id
                    )
                ).first()
            ):
                answer.person_id = None  # one named answer per person and session
            db.add(answer)
        elif kind in ("note edited", "note cleared", "note moved"):
            answers = list(db.exec(select(FeedbackAnswer)))
            if answers:
                answer = rng.choice(answers)
                if kind == "note moved":  # to another session, with its note if it has one
                    answer.session_id = s.id
                    answer.person_id = None
                else:
                    answer.for_presenter = f"Edited {n}" if kind == "note edited" else ""
        else:
            rows = list(db.exec(select(Attendance)))
            a = rng.choice(rows)
            if kind == "mark":
                a.attended = rng.choice(MARKS)
            elif kind == "unmark":
                db.delete(a)
            elif kind == "person":
                taken = {r.person_id for r in rows if r.session_id == a.session_id}
                free = [p for p in person_ids if p not in taken]
                if free:
                    a.person_id = rng.choice(free)
            else:
                taken = {r.person_id for r in rows if r.session_id == s.id}
                free = [p for p in person_ids if p not in taken]
                if free:
                    db.add(Attendance(session_id=s.id, person_id=rng.choice(free), attended=Attended.LATE))
        return kind


@pytest.mark.slow
def test_any_mix_of_writes_keeps_the_summaries_of_the_definitions(store: Store) -> None:
    rng = random.Random(100)
    _fill(store, rng)
    with store.engine.connect() as conn:
        first = kept(conn)
        assert_kept(conn)
    assert {n for *_, n in first} >= {5, 10, 25}  # the test reaches every milestone
    done = []
    for n in range(200):
        done.append(_write_something(store, rng, n))
        with store.engine.connect() as conn:
            assert_kept(conn, done)
    assert set(done) == set(WRITES)


def test_a_load_counts_all_milestones_once_after_its_rows(store: Store) -> None:
    rng = random.Random(7)
    with store.write() as db:
        conn = db.connection()
        with counted_afterwards(conn):
            circle = circle_records.add_circle(db, name="Bulk", kind="learning-circle", timezone="UTC").id
            person = people.add_person(db, name="Bo", email="bo@example.org").id
            for w in range(12):
                s = _session(circle, START + timedelta(weeks=w), w)
                db.add(s)
                db.flush()
                assert s.id is not None
                db.add(Attendance(session_id=s.id, person_id=person, attended=Attended.PRESENT))
                s.presenter_id = person
                db.add(_answer(s.id, rng))
            db.flush()
            assert kept(conn) == set()  # the triggers are off while the load writes
            assert kept_talks(conn) == set()
        assert kept(conn) == definition(conn) != set()
        assert kept_talks(conn) == talks(conn) != set()
        assert kept_ratings(conn) == ratings(conn) != set()
    # The triggers are back on after the load.
    _write_something(store, rng, 1)
    with store.engine.connect() as conn:
        assert_kept(conn)
        count_all(conn)
        assert_kept(conn)


def _rows_of_an_old_store(conn: sa.Connection, rng: random.Random) -> None:
    """A person, a circle, a membership and 30 weekly sessions (two cancelled), each with an
    answer, a presenter and a check-in, written as plain SQL (as a store made before the
    summaries holds them)."""
    conn.exec_driver_sql(
        "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
        "('Ana Quill', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
    )
    conn.exec_driver_sql(
        "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
        " archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
        " ('Rust Lunch', 'learning-circle', '', 'UTC', 60, 15, false, 'series-1', 0,"
        " 1, '2026-01-01 00:00:00+00:00')"
    )
    conn.exec_driver_sql(  # a member, so that the sessions expect someone
        "INSERT INTO membership (circle_id, person_id, role, joined_at, in_rotation, default_rsvp,"
        " version) VALUES ((SELECT id FROM circle), (SELECT id FROM person), 'member',"
        " '2025-01-01 00:00:00+00:00', true, 'yes', 1)"
    )
    for week in range(30):
        status = "cancelled" if week in (4, 17) else "held"
        day = START + timedelta(weeks=week)
        conn.exec_driver_sql(
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, notes, version, created_at) VALUES"
            f" ((SELECT id FROM circle), '{day:%Y-%m-%d %H:%M:%S}+00:00', 60, 'W{week}', '{status}',"
            f" 'session-{week}', 0, '{day:%Y-%m-%d %H:%M:%S}+00:00', '', 1, '2026-01-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO feedback_answer (id, session_id, rating, learned, for_presenter) VALUES"
            f" ('a{week}', (SELECT id FROM circle_session WHERE ics_uid = 'session-{week}'),"
            f" {week % 5 + 1}, '', '')"
        )
        conn.exec_driver_sql(
            "UPDATE circle_session SET presenter_id = (SELECT id FROM person)"
            f" WHERE ics_uid = 'session-{week}'"
        )
        mark = "present" if rng.random() < 0.9 else "absent"
        conn.exec_driver_sql(
            "INSERT INTO attendance (session_id, person_id, rsvp, attended, note, walk_in, version)"
            f" VALUES ((SELECT id FROM circle_session WHERE ics_uid = 'session-{week}'),"
            f" (SELECT id FROM person), 'none', '{mark}', '', false, 1)"
        )


def test_0100_and_0200_fill_the_summaries_of_a_store_made_before_them(store_url: URL) -> None:
    before = ScriptDirectory.from_config(migrate._config()).get_revision("0100").down_revision
    assert isinstance(before, str)
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, before)
    with engine.begin() as conn:
        _rows_of_an_old_store(conn, random.Random(3))
    _migrate_to(engine, "0100")
    with engine.connect() as conn:
        assert kept(conn) == definition(conn) != set()
        assert kept_talks(conn) == talks(conn) != set()
        assert kept_ratings(conn) == ratings(conn) != set()
        assert kept_expected(conn) == expected(conn) != set()
        assert kept_responses(conn) == responses(conn) != set()
    with engine.begin() as conn:  # and the triggers keep them from now on
        conn.exec_driver_sql("UPDATE circle_session SET status = 'cancelled' WHERE ics_uid = 'session-2'")
    with engine.connect() as conn:
        assert_kept(conn, turnout_kept=False, notes_kept=False, figures_kept=False)  # notes: from 0250
    _migrate_to(engine, "0200")
    with engine.connect() as conn:
        assert kept_turnout(conn) == turnout(conn) != set()
    with engine.begin() as conn:  # its triggers keep session_turnout from session_expected
        conn.exec_driver_sql("UPDATE attendance SET attended = 'excused' WHERE attended = 'present'")
        conn.exec_driver_sql("DELETE FROM membership")
    with engine.connect() as conn:
        assert_kept(conn, notes_kept=False, figures_kept=False)
        assert kept_turnout(conn) == set()
    _migrate_to(engine, "0190", down=True)
    with engine.connect() as conn:
        assert "session_turnout" not in sa.inspect(conn).get_table_names()
        conn.exec_driver_sql("SELECT count(*) FROM session_expected")  # 0100's, still there
    _migrate_to(engine, before, down=True)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert not set(FILLS) & tables
        assert conn.exec_driver_sql("SELECT count(*) FROM attendance").scalar_one() == 30
    engine.dispose()


def test_0260_fills_each_sessions_figures_and_its_triggers_keep_them(store_url: URL) -> None:
    """Upgraded, a store's sessions each have their row of figures (zeros where a summary has
    none); a rating, a check-in, an RSVP, a cancelled, moved and deleted session keep them equal
    to the figures counted from scratch; downgraded, the table goes and every row stays."""
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0250")
    with engine.begin() as conn:
        _rows_of_an_old_store(conn, random.Random(4))
        conn.exec_driver_sql(  # a session with no summary rows at all: no answer, nobody expected
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, notes, version, created_at) VALUES"
            " ((SELECT id FROM circle), '2024-01-01 12:00:00+00:00', 60, 'Early', 'held', 'early', 0,"
            " '2024-01-01 12:00:00+00:00', '', 1, '2026-01-01 00:00:00+00:00')"
        )
    _migrate_to(engine, "0260")
    with engine.connect() as conn:
        assert kept_figures(conn) == figures(conn)
        assert len(kept_figures(conn)) == 31
    week = "(SELECT id FROM circle_session WHERE ics_uid = 'session-{}')"
    writes = [
        "INSERT INTO feedback_answer (id, session_id, rating, learned, for_presenter) VALUES"
        f" ('b1', {week.format(3)}, 2, '', 'a note')",
        f"UPDATE attendance SET attended = 'absent' WHERE session_id = {week.format(5)}",
        f"UPDATE attendance SET rsvp = 'no' WHERE session_id = {week.format(6)}",
        f"DELETE FROM attendance WHERE session_id = {week.format(7)}",
        "UPDATE circle_session SET status = 'cancelled' WHERE ics_uid = 'session-8'",
        "UPDATE circle_session SET starts_at = '2026-06-01 09:30:00+00:00' WHERE ics_uid = 'session-9'",
        f"DELETE FROM feedback_answer WHERE session_id = {week.format(10)}",
        f"DELETE FROM attendance WHERE session_id = {week.format(11)}",
        f"DELETE FROM feedback_answer WHERE session_id = {week.format(11)}",
        "DELETE FROM circle_session WHERE ics_uid = 'session-11'",
        "UPDATE membership SET left_at = '2025-03-01 00:00:00+00:00'",
    ]
    for write in writes:
        with engine.begin() as conn:
            conn.exec_driver_sql(write)
        with engine.connect() as conn:
            assert kept_figures(conn) == figures(conn), write
    with engine.connect() as conn:
        assert len(kept_figures(conn)) == 30
    _migrate_to(engine, "0250", down=True)
    with engine.connect() as conn:
        assert "session_figures" not in sa.inspect(conn).get_table_names()
        assert conn.exec_driver_sql("SELECT count(*) FROM circle_session").scalar_one() == 30
        assert_kept(conn, figures_kept=False)  # the summaries under it are as they were
    engine.dispose()


def test_every_session_figures_trigger_is_there_at_head(store: Store) -> None:
    """A later migration that rebuilds circle_session or a summary on SQLite (batch mode) drops
    the table's triggers with it, and session_figures would go stale without a word: this names
    the missing ones. The names are those migration 0260 made."""
    made = ScriptDirectory.from_config(migrate._config()).get_revision("0260").module
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            wanted = {name for name, *_ in made.SQLITE_TRIGGERS}
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            wanted = {f"summary_figures_{table}" for table in made.POSTGRES_TRIGGERS}
        have = {name for (name,) in conn.exec_driver_sql(query)}
    assert len(wanted) > 3 and wanted - have == set()


def test_two_check_ins_at_once_on_postgresql_both_count(store: Store) -> None:
    """Two facilitators check two people in to one session at the same moment. Each write's
    triggers count the session again from the rows they can see; without waiting for the other
    writer, the second count either collided with the first (a duplicate key, the check-in
    refused) or, written over it, missed the first person."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    _fill(store, random.Random(5), circles=1, weeks=6, folk=4)
    with store.read() as db:
        session = db.exec(select(CircleSession).order_by(sa.desc(CircleSession.starts_at))).first()
        assert session is not None and session.id is not None
        sid = session.id
        pair = [p.id for p in db.exec(select(Person).order_by(Person.id)).all()[:2]]
    with store.engine.begin() as conn:
        conn.execute(sa.delete(Attendance).where(Attendance.session_id == sid))

    def check_in(conn: sa.Connection, person: int | None) -> None:
        conn.execute(
            sa.insert(Attendance).values(
                session_id=sid, person_id=person, attended=Attended.PRESENT, rsvp=Rsvp.NONE
            )
        )

    failed: list[BaseException] = []

    def second() -> None:
        try:
            with store.engine.begin() as conn:
                check_in(conn, pair[1])
        except BaseException as error:  # reported by the test, not lost in the thread
            failed.append(error)

    with store.engine.connect() as first, store.engine.connect() as watch:
        first.begin()
        check_in(first, pair[0])
        worker = threading.Thread(target=second)
        worker.start()
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        deadline = time.monotonic() + 30
        while watch.exec_driver_sql(waiting).scalar() == 0 and worker.is_alive():
            assert time.monotonic() < deadline, "the second check-in never waited for the first"
            watch.rollback()  # the server keeps what a transaction read of pg_stat_activity
            time.sleep(0.02)
        first.commit()
        worker.join(30)
    assert not failed, failed
    with store.engine.connect() as conn:
        assert {n for s, n, _ in kept_responses(conn) if s == sid} == {2}  # both came
        assert_kept(conn)

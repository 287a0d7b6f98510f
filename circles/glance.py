"""A first glance at a SQLite store, before SQLAlchemy has loaded: Home's upcoming sessions read
with the standard library's sqlite3.

Loading SQLAlchemy, SQLModel and the tables takes about 0.4 s on a small laptop, and this read
about 20 ms, so Home lists the day's sessions while the store proper opens in the background.
It reads only, and only a SQLite file already at this version's schema; anything else (a new
file, one that needs upgrading, a PostgreSQL server) is left to the store. Home reloads through
the services once the store is open, so the two must agree: tests/test_glance.py compares them.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from circles import upcoming
from circles.views import Headcount, HomeData, SessionView, presenter_names
from models.enums import CircleKind, PresenterSource, SessionStatus
from models.location import read_only_uri
from models.schema import SCHEMA_HEAD

# Same text as SQLAlchemy stores instants in SQLite (naive UTC), so comparisons order alike.
STORED_INSTANT = "%Y-%m-%d %H:%M:%S.%f"

ANYTHING = "SELECT EXISTS (SELECT 1 FROM circle) OR EXISTS (SELECT 1 FROM person)"
SESSIONS = """
SELECT s.id, s.circle_id, c.name, c.kind, c.timezone, s.starts_at, s.minutes, s.title, s.location,
       s.video_url, s.status, s.ics_uid, s.ics_sequence, s.planned_starts_at, s.presenter_id, p.name,
       s.presenter_source, s.notes, s.version
FROM circle_session s
JOIN circle c ON c.id = s.circle_id
LEFT JOIN person p ON p.id = s.presenter_id
WHERE c.archived = 0 AND s.starts_at >= ? AND s.starts_at < ?
ORDER BY s.starts_at, s.id
LIMIT ?
"""
# Members expected at a session: joined by its start and not left before it; a member who
# gave no answer for the session counts with their answer for the series.
RSVPS = """
SELECT s.id, CASE WHEN a.rsvp IS NOT NULL AND a.rsvp != 'none' THEN a.rsvp ELSE m.default_rsvp END,
       count(*)
FROM circle_session s
JOIN membership m ON m.circle_id = s.circle_id AND m.joined_at <= s.starts_at
     AND (m.left_at IS NULL OR m.left_at > s.starts_at)
LEFT JOIN attendance a ON a.session_id = s.id AND a.person_id = m.person_id
WHERE s.id IN ({ids})
GROUP BY 1, 2
"""
CHECK_INS = """
SELECT session_id, attended, count(*) FROM attendance
WHERE session_id IN ({ids}) AND attended IS NOT NULL
GROUP BY 1, 2
"""
PRESENTERS = """
SELECT a.session_id, p.name FROM agenda_item a JOIN person p ON p.id = a.presenter_id
WHERE a.session_id IN ({ids})
ORDER BY a.session_id, a.position
"""


def home_at_a_glance(path: Path, now: datetime) -> HomeData | None:
    """Home's data read straight from the SQLite file at ``path``; None when the store has to
    answer instead (no such file, another schema, anything unexpected)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, now)
    except (sqlite3.Error, ValueError, KeyError):
        return None  # e.g. a locked or damaged file: the store will say what is wrong
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, now: datetime) -> HomeData | None:
    if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(SCHEMA_HEAD,)]:
        return None
    if not conn.execute(ANYTHING).fetchone()[0]:
        return HomeData(True, [], {}, {})
    start, end = upcoming.window(now)
    found = [_session(row) for row in conn.execute(SESSIONS, (_stored(start), _stored(end), upcoming.MOST))]
    ids = [s.id for s in found]
    marks = ", ".join("?" * len(ids))
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    for query in (RSVPS, CHECK_INS):
        for session_id, answer, n in conn.execute(query.format(ids=marks), ids):
            counts[session_id][answer] = n
    presenters = presenter_names(conn.execute(PRESENTERS.format(ids=marks), ids))
    return HomeData(
        False,
        found,
        {i: Headcount.from_counts(c) for i, c in counts.items()},
        presenters,
    )


def _stored(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime(STORED_INSTANT)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _session(row: tuple[Any, ...]) -> SessionView:
    (id_, circle_id, circle_name, kind, zone, starts_at, minutes, title, location, video_url, status,
     ics_uid, ics_sequence, planned, presenter_id, presenter_name, source, notes, version) = row  # fmt: skip
    return SessionView(
        id=id_,
        circle_id=circle_id,
        circle_name=circle_name,
        circle_kind=CircleKind(kind),
        timezone=zone,
        starts_at=_instant(starts_at),
        minutes=minutes,
        title=title,
        location=location,
        video_url=video_url,
        status=SessionStatus(status),
        ics_uid=ics_uid,
        ics_sequence=ics_sequence,
        planned_starts_at=_instant(planned),
        presenter_id=presenter_id,
        presenter_name=presenter_name,
        presenter_source=PresenterSource(source) if source else None,
        notes=notes,
        version=version,
    )

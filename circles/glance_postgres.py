"""A first glance at a PostgreSQL store, before SQLAlchemy has loaded: Home's upcoming sessions
read over one plain psycopg connection, with circles/glance.py's queries.

The store proper (SQLAlchemy, SQLModel, the tables, the schema check) takes about half a second
to load; psycopg alone a tenth of that, and the reads a few milliseconds, so Home lists the
day's sessions while the store opens in the background, as it does for a SQLite file. It reads
only, in a read-only transaction, and only a database at this version's schema; anything else
(an unreachable server, a database that needs upgrading, a URL it cannot hand to libpq) is left
to the store, which says what is wrong. tests/test_glance.py compares it with the services.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from circles import glance, upcoming
from circles.views import Headcount, HomeData, presenter_names
from models.schema import SCHEMA_HEAD

# A glance that waits on a far server is worse than none: the store's own connection says why.
CONNECT_TIMEOUT_SECONDS = 3
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
# The glance's queries in psycopg's words: booleans are booleans, parameters are %s.
SESSIONS = glance.SESSIONS.replace("c.archived = 0", "NOT c.archived").replace("?", "%s")
# As circles/services/attendance.py's headcounts: the answers of these sessions read first, by
# session, and joined whole; member by member the planner read every answer of every member
# (1.5 s on the large store, 4 s on the huge one, instead of tens of milliseconds).
RSVPS = """
WITH answers AS MATERIALIZED (
    SELECT session_id, person_id, rsvp FROM attendance WHERE session_id IN ({ids})
)
SELECT s.id, CASE WHEN a.rsvp IS NOT NULL AND a.rsvp != 'none' THEN a.rsvp ELSE m.default_rsvp END,
       count(*)
FROM circle_session s
JOIN membership m ON m.circle_id = s.circle_id AND m.joined_at <= s.starts_at
     AND (m.left_at IS NULL OR m.left_at > s.starts_at)
LEFT JOIN answers a ON a.session_id = s.id AND a.person_id = m.person_id
WHERE s.id IN ({ids})
GROUP BY 1, 2
"""


def postgres_conninfo(setting: str) -> str | None:
    """``setting`` (a --db value) as a URI libpq takes, or None if it is not a PostgreSQL URL.

    SQLAlchemy's driver suffix goes, and so does ``prepare_threshold`` (psycopg's, not libpq's;
    one connection with no prepared statements works behind PgBouncer either way)."""
    try:
        parts = urlsplit(setting)
    except ValueError:
        return None
    if parts.scheme not in SCHEMES:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "prepare_threshold"]
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), ""))


def home_at_a_glance(conninfo: str, now: datetime) -> HomeData | None:
    """Home's data read straight from the PostgreSQL database at ``conninfo``; None when the
    store has to answer instead (no server, another schema, anything unexpected)."""
    import psycopg

    try:
        conn = psycopg.connect(
            conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS, prepare_threshold=None, autocommit=False
        )
    except (psycopg.Error, ValueError):
        return None
    try:
        conn.read_only = True
        with conn.cursor() as cursor:
            return _read(cursor, now)
    except (psycopg.Error, ValueError, KeyError):
        return None  # the store will say what is wrong
    finally:
        conn.close()


def _read(cursor: Any, now: datetime) -> HomeData | None:
    if cursor.execute("SELECT version_num FROM alembic_version").fetchall() != [(SCHEMA_HEAD,)]:
        return None
    if not cursor.execute(glance.ANYTHING).fetchone()[0]:
        return HomeData(True, [], {}, {})
    start, end = upcoming.window(now)
    rows = cursor.execute(SESSIONS, (start, end, upcoming.MOST)).fetchall()
    found = [glance._session(_as_stored(row)) for row in rows]
    ids = [s.id for s in found]
    marks = ", ".join(["%s"] * len(ids)) or "NULL"
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    for query, times in ((RSVPS, 2), (glance.CHECK_INS, 1)):
        for session_id, answer, n in cursor.execute(query.format(ids=marks), ids * times):
            counts[session_id][answer] = n
    presenters = presenter_names(cursor.execute(glance.PRESENTERS.format(ids=marks), ids))
    return HomeData(
        False,
        found,
        {i: Headcount.from_counts(c) for i, c in counts.items()},
        presenters,
    )


def _as_stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A session row with its instants as SQLite stores them, the text glance._session reads."""
    return tuple(
        value.astimezone(UTC).strftime(glance.STORED_INSTANT) if isinstance(value, datetime) else value
        for value in row
    )

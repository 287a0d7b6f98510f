"""Attendance streak milestones, kept by the store: filling them in bulk after a load.

The table streak_milestone holds every (session, person) at which a person's attendance streak
in the session's circle reached 5, 10 or 25 held sessions in a row (the definition is in
circles/services/recognition.py). Triggers of migration 0100 count a circle again when its
sessions change (added, cancelled, uncancelled, moved or deleted: each changes every later
streak) and a person in a circle again when their attendance changes, so the table is right
after every write, whatever the path (the app, the CLI, imports, SQL). A load that writes
millions of rows turns the triggers off while it writes and counts everything once after
(:func:`counted_afterwards`), with the same statement the migration fills an old store with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

# The triggers of migration 0100 (SQLite and PostgreSQL name them alike).
TRIGGERS = "streak\\_%"

# Every milestone of the store: each circle's held (not cancelled) sessions numbered in order
# (n); for the sessions a person came to, n minus their own running count is the same all
# along a run (gaps and islands), and the place in the run is its length so far. The same
# statement as migration 0100's backfill (tests/test_streak_milestones.py checks both against
# the definition).
COUNT_ALL = """
INSERT INTO streak_milestone (session_id, person_id, circle_id, sessions)
SELECT session_id, person_id, circle_id, sessions FROM (
    SELECT session_id, person_id, circle_id,
        row_number() OVER (PARTITION BY circle_id, person_id, run ORDER BY n) AS sessions
    FROM (
        SELECT a.session_id, a.person_id, h.circle_id, h.n,
            h.n - row_number() OVER (PARTITION BY h.circle_id, a.person_id ORDER BY h.n) AS run
        FROM attendance a
        JOIN (
            SELECT id, circle_id, row_number() OVER (PARTITION BY circle_id ORDER BY starts_at, id) AS n
            FROM circle_session WHERE status <> 'cancelled'
        ) h ON h.id = a.session_id
        WHERE a.attended IN ('present', 'late')
    ) runs
) lengths
WHERE sessions IN (5, 10, 25)
"""


def count_all(conn: Connection) -> None:
    """Every milestone counted again from attendance and sessions."""
    conn.exec_driver_sql("DELETE FROM streak_milestone")
    conn.exec_driver_sql(COUNT_ALL)


@contextmanager
def counted_afterwards(conn: Connection) -> Iterator[None]:
    """Inside, writes leave the milestones alone (the triggers are off, or on SQLite dropped and
    made again from their own text); on the way out all are counted at once. Inside the
    caller's transaction, so a load that fails leaves the triggers as they were."""
    if conn.dialect.name == "sqlite":
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\' "
            "ORDER BY name",
            (TRIGGERS,),
        ).all()
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield
        count_all(conn)
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
        return
    triggers = conn.exec_driver_sql(
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname LIKE %(pattern)s "
        "AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname, t.tgname",
        {"pattern": TRIGGERS},
    ).all()
    for name, table in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
    yield
    count_all(conn)
    for name, table in triggers:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')

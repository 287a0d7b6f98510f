"""Summaries the store keeps for Recognition and Organisation: filling them in bulk after a load.

Five tables are kept by the triggers of migration 0100 on every write, whatever the path (the
app, the CLI, imports, SQL), each recomputed from the raw rows for the circle, person or session
a write touched: streak_milestone (every session at which someone's attendance streak in its
circle reached 5, 10 or 25 held sessions in a row; the definition is in
circles/services/recognition.py), talk (each talk someone gave, numbered over all their talks)
session_feedback (each session's ratings summed up, and from migration 0250 its notes for the
presenters), session_expected (the people each session expected, by effective RSVP and how it
went) and session_responses (who came to each session and how many of them answered). A
sixth, session_turnout (session_expected's rows of a session in one), is kept from
session_expected by the triggers of migration 0200. A seventh, session_figures (each session's
circle, start and status beside its turnout, ratings and answers, for Organisation), is copied
from circle_session and those three by the triggers of migration 0260. A load that writes
millions of rows turns the triggers off while it writes and counts everything once after
(:func:`counted_afterwards`), with the statements the migration fills an old store with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

# The triggers of migration 0100, on SQLite and PostgreSQL.
TRIGGERS = "summary\\_%"

# Every milestone of the store: each circle's held (not cancelled) sessions numbered in order
# (n); for the sessions a person came to, n minus their own running count is the same all
# along a run (gaps and islands), and the place in the run is its length so far.
MILESTONES = """
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
# Every talk, numbered over its presenter's talks in order of start.
TALKS = """
INSERT INTO talk (session_id, person_id, number)
SELECT t.session_id, t.person_id,
    row_number() OVER (PARTITION BY t.person_id ORDER BY s.starts_at, s.id)
FROM (
    SELECT presenter_id AS person_id, id AS session_id FROM circle_session WHERE presenter_id IS NOT NULL
    UNION
    SELECT presenter_id, session_id FROM agenda_item WHERE presenter_id IS NOT NULL
) t
JOIN circle_session s ON s.id = t.session_id
WHERE s.status <> 'cancelled'
"""
# Every session's ratings, and its notes for the presenters (migration 0250).
RATINGS = """
INSERT INTO session_feedback (session_id, ratings, rating_sum, rated_1, rated_2, rated_3, rated_4, rated_5,
    notes)
SELECT session_id, count(*), sum(rating),
    sum(CASE WHEN rating = 1 THEN 1 ELSE 0 END), sum(CASE WHEN rating = 2 THEN 1 ELSE 0 END),
    sum(CASE WHEN rating = 3 THEN 1 ELSE 0 END), sum(CASE WHEN rating = 4 THEN 1 ELSE 0 END),
    sum(CASE WHEN rating = 5 THEN 1 ELSE 0 END),
    sum(CASE WHEN for_presenter <> '' THEN 1 ELSE 0 END)
FROM feedback_answer
GROUP BY session_id
"""
# The people every session expected, by effective RSVP and how it went.
EXPECTED = """
INSERT INTO session_expected (session_id, answer, how, people)
SELECT s.id,
    CASE WHEN a.rsvp IS NOT NULL AND a.rsvp <> 'none' THEN a.rsvp ELSE m.default_rsvp END,
    CASE WHEN a.attended IN ('present', 'late') THEN 'came' WHEN a.attended = 'excused' THEN 'excused'
        ELSE 'missed' END,
    count(*)
FROM circle_session s
JOIN membership m ON m.circle_id = s.circle_id AND m.joined_at <= s.starts_at
    AND (m.left_at IS NULL OR m.left_at > s.starts_at)
LEFT JOIN attendance a ON a.session_id = s.id AND a.person_id = m.person_id
GROUP BY 1, 2, 3
"""
# Every session's people expected in one row: in all, who came, and per effective RSVP those
# expected and those who came, then the yes who missed (after session_expected, from it).
TURNOUT = """
INSERT INTO session_turnout (session_id, expected, came, rsvp_yes, came_yes, rsvp_maybe, came_maybe,
    rsvp_no, came_no, rsvp_none, came_none, missed_yes)
SELECT session_id, sum(people), sum(CASE WHEN how = 'came' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'yes' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'yes' AND how = 'came' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'maybe' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'maybe' AND how = 'came' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'no' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'no' AND how = 'came' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'none' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'none' AND how = 'came' THEN people ELSE 0 END),
    sum(CASE WHEN answer = 'yes' AND how = 'missed' THEN people ELSE 0 END)
FROM session_expected
GROUP BY session_id
"""
# Who came to every session, and how many of them answered.
RESPONSES = """
INSERT INTO session_responses (session_id, attendees, responders)
SELECT a.session_id, count(*), count(r.id)
FROM attendance a
LEFT JOIN feedback_response r ON r.session_id = a.session_id AND r.person_id = a.person_id
WHERE a.attended IN ('present', 'late')
GROUP BY a.session_id
"""
# Every session's figures in one row: its circle, start and status, then its turnout, ratings and
# answers (after those three, from them; zeros where one has no row).
FIGURES = """
INSERT INTO session_figures (session_id, circle_id, starts_at, status, expected, came, rsvp_yes, came_yes,
    rsvp_maybe, came_maybe, rsvp_no, came_no, rsvp_none, came_none, missed_yes, ratings, rating_sum,
    rated_1, rated_2, rated_3, rated_4, rated_5, attendees, responders)
SELECT s.id, s.circle_id, s.starts_at, s.status, coalesce(t.expected, 0), coalesce(t.came, 0),
    coalesce(t.rsvp_yes, 0), coalesce(t.came_yes, 0), coalesce(t.rsvp_maybe, 0), coalesce(t.came_maybe, 0),
    coalesce(t.rsvp_no, 0), coalesce(t.came_no, 0), coalesce(t.rsvp_none, 0), coalesce(t.came_none, 0),
    coalesce(t.missed_yes, 0), coalesce(f.ratings, 0), coalesce(f.rating_sum, 0), coalesce(f.rated_1, 0),
    coalesce(f.rated_2, 0), coalesce(f.rated_3, 0), coalesce(f.rated_4, 0), coalesce(f.rated_5, 0),
    coalesce(r.attendees, 0), coalesce(r.responders, 0)
FROM circle_session s
LEFT JOIN session_turnout t ON t.session_id = s.id
LEFT JOIN session_feedback f ON f.session_id = s.id
LEFT JOIN session_responses r ON r.session_id = s.id
"""
# Each table, and the statement that fills it (tests/test_summaries.py checks them against the
# definitions, as it does the triggers).
FILLS = {
    "streak_milestone": MILESTONES,
    "talk": TALKS,
    "session_feedback": RATINGS,
    "session_expected": EXPECTED,
    "session_turnout": TURNOUT,
    "session_responses": RESPONSES,
    "session_figures": FIGURES,
}


def count_all(conn: Connection) -> None:
    """Every summary counted again from the raw rows (in FILLS' order: some read others)."""
    for table, fill in FILLS.items():
        conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.exec_driver_sql(fill)


@contextmanager
def counted_afterwards(conn: Connection) -> Iterator[None]:
    """Inside, writes leave the summaries alone (the triggers are off, or on SQLite dropped and
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

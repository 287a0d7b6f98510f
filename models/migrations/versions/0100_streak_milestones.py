"""Attendance streak milestones kept by the store, so Recognition reads them instead of counting.

Recognition lists the attendance streaks that reached 5, 10 or 25 of a circle's held sessions in
a row. Counted when asked, that runs about 200,000 attendance rows of the large demo through
window functions for a month (0.6 s of processor time), more for a year. This table holds every
milestone ever reached, one row per (session, person), and triggers keep it right on every write
whatever makes it (the app, the CLI, imports, plain SQL):

- a person's attendance added, changed or removed: that person in that circle is counted again
  (a few hundred rows at most);
- a session added (when a later session of its circle has someone who came), cancelled or
  uncancelled, moved, moved to another circle or deleted: its circle is counted again, since
  each of these changes every later streak of the circle.

A count is the milestones of one circle (and person) recomputed from the raw rows, deleted and
inserted again: the definition itself, never an increment that could drift. Bulk loads turn the
triggers off and count everything once after (models/streaks.py). The milestones (5, 10, 25)
are frozen here; changing them is a migration.

Revision ID: 0100
Revises: 0090
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0100"
down_revision: str | None = "0090"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "streak_milestone"
CAME = "('present', 'late')"
RECOUNT = "circles_streaks_recount"

# The milestones among the held sessions (``sessions``: a condition on circle_session) and the
# attendance (``people``: a condition on attendance ``a``) given: see models/streaks.py.
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
            FROM circle_session WHERE status <> 'cancelled'{sessions}
        ) h ON h.id = a.session_id
        WHERE a.attended IN ('present', 'late'){people}
    ) runs
) lengths
WHERE sessions IN (5, 10, 25)
"""


def _recount(circle: str, person: str | None = None) -> list[str]:
    """Statements counting again the milestones of ``circle`` (SQL), of ``person`` if given."""
    who = f" AND person_id = {person}" if person else ""
    return [
        f"DELETE FROM {TABLE} WHERE circle_id = {circle}{who}",
        MILESTONES.format(
            sessions=f" AND circle_id = {circle}", people=f" AND a.person_id = {person}" if person else ""
        ).strip(),
    ]


def _circle_of(row: str) -> str:
    return f"(SELECT circle_id FROM circle_session WHERE id = {row}.session_id)"


# A session added before a later one somebody came to (or at its time): only then does it
# change a streak. A session added after the others, as most are, costs one look.
_LATER_CAME = (
    "EXISTS (SELECT 1 FROM circle_session l JOIN attendance a ON a.session_id = l.id "
    "WHERE l.circle_id = NEW.circle_id AND l.starts_at >= NEW.starts_at AND l.id <> NEW.id "
    f"AND a.attended IN {CAME})"
)
# A change to a session that moves streaks: its time, its circle, or cancelled or not.
_SESSION_MOVED = (
    "NEW.starts_at <> OLD.starts_at OR NEW.circle_id <> OLD.circle_id "
    "OR (NEW.status = 'cancelled') <> (OLD.status = 'cancelled')"
)

# SQLite: (name, event, condition, statements).
SQLITE_TRIGGERS = (
    (
        "streak_attendance_insert",
        "INSERT ON attendance",
        f"NEW.attended IN {CAME}",
        _recount(_circle_of("NEW"), "NEW.person_id"),
    ),
    (
        "streak_attendance_delete",
        "DELETE ON attendance",
        f"OLD.attended IN {CAME}",
        _recount(_circle_of("OLD"), "OLD.person_id"),
    ),
    (
        "streak_attendance_update",
        "UPDATE OF attended, session_id, person_id ON attendance",
        f"OLD.attended IN {CAME} OR NEW.attended IN {CAME}",
        _recount(_circle_of("OLD"), "OLD.person_id") + _recount(_circle_of("NEW"), "NEW.person_id"),
    ),
    (
        "streak_session_insert",
        "INSERT ON circle_session",
        f"NEW.status <> 'cancelled' AND {_LATER_CAME}",
        _recount("NEW.circle_id"),
    ),
    ("streak_session_delete", "DELETE ON circle_session", "OLD.status <> 'cancelled'", _recount("OLD.circle_id")),
    (
        "streak_session_update",
        "UPDATE OF starts_at, status, circle_id ON circle_session",
        _SESSION_MOVED,
        _recount("OLD.circle_id") + _recount("NEW.circle_id"),
    ),
)

_STEPS = ";\n        "
POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION {RECOUNT}(c integer, p integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF c IS NULL THEN
        RETURN;
    ELSIF p IS NULL THEN
        {_STEPS.join(_recount("c"))};
    ELSE
        {_STEPS.join(_recount("c", "p"))};
    END IF;
END
$$;

CREATE FUNCTION circles_streaks_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND (OLD.attended IN {CAME} OR (TG_OP = 'UPDATE' AND NEW.attended IN {CAME})) THEN
        PERFORM {RECOUNT}({_circle_of("OLD")}, OLD.person_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (NEW.attended IN {CAME} OR (TG_OP = 'UPDATE' AND OLD.attended IN {CAME})) THEN
        PERFORM {RECOUNT}({_circle_of("NEW")}, NEW.person_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION circles_streaks_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'cancelled' AND {_LATER_CAME} THEN
            PERFORM {RECOUNT}(NEW.circle_id, NULL);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'cancelled' THEN
            PERFORM {RECOUNT}(OLD.circle_id, NULL);
        END IF;
    ELSIF {_SESSION_MOVED} THEN
        PERFORM {RECOUNT}(OLD.circle_id, NULL);
        IF NEW.circle_id <> OLD.circle_id THEN
            PERFORM {RECOUNT}(NEW.circle_id, NULL);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER streak_attendance AFTER INSERT OR DELETE OR UPDATE OF attended, session_id, person_id
    ON attendance FOR EACH ROW EXECUTE FUNCTION circles_streaks_attendance();

CREATE TRIGGER streak_session AFTER INSERT OR DELETE OR UPDATE OF starts_at, status, circle_id
    ON circle_session FOR EACH ROW EXECUTE FUNCTION circles_streaks_session();
"""


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_streak_milestone")),
    )
    op.create_index("ix_streak_milestone_circle_person", TABLE, ["circle_id", "person_id"])
    op.execute(MILESTONES.format(sessions="", people=""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
        return
    for name, event, condition, statements in SQLITE_TRIGGERS:
        body = "".join(f"    {s};\n" for s in statements)
        op.execute(f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW WHEN {condition}\nBEGIN\n{body}END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS streak_attendance ON attendance")
        op.execute("DROP TRIGGER IF EXISTS streak_session ON circle_session")
        op.execute("DROP FUNCTION IF EXISTS circles_streaks_attendance()")
        op.execute("DROP FUNCTION IF EXISTS circles_streaks_session()")
        op.execute(f"DROP FUNCTION IF EXISTS {RECOUNT}(integer, integer)")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_streak_milestone_circle_person", table_name=TABLE)
    op.drop_table(TABLE)

"""Each session's notes for its presenters counted beside its ratings, in session_feedback.

The recognition digest counts, per presenter, the notes written for them (answers whose note for
the presenter is not empty, anonymous ones too): it counted them with a subquery per session of
the period, 150-200 ms of a year's digest over the large demo on SQLite and 14,161 runs of the
subquery on PostgreSQL. session_feedback (migration 0100) already sums each session's answers
again whenever one is added, changed or removed; it now counts the notes in the same statement,
and a change to an answer's note counts its session again too (the triggers of 0100 and the
locks of 0170 watched only the rating and the session).

The column is filled for the rows already there. On PostgreSQL the triggers are replaced first:
that locks feedback_answer against writes until this migration commits, so no answer lands
between the fill and the triggers that keep it.

Revision ID: 0250
Revises: 0240
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0250"
down_revision: str | None = "0240"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied from 0100 and 0170, not imported: a migration stays as it was written.
CIRCLE_LOCK = 0x63697263
_RATINGS = """
INSERT INTO session_feedback (session_id, ratings, rating_sum, rated_1, rated_2, rated_3, rated_4, rated_5{notes})
SELECT session_id, count(*), sum(rating),
    sum(CASE WHEN rating = 1 THEN 1 ELSE 0 END), sum(CASE WHEN rating = 2 THEN 1 ELSE 0 END),
    sum(CASE WHEN rating = 3 THEN 1 ELSE 0 END), sum(CASE WHEN rating = 4 THEN 1 ELSE 0 END),
    sum(CASE WHEN rating = 5 THEN 1 ELSE 0 END){note_count}
FROM feedback_answer WHERE session_id = {session}
GROUP BY session_id
"""
# A note for the presenter, as Recognition and the index of 0100 spell it.
NOTE_COUNT = ",\n    sum(CASE WHEN for_presenter <> '' THEN 1 ELSE 0 END)"


def _ratings(session: str, *, notes: bool) -> list[str]:
    """0100's recount of a session's ratings; with ``notes``, its notes counted too."""
    insert = _RATINGS.format(
        notes=", notes" if notes else "", note_count=NOTE_COUNT if notes else "", session=session
    )
    return [f"DELETE FROM session_feedback WHERE session_id = {session}", insert.strip()]


def _sqlite_triggers(notes: bool) -> list[str]:
    watched = "rating, session_id, for_presenter" if notes else "rating, session_id"
    triggers = (
        ("summary_ratings_insert", "INSERT ON feedback_answer", _ratings("NEW.session_id", notes=notes)),
        ("summary_ratings_delete", "DELETE ON feedback_answer", _ratings("OLD.session_id", notes=notes)),
        (
            "summary_ratings_update",
            f"UPDATE OF {watched} ON feedback_answer",
            _ratings("OLD.session_id", notes=notes) + _ratings("NEW.session_id", notes=notes),
        ),
    )
    return [
        f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW WHEN true\nBEGIN\n"
        + "".join(f"    {s};\n" for s in statements)
        + "END"
        for name, event, statements in triggers
    ]


def _postgres_recount(notes: bool) -> str:
    steps = "".join(f"        {s};\n" for s in _ratings("s", notes=notes))
    return f"""
CREATE OR REPLACE FUNCTION circles_ratings_recount(s integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
        PERFORM pg_advisory_xact_lock({CIRCLE_LOCK}, circle_id) FROM circle_session WHERE id = s;
{steps}END
$$;
"""


def _postgres_triggers(notes: bool) -> list[str]:
    watched = "rating, session_id, for_presenter" if notes else "rating, session_id"
    events = f"INSERT OR DELETE OR UPDATE OF {watched}"
    return [
        "DROP TRIGGER summary_locks_feedback_answer ON feedback_answer",
        "DROP TRIGGER summary_feedback_answer ON feedback_answer",
        f"CREATE TRIGGER summary_locks_feedback_answer BEFORE {events} ON feedback_answer "
        "FOR EACH ROW EXECUTE FUNCTION circles_summary_locks()",
        f"CREATE TRIGGER summary_feedback_answer AFTER {events} ON feedback_answer "
        "FOR EACH ROW EXECUTE FUNCTION circles_summary_feedback_answer()",
        _postgres_recount(notes),
    ]


def _triggers(notes: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _postgres_triggers(notes):
            op.execute(statement)
        return
    for name in ("summary_ratings_insert", "summary_ratings_delete", "summary_ratings_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in _sqlite_triggers(notes):
        op.execute(statement)


def upgrade() -> None:
    op.add_column("session_feedback", sa.Column("notes", sa.Integer(), server_default="0", nullable=False))
    _triggers(notes=True)
    op.execute(
        "UPDATE session_feedback SET notes = (SELECT count(*) FROM feedback_answer "
        "WHERE feedback_answer.session_id = session_feedback.session_id AND for_presenter <> '')"
    )


def downgrade() -> None:
    # On SQLite a column named by a trigger cannot be dropped: the old triggers come back first.
    _triggers(notes=False)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("session_feedback", "notes")
        return
    # In place, not by batch mode's copy: renaming the copy into place fails on SQLite while the
    # triggers of 0100 on other tables name session_feedback (from SQLite 3.35 on).
    op.execute("ALTER TABLE session_feedback DROP COLUMN notes")

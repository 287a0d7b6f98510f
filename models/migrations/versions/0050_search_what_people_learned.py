"""The "one thing I learned" lines of feedback in the full-text index: one document per session
(kind "learned") holding every line people wrote about it, without who wrote them.

One document per session, not one per answer: an anonymous answer has no order of writing
(see FeedbackAnswer), and a row of its own in search_doc would give it one (its id). The
lines are joined in the order of the answers' random ids, and no author is in the document,
named or not, so nothing in the index leads from a line to a person.

Kept in step by triggers on feedback_answer in the same transaction as the answer, like the
other documents (migration 0030): a line is found as soon as it is saved, and the document
goes when a session's last line does. The lines already in the store are indexed here.

Self-contained on purpose: the SQL is written here, not imported.

Revision ID: 0050
Revises: 0040
Create Date: 2026-11-30 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0050"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOC_COLUMNS = "kind, ref_id, session_id, circle_id, title, body, tags"
HAS_LINES = "EXISTS (SELECT 1 FROM feedback_answer a WHERE a.session_id = {session} AND a.learned <> '')"
# The session's lines in the order of the answers' random ids (SQLite 3.40 has no ORDER BY
# inside group_concat: it takes the order of the subquery).
LINES = {
    "sqlite": (
        "(SELECT group_concat(x.learned, ' · ') FROM (SELECT a.learned FROM feedback_answer a "
        "WHERE a.session_id = s.id AND a.learned <> '' ORDER BY a.id) x)"
    ),
    "postgresql": (
        "(SELECT string_agg(a.learned, ' · ' ORDER BY a.id) FROM feedback_answer a "
        "WHERE a.session_id = s.id AND a.learned <> '')"
    ),
}


def _document(dialect: str, where: str) -> str:
    """The learned documents of the sessions ``where`` picks (those with a line at all)."""
    return (
        f"SELECT 'learned', s.id, s.id, s.circle_id, '', {LINES[dialect]}, '' FROM circle_session s "
        f"WHERE ({where}) AND {HAS_LINES.format(session='s.id')}"
    )


def _refresh(dialect: str, where: str) -> str:
    return (
        f"INSERT INTO search_doc ({DOC_COLUMNS}) {_document(dialect, where)} "
        "ON CONFLICT (kind, ref_id) DO UPDATE SET session_id = excluded.session_id, "
        "circle_id = excluded.circle_id, title = excluded.title, body = excluded.body, tags = excluded.tags "
        "WHERE search_doc.body <> excluded.body OR search_doc.circle_id <> excluded.circle_id"
    )


def _forget_if_empty(session: str) -> str:
    return (
        f"DELETE FROM search_doc WHERE kind = 'learned' AND ref_id = {session} "
        f"AND NOT {HAS_LINES.format(session=session)}"
    )


def _triggers(dialect: str) -> list[tuple[str, str, str, str | None, list[str]]]:
    """(name, table, event, when, statements). An answer without a line changes nothing, so
    the anonymous answers a session rewrites whole cost nothing when they have no line."""
    return [
        (
            "search_feedback_answer_insert",
            "feedback_answer",
            "INSERT",
            "NEW.learned <> ''",
            [_refresh(dialect, "s.id = NEW.session_id")],
        ),
        (
            "search_feedback_answer_update",
            "feedback_answer",
            "UPDATE OF learned, session_id",
            "NEW.learned <> OLD.learned OR NEW.session_id <> OLD.session_id",
            [
                _refresh(dialect, "s.id = NEW.session_id OR s.id = OLD.session_id"),
                _forget_if_empty("OLD.session_id"),
            ],
        ),
        (
            "search_feedback_answer_delete",
            "feedback_answer",
            "DELETE",
            "OLD.learned <> ''",
            [_refresh(dialect, "s.id = OLD.session_id"), _forget_if_empty("OLD.session_id")],
        ),
        (
            # A session moved to another circle (nothing does that today): its lines follow.
            "search_session_update_learned",
            "circle_session",
            "UPDATE OF circle_id",
            "NEW.circle_id <> OLD.circle_id",
            [_refresh(dialect, "s.id = NEW.id")],
        ),
        (
            # The answers go with their session (ON DELETE CASCADE) and take the document with
            # them; this says so even where a cascade fires no trigger.
            "search_session_delete_learned",
            "circle_session",
            "DELETE",
            None,
            ["DELETE FROM search_doc WHERE kind = 'learned' AND ref_id = OLD.id"],
        ),
    ]


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    conn.exec_driver_sql(f"INSERT INTO search_doc ({DOC_COLUMNS}) {_document(dialect, 'true')}")
    for name, table, event, when, statements in _triggers(dialect):
        body = "; ".join(statements)
        if dialect == "sqlite":
            condition = f" WHEN {when}" if when else ""
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} BEGIN {body}; END"
            )
        else:
            condition = f" WHEN ({when})" if when else ""
            conn.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
                f"EXECUTE FUNCTION {name}()"
            )


def downgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for name, table, _event, _when, _statements in _triggers(dialect):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else f" ON {table}"))
        if dialect == "postgresql":
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    conn.exec_driver_sql("DELETE FROM search_doc WHERE kind = 'learned'")

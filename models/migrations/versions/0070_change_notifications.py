"""Live screens on PostgreSQL: every committed change to what the app shows sends one small
notification on the channel ``circles_changes`` (circles/live.py listens and explains why
triggers), e.g. ``attendance circle=3 session=12 person=7``: the table and the ids it is
about, never the row.

Statement-level AFTER triggers with a transition table, one per table and event: one
notification per distinct set of ids a statement touched (PostgreSQL drops a payload already
sent in the same transaction), and only the table's name past 50 sets (a bulk change: screens
then look again at whatever shows that table). SQLite has no notifications (the app watches
``PRAGMA data_version`` there): nothing changes on SQLite.

Revision ID: 0070
Revises: 0050
Create Date: 2026-11-30 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0070"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "circles_changes"
FUNCTION = "circles_notify_change"
MAX_SETS = 50

_SESSION_CIRCLE = "(SELECT s.circle_id FROM circle_session s WHERE s.id = t.session_id)"
_PAIR_PROGRAMME = "(SELECT p.programme_id FROM programme_pair p WHERE p.id = t.pair_id)"

# Each table, and the ids of a changed row ``t`` a notification names.
ABOUT: dict[str, dict[str, str]] = {
    "person": {"person": "t.id"},
    "circle": {"circle": "t.id"},
    "membership": {"circle": "t.circle_id", "person": "t.person_id"},
    "circle_session": {"circle": "t.circle_id", "session": "t.id"},
    "agenda_item": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    "attendance": {"circle": _SESSION_CIRCLE, "session": "t.session_id", "person": "t.person_id"},
    "away": {"person": "t.person_id"},
    "skip_date": {"circle": "t.circle_id"},
    "agenda_template_item": {"circle": "t.circle_id"},
    "feedback_setting": {"circle": "t.circle_id"},
    "material": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    "takeaway": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    "session_topic": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    # Anonymous answers: the session only, never a person.
    "feedback_answer": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    "feedback_response": {"circle": _SESSION_CIRCLE, "session": "t.session_id", "person": "t.person_id"},
    "thanks": {"session": "t.session_id", "person": "t.person_id"},
    "programme": {"programme": "t.id"},
    "programme_participant": {"programme": "t.programme_id", "person": "t.person_id"},
    "programme_round": {"programme": "t.programme_id"},
    "programme_pair": {"programme": "t.programme_id"},
    "pair_member": {"programme": _PAIR_PROGRAMME, "person": "t.person_id"},
    "pair_meeting": {"programme": _PAIR_PROGRAMME},
    "pair_goal": {"programme": _PAIR_PROGRAMME},
    "proposal_decision": {"programme": "t.programme_id"},
}
EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}


def _ids(about: dict[str, str]) -> str:
    """The SQL for a row's 'circle=3 session=12' (an id that is NULL is left out)."""
    return "concat_ws(' ', " + ", ".join(f"'{name}=' || {expr}" for name, expr in about.items()) + ")"


def _trigger(table: str, event: str) -> str:
    return f"circles_change_{table}_{event}"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The ids' SQL comes as the trigger's argument: one function serves every table.
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            sets text[];
        BEGIN
            EXECUTE format(
                'SELECT array(SELECT DISTINCT %s FROM changed_rows t LIMIT {MAX_SETS + 1})', TG_ARGV[0]
            ) INTO sets;
            IF cardinality(sets) > {MAX_SETS} THEN
                PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            ELSE
                PERFORM pg_notify('{CHANNEL}', rtrim(TG_TABLE_NAME || ' ' || ids)) FROM unnest(sets) ids;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for table, about in ABOUT.items():
        argument = _ids(about).replace("'", "''")
        for event, which in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} "
                f"REFERENCING {which} TABLE AS changed_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {FUNCTION}('{argument}')"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ABOUT:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, event)} ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")

"""Live screens on PostgreSQL hear of the tables migration 0070 left out: invites sent,
exported and published (the circle's "invites not sent yet" line), replies imported, the
rotation's history, topics and their agenda items, and a programme's do-not-pair lists.
Another app's change to any of these updated nothing on PostgreSQL (SQLite, which watches
``PRAGMA data_version``, saw them all). tests/test_live.py now holds that every table but the
search index (written only by triggers on tables that notify) sends notifications.

The same statement-level triggers and function as 0070, named ``circles_change_<table>_<event>``
(the demo's bulk load turns those off by that name while it writes).

Revision ID: 0080
Revises: 0070
Create Date: 2026-11-30 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0080"
down_revision: str | None = "0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = "circles_notify_change"  # made by 0070

_SESSION_CIRCLE = "(SELECT s.circle_id FROM circle_session s WHERE s.id = t.session_id)"
_ITEM_SESSION = "(SELECT i.session_id FROM agenda_item i WHERE i.id = t.agenda_item_id)"
_PARTICIPANT_PROGRAMME = "(SELECT p.programme_id FROM programme_participant p WHERE p.id = t.participant_id)"

# Each table, and the ids of a changed row ``t`` a notification names (as in 0070).
ABOUT: dict[str, dict[str, str]] = {
    "invite_send": {"circle": _SESSION_CIRCLE, "session": "t.session_id", "person": "t.person_id"},
    "invite_export": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    "invite_reply": {"circle": "t.circle_id", "session": "t.session_id", "person": "t.person_id"},
    "caldav_event": {"circle": _SESSION_CIRCLE, "session": "t.session_id"},
    "rotation_event": {"circle": "t.circle_id", "session": "t.session_id", "person": "t.person_id"},
    "topic": {},
    "agenda_item_topic": {"session": _ITEM_SESSION},
    "programme_avoid": {"programme": _PARTICIPANT_PROGRAMME, "person": "t.person_id"},
}
EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}


def _ids(about: dict[str, str]) -> str:
    """The SQL for a row's 'circle=3 session=12' (an id that is NULL is left out)."""
    if not about:
        return "''"  # a topic is about no circle or session: the table's name says it all
    return "concat_ws(' ', " + ", ".join(f"'{name}=' || {expr}" for name, expr in about.items()) + ")"


def _trigger(table: str, event: str) -> str:
    return f"circles_change_{table}_{event}"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
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

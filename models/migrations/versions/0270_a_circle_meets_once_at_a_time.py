"""A circle meets once at a time: one session (not cancelled) per circle and start, as an index.

The sessions service refuses a session, or a move, onto the start of one the circle already has
(its message names that session), but on PostgreSQL two facilitators scheduling the same circle
at the same moment both found the start free, and the circle met twice at once in every
member's calendar. The unique index stops the second; the store tries its unit of work again
(models/store.py, lost_a_race), and the service refuses it in words. A cancelled session is
left out of the index: its time is free again.

A store written before the service refused them may hold such pairs already (a session moved
onto another's start). The index cannot be made over them, so each pair is resolved the way a
facilitator would: the session with the most RSVPs and check-ins stays (the one planned first,
if they have as many), and the other is cancelled, its calendar SEQUENCE raised so the next
invites withdraw the copy from calendars. Nothing is deleted: the cancelled session keeps its
agenda and records, and the circle's list shows it.

Revision ID: 0270
Revises: 0260
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0270"
down_revision: str | None = "0260"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_CANCELLED = "status <> 'cancelled'"

# Every session (not cancelled) that shares its circle and start with another, except the one
# kept. One statement on both backends; on SQLite the rows it has cancelled are out of the
# pairs it reads next, which leaves the same one kept: the order that picks it does not change.
CANCEL_COPIES = f"""
UPDATE circle_session
SET status = 'cancelled', ics_sequence = ics_sequence + 1, version = version + 1
WHERE {NOT_CANCELLED}
  AND EXISTS (
    SELECT 1 FROM circle_session other
    WHERE other.circle_id = circle_session.circle_id AND other.starts_at = circle_session.starts_at
      AND other.{NOT_CANCELLED} AND other.id <> circle_session.id)
  AND id <> (
    SELECT kept.id FROM circle_session kept
    WHERE kept.circle_id = circle_session.circle_id AND kept.starts_at = circle_session.starts_at
      AND kept.{NOT_CANCELLED}
    ORDER BY (SELECT count(*) FROM attendance a WHERE a.session_id = kept.id) DESC, kept.id
    LIMIT 1)
"""


def upgrade() -> None:
    op.execute(CANCEL_COPIES)
    op.create_index(
        "uq_circle_session_circle_starts",
        "circle_session",
        ["circle_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text(NOT_CANCELLED),
        postgresql_where=sa.text(NOT_CANCELLED),
    )


def downgrade() -> None:
    # The sessions cancelled on the way up stay cancelled: which were copies is not recorded.
    op.drop_index("uq_circle_session_circle_starts", table_name="circle_session")

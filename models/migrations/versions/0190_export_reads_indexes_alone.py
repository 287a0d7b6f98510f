"""The attendance export on PostgreSQL reads each session's expected members and records from
indexes alone.

The export (circles/exports/attendance_copy.py) asks, for each of the store's sessions, who
was a member of its circle then and what was recorded for it. Those lookups went by
``membership.circle_id`` and by the (session_id, person_id) unique index, then to the table
for every row. Now membership has an index on (circle_id, joined_at) that also holds the
person, left_at and the series answer, and the unique constraint on attendance also holds the
answer and the check-in (INCLUDE): index-only scans, half the pages read per session. The
constraint is made again with the extra columns rather than a second index beside it, so a
check-in updates no more indexes than it did (a change of the answer or the check-in is no
longer a HOT update).

SQLite is left as it was: it has no INCLUDE, and given a plain (circle_id, joined_at) index its
planner, which keeps no statistics, took it for walk-in lookups (a person's membership at a
session) where the person's own index is far better: its export took half again as long, and
the walk-ins per circle twice as long. The models do not declare the membership index
(models/search_schema.py leaves it out of Alembic's comparison, like the search's own).

Revision ID: 0190
Revises: 0180
Create Date: 2026-11-30 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0190"
down_revision: str | None = "0180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBERS = "ix_membership_circle_joined"
RECORDS = "uq_attendance_session_id_person_id"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index(
        MEMBERS,
        "membership",
        ["circle_id", "joined_at"],
        postgresql_include=["person_id", "left_at", "default_rsvp"],
    )
    # One statement: the table is never without its unique constraint.
    op.execute(
        f"ALTER TABLE attendance DROP CONSTRAINT {RECORDS},"
        f" ADD CONSTRAINT {RECORDS} UNIQUE (session_id, person_id) INCLUDE (rsvp, attended)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE attendance DROP CONSTRAINT {RECORDS},"
        f" ADD CONSTRAINT {RECORDS} UNIQUE (session_id, person_id)"
    )
    op.drop_index(MEMBERS, table_name="membership")

"""Each person's memberships by circle with the days they cover, as an index.

Organisation counts, per circle, the members who presented while a member: each talk of the
period (table talk) is joined to its presenter's own memberships of that circle, and each must
have covered the session's start. The index on person_id alone found the presenter's few
memberships and then read each one's row of the table for its circle and days (the huge demo's
last 3 months: 25,945 talks, 22,982 presenters by circle). This index holds those columns
too, so the memberships are read from it alone: on SQLite the Organisation screen's main
statement over the huge demo took some 520 ms where it took 685 (in turns, medians).

Revision ID: 0240
Revises: 0230
Create Date: 2026-12-01 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0240"
down_revision: str | None = "0230"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_membership_person_circle_days", "membership", ["person_id", "circle_id", "joined_at", "left_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_membership_person_circle_days", table_name="membership")

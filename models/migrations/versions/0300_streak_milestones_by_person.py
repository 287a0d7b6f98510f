"""Each person's streak milestones, as an index.

The Recognition screen reads what people did a page of them at a time (recognition.ledger with
``people``): their talks, thanks and pairs by the indexes on the person, but their streak
milestones had only the index on the circle and the person, and every milestone of the period's
sessions was read to keep a page's (the huge demo's month: 20,600 of them, 190 ms on SQLite for
the milestones of 100 people; 1 ms through this index).

Revision ID: 0300
Revises: 0290
Create Date: 2026-12-04 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0300"
down_revision: str | None = "0290"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_streak_milestone_person_id", "streak_milestone", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_streak_milestone_person_id", table_name="streak_milestone")

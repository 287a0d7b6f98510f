"""Memberships by circle, then the instant they ended (none for a current one) and began, as an
index.

Organisation counts each circle's members in a period (participation.member_counts): the
current memberships of each circle, counted from this index alone; less those that began after
the circle's last held session of the period, and with the past ones that ended after its first,
both looked up here by circle and day. Before, each circle's every membership was read from the
table for its days, and the people made distinct per circle: on the huge demo (117,000
memberships) a third of the Organisation screen's statement.

Revision ID: 0280
Revises: 0270
Create Date: 2026-12-04 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0280"
down_revision: str | None = "0270"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_membership_circle_days", "membership", ["circle_id", "left_at", "joined_at"])


def downgrade() -> None:
    op.drop_index("ix_membership_circle_days", table_name="membership")

"""Memberships by the instant they began, as an index.

Organisation's retention counts, for each N months, the memberships whose N-month mark fell in
the period: it bounds the day they began (a few weeks' worth) before any month arithmetic. With
no index on that day, each of its two statements read every membership of the store to find
them (the large demo's 11,552, the huge demo's 117,564), 60% of the statement. From this index
it reads that window's alone: on SQLite, the large demo's statement took 4.0 ms of processor
time where it took 6.3, and reading the huge demo's memberships 16 ms where it took 26 to 34.

Revision ID: 0230
Revises: 0220
Create Date: 2026-12-01 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0230"
down_revision: str | None = "0220"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_membership_joined_at", "membership", ["joined_at"])


def downgrade() -> None:
    op.drop_index("ix_membership_joined_at", table_name="membership")

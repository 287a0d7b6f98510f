"""An index on the sessions a person presented, newest first: the Person screen's list of talks.

Without it the talks a person gave as the session's presenter are found by walking every
session from the newest back (the index on starts_at) until fifty are found or the sessions
run out, which for most people, who gave a few talks, is all of them: 0.2 s on the large demo
store, ten times that on the huge one. With it, the person's talks are read straight, newest
first.

Revision ID: 0090
Revises: 0080
Create Date: 2026-11-30 04:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0090"
down_revision: str | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_circle_session_presenter_starts"


def upgrade() -> None:
    op.create_index(INDEX, "circle_session", ["presenter_id", "starts_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="circle_session")

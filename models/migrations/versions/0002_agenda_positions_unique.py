"""A session's agenda items have distinct positions: duplicates are renumbered, then unique.

Two writers adding items to one session at once on PostgreSQL could both take
max(position) + 1. This keeps each agenda's order (by position, then by the order the
items were added) and numbers it 1, 2, 3... where positions repeat; agendas without a
repeat are left as they are. The unique constraint then replaces the plain index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 18:40:00
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Window functions: SQLite 3.25 and later, and PostgreSQL.
RENUMBER_REPEATS = """
UPDATE agenda_item SET position = (
    SELECT numbered.place FROM (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY position, id) AS place
        FROM agenda_item
    ) AS numbered
    WHERE numbered.id = agenda_item.id
)
WHERE session_id IN (
    SELECT session_id FROM agenda_item GROUP BY session_id, position HAVING count(*) > 1
)
"""


@contextmanager
def _agenda_table() -> Iterator[BatchOperations]:
    # Batch mode reflects the tables agenda_item refers to, up to circle, whose index on
    # lower(name) SQLite cannot reflect: SQLAlchemy would warn on the person's terminal.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index", category=sa.exc.SAWarning)
        with op.batch_alter_table("agenda_item", schema=None) as batch_op:
            yield batch_op


def upgrade() -> None:
    op.execute(sa.text(RENUMBER_REPEATS))
    with _agenda_table() as batch_op:
        batch_op.drop_index("ix_agenda_item_session_position")
        batch_op.create_unique_constraint(
            batch_op.f("uq_agenda_item_session_id_position"), ["session_id", "position"]
        )


def downgrade() -> None:
    with _agenda_table() as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_agenda_item_session_id_position"), type_="unique")
        batch_op.create_index("ix_agenda_item_session_position", ["session_id", "position"], unique=False)

"""rotation_event.kind is one of the kinds the code writes, checked by the database.

Revision ID: 0003
Revises: 0002b
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As models.enums.RotationEventKind has them today (a migration never imports the models:
# it must do the same thing however they change later).
KINDS = ("assigned", "guest", "cleared", "swap_asked", "swap_agreed", "skipped")


def _kind_type() -> sa.Enum:
    return sa.Enum(*KINDS, name="kind", native_enum=False, create_constraint=True, length=19)


def upgrade() -> None:
    known = ", ".join(f"'{k}'" for k in KINDS)
    # Spellings of a known kind ('Assigned', 'swap-asked') become that kind.
    op.execute(
        f"UPDATE rotation_event SET kind = replace(replace(lower(trim(kind)), '-', '_'), ' ', '_') "
        f"WHERE kind NOT IN ({known})"
    )
    # Anything else (the code never wrote one, but a store may hold one): neither the ledger
    # nor the preview read it, exactly like 'cleared', so it becomes that and the ledger
    # reads the same; the reason keeps what it was called.
    op.execute(
        "UPDATE rotation_event SET "
        "reason = substr(trim(reason || ' (recorded as ' || kind || ')'), 1, 300), kind = 'cleared' "
        f"WHERE kind NOT IN ({known})"
    )
    # Not resolving the foreign keys keeps SQLite's batch copy from reflecting the tables they
    # point to (circle's expression index would print a warning to whoever opens the store).
    with op.batch_alter_table("rotation_event", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.alter_column(
            "kind", existing_type=sa.String(length=24), type_=_kind_type(), existing_nullable=False
        )


def downgrade() -> None:
    # Not resolving the foreign keys keeps SQLite's batch copy from reflecting the tables they
    # point to (circle's expression index would print a warning to whoever opens the store).
    with op.batch_alter_table("rotation_event", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.alter_column(
            "kind", existing_type=_kind_type(), type_=sa.String(length=24), existing_nullable=False
        )

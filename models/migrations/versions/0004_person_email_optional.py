"""A person's e-mail address is optional: a walk-in or guest can be checked in by name alone.

Addresses stay unique when given (a unique constraint lets any number of NULLs in, on SQLite
and PostgreSQL alike) and are still stored lower-cased by the services.

Revision ID: 0004
Revises: 0003b
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)


def downgrade() -> None:
    # The older schema needs an address for everyone: people without one get a placeholder
    # that can never be delivered (.invalid is reserved for that, RFC 2606) and cannot collide.
    op.execute(
        sa.text("UPDATE person SET email = 'person-' || id || '@no-address.invalid' WHERE email IS NULL")
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)

"""A swap links its two sessions, so the rotation changes only those two.

``circle_session.swapped_with_id`` names the session whose presenter this one's was exchanged
with; :func:`circles.services.rotation.swap` sets it on both, and any other change of either
presenter clears it. A deleted session clears the link pointing at it (ON DELETE SET NULL).

Swaps made before this migration get no link: the rotation events of a swap name the people and
the session of each half, but not which two events belong together, and the sessions' presenters
may have changed since, so a guessed link could make the rotation skip someone. Those sessions stay
plain manual assignments, as they were.

On SQLite, batch mode copies the table, and dropping the old one drops the search triggers
migrations 0030 and 0050 put on it: they are read before and written again after, as they were.
The copy is renamed with the legacy rename, which does not check the triggers of other tables
that read circle_session (they would name a table that is, for that moment, missing).

Revision ID: 0180
Revises: 0170
Create Date: 2026-11-30 13:30:00
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0180"
down_revision: str | None = "0170"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_circle_session_swapped_with_id_circle_session"
# The copy needs circle_session alone: following its references would reflect the circle table
# too, whose expression index SQLAlchemy cannot read and warns about to whoever opens the store.
REFLECT = {"resolve_fks": False}


def _triggers_after(change: Callable[[], None]) -> None:
    """Run ``change`` (a batch copy of circle_session) and put the table's SQLite triggers back."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        change()
        return
    triggers = [
        sql
        for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'circle_session' ORDER BY name"
        )
    ]
    # Triggers of other tables read circle_session: renaming the copy to circle_session would
    # check them while no table has that name yet, and refuse. The legacy rename does not.
    bind.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        change()
    finally:
        bind.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
    for sql in triggers:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    def change() -> None:
        with op.batch_alter_table("circle_session", reflect_kwargs=REFLECT) as batch:
            batch.add_column(sa.Column("swapped_with_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(FK, "circle_session", ["swapped_with_id"], ["id"], ondelete="SET NULL")

    _triggers_after(change)


def downgrade() -> None:
    def change() -> None:
        with op.batch_alter_table("circle_session", reflect_kwargs=REFLECT) as batch:
            batch.drop_constraint(FK, type_="foreignkey")
            batch.drop_column("swapped_with_id")

    _triggers_after(change)

"""Mentorship: programmes can be archived; locks and rejections of proposals are kept in the store.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:13:39.170602
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('proposal_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('lock', 'reject', name='proposal_decision_kind', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('first_person_id', sa.Integer(), nullable=False),
    sa.Column('second_person_id', sa.Integer(), nullable=False),
    sa.Column('third_person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_person_id'], ['person.id'], name=op.f('fk_proposal_decision_first_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_proposal_decision_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_person_id'], ['person.id'], name=op.f('fk_proposal_decision_second_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['third_person_id'], ['person.id'], name=op.f('fk_proposal_decision_third_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_decision'))
    )
    with op.batch_alter_table('proposal_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_decision_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table, and the copy cannot see expression indexes:
    # the case-insensitive unique name is taken off first and put back after.
    op.drop_index('uq_programme_name_lower', table_name='programme')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
    op.create_index('uq_programme_name_lower', 'programme', [sa.text('lower(name)')], unique=True)

    with op.batch_alter_table('proposal_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_decision_programme_id'))

    op.drop_table('proposal_decision')

"""Feedback after sessions (per-circle settings, answers, who has answered) and thanks.

Revision ID: 0020
Revises: 0010
Create Date: 2026-11-29 20:00:56.091731
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedback_setting',
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('share_with_presenter', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_feedback_setting_circle_id_circle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('circle_id', name=op.f('pk_feedback_setting'))
    )
    # No rowid on SQLite: the rows are kept in the order of their random ids, not as written.
    op.create_table('feedback_answer',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('learned', sa.String(length=300), nullable=False),
    sa.Column('for_presenter', sa.String(length=2000), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_answer_rating_1_to_5')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feedback_answer_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_feedback_answer_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answer')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_answer_session_id', ['session_id'], unique=False)
        batch_op.create_index('uq_feedback_answer_named', ['session_id', 'person_id'], unique=True, sqlite_where=sa.text('person_id IS NOT NULL'), postgresql_where=sa.text('person_id IS NOT NULL'))

    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feedback_response_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_feedback_response_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_feedback_response_session_id_person_id'))
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_person_id'), ['person_id'], unique=False)

    op.create_table('thanks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('given_by_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['given_by_id'], ['person.id'], name=op.f('fk_thanks_given_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_thanks_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_thanks_session_id_circle_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thanks'))
    )
    with op.batch_alter_table('thanks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thanks_given_at'), ['given_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_thanks_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_table('thanks')
    op.drop_table('feedback_response')
    op.drop_table('feedback_answer')
    op.drop_table('feedback_setting')

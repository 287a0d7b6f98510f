"""Mentorship: programmes, participants, do-not-pair lists, rounds, pairs, meetings and goals.

Revision ID: 0010
Revises: 0004
Create Date: 2026-11-29 18:27:58.827870
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('mentoring', 'reverse-mentoring', 'buddy', 'coffee', name='programme_kind', native_enum=False, create_constraint=True, length=25), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('cadence', sa.String(length=200), nullable=True),
    sa.Column('meeting_minutes', sa.Integer(), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('allow_same_team', sa.Boolean(), nullable=False),
    sa.Column('no_repeat_weeks', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme'))
    )
    # Programme names are unique whatever their case; autogenerate cannot see expression indexes.
    op.create_index('uq_programme_name_lower', 'programme', [sa.text('lower(name)')], unique=True)
    op.create_table('programme_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', 'member', name='participant_role', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('offers', sa.String(length=1000), nullable=False),
    sa.Column('wants', sa.String(length=1000), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('paused_reason', sa.String(length=200), nullable=False),
    sa.Column('answers_from', sa.Date(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_programme_participant_person_id_person')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_participant_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_participant'))
    )
    with op.batch_alter_table('programme_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_participant_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_participant_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('uq_programme_participant_current', ['programme_id', 'person_id'], unique=True, sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))

    op.create_table('programme_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_round_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_round')),
    sa.UniqueConstraint('programme_id', 'number', name=op.f('uq_programme_round_programme_id_number'))
    )
    op.create_table('programme_avoid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['programme_participant.id'], name=op.f('fk_programme_avoid_participant_id_programme_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_programme_avoid_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_avoid')),
    sa.UniqueConstraint('participant_id', 'person_id', name=op.f('uq_programme_avoid_participant_id_person_id'))
    )
    with op.batch_alter_table('programme_avoid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_avoid_participant_id'), ['participant_id'], unique=False)

    op.create_table('programme_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'completed', 'ended-early', name='pair_status', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=300), nullable=False),
    sa.Column('reasons', sa.String(length=500), nullable=False),
    sa.Column('met', sa.Boolean(), nullable=True),
    sa.Column('ics_uid', sa.String(length=120), nullable=False),
    sa.Column('ics_sequence', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_pair_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['programme_round.id'], name=op.f('fk_programme_pair_round_id_programme_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_pair')),
    sa.UniqueConstraint('ics_uid', name=op.f('uq_programme_pair_ics_uid'))
    )
    with op.batch_alter_table('programme_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_pair_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_pair_round_id'), ['round_id'], unique=False)

    op.create_table('pair_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['programme_pair.id'], name=op.f('fk_pair_goal_pair_id_programme_pair'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_goal'))
    )
    with op.batch_alter_table('pair_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_goal_pair_id'), ['pair_id'], unique=False)

    op.create_table('pair_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['programme_pair.id'], name=op.f('fk_pair_meeting_pair_id_programme_pair'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_meeting'))
    )
    with op.batch_alter_table('pair_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_meeting_pair_id'), ['pair_id'], unique=False)

    op.create_table('pair_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', 'member', name='pair_member_role', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['programme_pair.id'], name=op.f('fk_pair_member_pair_id_programme_pair'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_pair_member_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_member')),
    sa.UniqueConstraint('pair_id', 'person_id', name=op.f('uq_pair_member_pair_id_person_id'))
    )
    with op.batch_alter_table('pair_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_member_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pair_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_member_person_id'))

    op.drop_table('pair_member')
    with op.batch_alter_table('pair_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_meeting_pair_id'))

    op.drop_table('pair_meeting')
    with op.batch_alter_table('pair_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_goal_pair_id'))

    op.drop_table('pair_goal')
    with op.batch_alter_table('programme_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_pair_round_id'))
        batch_op.drop_index(batch_op.f('ix_programme_pair_programme_id'))

    op.drop_table('programme_pair')
    with op.batch_alter_table('programme_avoid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_avoid_participant_id'))

    op.drop_table('programme_avoid')
    op.drop_table('programme_round')
    with op.batch_alter_table('programme_participant', schema=None) as batch_op:
        batch_op.drop_index('uq_programme_participant_current', sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_programme_participant_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_participant_person_id'))

    op.drop_table('programme_participant')
    op.drop_index('uq_programme_name_lower', table_name='programme')
    op.drop_table('programme')

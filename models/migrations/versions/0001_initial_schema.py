"""The first schema: people, circles, memberships, sessions, agendas, away periods, attendance.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 05:29:31.272825
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('team', sa.String(length=80), nullable=True),
    sa.Column('is_guest', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('email', name=op.f('uq_person_email'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_name'), ['name'], unique=False)

    op.create_table('away',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_away_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_away'))
    )
    with op.batch_alter_table('away', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_away_person_id'), ['person_id'], unique=False)

    op.create_table('circle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('learning-circle', 'community-of-practice', 'lunch-and-learn', 'workshop', name='kind', native_enum=False, create_constraint=True, length=29), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('cadence', sa.String(length=200), nullable=True),
    sa.Column('default_minutes', sa.Integer(), nullable=False),
    sa.Column('reminder_minutes', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('ics_series_uid', sa.String(length=120), nullable=False),
    sa.Column('ics_series_sequence', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['person.id'], name=op.f('fk_circle_facilitator_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle')),
    sa.UniqueConstraint('ics_series_uid', name=op.f('uq_circle_ics_series_uid'))
    )
    # Circle names are unique whatever their case; autogenerate cannot see expression indexes.
    op.create_index('uq_circle_name_lower', 'circle', [sa.text('lower(name)')], unique=True)
    op.create_table('agenda_template_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('is_presentation', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_agenda_template_item_circle_id_circle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_template_item'))
    )
    with op.batch_alter_table('agenda_template_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_template_item_circle_id'), ['circle_id'], unique=False)

    op.create_table('circle_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'held', 'cancelled', name='status', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('ics_uid', sa.String(length=120), nullable=False),
    sa.Column('ics_sequence', sa.Integer(), nullable=False),
    sa.Column('planned_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('presenter_id', sa.Integer(), nullable=True),
    sa.Column('presenter_source', sa.Enum('rotation', 'manual', 'guest', name='presenter_source', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('notes', sa.String(length=20000), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_circle_session_circle_id_circle')),
    sa.ForeignKeyConstraint(['presenter_id'], ['person.id'], name=op.f('fk_circle_session_presenter_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_session')),
    sa.UniqueConstraint('ics_uid', name=op.f('uq_circle_session_ics_uid'))
    )
    with op.batch_alter_table('circle_session', schema=None) as batch_op:
        batch_op.create_index('ix_circle_session_circle_starts', ['circle_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_session_starts_at'), ['starts_at'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('facilitator', 'member', name='role', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('in_rotation', sa.Boolean(), nullable=False),
    sa.Column('default_rsvp', sa.Enum('yes', 'maybe', 'no', 'none', name='default_rsvp', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_membership_circle_id_circle')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_membership_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_membership_current', ['circle_id', 'person_id'], unique=True, sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))

    op.create_table('skip_date',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_skip_date_circle_id_circle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skip_date')),
    sa.UniqueConstraint('circle_id', 'day', name=op.f('uq_skip_date_circle_id_day'))
    )
    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('presenter_id', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('is_presentation', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['presenter_id'], ['person.id'], name=op.f('fk_agenda_item_presenter_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_agenda_item_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_presenter_id'), ['presenter_id'], unique=False)
        batch_op.create_index('ix_agenda_item_session_position', ['session_id', 'position'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('rsvp', sa.Enum('yes', 'maybe', 'no', 'none', name='rsvp', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('attended', sa.Enum('present', 'late', 'excused', 'absent', name='attended', native_enum=False, create_constraint=True, length=15), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attendance_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_attendance_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_attendance_session_id_person_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_person_id'), ['person_id'], unique=False)

    op.create_table('rotation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('other_person_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_rotation_event_circle_id_circle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_person_id'], ['person.id'], name=op.f('fk_rotation_event_other_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_rotation_event_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_rotation_event_session_id_circle_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_event'))
    )
    with op.batch_alter_table('rotation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_event_circle_id'), ['circle_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rotation_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_event_circle_id'))

    op.drop_table('rotation_event')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_person_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_session_position')
        batch_op.drop_index(batch_op.f('ix_agenda_item_presenter_id'))

    op.drop_table('agenda_item')
    op.drop_table('skip_date')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('uq_membership_current', sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_membership_person_id'))
        batch_op.drop_index(batch_op.f('ix_membership_circle_id'))

    op.drop_table('membership')
    with op.batch_alter_table('circle_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_session_starts_at'))
        batch_op.drop_index('ix_circle_session_circle_starts')

    op.drop_table('circle_session')
    with op.batch_alter_table('agenda_template_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_template_item_circle_id'))

    op.drop_table('agenda_template_item')
    op.drop_index('uq_circle_name_lower', table_name='circle')
    op.drop_table('circle')
    with op.batch_alter_table('away', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_away_person_id'))

    op.drop_table('away')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_name'))

    op.drop_table('person')

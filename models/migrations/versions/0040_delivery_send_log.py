"""Delivery: the send log of e-mailed invites (invite_send), the RSVP replies applied
(invite_reply), and the sessions put on a shared CalDAV calendar with their ETags (caldav_event).

New tables only, so the migration is the same on SQLite and PostgreSQL.

Revision ID: 0040
Revises: 0004
Create Date: 2026-11-29 20:06:03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('caldav_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_url', sa.String(length=500), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('href', sa.String(length=1000), nullable=False),
    sa.Column('etag', sa.String(length=200), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_caldav_event_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caldav_event')),
    sa.UniqueConstraint('calendar_url', 'session_id', name=op.f('uq_caldav_event_calendar_url_session_id'))
    )
    with op.batch_alter_table('caldav_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caldav_event_session_id'), ['session_id'], unique=False)

    op.create_table('invite_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rsvp', sa.Enum('yes', 'maybe', 'no', 'none', name='rsvp', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_invite_reply_circle_id_circle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invite_reply_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_invite_reply_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_reply'))
    )
    with op.batch_alter_table('invite_reply', schema=None) as batch_op:
        batch_op.create_index('ix_invite_reply_circle_person', ['circle_id', 'person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_reply_session_id'), ['session_id'], unique=False)

    op.create_table('invite_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('REQUEST', 'CANCEL', name='method', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('reason', sa.Enum('new', 'updated', 'details', 'cancelled', 'removed', name='reason', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('presenter_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('sent', 'failed', name='outcome', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invite_send_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['presenter_id'], ['person.id'], name=op.f('fk_invite_send_presenter_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['circle_session.id'], name=op.f('fk_invite_send_session_id_circle_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_send'))
    )
    with op.batch_alter_table('invite_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_send_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_invite_send_session_person', ['session_id', 'person_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invite_send', schema=None) as batch_op:
        batch_op.drop_index('ix_invite_send_session_person')
        batch_op.drop_index(batch_op.f('ix_invite_send_person_id'))

    op.drop_table('invite_send')
    with op.batch_alter_table('invite_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_reply_session_id'))
        batch_op.drop_index('ix_invite_reply_circle_person')

    op.drop_table('invite_reply')
    with op.batch_alter_table('caldav_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caldav_event_session_id'))

    op.drop_table('caldav_event')

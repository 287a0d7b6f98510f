"""A circle meets once at a time: one session (not cancelled) per circle and start, as an index.

The sessions service refuses a session, or a move, onto the start of one the circle already has
(its message names that session), but on PostgreSQL two facilitators scheduling the same circle
at the same moment both found the start free, and the circle met twice at once in every
member's calendar. The unique index stops the second; the store tries its unit of work again
(models/store.py, lost_a_race), and the service refuses it in words. A cancelled session is
left out of the index: its time is free again.

A store written before the service refused them may hold such pairs already (a session moved
onto another's start). The index cannot be made over them, so each pair is resolved the way a
facilitator would: the session with the most RSVPs and check-ins stays (the one planned first,
if they have as many), and the other is cancelled, its calendar SEQUENCE raised so the next
invites withdraw the copy from calendars. Nothing is deleted: the cancelled session keeps its
agenda and records, and the circle's list shows it.

Revision ID: 0270
Revises: 0260
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

from models.migrate import tell_at_upgrade

revision: str = "0270"
down_revision: str | None = "0260"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_CANCELLED = "status <> 'cancelled'"

# Every session (not cancelled) that shares its circle and start with another, except the one
# kept. One statement on both backends; on SQLite the rows it has cancelled are out of the
# pairs it reads next, which leaves the same one kept: the order that picks it does not change.
COPIES = f"""
{NOT_CANCELLED}
  AND EXISTS (
    SELECT 1 FROM circle_session other
    WHERE other.circle_id = circle_session.circle_id AND other.starts_at = circle_session.starts_at
      AND other.{NOT_CANCELLED} AND other.id <> circle_session.id)
  AND id <> (
    SELECT kept.id FROM circle_session kept
    WHERE kept.circle_id = circle_session.circle_id AND kept.starts_at = circle_session.starts_at
      AND kept.{NOT_CANCELLED}
    ORDER BY (SELECT count(*) FROM attendance a WHERE a.session_id = kept.id) DESC, kept.id
    LIMIT 1)
"""
CANCEL_COPIES = f"""
UPDATE circle_session
SET status = 'cancelled', ics_sequence = ics_sequence + 1, version = version + 1
WHERE {COPIES}
"""
SHOW_COPIES = f"""
SELECT c.name, c.timezone, s.title, s.starts_at
FROM circle_session s JOIN circle c ON c.id = s.circle_id
WHERE s.id IN (SELECT id FROM circle_session WHERE {COPIES})
ORDER BY s.starts_at, c.name
"""
NAMED = 5  # copies named in the note; more are counted


def upgrade() -> None:
    copies = op.get_bind().exec_driver_sql(SHOW_COPIES).all()
    op.execute(CANCEL_COPIES)
    if copies:
        tell_at_upgrade(_told(copies))
    op.create_index(
        "uq_circle_session_circle_starts",
        "circle_session",
        ["circle_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text(NOT_CANCELLED),
        postgresql_where=sa.text(NOT_CANCELLED),
    )


def _told(copies: Sequence[sa.Row[tuple[str, str, str | None, object]]]) -> str:
    """The sessions cancelled, as the facilitator knows them: circle, title, start on its clock."""

    def one(name: str, zone: str, title: str | None, starts: object) -> str:
        # SQLite gives the stored text, PostgreSQL a datetime; both are UTC.
        at = starts if isinstance(starts, datetime) else datetime.fromisoformat(str(starts))
        try:
            clock: tzinfo = ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):  # never a reason to fail an upgrade
            clock = UTC
        at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(clock)
        return f"{name}{f' ({title!r})' if title else ''} on {at:%a %d %b %Y %H:%M}"

    named = "; ".join(one(*row) for row in copies[:NAMED])
    more = f"; and {len(copies) - NAMED} more" if len(copies) > NAMED else ""
    return (
        f"{len(copies)} {'session was' if len(copies) == 1 else 'sessions were'} cancelled, each "
        f"a copy of another session of its circle at the same start (the one with more RSVPs and "
        f"check-ins stays; the next invites withdraw the copy): {named}{more}."
    )


def downgrade() -> None:
    # The sessions cancelled on the way up stay cancelled: which were copies is not recorded.
    op.drop_index("uq_circle_session_circle_starts", table_name="circle_session")

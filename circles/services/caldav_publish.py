"""A circle's upcoming sessions on a shared CalDAV calendar: what to put there now (new, changed,
cancelled, or nothing), and where each one is and which version the server has (its ETag)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from circles.delivery.caldav import event_href
from circles.delivery.shown import fingerprint
from circles.ics.build import session_calendar, to_bytes
from circles.ics.model import Channel, CircleInvites, Options
from circles.services import invites
from circles.services.circle_records import get_circle
from circles.services.clock import now
from circles.views import CircleView, SessionView
from models.enums import SessionStatus
from models.tables import CaldavEvent


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    CANCEL = "mark cancelled"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class CaldavItem:
    session: SessionView
    action: Action
    href: str
    etag: str | None  # the version we put last (None: not there yet)
    fingerprint: str
    body: bytes


@dataclass(frozen=True, slots=True)
class CaldavPlan:
    circle: CircleView
    calendar_url: str
    items: tuple[CaldavItem, ...]

    @property
    def to_put(self) -> tuple[CaldavItem, ...]:
        return tuple(i for i in self.items if i.action is not Action.UNCHANGED)


def plan_publish(db: Session, circle_id: int, calendar_url: str) -> CaldavPlan:
    """Every upcoming session and what it needs. A cancelled one that was put there is marked
    cancelled (people who planned around it see it is off); one never put there is left out."""
    circle = get_circle(db, circle_id)
    chosen = invites.upcoming_sessions(db, circle_id)
    found = invites.session_invites(db, circle, chosen, Channel.NONE)
    known = {
        e.session_id: e
        for e in db.exec(
            select(CaldavEvent).where(
                CaldavEvent.calendar_url == calendar_url,
                col(CaldavEvent.session_id).in_([s.id for s in chosen]),
            )
        )
    }
    options = Options(Channel.NONE, now(db), circle.reminder_minutes)
    items = []
    for invite in found:
        s = invite.session
        row = known.get(s.id)
        cancelled = s.status is SessionStatus.CANCELLED
        shown = fingerprint(circle, invite)
        if row is None:
            if cancelled:
                continue
            action, href, etag = Action.CREATE, event_href(calendar_url, s.ics_uid), None
        else:
            href, etag = row.href, row.etag
            if row.fingerprint == shown and row.cancelled == cancelled:
                action = Action.UNCHANGED
            else:
                action = Action.CANCEL if cancelled else Action.UPDATE
        body = to_bytes(session_calendar(CircleInvites(circle, (invite,)), options))
        items.append(CaldavItem(s, action, href, etag, shown, body))
    return CaldavPlan(circle, calendar_url, tuple(items))


def record_put(db: Session, plan: CaldavPlan, item: CaldavItem, etag: str | None) -> None:
    """Remember what the server now has of this session, and its ETag for the next If-Match."""
    row = db.exec(
        select(CaldavEvent).where(
            CaldavEvent.calendar_url == plan.calendar_url, CaldavEvent.session_id == item.session.id
        )
    ).first()
    if row is None:
        row = CaldavEvent(
            calendar_url=plan.calendar_url,
            session_id=item.session.id,
            href=item.href,
            sequence=item.session.ics_sequence,
            fingerprint=item.fingerprint,
            published_at=now(db),
        )
    row.etag = etag
    row.sequence = item.session.ics_sequence
    row.fingerprint = item.fingerprint
    row.cancelled = item.session.status is SessionStatus.CANCELLED
    row.published_at = now(db)
    db.add(row)
    if row.cancelled is False:
        # The shared calendar shows the presenter: a later change is told, as after an export.
        invites.note_invites_left(db, [item.session])

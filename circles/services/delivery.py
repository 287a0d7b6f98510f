"""E-mailed invites: what goes to whom now (only what changed since the last message a person's
server accepted), and the send log that remembers it.

The rules (RFC 5546): a new attendee or session gets a REQUEST; a session whose SEQUENCE rose
(moved, new place or title) goes again with the higher SEQUENCE; one whose invite shows something
else at the same SEQUENCE (a new presenter, agenda or notes: the DESCRIPTION) goes again with a
newer DTSTAMP; a cancelled session goes as CANCEL to everyone who had it; someone no longer invited
(left the circle, no longer presenting) gets a CANCEL naming them; nothing else goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles.delivery.model import DeliveryStatus, Outgoing, SendPlan
from circles.delivery.settings import email_set_up
from circles.delivery.shown import fingerprint
from circles.errors import CirclesError, NotAllowed
from circles.ics.model import Attendee, Channel, SessionInvite
from circles.services import invites, members
from circles.services.circle_records import get_circle
from circles.services.clock import now
from circles.services.sessions import get_session
from circles.services.sql import ids
from circles.views import CircleView, SessionView
from models.enums import InviteMethod, Rsvp, SendOutcome, SendReason, SessionStatus
from models.tables import CircleSession, InviteSend, Person


def plan_circle(db: Session, circle_id: int) -> SendPlan:
    """What a send for the circle's upcoming sessions would send now."""
    circle = get_circle(db, circle_id)
    return _plan(db, circle, invites.upcoming_sessions(db, circle_id))


def plan_session(db: Session, session_id: int) -> SendPlan:
    """What a send for one session would send now."""
    session = get_session(db, session_id)
    if session.ends_at <= now(db):
        raise NotAllowed(f"The session {session.label} is over: there is nothing to send for it.")
    return _plan(db, get_circle(db, session.circle_id), [session])


def _latest_sent(db: Session, session_ids: Sequence[int]) -> dict[tuple[int, int], InviteSend]:
    """Per (session, person), the last message their server accepted."""
    if not session_ids:
        return {}
    last = (
        select(sa.func.max(InviteSend.id))
        .where(col(InviteSend.session_id).in_(session_ids), InviteSend.outcome == SendOutcome.SENT)
        .group_by(col(InviteSend.session_id), col(InviteSend.person_id))
    )
    rows = db.exec(select(InviteSend).where(col(InviteSend.id).in_(last)))
    return {(r.session_id, r.person_id): r for r in rows}


def _newest_rows(db: Session, session_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """Per (session, person), the id of the newest send-log row, whatever its outcome."""
    if not session_ids:
        return {}
    rows = db.exec(
        select(InviteSend.session_id, InviteSend.person_id, sa.func.max(InviteSend.id))
        .where(col(InviteSend.session_id).in_(session_ids))
        .group_by(col(InviteSend.session_id), col(InviteSend.person_id))
    )
    return {(sid, pid): newest or 0 for sid, pid, newest in rows}


def _names(db: Session, person_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    return dict(db.exec(select(ids(Person.id), Person.name).where(col(Person.id).in_(wanted))).all())


def _plan(db: Session, circle: CircleView, chosen: Sequence[SessionView]) -> SendPlan:
    if circle.facilitator_email is None:
        if circle.facilitator_name is None:
            raise NotAllowed(
                f"{circle.name} has no facilitator to send invites from: give it one with an address."
            )
        raise NotAllowed(
            f"Invites go from the facilitator's address, and {circle.facilitator_name} has none."
        )
    organizer = invites.organizer(circle, Channel.REQUEST)
    assert organizer is not None  # a request without one raises NotAllowed
    found = invites.session_invites(db, circle, chosen, Channel.REQUEST)
    last = _latest_sent(db, [s.id for s in chosen])
    newest = _newest_rows(db, [s.id for s in chosen])
    names = _names(db, (pid for _, pid in last))
    outgoing: list[Outgoing] = []
    up_to_date = 0

    def add(invite: SessionInvite, who: Attendee, method: InviteMethod, reason: SendReason) -> None:
        theirs = SessionInvite(invite.session, invite.agenda, (who,))
        shown = fingerprint(circle, theirs, person_id=who.person_id)
        seen = newest.get((invite.session.id, who.person_id), 0)
        outgoing.append(Outgoing(theirs, who, method, reason, shown, log_seen=seen))

    def from_log(row: InviteSend) -> Attendee:
        return Attendee(row.person_id, names.get(row.person_id, row.email), row.email, Rsvp.NONE)

    for invite in found:
        s = invite.session
        # The facilitator sends the invites; their own copy comes from the calendar they send from.
        current = {a.person_id: a for a in invite.attendees if a.person_id != circle.facilitator_id}
        theirs = {pid: row for (sid, pid), row in last.items() if sid == s.id}
        if s.status is SessionStatus.CANCELLED:
            for pid, row in theirs.items():
                if row.method is InviteMethod.REQUEST:
                    add(invite, current.get(pid) or from_log(row), InviteMethod.CANCEL, SendReason.CANCELLED)
                else:
                    up_to_date += 1  # their cancellation went: 'Nothing to send: 0 up to date' hid it
            continue
        if s.status is SessionStatus.HELD:
            continue  # it has taken place: calendars need nothing more
        for pid, who in current.items():
            last_sent = theirs.get(pid)
            if last_sent is None or last_sent.method is InviteMethod.CANCEL:
                add(invite, who, InviteMethod.REQUEST, SendReason.NEW)
            elif last_sent.sequence < s.ics_sequence:
                add(invite, who, InviteMethod.REQUEST, SendReason.UPDATED)
            elif last_sent.email != who.email or last_sent.fingerprint != fingerprint(
                circle, SessionInvite(s, invite.agenda, (who,)), person_id=pid
            ):
                add(invite, who, InviteMethod.REQUEST, SendReason.DETAILS)
            else:
                up_to_date += 1
        for pid, row in theirs.items():
            if pid not in current and row.method is InviteMethod.REQUEST:
                add(invite, from_log(row), InviteMethod.CANCEL, SendReason.REMOVED)
    # In time order, then by name: the order a person reads the list in, and the progress runs in.
    outgoing.sort(key=lambda o: (o.session.starts_at, o.session.id, o.attendee.name.casefold()))
    numbered = tuple(replace(o, number=n) for n, o in enumerate(outgoing, start=1))
    without = tuple(
        sorted(
            m.name
            for m in members.list_members(db, circle.id)
            if not m.email and m.person_id != circle.facilitator_id
        )
    )
    return SendPlan(circle, organizer, numbered, up_to_date, len(chosen), without)


# What a claimed message's log row says until the server answers, and for good if the send
# stops first: the message is then not known to have gone, and goes again next time.
UNCONFIRMED = "not confirmed: the send stopped before the server answered"
# A claim this old is a send that stopped (a crash, a closed laptop), not one still talking to
# the server: longer than the longest SMTP timeout the settings allow (600 s).
CLAIM_LIFETIME = timedelta(minutes=15)


def claim(db: Session, out: Outgoing) -> int | None:
    """Take this message for this send before it goes to the server: its log row, written now as
    not (yet) sent. None: another send made at the same time has it (it claimed it since this
    plan was made, is sending it now, or sent it), and this one must not send it twice. One
    claim at a time per session: its row is locked (SQLite: the write transaction already is)."""
    db.exec(select(CircleSession.id).where(CircleSession.id == out.session.id).with_for_update()).first()
    newest = db.exec(
        select(InviteSend)
        .where(InviteSend.session_id == out.session.id, InviteSend.person_id == out.attendee.person_id)
        .order_by(col(InviteSend.id).desc())
        .limit(1)
    ).first()
    if newest is not None:
        assert newest.id is not None
        in_flight = newest.detail == UNCONFIRMED and newest.sent_at > now(db) - CLAIM_LIFETIME
        went = newest.outcome is SendOutcome.SENT and (
            newest.method,
            newest.sequence,
            newest.fingerprint,
            newest.email,
        ) == (out.method, out.session.ics_sequence, out.fingerprint, out.attendee.email)
        if newest.id > out.log_seen or in_flight or went:
            return None
    row = _row(db, out, SendOutcome.FAILED, UNCONFIRMED)
    db.add(row)
    db.flush()
    assert row.id is not None
    return row.id


def _row(db: Session, out: Outgoing, outcome: SendOutcome, detail: str) -> InviteSend:
    return InviteSend(
        session_id=out.session.id,
        person_id=out.attendee.person_id,
        email=out.attendee.email,
        uid=out.session.ics_uid,
        sequence=out.session.ics_sequence,
        method=out.method,
        reason=out.reason,
        fingerprint=out.fingerprint,
        presenter_id=out.session.presenter_id,
        outcome=outcome,
        detail=detail[:300],
        sent_at=now(db),
    )


def record(
    db: Session, claimed: int, out: Outgoing, *, sent: bool, detail: str = "", noted: bool = False
) -> None:
    """Log one message as the server answered it, in the row that claimed it: sent, or failed
    (it goes again next time). ``noted``: the session's invite, at this SEQUENCE and presenter,
    was already noted as gone in this send (by an earlier person's message), so it is not noted
    again."""
    row = db.get(InviteSend, claimed)
    assert row is not None  # a send log row is never deleted but with its session
    row.outcome = SendOutcome.SENT if sent else SendOutcome.FAILED
    row.detail, row.sent_at = detail[:300], now(db)
    db.add(row)
    if sent and out.method is InviteMethod.REQUEST and not noted:
        # The invite names its presenter: a later change of presenter is told after the write
        # that makes it, as after an export (circles/services/upkeep.py).
        invites.note_invites_left(db, [out.session])


def latest_sequence_sent(db: Session, session_id: int, person_id: int) -> int | None:
    """The SEQUENCE of the last invite (REQUEST) this person's server accepted for the session."""
    return db.exec(
        select(sa.func.max(InviteSend.sequence)).where(
            InviteSend.session_id == session_id,
            InviteSend.person_id == person_id,
            InviteSend.outcome == SendOutcome.SENT,
            InviteSend.method == InviteMethod.REQUEST,
        )
    ).one()


def _last_sent_at(
    db: Session, *, circle_id: int | None = None, session_id: int | None = None
) -> datetime | None:
    stmt = select(sa.func.max(InviteSend.sent_at)).where(InviteSend.outcome == SendOutcome.SENT)
    if session_id is not None:
        stmt = stmt.where(InviteSend.session_id == session_id)
    else:
        stmt = stmt.join(CircleSession, col(CircleSession.id) == InviteSend.session_id).where(
            CircleSession.circle_id == circle_id
        )
    found: datetime | None = db.exec(stmt).one()
    return found


def circle_status(db: Session, circle_id: int) -> DeliveryStatus:
    """When the circle's invites last went out, and what has changed since."""
    return _status(db, lambda: plan_circle(db, circle_id), _last_sent_at(db, circle_id=circle_id))


def session_status(db: Session, session_id: int) -> DeliveryStatus:
    return _status(db, lambda: plan_session(db, session_id), _last_sent_at(db, session_id=session_id))


def _status(db: Session, make: Callable[[], SendPlan], when: datetime | None) -> DeliveryStatus:
    if when is None and not email_set_up():
        # Nothing ever sent, and no way to send: "4 sessions not sent by e-mail yet" on every
        # circle and session would nag someone who hands out .ics files or never sends at all.
        return DeliveryStatus(None, 0, 0, 0, email_set_up=False)
    try:
        plan = make()
    except CirclesError as exc:
        return DeliveryStatus(when, 0, 0, 0, blocked=str(exc))
    pending = {o.session.id for o in plan.outgoing}
    return DeliveryStatus(when, len(pending), len(plan.outgoing), plan.sessions)

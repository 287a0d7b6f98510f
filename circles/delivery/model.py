"""What a send is made of: plain values (no database, no server), shared by the planner, the
message builder, the CLI and the Send dialog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from circles.ics.model import Attendee, Channel, Organizer, SessionInvite
from circles.views import CircleView, SessionView
from models.enums import InviteMethod, SendReason

REASON_TEXT = {
    SendReason.NEW: "new",
    SendReason.UPDATED: "updated",
    SendReason.DETAILS: "details changed",
    SendReason.CANCELLED: "cancelled",
    SendReason.REMOVED: "no longer invited",
}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to write: a session's invite (or cancellation) for one person."""

    invite: SessionInvite  # the session, its agenda; attendees: this person only
    attendee: Attendee
    method: InviteMethod
    reason: SendReason
    fingerprint: str
    # Where this message sits in the plan, for file names and progress.
    number: int = 0
    # The newest send-log row for this session and person when the plan was made (0: none): a
    # newer one means another send, started at the same time, has taken this message.
    log_seen: int = 0

    @property
    def session(self) -> SessionView:
        return self.invite.session

    @property
    def channel(self) -> Channel:
        return Channel.REQUEST if self.method is InviteMethod.REQUEST else Channel.CANCEL

    @property
    def what(self) -> str:
        """'new invite', 'updated invite', 'cancellation' ... as a person reads it."""
        if self.method is InviteMethod.CANCEL:
            return (
                "cancellation" if self.reason is SendReason.CANCELLED else "cancellation (no longer invited)"
            )
        return {
            SendReason.NEW: "invite",
            SendReason.UPDATED: "updated invite",
            SendReason.DETAILS: "updated invite (details)",
        }.get(self.reason, "invite")


@dataclass(frozen=True, slots=True)
class SendPlan:
    """Everything that would go out now, and what needs nothing."""

    circle: CircleView
    organizer: Organizer
    outgoing: tuple[Outgoing, ...]
    up_to_date: int  # messages whose last copy is still current
    sessions: int  # upcoming sessions looked at
    without_address: tuple[str, ...] = ()  # members who cannot get e-mail (no address)

    def count(self, reason: SendReason) -> int:
        return sum(1 for o in self.outgoing if o.reason is reason)

    @property
    def summary(self) -> str:
        """'30 new, 2 updated, 1 cancelled' (or 'nothing to send')."""
        parts = [f"{self.count(r)} {REASON_TEXT[r]}" for r in SendReason if self.count(r)]
        return ", ".join(parts) if parts else "nothing to send"


@dataclass(frozen=True, slots=True)
class SendResult:
    """What happened to one message."""

    outgoing: Outgoing
    sent: bool
    detail: str = ""  # the server's answer when it failed, or why it was not tried
    logged: bool = True  # the send log has it (false: the store failed after the server took it)
    # Another send made at the same time took this message (and sends it): not this one's to
    # send, and not a failure.
    taken: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """The 'sent 3 days ago, 2 changes not sent' line of a circle or a session."""

    last_sent: datetime | None
    pending_sessions: int
    pending_messages: int
    sessions: int  # upcoming sessions looked at
    blocked: str | None = None  # why nothing can be sent (no facilitator address, session over)
    email_set_up: bool = True  # False: no SMTP server is set (and nothing was ever sent)

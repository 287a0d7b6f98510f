"""Calendar invites: loads what an .ics export needs and makes the store writes it implies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from shlex import quote

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from circles.errors import InvalidInput, NotAllowed
from circles.ics.build import session_calendar, to_bytes
from circles.ics.model import Attendee, Channel, CircleInvites, Options, Organizer, SessionInvite
from circles.ics.names import circle_stem, person_stem, session_stem
from circles.ics.series import series_calendar
from circles.services import agenda, attendance, members, sessions
from circles.services.circle_records import get_circle
from circles.services.clock import now
from circles.views import AgendaItemView, CircleView, RosterEntry, SessionView
from models.enums import Role, Rsvp, SessionStatus
from models.tables import InviteExport

# Passed as alarm_minutes to mean "the circle's own reminder" (None means no alarm at all).
CIRCLE_DEFAULT = -1


@dataclass(frozen=True, slots=True)
class IcsFile:
    """One file to write: a name a person recognises, and its bytes."""

    name: str
    content: bytes
    events: int
    person_name: str | None = None


@dataclass(frozen=True, slots=True)
class IcsExport:
    files: tuple[IcsFile, ...]
    channel: Channel
    # The session was cancelled in the store by this export (a cancel of a scheduled session).
    cancelled: tuple[SessionView, ...] = ()


def parse_channel(value: str | Channel) -> Channel:
    try:
        return Channel(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        raise InvalidInput("method", value, f"must be one of {choices}") from None


def _alarm(circle: CircleView, alarm_minutes: int | None) -> int | None:
    if alarm_minutes == CIRCLE_DEFAULT:
        return circle.reminder_minutes
    if alarm_minutes is not None and not 0 <= alarm_minutes <= 7 * 24 * 60:
        raise InvalidInput("alarm", alarm_minutes, "must be between 0 and 10080 minutes before the start")
    return alarm_minutes


def _organizer(circle: CircleView, channel: Channel) -> Organizer | None:
    if circle.facilitator_email is None:
        if channel.lists_attendees and circle.facilitator_id is not None:
            why = (
                f"{circle.facilitator_name}, who facilitates {circle.name!r}, has no e-mail address, "
                f"and a {channel.value} needs an organizer to reply to"
            )
            raise NotAllowed(
                f"{why}: give them one in the app (People, e), or export with --method publish.",
                in_app=f"{why}: give them one (People, e), or export with the channel publish.",
            )
        if channel.lists_attendees:
            why = f"The circle {circle.name!r} has no facilitator, and a {channel.value} needs an organizer"
            raise NotAllowed(
                f"{why}: give it one (circles circle edit {quote(circle.name)} --facilitator EMAIL), "
                "or export with --method publish.",
                in_app=f"{why}: give it one (E on the circle: Facilitator), or export with the channel "
                "publish.",
            )
        return None
    return Organizer(name=circle.facilitator_name or circle.facilitator_email, email=circle.facilitator_email)


def _role(circle: CircleView, person_id: int) -> str:
    return "CHAIR" if person_id == circle.facilitator_id else "REQ-PARTICIPANT"


def _session_invites(
    db: Session, circle: CircleView, chosen: Sequence[SessionView], channel: Channel
) -> tuple[SessionInvite, ...]:
    """Every chosen session's invite, from a fixed number of queries (not a few per session)."""
    ids = [s.id for s in chosen]
    items = agenda.items_for(db, ids)
    rosters = attendance.rosters(db, ids) if channel.lists_attendees else {}
    return tuple(
        _session_invite(circle, s, channel, tuple(items[s.id]), rosters.get(s.id, [])) for s in chosen
    )


def session_invites(
    db: Session, circle: CircleView, chosen: Sequence[SessionView], channel: Channel
) -> tuple[SessionInvite, ...]:
    """Each session's invite as an export would write it (e-mail sends use the same list of attendees)."""
    return _session_invites(db, circle, chosen, channel)


def organizer(circle: CircleView, channel: Channel) -> Organizer | None:
    """The facilitator as ORGANIZER; NotAllowed (saying what to do) when an invite needs one and has none."""
    return _organizer(circle, channel)


def _session_invite(
    circle: CircleView,
    session: SessionView,
    channel: Channel,
    items: tuple[AgendaItemView, ...],
    roster: list[RosterEntry],
) -> SessionInvite:
    attendees: list[Attendee] = []
    if channel.lists_attendees:
        # An ATTENDEE's value is a calendar address, a URI (RFC 5545 3.3.3: mailto for e-mail),
        # with no form for a name alone: someone without an address (a guest checked in by
        # name) is left out of the invite rather than given an address nobody can reach.
        for entry in roster:
            if entry.is_member and entry.email:
                attendees.append(
                    Attendee(
                        entry.person_id, entry.name, entry.email, entry.rsvp, _role(circle, entry.person_id)
                    )
                )
        # Presenters who are not members (guest speakers) are invited too.
        invited = {a.person_id for a in attendees}
        for item in items:
            if item.presenter_id is not None and item.presenter_id not in invited and item.presenter_email:
                invited.add(item.presenter_id)
                attendees.append(
                    Attendee(item.presenter_id, item.presenter_name or "", item.presenter_email, Rsvp.NONE)
                )
    return SessionInvite(session=session, agenda=items, attendees=tuple(attendees))


def _series_attendees(db: Session, circle: CircleView) -> tuple[Attendee, ...]:
    return tuple(
        Attendee(m.person_id, m.name, m.email, m.default_rsvp, _role(circle, m.person_id))
        for m in members.list_members(db, circle.id)
        if m.email
    )


def _recipients(db: Session, circle: CircleView, at: datetime | None) -> list[tuple[int, str]]:
    found = members.list_members(db, circle.id, at=at) if at else members.list_members(db, circle.id)
    return [(m.person_id, m.name) for m in found if m.role in (Role.MEMBER, Role.FACILITATOR)]


def _for_person(invites: CircleInvites, person_id: int) -> CircleInvites:
    """A member's own copy: only they are listed as attendee."""
    mine = tuple(
        SessionInvite(i.session, i.agenda, tuple(a for a in i.attendees if a.person_id == person_id))
        for i in invites.sessions
    )
    series = tuple(a for a in invites.series_attendees if a.person_id == person_id)
    return CircleInvites(invites.circle, mine, invites.organizer, series)


def _build(invites: CircleInvites, options: Options, *, recurring: bool, calendar_name: str | None) -> bytes:
    if recurring:
        return to_bytes(series_calendar(invites, options))
    return to_bytes(session_calendar(invites, options, calendar_name=calendar_name))


def _files(
    db: Session,
    invites: CircleInvites,
    options: Options,
    *,
    base: str,
    recurring: bool,
    calendar_name: str | None,
    per_member: bool,
    at: datetime | None,
) -> tuple[IcsFile, ...]:
    events = len(invites.sessions)
    if not per_member:
        content = _build(invites, options, recurring=recurring, calendar_name=calendar_name)
        return (IcsFile(f"{base}.ics", content, events),)
    files: list[IcsFile] = []
    used: set[str] = set()
    for person_id, name in _recipients(db, invites.circle, at):
        stem = person_stem(base, name, person_id)
        unique, n = stem, 2
        while unique in used:
            unique, n = f"{stem}-{n}", n + 1
        used.add(unique)
        theirs = Options(options.channel, options.dtstamp, options.alarm_minutes, for_person_id=person_id)
        content = _build(
            _for_person(invites, person_id), theirs, recurring=recurring, calendar_name=calendar_name
        )
        files.append(IcsFile(f"{unique}.ics", content, events, person_name=name))
    if not files:
        raise NotAllowed(f"The circle {invites.circle.name!r} has no members to write files for.")
    return tuple(files)


def export_session(
    db: Session,
    session_id: int,
    *,
    channel: Channel | str = Channel.PUBLISH,
    alarm_minutes: int | None = CIRCLE_DEFAULT,
    per_member: bool = False,
) -> IcsExport:
    """One session's invite. A cancel of a session still scheduled cancels it in the store
    first, so its SEQUENCE is raised and stored before the file says so. The export is
    recorded (see :func:`_record`)."""
    channel = parse_channel(channel)
    session = sessions.get_session(db, session_id)
    circle = get_circle(db, session.circle_id)
    alarm = _alarm(circle, alarm_minutes)
    organizer = _organizer(circle, channel)
    cancelled: tuple[SessionView, ...] = ()
    if channel is Channel.CANCEL and session.status is not SessionStatus.CANCELLED:
        if session.status is SessionStatus.HELD:
            raise NotAllowed(f"The session {session.label} has been held; it cannot be cancelled.")
        session = sessions.cancel_session(db, session)
        cancelled = (session,)
    invites = CircleInvites(circle, _session_invites(db, circle, [session], channel), organizer)
    options = Options(channel, now(db), alarm)
    base = session_stem(circle.name, session.local_day)
    files = _files(
        db,
        invites,
        options,
        base=base,
        recurring=False,
        calendar_name=None,
        per_member=per_member,
        at=session.starts_at,
    )
    _record(db, invites)
    return IcsExport(files, channel, cancelled)


def upcoming_sessions(db: Session, circle_id: int) -> list[SessionView]:
    """The circle's sessions that have not ended yet, cancelled ones included."""
    current = now(db)
    found = sessions.list_sessions(db, circle_id=circle_id, start=current - timedelta(days=1))
    return [s for s in found if s.ends_at > current]


def export_circle(
    db: Session,
    circle_id: int,
    *,
    channel: Channel | str = Channel.PUBLISH,
    recurring: bool = False,
    alarm_minutes: int | None = CIRCLE_DEFAULT,
    per_member: bool = False,
) -> IcsExport:
    """A circle's upcoming sessions, one event each; or, with ``recurring``, every session
    of the circle as one series whose expansion is exactly the session list. The export is
    recorded per session (see :func:`_record`)."""
    channel = parse_channel(channel)
    circle = get_circle(db, circle_id)
    alarm = _alarm(circle, alarm_minutes)
    organizer = _organizer(circle, channel)
    base = circle_stem(circle.name, recurring=recurring)
    if recurring:
        if channel is Channel.CANCEL:
            raise NotAllowed(
                "A whole series cannot be cancelled at once: cancel its sessions and export "
                "the series again (their dates become EXDATEs), or export a session with --method cancel."
            )
        chosen = sessions.list_sessions(db, circle_id=circle_id)
        if not any(s.status is not SessionStatus.CANCELLED for s in chosen):
            raise NotAllowed(f"The circle {circle.name!r} has no sessions that are not cancelled.")
    else:
        chosen = upcoming_sessions(db, circle_id)
        if channel is Channel.CANCEL:
            chosen = [s for s in chosen if s.status is SessionStatus.CANCELLED]
            what = "cancelled upcoming sessions"
        elif channel is Channel.REQUEST:
            chosen = [s for s in chosen if s.status is not SessionStatus.CANCELLED]
            what = "upcoming sessions that are not cancelled"
        else:
            what = "upcoming sessions"
        if not chosen:
            raise NotAllowed(f"The circle {circle.name!r} has no {what} to export.")
    invites = CircleInvites(
        circle,
        _session_invites(db, circle, chosen, channel),
        organizer,
        _series_attendees(db, circle) if channel.lists_attendees else (),
    )
    options = Options(channel, now(db), alarm)
    files = _files(
        db,
        invites,
        options,
        base=base,
        recurring=recurring,
        calendar_name=circle.name,
        per_member=per_member,
        at=None,
    )
    _record(db, invites)
    return IcsExport(files, channel)


def _record(db: Session, invites: CircleInvites) -> None:
    """Remember each exported session's invite went out (see :func:`note_invites_left`).

    Only a write unit of work records (the CLI and the app export in one, as a cancel writes
    anyway); building invites in a read unit of work is a look at the file, not an export.
    """
    if not db.info.get("writes"):
        return
    note_invites_left(db, [i.session for i in invites.sessions])


def note_invites_left(db: Session, left: Sequence[SessionView]) -> None:
    """Remember these sessions' invites left the app (an .ics file, an e-mail, a shared
    calendar), with the SEQUENCE and presenter they named: a later change of presenter is then
    told to the facilitator (circles/services/upkeep.py)."""
    rows = [
        {
            "session_id": s.id,
            "sequence": s.ics_sequence,
            "presenter_id": s.presenter_id,
            "exported_at": now(db),
        }
        for s in left
    ]
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(rows), 500):  # well under either backend's limit on parameters
        stmt = insert(InviteExport).values(rows[start : start + 500])
        db.execute(
            stmt.on_conflict_do_update(
                index_elements=["session_id"],
                set_={k: stmt.excluded[k] for k in ("sequence", "presenter_id", "exported_at")},
            )
        )

"""RSVPs and check-in: who said they would come, and who came.

A member can answer once for the whole series (on their membership); an answer for
one session overrides it. People who are not members can be checked in as walk-ins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import InvalidInput, NotAllowed, NotFound
from circles.services import members, people
from circles.services.clock import now
from circles.services.sessions import get_session
from circles.services.sql import select_columns
from circles.views import Headcount, MemberView, PersonView, RosterEntry, SessionView
from circles.zones import time_zone
from models.enums import Attended, Rsvp, SessionStatus
from models.tables import Attendance, Circle, CircleSession, Membership, Person, SessionTurnout


def parse_rsvp(value: str | Rsvp) -> Rsvp:
    try:
        return Rsvp(str(value).strip().lower())
    except ValueError:
        raise InvalidInput("rsvp", value, "must be yes, maybe, no or none") from None


def parse_attended(value: str | Attended) -> Attended:
    try:
        return Attended(str(value).strip().lower())
    except ValueError:
        raise InvalidInput("attended", value, "must be present, late, excused or absent") from None


def _upsert(db: Session, *, session_id: int, person_id: int, values: dict[str, Any]) -> None:
    """Insert the (session, person) row or update it, atomically on both backends."""
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row = {"session_id": session_id, "person_id": person_id, "rsvp": Rsvp.NONE, "note": "", "walk_in": False}
    stmt = insert(Attendance).values(**(row | values))
    stmt = stmt.on_conflict_do_update(
        index_elements=["session_id", "person_id"],
        set_={**values, "version": Attendance.version + 1},
    )
    db.execute(stmt)


def _require(db: Session, session_id: int, person_id: int) -> None:
    if db.get(CircleSession, session_id) is None:
        raise NotFound(f"There is no session with id {session_id}.")
    if db.get(Person, person_id) is None:
        raise NotFound(f"There is no person with id {person_id}.")


def set_rsvp(db: Session, *, session_id: int, person_id: int, rsvp: Rsvp | str) -> None:
    """Someone's answer for a session; refused for a cancelled one, which has nothing to answer
    (a calendar's reply to the invite, read after the cancellation, said 'yes' to it)."""
    _require(db, session_id, person_id)
    session = get_session(db, session_id)
    if session.status is SessionStatus.CANCELLED:
        raise NotAllowed(f"{session.label} was cancelled: there is nothing to answer.")
    _upsert(db, session_id=session_id, person_id=person_id, values={"rsvp": parse_rsvp(rsvp)})


def set_series_rsvp(db: Session, *, circle_id: int, person_id: int, rsvp: Rsvp | str) -> None:
    """A member's answer for every session of the circle that has no answer of its own."""
    member = members.current_membership(db, circle_id=circle_id, person_id=person_id)
    if member is None:
        raise NotFound("Only a current member can RSVP for a whole series.")
    members.update_member(db, member, default_rsvp=parse_rsvp(rsvp))


def check_in(
    db: Session,
    *,
    session_id: int,
    person_id: int,
    attended: Attended | str | None,
    note: str | None = None,
) -> None:
    """Check someone in (or out, with ``attended=None``). Non-members become walk-ins. A mark
    for a session whose day has not come is refused (``too_early_to_check_in``)."""
    _require(db, session_id, person_id)
    session = get_session(db, session_id)
    if attended is not None:
        early = too_early_to_check_in(session, now(db))
        if early is not None:
            raise NotAllowed(early)
    closes = check_in_closes(session.starts_at, session.minutes, session.timezone)
    is_member = any(
        on_check_in(m, session.starts_at, closes)
        for m in members.memberships_of(db, person_id)
        if m.circle_id == session.circle_id
    )
    values: dict[str, Any] = {
        "attended": None if attended is None else parse_attended(attended),
        "recorded_at": now(db),
        "walk_in": not is_member,
    }
    if note is not None:
        values["note"] = validate.text(note, "note", max_length=500)
    _upsert(db, session_id=session_id, person_id=person_id, values=values)


def too_early_to_check_in(session: SessionView, current: datetime) -> str | None:
    """Why nobody can be marked at ``session`` at ``current`` yet, or None. Check-in opens on the
    session's day on the circle's clock: people check in a little early, and a facilitator may
    open the list that morning (``SessionView.days_from``). A mark for a later day is a slip
    (the wrong session picked, a date mistyped) that would stand as attendance at a session
    nobody has been to yet, and would count it held from its first minute (circles/held.py).
    The check-in screen and the command line both ask this."""
    if session.days_from(current) <= 0:
        return None
    return f"The session {session.label} has not started yet: attendance is recorded from its day on."


def check_in_walk_in(
    db: Session,
    *,
    session_id: int,
    name: str,
    email: str | None = None,
    team: str | None = None,
    attended: Attended = Attended.PRESENT,
) -> PersonView:
    """Check in someone at the door. With an e-mail address: whoever has it, else a new person.
    With a name alone: the one person of that name in the directory (a guest coming back),
    else a new guest; several of that name need the address to tell them apart."""
    address = people.address(email)
    if address is not None:
        try:
            person = people.find_person(db, address)
        except NotFound:
            person = people.add_person(db, name=name, email=address, team=team)
    else:
        name = people.person_name(name)
        known = people.find_by_name(db, name)
        if len(known) > 1:
            raise InvalidInput(
                "email", "", f"is needed: {len(known)} people are called {name}; it tells which one came"
            )
        person = known[0] if known else people.add_person(db, name=name, team=team, is_guest=True)
    check_in(db, session_id=session_id, person_id=person.id, attended=attended)
    return person


def on_check_in(m: MemberView, starts_at: datetime, listed_until: datetime) -> bool:
    """Whether a membership puts its person on a session's check-in list.

    The list is everyone who was a member at some time from the session's start to the
    end of its day (see ``check_in_closes``): members at the start, people who joined during
    it (the first meeting is when most people join) or later that day, while the
    facilitator catches up on the check-in. Not people who left before it started, nor
    people who joined on a later day (they came as walk-ins, if they came). Anyone marked
    is listed whatever their membership (see ``_roster``).
    """
    return m.joined_at < listed_until and (m.left_at is None or m.left_at > starts_at)


def check_in_closes(starts_at: datetime, minutes: int, timezone: str) -> datetime:
    """Joining a circle before this instant puts someone on a session's check-in list: the
    end of the session's day on the circle's clock, or the session's end if it runs later."""
    local = starts_at.astimezone(time_zone(timezone))
    next_day = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
    return max(next_day.astimezone(UTC), starts_at + timedelta(minutes=minutes))


def roster(db: Session, session_id: int) -> list[RosterEntry]:
    """Everyone on a session's check-in list (see on_check_in) plus whoever else has a record, by name."""
    get_session(db, session_id)  # a clear NotFound for an unknown id
    return rosters(db, [session_id])[session_id]


def rosters(db: Session, session_ids: Iterable[int]) -> dict[int, list[RosterEntry]]:
    """The rosters of many sessions in three queries, however many sessions (exports need hundreds)."""
    ids = list(dict.fromkeys(session_ids))
    starts = {
        sid: (circle_id, starts_at, check_in_closes(starts_at, minutes, timezone))
        for sid, circle_id, starts_at, minutes, timezone in db.exec(
            select_columns(
                CircleSession.id,
                CircleSession.circle_id,
                CircleSession.starts_at,
                CircleSession.minutes,
                Circle.timezone,
            )
            .join(Circle, col(Circle.id) == CircleSession.circle_id)
            .where(col(CircleSession.id).in_(ids))
        )
    }
    ever = {cid: members.list_members(db, cid, include_past=True) for cid in {c for c, *_ in starts.values()}}
    records: dict[int, dict[int, tuple[Attendance, Person]]] = {sid: {} for sid in starts}
    for a, p in db.exec(
        select(Attendance, Person)
        .join(Person, col(Person.id) == Attendance.person_id)
        .where(col(Attendance.session_id).in_(ids))
    ):
        records[a.session_id][a.person_id] = (a, p)
    return {
        sid: _roster(sid, [m for m in ever[circle_id] if on_check_in(m, starts_at, closes)], records[sid])
        for sid, (circle_id, starts_at, closes) in starts.items()
    }


def _roster(
    session_id: int,
    listed: list[MemberView],
    rows: dict[int, tuple[Attendance, Person]],
) -> list[RosterEntry]:
    rows = dict(rows)
    entries = []
    # Someone who left and came back has two memberships: the later one holds their answer now.
    latest = {m.person_id: m for m in sorted(listed, key=lambda m: m.joined_at)}
    for m in latest.values():
        record = rows.pop(m.person_id, None)
        a = record[0] if record else None
        rsvp = Rsvp(a.rsvp) if a and a.rsvp != Rsvp.NONE else m.default_rsvp
        entries.append(
            RosterEntry(
                session_id=session_id,
                person_id=m.person_id,
                name=m.name,
                email=m.email,
                team=m.team,
                is_member=True,
                is_guest=m.is_guest,
                rsvp=rsvp,
                attended=Attended(a.attended) if a and a.attended else None,
                recorded_at=a.recorded_at if a else None,
                note=a.note if a else "",
                walk_in=False,
            )
        )
    for a, p in rows.values():
        assert p.id is not None
        entries.append(
            RosterEntry(
                session_id=session_id,
                person_id=p.id,
                name=p.name,
                email=p.email,
                team=p.team,
                is_member=False,
                is_guest=p.is_guest,
                rsvp=Rsvp(a.rsvp),
                attended=Attended(a.attended) if a.attended else None,
                recorded_at=a.recorded_at,
                note=a.note,
                walk_in=a.walk_in,
            )
        )
    entries.sort(key=lambda e: (e.name.casefold(), e.person_id))
    return entries


def member_at_session(m: Any = Membership, s: Any = CircleSession) -> Any:
    """SQL: membership ``m`` covered session ``s`` (joined by its start, not yet left): who the
    reports expect. The check-in list is wider: people who joined later that day too (on_check_in)."""
    return sa.and_(
        m.circle_id == s.circle_id,
        m.joined_at <= s.starts_at,
        sa.or_(col(m.left_at).is_(None), col(m.left_at) > s.starts_at),
    )


def headcounts(db: Session, session_ids: Iterable[int]) -> dict[int, Headcount]:
    """RSVP and check-in counts for many sessions (two statements in all)."""
    ids = list(session_ids)
    if not ids:
        return {}
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    a, t = Attendance, SessionTurnout
    # The members each session expected (member_at_session) by effective RSVP (the roster's
    # rule) are summed up by the store itself (session_turnout, kept by triggers on every write):
    # counted here from the memberships and answers of Home's 300 sessions, they took 74 ms of
    # PostgreSQL's time on the huge demo, against a lookup of 300 rows by key now. A session
    # that expects nobody has no row.
    expected = select_columns(t.session_id, t.rsvp_yes, t.rsvp_maybe, t.rsvp_no, t.rsvp_none)
    for sid, yes, maybe, no, none in db.exec(expected.where(col(t.session_id).in_(ids))):
        counts[sid].update({Rsvp.YES: yes, Rsvp.MAYBE: maybe, Rsvp.NO: no, Rsvp.NONE: none})
    attended_rows = db.exec(
        select(a.session_id, a.attended, sa.func.count())
        .where(col(a.session_id).in_(ids), col(a.attended).is_not(None))
        .group_by(col(a.session_id), col(a.attended))
    )
    for sid, attended, n in attended_rows:
        counts[sid][str(getattr(attended, "value", attended))] = n
    return {sid: Headcount.from_counts(c) for sid, c in counts.items()}


def headcount(db: Session, session_id: int) -> Headcount:
    return headcounts(db, [session_id])[session_id]

"""Calendar invites for pairs: a mentoring pair's recurring meeting, a round's suggested meeting."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from circles import cadence as cadences
from circles.errors import NotAllowed
from circles.ics.build import to_bytes
from circles.ics.model import Attendee, Channel, Options, Organizer
from circles.ics.names import pair_stem
from circles.ics.pairs import PairInvite, pair_calendar, rrule_for
from circles.programme_views import PairDetail
from circles.services import pairs, programmes
from circles.services.clock import now
from circles.services.invites import IcsExport, IcsFile, parse_channel
from circles.zones import time_zone
from models.enums import PairStatus, Rsvp
from models.tables import ProgrammePair

ALARM_MINUTES = 15
MAX_SINGLE_EVENTS = 24
WORK_START, WORK_END = 9, 17


def _zones(db: Session, detail: PairDetail) -> list[str]:
    found = {
        p.person_id: p.timezone
        for p in programmes.list_participants(db, detail.programme.id, include_past=True)
    }
    return [found.get(p.person_id, "UTC") for p in detail.pair.people]


def suggested_start(day: date, zones: list[str], minutes: int, *, after: datetime) -> datetime:
    """A round's meeting: the first weekday from ``day``, at the first hour inside everyone's
    working hours (09:00-17:00 on each clock), noon on the first person's clock if there is
    none; and after ``after`` (the round was made), so a round confirmed in the evening is not
    invited to that morning."""
    while True:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = _working_hour(day, zones, minutes)
        if start > after:
            return start
        day += timedelta(days=1)


def _working_hour(day: date, zones: list[str], minutes: int) -> datetime:
    home = time_zone(zones[0])
    for hour in range(WORK_START, WORK_END):
        start = datetime.combine(day, time(hour), tzinfo=home)
        end = start + timedelta(minutes=minutes)
        if all(
            start.astimezone(time_zone(z)).hour >= WORK_START
            and end.astimezone(time_zone(z))
            <= start.astimezone(time_zone(z)).replace(hour=WORK_END, minute=0)
            for z in zones
        ):
            return start
    return datetime.combine(day, time(12), tzinfo=home)


def _pair_invite(db: Session, detail: PairDetail) -> PairInvite:
    pair, programme = detail.pair, detail.programme
    zones = _zones(db, detail)
    tz = zones[0]
    rule = None
    if programme.kind.has_rounds:
        # A round's one meeting comes after the round was made: the invite is the same whenever
        # it is exported (same SEQUENCE, same start), and never in the past when it is sent.
        made = db.exec(select(ProgrammePair.created_at).where(ProgrammePair.id == pair.id)).one()
        if programme.cadence:
            parsed = cadences.parse(programme.cadence)
            meetings = (cadences.local_start(d, parsed.at, tz) for d in parsed.days(pair.started_on))
            starts: tuple[datetime, ...] = (next(start for start in meetings if start > made),)
        else:
            starts = (suggested_start(pair.started_on, zones, programme.meeting_minutes, after=made),)
    else:
        if not programme.cadence:
            raise NotAllowed(
                f"The programme {programme.name!r} has no meeting cadence, so its pairs have no meetings "
                "to invite to: set one with 'circles program cadence'."
            )
        parsed = cadences.parse(programme.cadence)
        ends = [d for d in (pair.ended_on, programme.ends_on) if d is not None]
        last = min(ends) if ends else None
        days: list[date] = []
        for day in parsed.days(pair.started_on):
            if (last is not None and day > last) or len(days) >= (10_000 if last else MAX_SINGLE_EVENTS):
                break
            days.append(day)
        if not days:
            raise NotAllowed(f"Pair {pair.id} ended before its first meeting; there is nothing to invite to.")
        all_starts = [cadences.local_start(d, parsed.at, tz) for d in days]
        rule = rrule_for(parsed, all_starts[-1] if last is not None else None)
        starts = (all_starts[0],) if rule is not None else tuple(all_starts)
    lines = [f"Why you were paired: {pair.reasons}"] if pair.reasons else []
    if detail.goals:
        lines.append("Goals:\n" + "\n".join(f"- {'[x]' if g.done else '[ ]'} {g.text}" for g in detail.goals))
    if programme.cadence:
        lines.append(f"Meeting {programme.cadence}, on {detail.pair.people[0].name}'s clock ({tz}).")
    # An ATTENDEE or ORGANIZER is a calendar address (mailto): someone without an e-mail address
    # is left out, as session invites leave them out; the organizer is the first who has one.
    reachable = [p for p in pair.people if p.email]
    return PairInvite(
        uid=pair.ics_uid,
        sequence=pair.ics_sequence,
        summary=f"{programme.name}: {pair.names}",
        description="\n\n".join(lines),
        timezone=tz,
        starts=starts,
        minutes=programme.meeting_minutes,
        rule=rule,
        organizer=next((Organizer(p.name, p.email) for p in reachable if p.email), None),
        attendees=tuple(Attendee(p.person_id, p.name, p.email, Rsvp.NONE) for p in reachable if p.email),
        category=programme.kind.label,
        cancelled=pair.status is PairStatus.ENDED_EARLY and pair.ended_on == pair.started_on,
    )


def export_pair(db: Session, pair_id: int, *, channel: Channel | str = Channel.REQUEST) -> IcsExport:
    """The pair's meetings as one file: both people are ATTENDEEs of a request."""
    parsed = parse_channel(channel)
    detail = pairs.pair_detail(db, pair_id)
    invite = _pair_invite(db, detail)
    if invite.organizer is None and parsed.lists_attendees:
        raise NotAllowed(
            f"Nobody in pair {pair_id} has an e-mail address, and a {parsed.value} needs an organizer "
            "to reply to: give one of them an address, or export with --method publish."
        )
    options = Options(parsed, now(db), ALARM_MINUTES)
    content = to_bytes(pair_calendar(invite, options))
    name = pair_stem(detail.programme.name, pair_id) + ".ics"
    return IcsExport((IcsFile(name, content, len(invite.starts)),), parsed)

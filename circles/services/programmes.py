"""Programmes and their participants: create, list, join (topics, capacity, do-not-pair), leave, pause."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from circles import cadence as cadences
from circles import validate
from circles.days import day_said
from circles.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound, Problems
from circles.offer_topics import split_topics
from circles.programme_views import UNTIL_RESUMED, ParticipantView, ProgrammeSummary, ProgrammeView
from circles.services import names
from circles.services.clock import latest_today, now, today
from circles.services.sql import aggregate_date, select_columns
from circles.services.versioned import UNCHANGED, Unchanged
from models.enums import PairStatus, ParticipantRole, ProgrammeKind
from models.tables import (
    Circle,
    Membership,
    PairMember,
    Person,
    Programme,
    ProgrammeAvoid,
    ProgrammePair,
    ProgrammeParticipant,
    ProgrammeRound,
)

MAX_CAPACITY = 50
MAX_NO_REPEAT_WEEKS = 520


def parse_kind(value: str | ProgrammeKind) -> ProgrammeKind:
    try:
        return ProgrammeKind(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(
            "kind", value, f"must be one of {', '.join(k.value for k in ProgrammeKind)}"
        ) from None


def parse_role(value: str | ParticipantRole, kind: ProgrammeKind) -> ParticipantRole:
    allowed = (
        [ParticipantRole.MEMBER] if kind.has_rounds else [ParticipantRole.MENTOR, ParticipantRole.MENTEE]
    )
    try:
        role = ParticipantRole(str(value).strip().lower())
    except ValueError:
        role = None
    if role not in allowed:
        raise InvalidInput(
            "as",
            value,
            f"is not a role in a {kind.label} programme: give {' or '.join(r.value for r in allowed)}",
        )
    assert role is not None
    return role


def _view(p: Programme) -> ProgrammeView:
    assert p.id is not None
    return ProgrammeView(
        p.id,
        p.name,
        p.kind,
        p.starts_on,
        p.ends_on,
        p.cadence,
        p.meeting_minutes,
        p.group_size,
        p.allow_same_team,
        p.no_repeat_weeks,
        p.version,
        p.archived_at,
    )


def programme_name(value: str | None) -> str:
    """A programme's name as stored, or InvalidInput: the rule circles' and people's names
    follow (validate.name: composed one way, invisible characters dropped, direction controls
    refused), for the service and its forms. Checked as plain text, 'Coffee roulette' with a
    zero-width space at its end was a second programme that read as the first."""
    return validate.name(value, "name", max_length=120)


def add_programme(
    db: Session,
    *,
    name: str,
    kind: str | ProgrammeKind,
    starts_on: date | None = None,
    ends_on: date | None = None,
    cadence: str | None = None,
    meeting_minutes: int = 30,
    group_size: int | None = None,
    allow_same_team: bool = False,
    no_repeat_weeks: int | None = None,
) -> ProgrammeView:
    # Every value is checked before any is refused: the form shows each problem under its field.
    problems = Problems()
    checked_name = problems.check(lambda: programme_name(name))
    parsed = problems.check(lambda: parse_kind(kind))
    if starts_on is not None and ends_on is not None:
        problems.check(lambda: validate.date_range(starts_on, ends_on, start_field="from", end_field="to"))
    text = problems.check(lambda: cadences.parse(cadence).text if cadence and cadence.strip() else None)
    minutes = problems.check(lambda: validate.minutes(meeting_minutes, "minutes"))
    size = 2 if group_size is None else group_size
    if size not in (2, 3):
        problems.add(InvalidInput("group size", size, "must be 2 (pairs) or 3 (trios)"))
    elif size == 3 and parsed is not None and not parsed.has_rounds:
        problems.add(
            InvalidInput(
                "group size", size, "trios are for buddy and coffee programmes; mentoring is in pairs"
            )
        )
    if no_repeat_weeks is not None and not 0 <= no_repeat_weeks <= MAX_NO_REPEAT_WEEKS:
        problems.add(
            InvalidInput("no repeat weeks", no_repeat_weeks, f"must be between 0 and {MAX_NO_REPEAT_WEEKS}")
        )
    if checked_name is not None:
        taken = names.taken_by(db, Programme, checked_name)
        if taken is not None:
            problems.add(AlreadyExists(f"There is already a programme named {taken!r}.", field="name"))
    problems.raise_any()
    assert checked_name is not None and parsed is not None and minutes is not None  # (else refused)
    p = Programme(
        name=checked_name,
        kind=parsed,
        starts_on=starts_on,
        ends_on=ends_on,
        cadence=text,
        meeting_minutes=minutes,
        group_size=size,
        allow_same_team=allow_same_team,
        no_repeat_weeks=no_repeat_weeks,
    )
    db.add(p)
    db.flush()
    return _view(p)


def get_programme(db: Session, programme_id: int) -> ProgrammeView:
    return _view(_row(db, programme_id))


def _no_programme(programme_id: int) -> NotFound:
    # The app never asks for a programme by an id typed, nor shows one: a programme it cannot
    # find was open on its screen when another facilitator deleted it (delete_programme).
    return NotFound(
        f"There is no programme with id {programme_id}.",
        in_app="This programme no longer exists: someone deleted it.",
    )


def find_programme(db: Session, ref: str) -> ProgrammeView:
    """A programme by its name (any case) or its id; a name that is none is answered with the
    programme meant (circles/services/names.py)."""
    programme_id = validate.id_in(ref)
    if programme_id is None:
        programme_id = names.id_named(db, Programme, ref, what="programme", listed_by="circles program list")
    return get_programme(db, programme_id)


def list_programmes(db: Session, *, include_archived: bool = False) -> list[ProgrammeSummary]:
    """Every programme (archived ones too if asked) with its counts, in four queries whatever
    their number."""
    stmt = select(Programme).order_by(sa.func.lower(Programme.name))
    if not include_archived:
        stmt = stmt.where(col(Programme.archived_at).is_(None))
    found = [_view(p) for p in db.exec(stmt)]
    people = dict(
        db.exec(
            select(ProgrammeParticipant.programme_id, sa.func.count())
            .where(col(ProgrammeParticipant.left_at).is_(None))
            .group_by(col(ProgrammeParticipant.programme_id))
        ).all()
    )
    active = dict(
        db.exec(
            select(ProgrammePair.programme_id, sa.func.count())
            .where(ProgrammePair.status == PairStatus.ACTIVE)
            .group_by(col(ProgrammePair.programme_id))
        ).all()
    )
    rounds = {
        pid: (n, last)
        for pid, n, last in db.exec(
            select(
                ProgrammeRound.programme_id, sa.func.count(), sa.func.max(ProgrammeRound.held_on)
            ).group_by(col(ProgrammeRound.programme_id))
        ).all()
    }
    return [
        ProgrammeSummary(p, people.get(p.id, 0), active.get(p.id, 0), *rounds.get(p.id, (0, None)))
        for p in found
    ]


def require_open(db: Session, programme_id: int) -> ProgrammeView:
    """The programme, if nothing stops it matching or taking people in (it is not archived)."""
    p = get_programme(db, programme_id)
    if p.archived:
        raise NotAllowed(
            f"{p.name} is archived: its history is kept but nothing new happens in it; "
            f"'circles program unarchive {p.name}' brings it back."
        )
    return p


def _row(db: Session, programme_id: int) -> Programme:
    p = db.get(Programme, programme_id)
    if p is None:
        raise _no_programme(programme_id)
    return p


def rename(db: Session, programme_id: int, name: str) -> ProgrammeView:
    """A new name (unique in any case); pairs' invites carry it, so their SEQUENCE rises."""
    return edit(db, programme_id, name=name)


def edit(
    db: Session,
    programme_id: int,
    *,
    name: str | None = None,
    starts_on: date | Unchanged | None = UNCHANGED,
    ends_on: date | Unchanged | None = UNCHANGED,
) -> ProgrammeView:
    """Change a programme's name or dates (None: no first or last day). A first day after a
    round already made is refused: that round would fall outside the programme. Active pairs'
    invites carry the name and stop on the last day, so a new one raises their SEQUENCE, once
    however many of the two changed."""
    p = _row(db, programme_id)
    if name is not None:
        name = programme_name(name)
        taken = names.taken_by(db, Programme, name, except_id=programme_id)
        if taken is not None:
            raise AlreadyExists(f"There is already a programme named {taken!r}.", field="name")
    new_name = p.name if name is None else name
    first = p.starts_on if isinstance(starts_on, Unchanged) else starts_on
    last = p.ends_on if isinstance(ends_on, Unchanged) else ends_on
    if first is not None and last is not None:
        validate.date_range(first, last, start_field="from", end_field="to")
    if first is not None and first != p.starts_on:
        earlier = db.exec(
            select(ProgrammeRound)
            .where(ProgrammeRound.programme_id == programme_id, ProgrammeRound.held_on < first)
            .order_by(col(ProgrammeRound.held_on))
        ).first()
        if earlier is not None:
            raise InvalidInput(
                "from",
                first.isoformat(),
                f"is after round {earlier.number}, made on {day_said(earlier.held_on, today(db))}",
            )
    if (new_name, first, last) != (p.name, p.starts_on, p.ends_on):
        if (new_name, last) != (p.name, p.ends_on):
            _invites_changed(db, programme_id)
        p.name, p.starts_on, p.ends_on = new_name, first, last
        p.version += 1
        db.add(p)
        db.flush()
    return _view(p)


def archive(db: Session, programme_id: int, *, archived: bool = True) -> ProgrammeView:
    """Archive a programme (hidden from lists, nothing new matched, its history kept), or bring
    it back. Its active pairs stay as they are: ending them is a decision of its own. One that
    already is as asked is refused, as a cancelled session's cancel is: saying it was done told
    a second facilitator, or a script run twice, that something had changed."""
    p = _row(db, programme_id)
    if (p.archived_at is not None) == archived:
        raise NotAllowed(f"{p.name} is already archived." if archived else f"{p.name} is not archived.")
    p.archived_at = now(db) if archived else None
    p.version += 1
    db.add(p)
    db.flush()
    return _view(p)


def delete_programme(db: Session, programme_id: int) -> ProgrammeView:
    """Delete a programme for good: only one that never had a pair (else archive it)."""
    p = _row(db, programme_id)
    view = _view(p)
    rounds = db.exec(
        select(sa.func.count()).select_from(ProgrammeRound).where(ProgrammeRound.programme_id == programme_id)
    ).one()
    if rounds:
        raise NotAllowed(
            f"{p.name} has had pairs ({rounds} round{'s' if rounds != 1 else ''}): its history stays. "
            "Archive it instead ('circles program archive')."
        )
    # Its participants, do-not-pair lists and kept decisions go with it (ON DELETE CASCADE).
    db.delete(p)
    db.flush()
    return view


def _invites_changed(db: Session, programme_id: int) -> None:
    for pair in db.exec(
        select(ProgrammePair).where(
            ProgrammePair.programme_id == programme_id, ProgrammePair.status == PairStatus.ACTIVE
        )
    ):
        pair.ics_sequence += 1
        db.add(pair)


def summary(db: Session, programme_id: int) -> ProgrammeSummary:
    """One programme with its counts (what its screen's first line shows)."""
    p = get_programme(db, programme_id)
    # The counts in one query (each a subquery): one round trip to a server, not three.
    people = (
        select(sa.func.count())
        .select_from(ProgrammeParticipant)
        .where(ProgrammeParticipant.programme_id == programme_id, col(ProgrammeParticipant.left_at).is_(None))
        .scalar_subquery()
    )
    active = (
        select(sa.func.count())
        .select_from(ProgrammePair)
        .where(ProgrammePair.programme_id == programme_id, ProgrammePair.status == PairStatus.ACTIVE)
        .scalar_subquery()
    )
    rounds = select(sa.func.count()).where(ProgrammeRound.programme_id == programme_id).scalar_subquery()
    last = (
        select(sa.func.max(ProgrammeRound.held_on))
        .where(ProgrammeRound.programme_id == programme_id)
        .scalar_subquery()
    )
    n_people, n_active, n_rounds, held = db.exec(select(people, active, rounds, last)).one()
    return ProgrammeSummary(
        p, int(n_people), int(n_active), int(n_rounds), None if held is None else aggregate_date(held)
    )


# -- participants -----------------------------------------------------------------------------


def circle_zones(db: Session, programme_id: int | None, person_id: int | None = None) -> dict[int, str]:
    """The usual timezone of each of a programme's participants who gave none (or of the one
    ``person_id``, who the caller knows gave none, whatever programme): the one most of their
    current circles keep.
    (Asked of the programme, not of a list of ids: a programme's worth of ids, bound one by one,
    cost more to send than the answer took to find.)"""
    whose = (
        col(Membership.person_id).in_(
            select(ProgrammeParticipant.person_id).where(
                ProgrammeParticipant.programme_id == programme_id,
                col(ProgrammeParticipant.timezone).is_(None),
            )
        )
        if person_id is None
        else Membership.person_id == person_id
    )
    counts: dict[int, Counter[str]] = {}
    rows = db.exec(
        select(Membership.person_id, Circle.timezone)
        .join(Circle, col(Circle.id) == Membership.circle_id)
        .where(whose, col(Membership.left_at).is_(None))
    )
    for who, zone in rows:
        counts.setdefault(who, Counter())[zone] += 1
    # Most circles first, then the name: the same answer every time.
    return {pid: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for pid, c in counts.items()}


# A participant's row and their name, e-mail and team: plain columns, not ORM objects (a
# programme of 500 people is read each time its screen opens or it is matched).
_PARTICIPANT_COLUMNS = (
    ProgrammeParticipant.id,
    ProgrammeParticipant.programme_id,
    ProgrammeParticipant.person_id,
    ProgrammeParticipant.role,
    ProgrammeParticipant.capacity,
    ProgrammeParticipant.offers,
    ProgrammeParticipant.wants,
    ProgrammeParticipant.timezone,
    ProgrammeParticipant.since,
    ProgrammeParticipant.paused_until,
    ProgrammeParticipant.paused_reason,
    ProgrammeParticipant.answers_from,
    ProgrammeParticipant.joined_at,
    ProgrammeParticipant.left_at,
    ProgrammeParticipant.version,
    Person.name,
    Person.email,
    Person.team,
    Person.active,
)


def _participant_rows(programme_id: int) -> Select[*tuple[Any, ...]]:
    return (
        select_columns(*_PARTICIPANT_COLUMNS)
        .join(Person, col(Person.id) == ProgrammeParticipant.person_id)
        .where(ProgrammeParticipant.programme_id == programme_id)
    )


def list_participants(db: Session, programme_id: int, *, include_past: bool = False) -> list[ParticipantView]:
    get_programme(db, programme_id)
    stmt = _participant_rows(programme_id)
    if not include_past:
        stmt = stmt.where(col(ProgrammeParticipant.left_at).is_(None))
    rows = db.exec(stmt.order_by(col(Person.name_folded), col(Person.id))).all()
    return _views(db, programme_id, rows)


def _views(
    db: Session, programme_id: int | None, rows: Sequence[Any], person_id: int | None = None
) -> list[ParticipantView]:
    """The rows as read models; with ``person_id``, the rows are that person's, and what is
    gathered for them is read for that person alone, not for the whole programme (one join
    after another into a big programme re-read everybody's circles each time: the huge demo's
    thousands of joins spent minutes there). ``programme_id`` None: the person's rows in any
    programme, gathered in the same few queries as one programme's."""
    avoiding = select(ProgrammeAvoid.participant_id, Person.email)
    avoiding = avoiding.join(Person, col(Person.id) == ProgrammeAvoid.person_id)
    paired = (
        select(ProgrammePair.programme_id, PairMember.person_id, sa.func.count())
        .join(ProgrammePair, col(ProgrammePair.id) == PairMember.pair_id)
        .where(ProgrammePair.status == PairStatus.ACTIVE)
    )
    if programme_id is not None:
        avoiding = avoiding.join(
            ProgrammeParticipant, col(ProgrammeParticipant.id) == ProgrammeAvoid.participant_id
        ).where(ProgrammeParticipant.programme_id == programme_id)
        paired = paired.where(ProgrammePair.programme_id == programme_id)
    if person_id is not None:
        avoiding = avoiding.where(col(ProgrammeAvoid.participant_id).in_([row.id for row in rows]))
        paired = paired.where(PairMember.person_id == person_id)
    avoid: dict[int, list[str]] = {}
    # The do-not-pair lists (the programme's, or the one person's): few, and one query.
    for participant_id, email in db.exec(avoiding.order_by(col(Person.email))):
        # Matching finds the avoided by e-mail; one without an address cannot be matched anyway.
        if email is not None:
            avoid.setdefault(participant_id, []).append(email)
    active = {
        (programme, who): n
        for programme, who, n in db.exec(
            paired.group_by(col(ProgrammePair.programme_id), col(PairMember.person_id))
        )
    }
    zones = circle_zones(db, programme_id, person_id) if any(row.timezone is None for row in rows) else {}
    # Each row unpacked by place, in _PARTICIPANT_COLUMNS' order (a caller's extra columns after
    # them): read by name, the columns cost about a quarter of reading a 500-person programme.
    views = []
    for (
        id_, programme, who, role, capacity, offers, wants, timezone, since, paused_until,
        paused_reason, answers_from, joined_at, left_at, version, name, email, team, in_organisation, *_,
    ) in rows:  # fmt: skip
        views.append(
            ParticipantView(
                id=id_,
                programme_id=programme,
                person_id=who,
                name=name,
                email=email,
                team=team,
                role=role,
                capacity=capacity,
                offers=split_topics(offers),
                wants=split_topics(wants),
                timezone=timezone or zones.get(who, "UTC"),
                timezone_given=timezone is not None,
                since=since,
                paused_until=paused_until,
                paused_reason=paused_reason,
                answers_from=answers_from,
                joined_at=joined_at,
                left_at=left_at,
                avoid=tuple(avoid.get(id_, ())),
                active_pairs=active.get((programme, who), 0) if left_at is None else 0,
                version=version,
                in_organisation=in_organisation,
            )
        )
    return views


def _current(db: Session, programme_id: int, person_id: int) -> ProgrammeParticipant | None:
    return db.exec(
        select(ProgrammeParticipant).where(
            ProgrammeParticipant.programme_id == programme_id,
            ProgrammeParticipant.person_id == person_id,
            col(ProgrammeParticipant.left_at).is_(None),
        )
    ).first()


def get_participant(db: Session, programme_id: int, person_id: int) -> ParticipantView:
    rows = db.exec(
        _participant_rows(programme_id).where(
            ProgrammeParticipant.person_id == person_id, col(ProgrammeParticipant.left_at).is_(None)
        )
    ).all()
    if not rows:
        person = db.get(Person, person_id)
        raise NotFound(f"{person.name if person else f'Person {person_id}'} is not in this programme.")
    return _views(db, programme_id, rows, person_id)[0]


def participations_of(db: Session, person_id: int) -> list[tuple[ParticipantView, str]]:
    """The person as a participant of each programme they are in now, with the programme's
    name, by name: in a few queries however many programmes (one programme at a time, each
    asked its do-not-pair lists, pairs and time zones again)."""
    rows = db.exec(
        select_columns(*_PARTICIPANT_COLUMNS, col(Programme.name).label("programme_name"))
        .join(Person, col(Person.id) == ProgrammeParticipant.person_id)
        .join(Programme, col(Programme.id) == ProgrammeParticipant.programme_id)
        .where(ProgrammeParticipant.person_id == person_id, col(ProgrammeParticipant.left_at).is_(None))
        .order_by(col(Programme.name))
    ).all()
    views = _views(db, None, rows, person_id) if rows else []
    return [(view, row[-1]) for view, row in zip(views, rows, strict=True)]  # with its programme name


def _topics(value: str | Sequence[str] | None, field: str) -> str:
    text = value if isinstance(value, str) or value is None else ", ".join(value)
    cleaned = validate.text(text, field, max_length=1000)
    return ", ".join(split_topics(cleaned))


def join(
    db: Session,
    programme_id: int,
    person_id: int,
    *,
    role: str | ParticipantRole,
    capacity: int | None = None,
    offers: str | Sequence[str] | None = None,
    wants: str | Sequence[str] | None = None,
    timezone: str | None = None,
    since: date | None = None,
    paused_until: date | None = None,
    avoid: Sequence[int] = (),
) -> ParticipantView:
    """A person joins as mentor, mentee or member. ``avoid`` are person ids never to be paired with."""
    programme = require_open(db, programme_id)
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    parsed = parse_role(role, programme.kind)
    if capacity is not None and parsed is not ParticipantRole.MENTOR and capacity != 1:
        raise InvalidInput("capacity", capacity, "is for mentors (how many mentees at once)")
    places = 1 if capacity is None else capacity
    if not 1 <= places <= MAX_CAPACITY:
        raise InvalidInput("capacity", places, f"must be between 1 and {MAX_CAPACITY} mentees at once")
    zone = validate.timezone(timezone, "zone") if timezone and timezone.strip() else None
    if since is not None and since > latest_today(db):
        raise InvalidInput("since", since.isoformat(), "is in the future; seniority counts from a past day")
    if person_id in avoid:
        raise InvalidInput("avoid", person.email, "is the person joining; nobody is paired with themselves")
    if _current(db, programme_id, person_id) is not None:
        raise AlreadyExists(
            f"{person.name} is already in {programme.name}; 'circles program leave' first to rejoin."
        )
    for other in avoid:
        if db.get(Person, other) is None:
            raise NotFound(f"There is no person with id {other} to avoid.")
    part = ProgrammeParticipant(
        programme_id=programme_id,
        person_id=person_id,
        role=parsed,
        capacity=places,
        offers=_topics(offers, "offers"),
        wants=_topics(wants, "wants"),
        timezone=zone,
        since=since,
        paused_until=paused_until,
        joined_at=now(db),
    )
    db.add(part)
    db.flush()
    assert part.id is not None
    for other in dict.fromkeys(avoid):
        db.add(ProgrammeAvoid(participant_id=part.id, person_id=other))
    db.flush()
    return get_participant(db, programme_id, person_id)


def leave(db: Session, programme_id: int, person_id: int) -> ParticipantView:
    """They leave; their past pairs stay. Their active pairs end early ("left the programme")."""
    part = _current(db, programme_id, person_id)
    if part is None:
        person = db.get(Person, person_id)
        raise NotAllowed(f"{person.name if person else person_id} is not in this programme.")
    view = get_participant(db, programme_id, person_id)
    at = now(db)
    part.left_at = at
    part.version += 1
    db.add(part)
    active = db.exec(
        select(ProgrammePair)
        .join(PairMember, col(PairMember.pair_id) == ProgrammePair.id)
        .where(
            ProgrammePair.programme_id == programme_id,
            PairMember.person_id == person_id,
            ProgrammePair.status == PairStatus.ACTIVE,
        )
    ).all()
    for pair in active:
        pair.status = PairStatus.ENDED_EARLY
        pair.ended_on = max(at.date(), pair.started_on)
        pair.end_reason = f"{view.name} left the programme"
        pair.ics_sequence += 1
        pair.version += 1
        db.add(pair)
    db.flush()
    return view


def pause(
    db: Session, programme_id: int, person_id: int, *, until: date | None, reason: str = ""
) -> ParticipantView:
    """Pause someone until a day (``None`` resumes them now)."""
    part = _current(db, programme_id, person_id)
    if part is None:
        raise NotFound("They are not in this programme.")
    if until is None and part.paused_until is None:
        # Said, not done quietly: 'circles program resume' answered "is matched again" of
        # someone never paused, and the screen's ctrl+r did nothing without a word.
        name = get_participant(db, programme_id, person_id).name
        raise NotAllowed(
            f"{name} is not paused in {_row(db, programme_id).name}: there is nothing to resume."
        )
    if until is None and part.paused_until is not None:
        part.answers_from = today(db)  # a fresh start: earlier silent rounds are forgiven
    part.paused_until = until
    part.paused_reason = validate.text(reason, "reason", max_length=200) if until else ""
    part.version += 1
    db.add(part)
    db.flush()
    return get_participant(db, programme_id, person_id)


def pause_indefinitely(db: Session, programme_id: int, person_ids: Iterable[int], reason: str) -> None:
    for person_id in person_ids:
        pause(db, programme_id, person_id, until=UNTIL_RESUMED, reason=reason)


def set_cadence(db: Session, programme_id: int, cadence: str | None) -> ProgrammeView:
    """How often pairs meet; their invites follow it (an active pair's SEQUENCE rises)."""
    p = _row(db, programme_id)
    p.cadence = cadences.parse(cadence).text if cadence and cadence.strip() else None
    p.version += 1
    db.add(p)
    _invites_changed(db, programme_id)
    db.flush()
    return _view(p)


def meetings_planned(
    kind: ProgrammeKind, cadence: str | None, start: date, end: date, first: date | None, last: date
) -> int:
    """Meetings a programme planned for a pair of ``start`` to ``end``, on days of the period
    ``first`` (None: from the start) to ``last`` (the mentorship rule): a round suggests one, in
    the period it began; a cadence one on each of its days; no cadence, none (pairs arrange
    their own). A pair's page, its programme's report and Organisation all count with it."""
    if kind.has_rounds:
        return 1 if (first is None or start >= first) and start <= last else 0
    if not cadence:
        return 0
    count = 0
    for day in cadences.parse(cadence).days(start):
        if day > min(end, last):
            break
        if first is None or day >= first:
            count += 1
    return count

"""Matching a programme: the pool as the store has it today, proposals with reasons, and confirming them.

Seniority ("years here", for reverse mentoring) counts from the participant's ``since`` if
given, else from their first membership of any circle, else from when the person was added.
A person's timezone is the one they gave, else the one most of their circles keep, else UTC.
History counts only pairs that met: a logged meeting, or "yes" to "did you meet?".
Someone whose last three rounds all went unanswered is paused on the next confirm (a "ghost").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import matching
from circles.days import day_said, weekday_said
from circles.errors import InvalidInput, NotAllowed, NotFound
from circles.matching import Candidate, Pool, Review, Rules
from circles.programme_views import (
    ConfirmedRound,
    LeftOut,
    PairPerson,
    ParticipantView,
    ProgrammeView,
    ProposalView,
    ProposedGroup,
    SetAside,
)
from circles.services import decisions, programmes
from circles.services import pairs as pair_service
from circles.services.clock import today
from circles.services.sql import aggregate_date, in_chunks, select_columns
from circles.services.uids import ics_uid
from circles.words import count
from circles.zones import time_zone
from models.enums import PairStatus, ParticipantRole
from models.tables import (
    Away,
    Membership,
    PairMeeting,
    PairMember,
    Person,
    ProgrammePair,
    ProgrammeRound,
)

GHOST_ROUNDS = 3
GHOST_REASON = "no answer to 'did you meet?' for 3 rounds"


def _offset_hours(zone: str, day: date) -> float:
    offset = datetime.combine(day, time(12), tzinfo=time_zone(zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def _seniority_starts(db: Session, people: Sequence[ParticipantView]) -> dict[int, date]:
    ids = [p.person_id for p in people if p.since is None]
    found: dict[int, date] = {p.person_id: p.since for p in people if p.since is not None}
    for chunk in in_chunks(ids):
        for pid, first in db.exec(
            select(Membership.person_id, sa.func.min(Membership.joined_at))
            .where(col(Membership.person_id).in_(chunk))
            .group_by(col(Membership.person_id))
        ):
            found[pid] = aggregate_date(first)
        missing = [i for i in chunk if i not in found]
        if missing:
            for person_id, created in db.exec(
                select(Person.id, Person.created_at).where(col(Person.id).in_(missing))
            ):
                if person_id is not None:
                    found[person_id] = aggregate_date(created)
    return found


def history(db: Session, programme_id: int) -> dict[frozenset[int], date]:
    """Pairs of people that met in this programme, with the last day they did."""
    last_meeting = (
        select(PairMeeting.pair_id, sa.func.max(PairMeeting.held_on).label("last"))
        .group_by(col(PairMeeting.pair_id))
        .subquery()
    )
    rows = db.exec(
        select_columns(
            ProgrammePair.id,
            ProgrammePair.started_on,
            ProgrammePair.met,
            last_meeting.c.last,
            PairMember.person_id,
        )
        .join(PairMember, col(PairMember.pair_id) == ProgrammePair.id)
        .join(last_meeting, last_meeting.c.pair_id == ProgrammePair.id, isouter=True)
        .where(
            ProgrammePair.programme_id == programme_id,
            sa.or_(col(ProgrammePair.met).is_(True), last_meeting.c.last.is_not(None)),
        )
    ).all()
    members: dict[int, list[int]] = defaultdict(list)
    when: dict[int, date] = {}
    for pair_id, started, _met, last, person in rows:
        members[pair_id].append(person)
        when[pair_id] = aggregate_date(last) if last is not None else started
    met: dict[frozenset[int], date] = {}
    for pair_id, people in members.items():
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                key = frozenset((a, b))
                met[key] = max(met.get(key, when[pair_id]), when[pair_id])
    return met


def _ghosts(db: Session, programme_id: int, people: dict[int, ParticipantView], on: date) -> set[int]:
    """Who left the last three rounds they were in unanswered (no "did you meet?", no meeting);
    rounds before someone resumed from such a pause do not count again, nor a round made on
    ``on`` or after it: its pairs have not had a day to meet."""
    rows = db.exec(
        select_columns(
            PairMember.person_id,
            ProgrammeRound.number,
            ProgrammeRound.held_on,
            ProgrammePair.met,
            sa.func.count(col(PairMeeting.id)),
        )
        .join(ProgrammePair, col(ProgrammePair.id) == PairMember.pair_id)
        .join(ProgrammeRound, col(ProgrammeRound.id) == ProgrammePair.round_id)
        .join(PairMeeting, col(PairMeeting.pair_id) == ProgrammePair.id, isouter=True)
        .where(ProgrammePair.programme_id == programme_id, col(ProgrammeRound.held_on) < on)
        .group_by(
            col(PairMember.person_id),
            col(ProgrammeRound.number),
            col(ProgrammeRound.held_on),
            col(ProgrammePair.met),
        )
    ).all()
    answers: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for person, number, held_on, met, meetings in rows:
        who = people.get(person)
        if who is not None and (who.answers_from is None or held_on >= who.answers_from):
            answers[person].append((number, met is not None or meetings > 0))
    ghosts = set()
    for person, found in answers.items():
        latest = sorted(found, reverse=True)[:GHOST_ROUNDS]
        if len(latest) == GHOST_ROUNDS and not any(answered for _, answered in latest):
            ghosts.add(person)
    return ghosts


def _waited(
    db: Session, programme: ProgrammeView, people: Sequence[ParticipantView], on: date
) -> dict[int, int]:
    """Days since each person's last pair here ended (began, for rounds), else since they joined."""
    column = (
        ProgrammePair.started_on
        if programme.kind.has_rounds
        else sa.func.coalesce(ProgrammePair.ended_on, ProgrammePair.started_on)
    )
    last = dict(
        db.exec(
            select(PairMember.person_id, sa.func.max(column))
            .join(ProgrammePair, col(ProgrammePair.id) == PairMember.pair_id)
            .where(ProgrammePair.programme_id == programme.id)
            .group_by(col(PairMember.person_id))
        ).all()
    )
    return {
        p.person_id: max(
            0, (on - (aggregate_date(last[p.person_id]) if p.person_id in last else p.joined_at.date())).days
        )
        for p in people
    }


def _away(db: Session, people: Sequence[ParticipantView], on: date) -> dict[int, date]:
    rows = db.exec(
        select(Away.person_id, sa.func.max(Away.ends_on))
        .where(col(Away.starts_on) <= on, col(Away.ends_on) >= on)
        .group_by(col(Away.person_id))
    ).all()
    wanted = {p.person_id for p in people}
    return {pid: until for pid, until in rows if pid in wanted}


def build_pool(
    db: Session, programme: ProgrammeView, *, on: date, seed: int, review: Review | None = None
) -> tuple[Pool, dict[int, ParticipantView], set[int]]:
    """The pool of a matching run as the store has it; also who would be paused as a ghost."""
    people = programmes.list_participants(db, programme.id)
    by_person = {p.person_id: p for p in people}
    ghosts = _ghosts(db, programme.id, by_person, on) if programme.kind.has_rounds else set()
    ghosts = {g for g in ghosts if not by_person[g].paused_on(on)}
    away = _away(db, people, on)
    starts = _seniority_starts(db, people)
    waited = _waited(db, programme, people, on)
    this_day = today(db)
    candidates = []
    for p in people:
        unavailable = None
        if not p.in_organisation:
            unavailable = "marked inactive in the directory"
        elif p.paused_on(on):
            unavailable = p.pause_text(this_day)
        elif p.person_id in ghosts:
            # Not paused yet: confirm pauses them, so the proposal says what will happen.
            unavailable = f"will be paused at confirm: {GHOST_REASON}"
        elif p.person_id in away:
            unavailable = f"away until {day_said(away[p.person_id], this_day)}"
        capacity = 1
        if not programme.kind.has_rounds:
            if p.role is ParticipantRole.MENTEE and p.active_pairs:
                continue  # one active mentoring pair per mentee: already paired
            if p.role is ParticipantRole.MENTOR:
                capacity = p.capacity - p.active_pairs
                if capacity <= 0:
                    continue  # full: not left out, just busy
        candidates.append(
            Candidate(
                id=p.person_id,
                name=p.name,
                role=p.role,
                team=p.team,
                capacity=capacity,
                offers=p.offers,
                wants=p.wants,
                utc_offset=_offset_hours(p.timezone, on),
                years=max(0.0, (on - starts.get(p.person_id, on)).days / 365.25),
                waited_days=waited.get(p.person_id, 0),
                avoid=frozenset(_ids_of(db, p.avoid)),
                unavailable=unavailable,
            )
        )
    rules = Rules(
        programme.kind,
        group_size=programme.group_size,
        allow_same_team=programme.allow_same_team,
        no_repeat_days=None if programme.no_repeat_weeks is None else programme.no_repeat_weeks * 7,
    )
    # A pair that ended early is not proposed again: someone decided it did not work.
    given = review or Review()
    review = Review(given.locked, given.rejected | _ended_early(db, programme.id))
    pool = Pool(
        tuple(candidates),
        rules,
        on,
        met=history(db, programme.id),
        review=review,
        seed=seed,
        schedule_key=programme.id,
    )
    return pool, by_person, ghosts


def _decided(db: Session, programme_id: int, review: Review | None) -> Review:
    """The kept locks and rejections, with any the caller adds (a lock given again moves last)."""
    kept = decisions.stored(db, programme_id)
    extra = review or Review()
    locked = [g for g in kept.locked if g not in extra.locked] + list(extra.locked)
    return Review(tuple(locked), kept.rejected | extra.rejected)


def _holding(pool: Pool) -> tuple[Pool, list[tuple[tuple[int, ...], str]]]:
    """The pool with only the locks that still hold; the others with why they do not (someone
    left or is paused, a rule broken, someone locked twice, a mentor locked beyond capacity)."""
    if not pool.review.locked:
        return pool, []
    kept: list[tuple[int, ...]] = []
    aside: list[tuple[tuple[int, ...], str]] = []
    taken: set[int] = set()
    load: dict[int, int] = defaultdict(int)
    by_id = {c.id: c for c in pool.people}
    scorer = matching.Scorer(pool)
    for group in pool.review.locked:
        why = matching.check_group(pool, group, scorer)
        mentoring = not pool.rules.kind.has_rounds
        placed = group[1:] if mentoring else group
        if why is None and taken & set(placed):
            why = "someone in it is locked in another group"
        if why is None and mentoring and load[group[0]] >= by_id[group[0]].capacity:
            why = f"{by_id[group[0]].name} has no free place left"
        if why is None:
            kept.append(group)
            taken.update(placed)
            if mentoring:
                load[group[0]] += 1
        else:
            aside.append((group, why))
    holding = Pool(
        pool.people,
        pool.rules,
        pool.on,
        met=pool.met,
        review=Review(tuple(kept), pool.review.rejected),
        seed=pool.seed,
        schedule_key=pool.schedule_key,
    )
    return holding, aside


def _ended_early(db: Session, programme_id: int) -> frozenset[frozenset[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    for pair_id, person in db.exec(
        select(PairMember.pair_id, PairMember.person_id)
        .join(ProgrammePair, col(ProgrammePair.id) == PairMember.pair_id)
        .where(ProgrammePair.programme_id == programme_id, ProgrammePair.status == PairStatus.ENDED_EARLY)
    ):
        members[pair_id].append(person)
    return frozenset(
        frozenset((a, b))
        for people in members.values()
        for i, a in enumerate(people)
        for b in people[i + 1 :]
    )


def _ids_of(db: Session, emails: Sequence[str]) -> list[int]:
    if not emails:
        return []
    found = db.exec(select(Person.id).where(col(Person.email).in_(list(emails)))).all()
    return [i for i in found if i is not None]


def _person(p: ParticipantView) -> PairPerson:
    return PairPerson(p.person_id, p.name, p.email, p.role)


def _on(db: Session, programme: ProgrammeView, on: date | None) -> date:
    """The day a round is matched for: ``on``, else today; before the programme has begun,
    its first day (a facilitator matches the week before the start, to send the invites)."""
    this_day = today(db)
    day = on or (max(this_day, programme.starts_on) if programme.starts_on else this_day)
    if programme.starts_on and day < programme.starts_on:
        starts = day_said(programme.starts_on, this_day)
        raise InvalidInput("on", day.isoformat(), f"is before the programme starts ({starts})")
    if programme.ends_on and day > programme.ends_on:
        ended = day_said(programme.ends_on, this_day)
        if on is None:
            raise NotAllowed(f"{programme.name} ended on {ended}: nothing new is matched in it.")
        raise InvalidInput("on", day.isoformat(), f"is after the programme ended ({ended})")
    return day


def propose(
    db: Session, programme_id: int, *, seed: int = 0, on: date | None = None, review: Review | None = None
) -> ProposalView:
    """What matching would pair now, around the kept locks and rejections (and any in
    ``review``); changes nothing."""
    programme = programmes.require_open(db, programme_id)
    day = _on(db, programme, on)
    decided = _decided(db, programme_id, review)
    pool, by_person, ghosts = build_pool(db, programme, on=day, seed=seed, review=decided)
    pool, aside = _holding(pool)
    result = matching.match(pool)
    groups = [
        ProposedGroup(tuple(_person(by_person[m]) for m in g.members), g.text, g.score, g.locked)
        for g in result.groups
    ]
    # A mentor who has mentees already is busy, not left out.
    left = [
        LeftOut(_person(by_person[u.person_id]), u.reason)
        for u in result.unmatched
        if not (by_person[u.person_id].role is ParticipantRole.MENTOR and by_person[u.person_id].active_pairs)
    ]
    left.sort(key=lambda u: (u.person.name.casefold(), u.person.person_id))
    named = decisions.people(
        db,
        programme_id,
        sorted({m for pair in decided.rejected for m in pair} | {m for g, _ in aside for m in g}),
    )
    rejected = [
        (named[a], named[b])
        for a, b in sorted(tuple(sorted(pair)) for pair in decided.rejected if len(pair) == 2)
        if a in named and b in named
    ]
    rejected.sort(key=lambda ab: (ab[0].name.casefold(), ab[1].name.casefold()))
    set_aside = [SetAside(tuple(named[m] for m in g if m in named), why) for g, why in aside]
    return ProposalView(
        programme,
        day,
        seed,
        groups,
        left,
        [_person(by_person[g]) for g in sorted(ghosts)],
        rejected=rejected,
        set_aside=set_aside,
    )


def check_group(
    db: Session,
    programme_id: int,
    members: Sequence[int],
    *,
    on: date | None = None,
    review: Review | None = None,
) -> None:
    """Refuses a group put together by hand (a swap, a lock) that breaks a hard rule, naming it."""
    programme = programmes.require_open(db, programme_id)
    if len(set(members)) != len(members):
        # Not the ids: they are nobody's words (the command line took addresses, the app names).
        raise InvalidInput("pair", "", "names the same person twice; nobody is paired with themselves")
    decided = _decided(db, programme_id, review)
    pool, _, _ = build_pool(db, programme, on=_on(db, programme, on), seed=0, review=decided)
    why = matching.check_group(pool, members)
    if why is not None:
        raise NotAllowed(f"That pair breaks a rule: {why}.")


# -- the facilitator's decisions: locks and rejections, kept until confirmed (or taken back) -----


def lock(db: Session, programme_id: int, members: Sequence[int], *, on: date | None = None) -> None:
    """Keep this group in every proposal until the next confirm makes it a pair."""
    members = tuple(members)
    if not 2 <= len(members) <= 3:
        has = count(len(members), "person", "people")
        raise InvalidInput("pair", "", f"has {has}; a lock names two (or three, for a trio)")
    if any(pair <= frozenset(members) for pair in decisions.stored(db, programme_id).rejected):
        raise NotAllowed(
            "That pair was rejected: take the rejection back first ('circles program unreject')."
        )
    check_group(db, programme_id, members, on=on)
    decisions.add_lock(db, programme_id, members)


def unlock(db: Session, programme_id: int, members: Sequence[int]) -> None:
    if not decisions.remove_lock(db, programme_id, members):
        raise NotFound("No locked proposal holds them in this programme.")


def reject(db: Session, programme_id: int, a: int, b: int) -> None:
    """Never propose these two together in this programme again (until taken back)."""
    programmes.require_open(db, programme_id)
    if a == b:
        raise InvalidInput("pair", "", "names the same person twice; nobody is paired with themselves")
    decisions.add_rejection(db, programme_id, a, b)


def unreject(db: Session, programme_id: int, a: int, b: int) -> None:
    if not decisions.remove_rejection(db, programme_id, a, b):
        raise NotFound("Those two were not rejected in this programme.")


def swap(
    db: Session, programme_id: int, first: Sequence[int], second: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two proposals trade partners: the first person of each (the mentor) keeps their place.
    Both new groups are locked (their old locks go); a swap that breaks a rule changes nothing."""
    one = (first[0], *second[1:])
    two = (second[0], *first[1:])
    for group in (first, second):
        decisions.remove_lock(db, programme_id, group)
    check_group(db, programme_id, one)
    check_group(db, programme_id, two)
    decisions.add_lock(db, programme_id, one)
    decisions.add_lock(db, programme_id, two)
    return one, two


def _last_round(db: Session, programme_id: int) -> tuple[int, date] | None:
    """The programme's latest round: its number and its day."""
    return db.exec(
        select_columns(ProgrammeRound.number, ProgrammeRound.held_on)
        .where(ProgrammeRound.programme_id == programme_id)
        .order_by(col(ProgrammeRound.number).desc())
        .limit(1)
    ).first()


def _refuse_a_second_round_that_day(
    programme: ProgrammeView, last: tuple[int, date] | None, day: date, this_day: date
) -> None:
    """A new round closes the one before it: made the same day, it would end pairs that never had
    a day to meet, count them as unanswered and pair people again at once (two facilitators, or
    one screen still showing the proposals another had just confirmed)."""
    if last is not None and last[1] >= day:
        number, held_on = last
        next_day = held_on + timedelta(days=1)
        raise NotAllowed(
            f"Round {number} of {programme.name} was made on {weekday_said(held_on, this_day)}: a new round "
            "would end its pairs before they could meet. The next round can be made from "
            f"{weekday_said(next_day, this_day)}."
        )


def _paused_now(left: LeftOut, ghost_ids: set[int]) -> LeftOut:
    """After confirm a ghost's "will be paused" has happened: say so."""
    if left.person.person_id not in ghost_ids:
        return left
    return LeftOut(left.person, f"paused: {GHOST_REASON}")


def confirm(
    db: Session,
    programme_id: int,
    *,
    seed: int = 0,
    on: date | None = None,
    review: Review | None = None,
    expected: Sequence[Sequence[int]] | None = None,
) -> ConfirmedRound:
    """Exactly what ``propose`` with the same seed shows becomes pairs (a round for buddy and
    coffee programmes), in the caller's unit of work: all of it is written or none.

    ``expected`` is the proposal the facilitator looked at: if the store changed since (someone
    joined, left or was paused), nothing is written and they are asked to look again.
    """
    proposal = propose(db, programme_id, seed=seed, on=on, review=review)
    if expected is not None and [tuple(g) for g in expected] != proposal.signature:
        raise NotAllowed(
            "The programme changed since these proposals were made (someone joined, left or was paused); "
            "nothing was confirmed: match again and look at the new proposals."
        )
    programme = proposal.programme
    last = _last_round(db, programme.id)
    if programme.kind.has_rounds:
        _refuse_a_second_round_that_day(programme, last, proposal.on, today(db))
    if not proposal.groups:
        raise NotAllowed(f"Nothing to confirm in {programme.name}: nobody could be paired (see the reasons).")
    ghost_ids = {g.person_id for g in proposal.ghosts}
    if proposal.ghosts:
        programmes.pause_indefinitely(db, programme.id, [g.person_id for g in proposal.ghosts], GHOST_REASON)
    decisions.clear_locks(db, programme.id)  # the locked groups become pairs now
    completed = 0
    if programme.kind.has_rounds:
        # A new round closes the one before it.
        for pair in db.exec(
            select(ProgrammePair).where(
                ProgrammePair.programme_id == programme.id, ProgrammePair.status == PairStatus.ACTIVE
            )
        ).all():
            pair.status = PairStatus.COMPLETED
            pair.ended_on = max(proposal.on, pair.started_on)
            pair.version += 1
            db.add(pair)
            completed += 1
    number = (last[0] if last is not None else 0) + 1
    rnd = ProgrammeRound(programme_id=programme.id, number=number, held_on=proposal.on, seed=seed)
    db.add(rnd)
    db.flush()
    assert rnd.id is not None
    made = []
    for g in proposal.groups:
        pair = ProgrammePair(
            programme_id=programme.id,
            round_id=rnd.id,
            started_on=proposal.on,
            reasons=g.reasons[:500],
            ics_uid=ics_uid(db, "pair"),
        )
        db.add(pair)
        db.flush()
        assert pair.id is not None
        for position, person in enumerate(g.people):
            db.add(
                PairMember(pair_id=pair.id, person_id=person.person_id, role=person.role, position=position)
            )
        made.append(pair.id)
    db.flush()
    return ConfirmedRound(
        round=pair_service.get_round(db, rnd.id),
        pairs=pair_service.pairs_by_id(db, made),
        unmatched=[_paused_now(u, ghost_ids) for u in proposal.unmatched],
        ghosts=proposal.ghosts,
        completed=completed,
    )

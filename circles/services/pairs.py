"""Pairs once confirmed: lists, meetings and goals, "did you meet?", ending them, the report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate, words
from circles.days import day_said
from circles.errors import InvalidInput, NotAllowed, NotFound, Problems
from circles.programme_views import (
    GoalView,
    MeetingView,
    PairDetail,
    PairPerson,
    PairView,
    ProgrammeReport,
    ProgrammeView,
    RoundView,
)
from circles.services import programmes
from circles.services.clock import latest_today, today
from circles.services.sql import aggregate_date, ids, select_columns
from models.enums import PairStatus, ProgrammeKind
from models.tables import (
    PairGoal,
    PairMeeting,
    PairMember,
    Person,
    Programme,
    ProgrammePair,
    ProgrammeRound,
)

MAX_GOALS = 50


def _pairs(
    db: Session, where: Callable[[], Sequence[sa.ColumnElement[bool]]], *, limit: int | None = None
) -> list[PairView]:
    """The pairs ``where()`` chooses. Each statement gets conditions of its own, built afresh:
    SQLAlchemy, compiling an ORM statement, marks the selects inside it, which changes the key
    it caches the next statement holding the same select under. Shared, a person's pairs' people
    and meetings were compiled again at every other open of a person, and at the first after
    the app had read another person's (screens/preload.py)."""
    order = (col(ProgrammePair.started_on).desc(), col(ProgrammePair.id))
    stmt = (
        select(ProgrammePair, Programme.name, ProgrammeRound.number, Programme.kind)
        .join(Programme, col(Programme.id) == ProgrammePair.programme_id)
        .join(ProgrammeRound, col(ProgrammeRound.id) == ProgrammePair.round_id)
        .where(*where())
        .order_by(*order)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = db.exec(stmt).all()

    def chosen() -> sa.Subquery:
        # The pairs' people and meetings are asked by the pairs' own condition, not by a list
        # of their ids: a programme's hundreds of ids, bound one by one, cost more to send (and
        # on PostgreSQL to plan) than the answer took to find.
        ids_chosen = select(ProgrammePair.id).where(*where())
        if limit is not None:
            ids_chosen = ids_chosen.order_by(*order).limit(limit)
        return ids_chosen.subquery()

    people: dict[int, list[PairPerson]] = defaultdict(list)
    meetings: dict[int, tuple[int, date | None]] = {}
    mine = chosen()
    for pair_id, pid, name, email, role in db.exec(
        select_columns(PairMember.pair_id, ids(Person.id), Person.name, Person.email, PairMember.role)
        .join(Person, col(Person.id) == PairMember.person_id)
        .join(mine, mine.c.id == PairMember.pair_id)
        .order_by(col(PairMember.pair_id), col(PairMember.position))
    ):
        people[pair_id].append(PairPerson(pid, name, email, role))
    mine = chosen()
    for pair_id, count, last in db.exec(
        select(PairMeeting.pair_id, sa.func.count(), sa.func.max(PairMeeting.held_on))
        .join(mine, mine.c.id == PairMeeting.pair_id)
        .group_by(col(PairMeeting.pair_id))
    ):
        meetings[pair_id] = (count, None if last is None else aggregate_date(last))
    out: list[PairView] = []
    for p, programme_name, number, kind in rows:
        assert p.id is not None
        count, latest = meetings.get(p.id, (0, None))
        out.append(
            PairView(
                p.id,
                p.programme_id,
                programme_name,
                number,
                p.status,
                p.started_on,
                p.ended_on,
                p.end_reason,
                p.reasons,
                p.met,
                tuple(people[p.id]),
                count,
                latest,
                p.ics_uid,
                p.ics_sequence,
                p.version,
                ProgrammeKind(kind),
            )
        )
    return out


def list_pairs(db: Session, programme_id: int, *, include_ended: bool = False) -> list[PairView]:
    programmes.get_programme(db, programme_id)
    where = [col(ProgrammePair.programme_id) == programme_id]
    if not include_ended:
        where.append(col(ProgrammePair.status) == PairStatus.ACTIVE)
    return _pairs(db, lambda: where)


def pairs_by_id(db: Session, ids: Sequence[int]) -> list[PairView]:
    found = {p.id: p for p in _pairs(db, lambda: [col(ProgrammePair.id).in_(list(ids) or [0])])}
    return [found[i] for i in ids if i in found]


def pairs_of_person(db: Session, person_id: int, *, limit: int = 50) -> list[PairView]:
    """A person's pairs in every programme, newest first (the person screen)."""

    def theirs() -> list[sa.ColumnElement[bool]]:
        mine = select(PairMember.pair_id).where(PairMember.person_id == person_id)
        return [col(ProgrammePair.id).in_(mine)]

    return _pairs(db, theirs, limit=limit)


def get_pair(db: Session, pair_id: int) -> PairView:
    found = pairs_by_id(db, [pair_id])
    if not found:
        raise NotFound(
            f"There is no pair with id {pair_id}; 'circles program pairs PROGRAM --all' lists them."
        )
    return found[0]


def planned_meetings(programme: ProgrammeView, pair: PairView, today: date) -> int:
    """Meetings the programme's cadence planned for the pair from its start to its end (or
    ``today``: the latest day begun on Earth, clock.latest_today, as Organisation's totals plan
    to, so that a pair's page, its row and the totals agree whatever the hour)."""
    end = min(d for d in (pair.ended_on, today, programme.ends_on) if d is not None)
    return programmes.meetings_planned(programme.kind, programme.cadence, pair.started_on, end, None, today)


def pair_detail(db: Session, pair_id: int) -> PairDetail:
    pair = get_pair(db, pair_id)
    programme = programmes.get_programme(db, pair.programme_id)
    goals = [
        GoalView(*row)
        for row in db.exec(
            select_columns(
                ids(PairGoal.id),
                PairGoal.pair_id,
                PairGoal.position,
                PairGoal.text,
                PairGoal.done,
                PairGoal.done_on,
            )
            .where(col(PairGoal.pair_id) == pair_id)
            .order_by(col(PairGoal.position))
        )
    ]
    meetings = [
        MeetingView(*row)
        for row in db.exec(
            select_columns(
                ids(PairMeeting.id),
                PairMeeting.pair_id,
                PairMeeting.held_on,
                PairMeeting.minutes,
                PairMeeting.note,
            )
            .where(col(PairMeeting.pair_id) == pair_id)
            .order_by(col(PairMeeting.held_on).desc(), col(PairMeeting.id).desc())
        )
    ]
    return PairDetail(pair, programme, goals, meetings, planned_meetings(programme, pair, latest_today(db)))


def _row(db: Session, pair_id: int) -> ProgrammePair:
    row = db.get(ProgrammePair, pair_id)
    if row is None:
        raise NotFound(
            f"There is no pair with id {pair_id}; 'circles program pairs PROGRAM --all' lists them."
        )
    return row


def log_meeting(
    db: Session, pair_id: int, *, held_on: date, minutes: int | None = None, note: str = ""
) -> MeetingView:
    """A meeting the pair held. It counts as their having met (history, "did you meet?").
    Every value refused is said at once (a day in the future and minutes out of range)."""
    pair = _row(db, pair_id)
    problems = Problems()
    if held_on < pair.started_on:
        problems.add(
            InvalidInput(
                "on",
                held_on.isoformat(),
                f"is before the pair began ({day_said(pair.started_on, today(db))})",
            )
        )
    elif pair.ended_on is not None and held_on > pair.ended_on:
        # Taken without a word, it counted held against nothing planned (plans end with the pair).
        problems.add(
            InvalidInput("on", held_on.isoformat(), f"is after the pair ended ({pair.ended_on:%d %b %Y})")
        )
    elif held_on > latest_today(db):
        problems.add(
            InvalidInput("on", held_on.isoformat(), "is in the future; log a meeting once it has happened")
        )
    if minutes is not None:
        minutes = problems.check(lambda: validate.minutes(minutes, "minutes"))
    text = problems.check(lambda: validate.text(note, "note", max_length=2000, multiline=True))
    problems.raise_any()
    assert text is not None  # (else refused)
    meeting = PairMeeting(pair_id=pair_id, held_on=held_on, minutes=minutes, note=text)
    db.add(meeting)
    if pair.met is not True:
        pair.met = True
        pair.version += 1
        db.add(pair)
    db.flush()
    assert meeting.id is not None
    return MeetingView(meeting.id, pair_id, held_on, minutes, text)


def answer(db: Session, pair_id: int, *, met: bool) -> PairView:
    """The answer to "did you meet?" for a pair (a round's pair, or any pair)."""
    pair = _row(db, pair_id)
    has_meetings = db.exec(select(sa.func.count()).where(PairMeeting.pair_id == pair_id)).one()
    if not met and has_meetings:
        raise NotAllowed(
            f"Pair {pair_id} has {words.count(has_meetings, 'meeting')} logged, so they did meet."
        )
    pair.met = met
    pair.version += 1
    db.add(pair)
    db.flush()
    return get_pair(db, pair_id)


def end_pair(
    db: Session, pair_id: int, *, completed: bool, reason: str = "", on: date | None = None
) -> PairView:
    """The pair is done: completed, or ended early with a reason. Its invite's SEQUENCE rises."""
    pair = _row(db, pair_id)
    if pair.status is not PairStatus.ACTIVE:
        ended = (
            f"{pair.status.label} on {day_said(pair.ended_on, today(db))}"
            if pair.ended_on
            else pair.status.label
        )
        raise NotAllowed(f"Pair {pair_id} already ended ({ended}).")
    text = validate.text(reason, "reason", max_length=300)
    if not completed and not text:
        raise InvalidInput("reason", reason, "is required when a pair ends early; say why")
    day = on or today(db)
    if day < pair.started_on:
        began = day_said(pair.started_on, today(db))
        raise InvalidInput("on", day.isoformat(), f"is before the pair began ({began})")
    pair.status = PairStatus.COMPLETED if completed else PairStatus.ENDED_EARLY
    pair.ended_on = day
    pair.end_reason = text
    pair.ics_sequence += 1
    pair.version += 1
    db.add(pair)
    db.flush()
    return get_pair(db, pair_id)


def add_goal(db: Session, pair_id: int, text: str) -> GoalView:
    _row(db, pair_id)
    cleaned = validate.text(text, "goal", max_length=300, required=True)
    count = db.exec(select(sa.func.count()).where(PairGoal.pair_id == pair_id)).one()
    if count >= MAX_GOALS:
        raise NotAllowed(f"Pair {pair_id} has {count} goals already; mark some done or keep them shorter.")
    goal = PairGoal(pair_id=pair_id, position=count + 1, text=cleaned)
    db.add(goal)
    db.flush()
    assert goal.id is not None
    return GoalView(goal.id, pair_id, goal.position, cleaned, False, None)


def set_goal_done(db: Session, goal_id: int, *, done: bool) -> GoalView:
    goal = db.get(PairGoal, goal_id)
    if goal is None:
        raise NotFound(f"There is no goal with id {goal_id}.")
    goal.done = done
    goal.done_on = today(db) if done else None
    db.add(goal)
    db.flush()
    assert goal.id is not None
    return GoalView(goal.id, goal.pair_id, goal.position, goal.text, goal.done, goal.done_on)


# -- rounds and the report --------------------------------------------------------------------


def _rounds(db: Session, where: Sequence[sa.ColumnElement[bool]]) -> list[RoundView]:
    met = sa.func.sum(sa.case((col(ProgrammePair.met).is_(True), 1), else_=0))
    not_met = sa.func.sum(sa.case((col(ProgrammePair.met).is_(False), 1), else_=0))
    no_answer = sa.func.sum(sa.case((col(ProgrammePair.met).is_(None), 1), else_=0))
    rows = db.exec(
        select_columns(ProgrammeRound, sa.func.count(col(ProgrammePair.id)), met, not_met, no_answer)
        .join(ProgrammePair, col(ProgrammePair.round_id) == ProgrammeRound.id, isouter=True)
        .where(*where)
        .group_by(col(ProgrammeRound.id))
        .order_by(col(ProgrammeRound.number).desc())
    ).all()
    return [
        RoundView(r.id, r.programme_id, r.number, r.held_on, r.seed, n, y or 0, no or 0, none or 0)
        for r, n, y, no, none in rows
    ]


def list_rounds(db: Session, programme_id: int) -> list[RoundView]:
    programmes.get_programme(db, programme_id)
    return _rounds(db, [col(ProgrammeRound.programme_id) == programme_id])


def get_round(db: Session, round_id: int) -> RoundView:
    found = _rounds(db, [col(ProgrammeRound.id) == round_id])
    if not found:
        raise NotFound(f"There is no round with id {round_id}.")
    return found[0]


def report(db: Session, programme_id: int) -> ProgrammeReport:
    """Pairs, meetings held against planned, completion; the counts in SQL. Its meetings are
    Organisation's over all time (success.mentoring), so the two say the same: it counted every
    meeting logged, a round pair's "yes, we met" not at all (a coffee programme read "0 of 290"
    where Organisation read 149)."""
    from circles.services import success  # (its statements load the reports' modules)
    from circles.services.participation import Scope

    programme = programmes.get_programme(db, programme_id)
    every = list_pairs(db, programme_id, include_ended=True)
    status = dict(
        db.exec(
            select(ProgrammePair.status, sa.func.count())
            .where(ProgrammePair.programme_id == programme_id)
            .group_by(col(ProgrammePair.status))
        ).all()
    )
    (meetings,) = success.mentoring(db, Scope(), programme_id=programme_id).programmes
    rounds = list_rounds(db, programme_id)
    day = latest_today(db)
    rows = [(p, planned_meetings(programme, p, day)) for p in every]
    return ProgrammeReport(
        programme=programme,
        pairs=len(every),
        active=status.get(PairStatus.ACTIVE, 0),
        completed=status.get(PairStatus.COMPLETED, 0),
        ended_early=status.get(PairStatus.ENDED_EARLY, 0),
        meetings_held=meetings.meetings_held,
        meetings_planned=meetings.meetings_planned,
        meetings_met=meetings.meetings_met,
        rounds=len(rounds),
        answered_met=sum(r.met for r in rounds),
        answered_not_met=sum(r.not_met for r in rounds),
        no_answer=sum(r.no_answer for r in rounds),
        rows=rows,
    )

"""Demo mentorship programmes: one of each kind, with history (rounds, meetings, answers, pairs that
ended), written through the services inside the demo's own unit of work."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, col, select

from circles.demo_names import TOPICS
from circles.services import pairing, pairs, programmes
from circles.services.clock import now
from models.tables import Person


def add_programmes(db: Session, *, counts: tuple[int, int, int, int, int, int], seed: int) -> int:
    """Adds the demo programmes; returns how many pairs they hold. ``counts``: how many mentors,
    mentees, reverse mentors, reverse mentees, buddies and coffee drinkers (demo.SIZES)."""
    rng = random.Random(seed * 7919 + 1)
    today = now(db).date()
    people = [
        i
        for i in db.exec(select(Person.id).where(Person.is_guest == False).order_by(col(Person.id)))  # noqa: E712
        if i is not None
    ]
    rng.shuffle(people)
    n_mentors, n_mentees, n_rev_mentors, n_rev_mentees, n_buddies, n_coffee = counts

    def some(n: int, *, besides: tuple[int, ...] = ()) -> list[int]:
        # Programmes share people (someone mentors and has coffee), never within one.
        # (A set to look in: a tuple of hundreds, looked up for each of 100,000 people, took seconds.)
        skip = set(besides)
        return rng.sample([p for p in people if p not in skip], min(n, len(people) - len(besides)))

    def topics(k: int) -> str:
        return ", ".join(rng.sample(TOPICS, k))

    made = 0
    # Mentoring: matched three months ago, meeting fortnightly; a few newcomers wait to be matched.
    mentoring = programmes.add_programme(
        db,
        name="Mentoring 2026",
        kind="mentoring",
        starts_on=today - timedelta(days=120),
        cadence="every 2 weeks on tue at 15:00",
        meeting_minutes=45,
    )
    mentors = some(n_mentors)
    mentees = some(n_mentees, besides=tuple(mentors))
    for m in mentors:
        programmes.join(db, mentoring.id, m, role="mentor", capacity=2, offers=topics(4))
    late = mentees[-max(2, n_mentees // 6) :]
    for e in mentees:
        if e not in late:
            programmes.join(db, mentoring.id, e, role="mentee", wants=topics(2))
    first = pairing.confirm(db, mentoring.id, seed=seed, on=today - timedelta(days=90)).pairs
    made += len(first)
    for n, p in enumerate(first):
        early, done = n % 7 == 3, n % 11 == 5
        ends = today - timedelta(days=20) if early else today - timedelta(days=10) if done else today
        _meetings(db, rng, p.id, p.started_on, today, every=14, until=ends)
        pairs.add_goal(
            db, p.id, rng.choice(["Give a first talk", "Lead a code review", "Plan the next role"])
        )
        if early:
            pairs.end_pair(db, p.id, completed=False, reason="moved to another team", on=ends)
        elif done:
            pairs.end_pair(db, p.id, completed=True, on=ends)
    for e in late:
        programmes.join(db, mentoring.id, e, role="mentee", wants=topics(2))

    # Reverse mentoring: newer people teach senior ones the tools they grew up with.
    reverse = programmes.add_programme(
        db,
        name="Reverse mentoring: AI tools",
        kind="reverse-mentoring",
        cadence="monthly on the 1st thu at 11:00",
    )
    juniors = some(n_rev_mentors)
    for m in juniors:
        since = today - timedelta(days=rng.randint(60, 400))
        programmes.join(db, reverse.id, m, role="mentor", offers="AI assistants, " + topics(1), since=since)
    for e in some(n_rev_mentees, besides=tuple(juniors)):
        since = today - timedelta(days=rng.randint(2000, 6000))
        programmes.join(db, reverse.id, e, role="mentee", wants="AI assistants", since=since)
    rev = pairing.confirm(db, reverse.id, seed=seed, on=today - timedelta(days=45)).pairs
    made += len(rev)
    for p in rev:
        _meetings(db, rng, p.id, p.started_on, today, every=30)

    # Buddies and coffee: rounds every two weeks (coffee weekly), most answer "did you meet?".
    made += _rounds(
        db, rng, "Onboarding buddies", "buddy", some(n_buddies), today, rounds=3, every=14, seed=seed
    )
    made += _rounds(db, rng, "Coffee roulette", "coffee", some(n_coffee), today, rounds=6, every=7, seed=seed)
    return made


def _meetings(
    db: Session,
    rng: random.Random,
    pair_id: int,
    start: date,
    today: date,
    *,
    every: int,
    until: date | None = None,
) -> None:
    """A pair's meetings, about every ``every`` days from ``start`` to today, none after the
    day it ends (``until``): the service refuses those, and the demo's pairs that ended read
    "6 held, 5 planned". The dice are thrown for the days after it too, so that the rest of the
    demo is the same as before."""
    day = start + timedelta(days=rng.randint(1, 6))
    while day <= today:
        if rng.random() < 0.8:
            minutes = rng.choice([30, 45, 60])
            if until is None or day <= until:
                pairs.log_meeting(db, pair_id, held_on=day, minutes=minutes, note="")
        day += timedelta(days=every)


def _rounds(
    db: Session,
    rng: random.Random,
    name: str,
    kind: str,
    members: list[int],
    today: date,
    *,
    rounds: int,
    every: int,
    seed: int,
) -> int:
    p = programmes.add_programme(
        db, name=name, kind=kind, starts_on=today - timedelta(days=every * rounds + 7)
    )
    for m in members:
        programmes.join(db, p.id, m, role="member", offers=topics_of(rng), wants=topics_of(rng))
    silent = set(members[:1])  # one person never answers: a "ghost" after three rounds
    made = 0
    for r in range(rounds):
        on = today - timedelta(days=every * (rounds - r))
        found = pairing.confirm(db, p.id, seed=seed + r, on=on).pairs
        made += len(found)
        if r == rounds - 1:
            break  # the latest round's answers are still coming in
        for pair in found:
            if silent & {x.person_id for x in pair.people}:
                continue
            roll = rng.random()
            if roll < 0.75:
                pairs.answer(db, pair.id, met=True)
            elif roll < 0.9:
                pairs.answer(db, pair.id, met=False)
    return made


def topics_of(rng: random.Random) -> str:
    return ", ".join(rng.sample(TOPICS, 2))

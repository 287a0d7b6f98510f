"""Eight months of one circle, its feedback and a mentoring programme, built with the services;
the success figures in tests/test_success.py are worked out by hand from this table.

Clock: Tuesday 2026-09-01 09:00 UTC. "Book Club" (UTC) meets on the 10th of each month at
12:00, January to August; April's session was cancelled. P = present, L = late, A = absent,
E = excused, - = not a member then. (yes) marks an RSVP of yes, (no) one of no.

    member  joined    left      Jan10    Feb10    Mar10    May10    Jun10    Jul10    Aug10
    Ana     1 Dec 25  -         P (yes)  P        L        P        P        A        P
    Bo      5 Jan 26  -         P (yes)  A (yes)  P        A (yes)  P        A        P
    Cy      1 Feb 26  20 Apr    -        P        A        -        -        -        -
    Di      1 Mar 26  -         -        -        P        A (yes)  P (no)   E        P
    Eve     not a member: walked in to Mar10, present.

Presenters: Ana presents Jan10, Di an agenda item of Mar10, Bo presents Jun10, a guest (Gil)
presents Aug10.

Feedback (rating, * = anonymous): Jan10 Ana 5, Bo 4; Feb10 Ana 3*, Cy 4; Mar10 Di 5, Bo 2;
May10 Ana 4; Jun10 Bo 3, Di 4; Aug10 Ana 5.

Mentoring "Mentors" (monthly on day 15): P1 Mo->Ana from 1 Mar, active, met 15 Mar, 15 Apr,
15 Jun, 15 Aug; P2 Mo->Bo from 1 Mar, completed 20 Jun, met 20 Mar, 15 May; P3 Nia->Cy from
1 May, ended early 30 May, never met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from circles.services import (
    agenda,
    attendance,
    circle_records,
    feedback,
    members,
    pairs,
    people,
    programmes,
    sessions,
)
from models.enums import ParticipantRole, PresenterSource, SessionStatus
from models.store import Store
from models.tables import PairMember, ProgrammePair, ProgrammeRound
from tests.factories import scheduled_ahead

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug")


@dataclass
class Book:
    circle: int
    s: dict[str, int]
    p: dict[str, int]
    pairs: dict[str, int]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Per session: person -> (check-in, rsvp or None)
MARKS: dict[str, dict[str, tuple[str, str | None]]] = {
    "jan": {"ana": ("present", "yes"), "bo": ("present", "yes")},
    "feb": {"ana": ("present", None), "bo": ("absent", "yes"), "cy": ("present", None)},
    "mar": {"ana": ("late", None), "bo": ("present", None), "cy": ("absent", None), "di": ("present", None)},
    "may": {"ana": ("present", None), "bo": ("absent", "yes"), "di": ("absent", "yes")},
    "jun": {"ana": ("present", None), "bo": ("present", None), "di": ("present", "no")},
    "jul": {"ana": ("absent", None), "bo": ("absent", None), "di": ("excused", None)},
    "aug": {"ana": ("present", None), "bo": ("present", None), "di": ("present", None)},
}
ANSWERS = {
    "jan": [("ana", 5, False), ("bo", 4, False)],
    "feb": [("ana", 3, True), ("cy", 4, False)],
    "mar": [("di", 5, False), ("bo", 2, False)],
    "may": [("ana", 4, False)],
    "jun": [("bo", 3, False), ("di", 4, False)],
    "aug": [("ana", 5, False)],
}


def build(store: Store) -> Book:
    with store.write() as db:
        p = {
            key: people.add_person(db, name=name, email=f"{key}@example.org", team=team).id
            for key, name, team in [
                ("ana", "Ana Ruiz", "Platform"),
                ("bo", "Bo Chen", "Data"),
                ("cy", "Cy Young", "Data"),
                ("di", "Di Park", None),
                ("eve", "Eve Walker", "Sales"),
                ("mo", "Mo Adams", "Sales"),
                ("nia", "Nia Lee", "Sales"),
            ]
        }
        p["gil"] = people.add_person(db, name="Gil Guest", email="gil@guest.example", is_guest=True).id
        book = circle_records.add_circle(db, name="Book Club", kind="learning-circle", timezone="UTC").id
        for key, joined in (("ana", _utc(2025, 12, 1)), ("bo", _utc(2026, 1, 5)), ("cy", _utc(2026, 2, 1))):
            members.add_member(db, circle_id=book, person_id=p[key], joined_at=joined)
        members.add_member(db, circle_id=book, person_id=p["di"], joined_at=_utc(2026, 3, 1))
        with scheduled_ahead(db, _utc(2026, 1, 10, 12)):
            s = {
                m: sessions.add_session(
                    db, circle_id=book, starts_at=_utc(2026, n, 10, 12), title=f"{m.title()} meeting"
                ).id
                for n, m in enumerate(MONTHS, start=1)
            }
        for month, marks in MARKS.items():
            for who, (mark, rsvp) in marks.items():
                if rsvp is not None:
                    attendance.set_rsvp(db, session_id=s[month], person_id=p[who], rsvp=rsvp)
                attendance.check_in(db, session_id=s[month], person_id=p[who], attended=mark)
        attendance.check_in(db, session_id=s["mar"], person_id=p["eve"], attended="present")
        members.remove_member(db, circle_id=book, person_id=p["cy"], left_at=_utc(2026, 4, 20))
        agenda.add_item(db, session_id=s["mar"], title="Chapter 3", presenter_id=p["di"])
        sessions.cancel_session(db, sessions.get_session(db, s["apr"]))
        presenters = {"jan": p["ana"], "jun": p["bo"], "aug": p["gil"]}
        for month in MONTHS:
            if month == "apr":
                continue
            who = presenters.get(month)
            source = PresenterSource.GUEST if month == "aug" else PresenterSource.MANUAL
            view = sessions.set_presenter(
                db, sessions.get_session(db, s[month]), presenter_id=who, source=source if who else None
            )
            sessions.update_session(db, view, status=SessionStatus.HELD)
    with store.write() as db:
        for month, given in ANSWERS.items():
            for who, rating, anonymous in given:
                feedback.add_answer(
                    db, session_id=s[month], person_id=p[who], rating=rating, anonymous=anonymous
                )
    made = _mentoring(store, p)
    return Book(circle=book, s=s, p=p, pairs=made)


def _mentoring(store: Store, p: dict[str, int]) -> dict[str, int]:
    """Pairs written as a confirmed matching would write them (the matching itself is tested
    in test_programmes.py); meetings and endings through the services."""
    with store.write() as db:
        prog = programmes.add_programme(
            db,
            name="Mentors",
            kind="mentoring",
            starts_on=date(2026, 2, 1),
            cadence="monthly on day 15 at 12:00",
        )
        for key, role in (
            ("mo", "mentor"),
            ("nia", "mentor"),
            ("ana", "mentee"),
            ("bo", "mentee"),
            ("cy", "mentee"),
        ):
            programmes.join(db, prog.id, p[key], role=role)
        made: dict[str, int] = {}
        for number, (held_on, group) in enumerate(
            [
                (date(2026, 3, 1), [("P1", "mo", "ana"), ("P2", "mo", "bo")]),
                (date(2026, 5, 1), [("P3", "nia", "cy")]),
            ],
            start=1,
        ):
            rnd = ProgrammeRound(programme_id=prog.id, number=number, held_on=held_on, created_at=NOW)
            db.add(rnd)
            db.flush()
            assert rnd.id is not None
            for name, mentor, mentee in group:
                pair = ProgrammePair(
                    programme_id=prog.id,
                    round_id=rnd.id,
                    started_on=held_on,
                    ics_uid=f"pair-{name}@test",
                    created_at=NOW,
                )
                db.add(pair)
                db.flush()
                assert pair.id is not None
                db.add(
                    PairMember(pair_id=pair.id, person_id=p[mentor], role=ParticipantRole.MENTOR, position=0)
                )
                db.add(
                    PairMember(pair_id=pair.id, person_id=p[mentee], role=ParticipantRole.MENTEE, position=1)
                )
                made[name] = pair.id
        db.flush()
        for name, days in (
            ("P1", [date(2026, 3, 15), date(2026, 4, 15), date(2026, 6, 15), date(2026, 8, 15)]),
            ("P2", [date(2026, 3, 20), date(2026, 5, 15)]),
        ):
            for day in days:
                pairs.log_meeting(db, made[name], held_on=day, minutes=45 if name == "P1" else None)
        pairs.end_pair(db, made["P2"], completed=True, on=date(2026, 6, 20))
        pairs.end_pair(db, made["P3"], completed=False, reason="moved team", on=date(2026, 5, 30))
    return made

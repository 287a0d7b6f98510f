"""A small circle history built with the services, whose figures are worked out by hand in the tests.

Clock: Tuesday 2026-03-03 09:00 UTC. "Rust Lunch" (Europe/Berlin) met on four Tuesdays at
12:00 (S1 3 Feb .. S4 24 Feb), cancelled one Friday (20 Feb) and meets again on 10 Mar (future).

    member  joined   left     series   S1           S2              S3             S4
    Ana     1 Jan    -        none     yes/present  -/late          yes/absent     -/present (presenter)
    Bob     1 Jan    15 Feb   none     yes/absent   maybe/-         (gone)         (gone)
    Cy      12 Feb   -        none     (not yet)    (not yet)       -/present      -/absent
                                                                    (agenda item presenter)
    Dee     1 Jan    -        yes      -/present    no/absent       -/excused      -/present
    Eve     not a member: walked in to S2, present.

S1..S4 are marked held; Ana presents S4 and Dee the future S5 (both assigned by hand).

"Night Owls" (America/Los_Angeles) met once, Mon 16 Feb 20:00 local (Tue 17 Feb 04:00 UTC):
Ana is its only member and came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from circles.services import agenda, attendance, circle_records, members, people, sessions
from models.enums import PresenterSource, SessionStatus
from models.store import Store
from tests.factories import scheduled_ahead


@dataclass
class History:
    rust: int
    owls: int
    s: dict[str, int]  # S1..S5, "cancelled", "owls"
    p: dict[str, int]  # ana, bob, cy, dee, eve


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def build(store: Store) -> History:
    with store.write() as db:
        p = {
            key: people.add_person(db, name=name, email=f"{key}@example.org", team=team).id
            for key, name, team in [
                ("ana", "Ana Ruiz", "Platform"),
                ("bob", "Bob Stone", "Data"),
                ("cy", "Cy Young", None),
                ("dee", "Dee Park", "Platform"),
                ("eve", "Eve Walker", "Sales"),
            ]
        }
        rust = circle_records.add_circle(
            db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin"
        ).id
        owls = circle_records.add_circle(
            db, name="Night Owls", kind="learning-circle", timezone="America/Los_Angeles"
        ).id
        for key in ("ana", "bob", "dee"):
            members.add_member(db, circle_id=rust, person_id=p[key], joined_at=_utc(2026, 1, 1))
        members.add_member(db, circle_id=rust, person_id=p["cy"], joined_at=_utc(2026, 2, 12))
        members.add_member(db, circle_id=owls, person_id=p["ana"], joined_at=_utc(2026, 1, 1))
        # 12:00 in Berlin is 11:00 UTC in February.
        starts = {
            "S1": _utc(2026, 2, 3, 11),
            "S2": _utc(2026, 2, 10, 11),
            "S3": _utc(2026, 2, 17, 11),
            "cancelled": _utc(2026, 2, 20, 11),
            "S4": _utc(2026, 2, 24, 11),
            "S5": _utc(2026, 3, 10, 11),
        }
        with scheduled_ahead(db, min(starts.values())):  # the sessions were planned before they met
            s = {
                key: sessions.add_session(db, circle_id=rust, starts_at=at, title=f"Session {key}").id
                for key, at in starts.items()
            }
            s["owls"] = sessions.add_session(
                db, circle_id=owls, starts_at=_utc(2026, 2, 17, 4), title="After hours"
            ).id
        attendance.set_series_rsvp(db, circle_id=rust, person_id=p["dee"], rsvp="yes")

        def rsvp(session: str, person: str, answer: str) -> None:
            attendance.set_rsvp(db, session_id=s[session], person_id=p[person], rsvp=answer)

        def came(session: str, person: str, how: str) -> None:
            attendance.check_in(db, session_id=s[session], person_id=p[person], attended=how)

        rsvp("S1", "ana", "yes")
        rsvp("S1", "bob", "yes")
        came("S1", "ana", "present")
        came("S1", "bob", "absent")
        came("S1", "dee", "present")
        rsvp("S2", "bob", "maybe")
        rsvp("S2", "dee", "no")
        came("S2", "ana", "late")
        came("S2", "dee", "absent")
        came("S2", "eve", "present")
        rsvp("S3", "ana", "yes")
        came("S3", "ana", "absent")
        came("S3", "cy", "present")
        came("S3", "dee", "excused")
        came("S4", "ana", "present")
        came("S4", "cy", "absent")
        came("S4", "dee", "present")
        rsvp("cancelled", "ana", "yes")
        rsvp("S5", "ana", "yes")
        came("owls", "ana", "present")
        agenda.add_item(db, session_id=s["S3"], title="Borrowing, slowly", presenter_id=p["cy"])
        sessions.cancel_session(db, sessions.get_session(db, s["cancelled"]))
        # Bob leaves after S2; the check_in calls above saw him as a member.
        members.remove_member(db, circle_id=rust, person_id=p["bob"], left_at=_utc(2026, 2, 15))
        # The rotation fills in presenters of scheduled sessions by itself; this history sets
        # them by hand and marks the past sessions held, so the rotation leaves them alone.
        for key, who in (("S1", None), ("S2", None), ("S3", None), ("S4", p["ana"]), ("owls", None)):
            view = sessions.set_presenter(
                db,
                sessions.get_session(db, s[key]),
                presenter_id=who,
                source=PresenterSource.MANUAL if who else None,
            )
            sessions.update_session(db, view, status=SessionStatus.HELD)
        sessions.set_presenter(
            db, sessions.get_session(db, s["S5"]), presenter_id=p["dee"], source=PresenterSource.MANUAL
        )
    return History(rust=rust, owls=owls, s=s, p=p)

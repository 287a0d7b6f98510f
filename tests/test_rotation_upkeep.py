"""One truth for presenters: whatever write changes what the rotation reads, the stored
presenters equal the preview when its unit of work commits, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from circles import validate
from circles.services import (
    away,
    circle_records,
    invites,
    members,
    people,
    planning,
    series,
    sessions,
    upkeep,
)
from circles.services import rotation as rot
from circles.views import CircleView
from models.store import Store
from models.tables import CircleSession, InviteExport
from tests import factories


def _circle(
    store: Store, names: tuple[str, ...] = ("Ana", "Bob", "Cleo")
) -> tuple[CircleView, dict[str, int]]:
    with store.write() as db:
        ids = {
            n: people.add_person(db, name=n, email=f"{n.lower().replace(' ', '')}@example.org").id
            for n in names
        }
        c = circle_records.add_circle(db, name="Repro", kind="lunch-and-learn", timezone="Europe/Berlin")
        for n in names:
            members.add_member(db, circle_id=c.id, person_id=ids[n])
        c = series.set_cadence(db, c, "weekly on wed at 12:00 for 60m")
        planning.plan_sessions(db, circle_id=c.id, count=4, start=date(2026, 12, 2))
    return c, ids


def _stored_and_previewed(
    store: Store, circle_id: int
) -> tuple[dict[int, str | None], dict[int, str | None]]:
    """Per planned upcoming session: who the session row names, and who the preview names."""
    with store.read() as db:
        rows = [r for r in rot.preview(db, circle_id, count=8) if r.session is not None]
        stored = {r.session.id: sessions.get_session(db, r.session.id).presenter_name for r in rows}
    return stored, {r.session.id: r.presenter_name for r in rows}


def _at(c: CircleView, text: str):  # type: ignore[no-untyped-def]
    return validate.parse_local_time(text, "at", c.timezone)


def _first(db: Session, c: CircleView):  # type: ignore[no-untyped-def]
    return sessions.list_sessions(db, circle_id=c.id, include_cancelled=False)[0]


# Each write that changes who can present, as a person would make it.
WRITES: dict[str, Callable[[Session, CircleView, dict[str, int]], object]] = {
    "session add": lambda db, c, ids: sessions.add_session(
        db, circle_id=c.id, starts_at=_at(c, "2026-12-01 12:00"), title="Extra"
    ),
    "session move": lambda db, c, ids: sessions.move_session(
        db, _first(db, c), starts_at=_at(c, "2026-12-31 12:00")
    ),
    "session cancel": lambda db, c, ids: sessions.cancel_session(db, _first(db, c)),
    "member add": lambda db, c, ids: members.add_member(
        db,
        circle_id=c.id,
        person_id=people.add_person(db, name="Aaron", email="aaron@example.org").id,
        joined_at=_at(c, "2026-01-01 09:00"),
    ),
    "member remove": lambda db, c, ids: members.remove_member(db, circle_id=c.id, person_id=ids["Ana"]),
    "member out of rotation": lambda db, c, ids: members.update_member(
        db, members.current_membership(db, circle_id=c.id, person_id=ids["Ana"]), in_rotation=False
    ),
    "away add": lambda db, c, ids: away.add_away(
        db, person_id=ids["Ana"], starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3)
    ),
    "person deactivated": lambda db, c, ids: people.update_person(
        db, people.get_person(db, ids["Ana"]), active=False
    ),
    "person made a guest": lambda db, c, ids: people.update_person(
        db, people.get_person(db, ids["Ana"]), is_guest=True
    ),
    # Wed 2 Dec 12:00 in Berlin is Thu 3 Dec in Kiritimati, the day Ana is away (see _prepare).
    "circle moves to another zone": lambda db, c, ids: circle_records.update_circle(
        db, circle_records.get_circle(db, c.id), timezone="Pacific/Kiritimati"
    ),
    "hold": lambda db, c, ids: factories.hold(db, _first(db, c)),
}


PERSON_WRITES = ("away add", "person deactivated", "person made a guest")


def _prepare(store: Store, write: str, ids: dict[str, int]) -> CircleView | None:
    """What a write needs around it; returns Ana's other circle for writes about a person."""
    with store.write() as db:
        if write == "circle moves to another zone":
            away.add_away(db, person_id=ids["Ana"], starts_on=date(2026, 12, 3), ends_on=date(2026, 12, 3))
        if write not in PERSON_WRITES:
            return None
        other = circle_records.add_circle(db, name="Other", kind="workshop", timezone="UTC")
        members.add_member(db, circle_id=other.id, person_id=ids["Ana"])
        series.set_cadence(db, other, "weekly on wed at 12:00")
        planning.plan_sessions(db, circle_id=other.id, count=2, start=date(2026, 12, 2))
        return other


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_every_write_that_changes_the_rotation_leaves_stored_presenters_equal_to_the_preview(
    store: Store, write: str
) -> None:
    c, ids = _circle(store)
    other = _prepare(store, write, ids)
    before, _ = _stored_and_previewed(store, c.id)
    other_before = _stored_and_previewed(store, other.id)[0] if other else {}
    with store.write() as db:
        WRITES[write](db, c, ids)
    stored, previewed = _stored_and_previewed(store, c.id)
    assert stored == previewed
    assert stored != before or write == "hold"  # the write did change who presents
    if other is not None:  # the person's other circles are kept current too
        stored, previewed = _stored_and_previewed(store, other.id)
        assert stored == previewed != other_before


def test_the_issue_repro_an_extra_session_takes_the_next_turn_everywhere(store: Store) -> None:
    """Issue 13: 'session add' before planned sessions left them naming last week's queue."""
    c, _ = _circle(store, names=("Person a", "Person b", "Person c"))
    with store.write() as db:
        sessions.add_session(db, circle_id=c.id, starts_at=_at(c, "2026-12-01 12:00"), title="Extra")
    stored, previewed = _stored_and_previewed(store, c.id)
    assert list(stored.values()) == ["Person a", "Person b", "Person c", "Person a", "Person b"]
    assert stored == previewed


def test_the_refresh_is_in_the_same_transaction_and_goes_with_a_rollback(store: Store) -> None:
    c, ids = _circle(store)
    before, _ = _stored_and_previewed(store, c.id)
    with pytest.raises(RuntimeError, match="changed my mind"), store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=ids["Ana"])
        upkeep.settle(db)
        assert "Ana" not in [s.presenter_name for s in sessions.list_sessions(db, circle_id=c.id)]
        raise RuntimeError("changed my mind")
    assert _stored_and_previewed(store, c.id) == (before, before)


def test_an_insert_statement_the_upkeep_cannot_see_is_refused(store: Store) -> None:
    c, _ = _circle(store)
    with pytest.raises(RuntimeError, match=r"Add circle_session rows with db\.add"), store.write() as db:
        db.execute(
            sa.insert(CircleSession).values(
                circle_id=c.id,
                starts_at=_at(c, "2026-12-01 12:00"),
                planned_starts_at=_at(c, "2026-12-01 12:00"),
                ics_uid="x@circles",
            )
        )


def test_a_unit_of_work_that_changes_nothing_the_rotation_reads_refreshes_nothing(store: Store) -> None:
    c, _ = _circle(store)
    with store.write() as db:
        people.add_person(db, name="Zed", email="zed@example.org")
        first = _first(db, c)
        sessions.update_session(db, first, notes="bring snacks")
        watch = db.info["rotation_upkeep"]
        assert watch.pending == {c.id}  # a session row of the circle was written
    with store.write() as db:
        people.add_person(db, name="Yan", email="yan@example.org")
        assert db.info["rotation_upkeep"].pending == set()


def test_reads_do_not_run_the_upkeep(store: Store) -> None:
    _circle(store)
    with store.read() as db:
        assert "rotation_upkeep" not in db.info
        upkeep.settle(db)  # does nothing
    assert upkeep.presenter_changes(db) == ()


# ---------------------------------------------------------------- exported invites


def _export(store: Store, c: CircleView) -> None:
    with store.write() as db:
        invites.export_circle(db, c.id)


def test_a_presenter_moved_after_the_invite_was_exported_is_told(store: Store) -> None:
    c, ids = _circle(store)
    _export(store, c)
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=ids["Ana"])
    told = upkeep.presenter_changes(db)
    # Ana had 2 and 23 Dec; Bob and Cleo move up: every session's invite is now wrong.
    assert [(t.session.local_day.day, t.exported_presenter, t.session.presenter_name) for t in told] == [
        (2, "Ana", "Bob"),
        (9, "Bob", "Cleo"),
        (16, "Cleo", "Bob"),
        (23, "Ana", "Cleo"),
    ]
    text = upkeep.describe(told)
    assert text.startswith("The presenter changed at 4 sessions whose invite already went out")
    assert f"session {told[0].session.id}, Repro, Wed 02 Dec 2026 12:00: Ana -> Bob" in text


def test_only_what_this_unit_of_work_moved_and_only_against_the_exported_invite(store: Store) -> None:
    c, ids = _circle(store)
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=ids["Ana"])
    assert upkeep.presenter_changes(db) == ()  # nothing exported yet: nobody to tell
    _export(store, c)
    with store.write() as db:
        first = _first(db, c)
        sessions.update_session(db, first, notes="bring snacks")  # touches the circle, moves nobody
    assert upkeep.presenter_changes(db) == ()
    with store.write() as db:
        first = _first(db, c)
        rot.assign(db, first, person_id=ids["Cleo"])
        rot.clear_assignment(db, sessions.get_session(db, first.id))  # and back, before the commit
    assert upkeep.presenter_changes(db) == ()
    with store.write() as db:
        rot.assign(db, _first(db, c), person_id=ids["Bob"])  # by hand now, but still Bob
    assert upkeep.presenter_changes(db) == ()
    with store.write() as db:
        rot.assign(db, _first(db, c), person_id=ids["Cleo"])  # by hand counts too; the rest follow
    assert [t.session.presenter_name for t in upkeep.presenter_changes(db)] == ["Cleo", "Bob", "Cleo", "Bob"]
    with store.write() as db:
        sessions.update_session(db, _first(db, c), notes="still Cleo")
    assert upkeep.presenter_changes(db) == ()  # already told; the invite is still out of date
    _export(store, c)
    with store.write() as db:
        rot.clear_assignment(db, _first(db, c))
    told = upkeep.presenter_changes(db)
    assert [(t.exported_presenter, t.session.presenter_name) for t in told][:2] == [
        ("Cleo", "Bob"),
        ("Bob", "Cleo"),
    ]


def test_a_cancelled_session_is_not_reported(store: Store) -> None:
    c, ids = _circle(store)
    _export(store, c)
    with store.write() as db:
        rot.assign(db, _first(db, c), person_id=ids["Cleo"])
        sessions.cancel_session(db, _first(db, c))
    # Its cancellation is news of its own (SEQUENCE rose); the others moved up a turn.
    told = upkeep.presenter_changes(db)
    assert [(t.session.local_day.day, t.session.presenter_name) for t in told] == [
        (9, "Ana"),
        (16, "Bob"),
        (23, "Cleo"),
    ]


def test_an_export_records_each_session_its_sequence_and_presenter(store: Store, clock) -> None:
    c, _ = _circle(store)
    _export(store, c)
    with store.read() as db:
        rows = db.exec(select(InviteExport).order_by(InviteExport.session_id)).all()
        listed = sessions.list_sessions(db, circle_id=c.id)
    assert [(r.session_id, r.sequence, r.presenter_id) for r in rows] == [
        (s.id, s.ics_sequence, s.presenter_id) for s in listed
    ]
    assert {r.exported_at for r in rows} == {clock.now}
    clock.advance(days=1)
    with store.write() as db:
        sessions.move_session(db, _first(db, c), starts_at=_at(c, "2026-12-02 13:00"))
        invites.export_session(db, _first(db, c).id)
    with store.read() as db:
        again = db.exec(select(InviteExport).where(InviteExport.session_id == listed[0].id)).one()
    assert (again.sequence, again.exported_at) == (1, clock.now)


def test_a_change_to_a_former_member_refreshes_the_circle_they_left(store: Store, clock) -> None:
    """The rotation replays the circle's history: Ana, who left, still holds the past session
    nobody marked held, and deactivating her refreshes the circle she left (found by
    test_rotation_stateful: it was not, as she was no member now). That session had started,
    so it stays hers and counts as her turn: Bob is next, not Cleo."""
    c, ids = _circle(store)
    with store.write() as db:
        planning.plan_sessions(db, circle_id=c.id, count=4, start=date(2026, 3, 4))
    clock.advance(days=2)  # Wed 4 Mar is over, left scheduled: Ana's turn
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=ids["Ana"])
    with store.write() as db:
        people.update_person(db, people.get_person(db, ids["Ana"]), active=False)
    stored, previewed = _stored_and_previewed(store, c.id)
    assert stored == previewed
    assert next(iter(previewed.values())) == "Bob"


STARTED_WRITES = {
    "away add": lambda db, c, ids: away.add_away(
        db, person_id=ids["Ana"], starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 3), reason="sick"
    ),
    "member remove": WRITES["member remove"],
    "member out of rotation": WRITES["member out of rotation"],
    "person deactivated": WRITES["person deactivated"],
}


@pytest.mark.parametrize("write", list(STARTED_WRITES), ids=list(STARTED_WRITES))
def test_a_session_that_has_started_keeps_its_presenter_whatever_changes(
    store: Store, clock, write: str
) -> None:
    """Wed 2 Dec 12:00 (Berlin) began 17 minutes ago with Ana presenting: marking her away,
    or any other change to who can present, moves the sessions to come, never this one (the
    walk found it handed to the next in line, and the facilitator told so)."""
    c, ids = _circle(store)
    clock.now = _at(c, "2026-12-02 12:17")
    _export(store, c)
    with store.write() as db:
        STARTED_WRITES[write](db, c, ids)
    assert all(t.session.local_day.day != 2 for t in upkeep.presenter_changes(db))
    with store.read() as db:
        first = _first(db, c)
        preview = rot.preview(db, c.id, count=4)
    assert first.presenter_name == "Ana"
    # Ana's turn is taken: the sessions to come (the preview's) go to Bob and Cleo first.
    assert [r.presenter_name for r in preview][:2] == ["Bob", "Cleo"]
    stored, previewed = _stored_and_previewed(store, c.id)
    assert stored == previewed
    with store.write() as db:
        held = factories.hold(db, _first(db, c))
    assert held.presenter_name == "Ana"

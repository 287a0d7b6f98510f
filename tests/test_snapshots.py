"""Snapshots of the main screens at 120x40, with a fixed clock and fixed data (pytest-textual-snapshot).

Regenerate after a deliberate change with `uv run pytest tests/test_snapshots.py --snapshot-update`,
then look at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from circles.app import CirclesApp
from circles.services import agenda, attendance, rotation, sessions
from screens.checkin import CheckInScreen
from screens.people import PeopleScreen
from tests import factories
from tests.tui_support import settle as settle_workers

SIZE = (120, 40)


@pytest.fixture
def filled(memory_store, clock):
    """A small organisation: two circles, five people, sessions this week and next, an agenda, RSVPs."""
    rust = factories.circle(memory_store, "Rust Lunch", kind="lunch-and-learn", location="Room 4.12")
    guild = factories.circle(memory_store, "Design Guild", kind="community-of-practice", tz="Europe/London")
    names = ["Ana Lima", "Bo Chen", "Cara Diaz", "Dev Patel", "Eli Moss"]
    people = [
        factories.person(memory_store, n, team="Platform" if i % 2 else "Data") for i, n in enumerate(names)
    ]
    for p in people:
        factories.member(memory_store, rust, p)
    factories.member(memory_store, guild, people[0])
    s = factories.session(memory_store, rust, "2026-03-05 12:00", title="Ownership and borrowing")
    factories.session(memory_store, rust, "2026-03-12 12:00", title="Traits")
    factories.session(memory_store, guild, "2026-03-09 16:00", title="Design critique")
    with memory_store.write() as db:
        agenda.add_item(db, session_id=s.id, title="Welcome", minutes=5)
        agenda.add_item(
            db, session_id=s.id, title="The borrow checker", presenter_id=people[1].id, minutes=40
        )
        agenda.add_item(db, session_id=s.id, title="Q&A", minutes=10)
        rotation.assign(db, sessions.get_session(db, s.id), person_id=people[1].id)  # Bo presents it
        for p in people[:3]:
            attendance.set_rsvp(db, session_id=s.id, person_id=p.id, rsvp="yes")
        attendance.set_rsvp(db, session_id=s.id, person_id=people[3].id, rsvp="no")
        attendance.record_attendance(db, session_id=s.id, person_id=people[0].id, attended="present")
        attendance.record_attendance(db, session_id=s.id, person_id=people[2].id, attended="late")
    return {"store": memory_store, "rust": rust, "session": s, "people": people}


async def settle(app: CirclesApp, pilot: Pilot) -> None:
    await settle_workers(app, pilot)
    # A DataTable sizes its columns when the app is next idle; on a busy machine that can come after
    # the picture, so wait until no table still owes its new sizes (Textual keeps that flag private).
    await pilot.wait_for_scheduled_animations()
    for _ in range(50):
        await pilot.pause(0.05)
        if not any(getattr(t, "_require_update_dimensions", False) for t in app.screen.query(DataTable)):
            break
    await pilot.pause(0.05)


def _app(store) -> CirclesApp:
    app = CirclesApp(store)
    app.animation_level = "none"  # the tabs' underline slides in; a snapshot must not catch it midway
    return app


def _then(step: Callable[[CirclesApp], object]) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await settle(app, pilot)
        step(app)  # type: ignore[arg-type]
        await settle(app, pilot)

    return run_before


def test_home_empty_store_welcome(snap_compare, memory_store, clock):
    assert snap_compare(_app(memory_store), terminal_size=SIZE, run_before=_then(lambda app: None))


def test_home_upcoming(snap_compare, filled):
    assert snap_compare(_app(filled["store"]), terminal_size=SIZE, run_before=_then(lambda app: None))


def test_circle_members(snap_compare, filled):
    app = _app(filled["store"])
    assert snap_compare(app, terminal_size=SIZE, run_before=_then(lambda a: a.open_circle(filled["rust"].id)))


def test_circle_sessions(snap_compare, filled):
    app = _app(filled["store"])

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot.app, pilot)
        app.open_circle(filled["rust"].id)
        await settle(pilot.app, pilot)
        await pilot.press("2")
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_session_agenda(snap_compare, filled):
    app = _app(filled["store"])
    assert snap_compare(
        app, terminal_size=SIZE, run_before=_then(lambda a: a.open_session(filled["session"].id))
    )


def test_check_in_filtered(snap_compare, filled):
    app = _app(filled["store"])

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot.app, pilot)
        app.push_screen(CheckInScreen(filled["session"].id))
        await settle(pilot.app, pilot)
        await pilot.press("d", "down")
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_people_directory(snap_compare, filled):
    app = _app(filled["store"])
    assert snap_compare(app, terminal_size=SIZE, run_before=_then(lambda a: a.push_screen(PeopleScreen())))


def test_person(snap_compare, filled):
    app = _app(filled["store"])
    assert snap_compare(
        app, terminal_size=SIZE, run_before=_then(lambda a: a.open_person(filled["people"][0].id))
    )


def test_form_with_errors(snap_compare, filled):
    app = _app(filled["store"])

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("c")
        await settle(pilot.app, pilot)
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one("#f-timezone", Input).value = "Mars/Olympus"
        await pilot.press("ctrl+s")
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

"""An app keeps one connection to PostgreSQL (models/engine.py): the reads a screen makes
together take turns on it, rather than each opening (and closing) a connection of its own:
opening a circle, looking at it again when someone else changed it, and after a change made
in its Rotation tab."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from textual.worker import get_current_worker

import screens.circle
from circles.app import CirclesApp
from circles.services import rotation
from models.store import Store
from screens.textual_internals import notifications
from tests import factories
from tests.tui_support import settle

pytestmark = pytest.mark.postgres

SIZE = (120, 40)
BOUND = 5.0  # seconds: longest a read waits for the other (it is there at once, or never)


@pytest.fixture
def store(postgres_url, clock) -> Iterator[Store]:  # PostgreSQL only: SQLite files keep a pool
    s = Store.open(postgres_url, clock=clock)
    yield s
    s.close()


class Overlap:
    """Makes a circle's reads overlap wherever they run side by side: the circle's read holds
    its connection until the delivery line's read holds one too, when that read is on its way
    in another worker. Read in turn, there is no other worker, and nothing waits."""

    def __init__(self, app: CirclesApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.app = app
        self.delivery_holds = threading.Event()
        circle, delivery = screens.circle.load_circle, screens.circle.delivery_status

        def load_circle(db: Any, *args: Any) -> Any:
            db.connection()  # checked out now
            me, give_up = get_current_worker(), time.monotonic() + BOUND
            while not self.delivery_holds.wait(0.01) and self._others(me) and time.monotonic() < give_up:
                pass
            return circle(db, *args)

        def delivery_status(db: Any, *args: Any) -> Any:
            db.connection()
            self.delivery_holds.set()
            return delivery(db, *args)

        monkeypatch.setattr(screens.circle, "load_circle", load_circle)
        monkeypatch.setattr(screens.circle, "delivery_status", delivery_status)

    def _others(self, me: object) -> bool:
        """Whether another database worker is still to run or running (not this one)."""
        return any(w is not me and w.group != "default" and not w.is_finished for w in list(self.app.workers))


@contextmanager
def connections_opened(store: Store) -> Iterator[list[object]]:
    opened: list[object] = []

    def connected(dbapi_connection: Any, _record: Any) -> None:
        opened.append(dbapi_connection)

    sa.event.listen(store.engine, "connect", connected)
    try:
        yield opened
    finally:
        sa.event.remove(store.engine, "connect", connected)


async def test_opening_a_circle_and_looking_again_opens_no_connection(store, monkeypatch) -> None:
    c = factories.circle(store, "Rust Lunch")
    ada, ben = (factories.person(store, name) for name in ("Ada Byron", "Ben Okri"))
    for p in (ada, ben):
        factories.member(store, c, p)
    s = factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    with store.write() as db:
        rotation.assign(db, s, person_id=ben.id)  # by hand: the Rotation tab's u gives it back
    app = CirclesApp(store)
    overlap = Overlap(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert store.engine.pool.checkedin() == 1  # the one the app keeps
        with connections_opened(store) as opened:
            app.open_circle(c.id)
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, screens.circle.CircleScreen) and screen.data is not None
            assert overlap.delivery_holds.is_set()
            # Side by side, the delivery line's read opened a connection and closed it after.
            assert opened == []

            await pilot.press("3")  # the rotation tab: its panel reads again too when looking again
            await settle(app, pilot)
            overlap.delivery_holds.clear()
            screen.look_again()  # what the app does when another facilitator changed this circle
            await settle(app, pilot)
            assert overlap.delivery_holds.is_set()
            assert opened == []

            # A change made in the tab: the circle reads again (its sessions show presenters
            # too), then the panel.
            overlap.delivery_holds.clear()
            await pilot.press("u")  # the first session: back to the rotation
            await settle(app, pilot)
            assert [str(n.message) for n in notifications(app)] == [
                "The rotation picks for Tue 10 Mar again."
            ]
            assert overlap.delivery_holds.is_set()
            assert opened == []


async def test_looking_again_at_a_session_with_its_tabs_open_opens_no_connection(store, monkeypatch) -> None:
    import screens.session
    from circles.services import feedback

    c = factories.circle(store, "Rust Lunch")
    factories.member(store, c, factories.person(store, "Ada Byron"))
    s = factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    app = CirclesApp(store)
    feedback_holds = threading.Event()
    session, session_feedback = screens.session.load_session, feedback.session_feedback

    def load_session(db: Any, *args: Any) -> Any:
        # Holds its connection until the feedback's read holds one too, when that read is on
        # its way in another worker (side by side); in turn there is none, and nothing waits.
        db.connection()
        me, give_up = get_current_worker(), time.monotonic() + BOUND
        others = lambda: any(  # noqa: E731
            w is not me and w.group != "default" and not w.is_finished for w in list(app.workers)
        )
        while not feedback_holds.wait(0.01) and others() and time.monotonic() < give_up:
            pass
        return session(db, *args)

    def read_feedback(db: Any, *args: Any) -> Any:
        db.connection()
        feedback_holds.set()
        return session_feedback(db, *args)

    monkeypatch.setattr(screens.session, "load_session", load_session)
    monkeypatch.setattr(feedback, "session_feedback", read_feedback)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screens.session.open_session(app, s.id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, screens.session.SessionScreen)
        for tab in ("2", "3"):  # the materials and the feedback: both read again when looking again
            await pilot.press(tab)
            await settle(app, pilot)
        assert str(screen.query_one("#feedback-summary").render()) != "Loading feedback…"
        with connections_opened(store) as opened:
            feedback_holds.clear()
            screen.look_again()  # what the app does when someone else changed this session
            await settle(app, pilot)
            assert feedback_holds.is_set()
            # Side by side, the feedback's read (and the materials') opened a connection each.
            assert opened == []


async def test_the_organisation_screen_reads_its_figures_and_circles_on_one_connection(
    store, monkeypatch
) -> None:
    """Its figures and its list of circles, on opening and when looking again: side by side,
    the list's read opened a connection of its own each time."""
    import screens.organisation

    c = factories.circle(store, "Rust Lunch")
    factories.member(store, c, factories.person(store, "Ada Byron"))
    factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    app = CirclesApp(store)
    circles_read = threading.Event()
    success, circles = screens.organisation.load_success, screens.organisation.load_circles

    def load_success(db: Any, *args: Any) -> Any:
        db.connection()  # checked out now, and held until the list is read, if it comes meanwhile
        me, give_up = get_current_worker(), time.monotonic() + BOUND
        while not circles_read.wait(0.01) and _others(app, me) and time.monotonic() < give_up:
            pass
        return success(db, *args)

    def load_circles(db: Any) -> Any:
        db.connection()
        circles_read.set()
        return circles(db)

    monkeypatch.setattr(screens.organisation, "load_success", load_success)
    monkeypatch.setattr(screens.organisation, "load_circles", load_circles)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with connections_opened(store) as opened:
            screen = screens.organisation.OrganisationScreen()
            await app.push_screen(screen)
            await settle(app, pilot)
            assert screen.report is not None and screen.circles == [("Rust Lunch", c.id)]
            assert opened == []

            circles_read.clear()
            screen.look_again()  # what the app does when another facilitator changed a circle
            await settle(app, pilot)
            assert circles_read.is_set()
            assert opened == []


def _others(app: CirclesApp, me: object) -> bool:
    return any(w is not me and w.group != "default" and not w.is_finished for w in list(app.workers))

"""What the app readies once Home shows its rows, before the facilitator opens a screen
(screens/preload.py): the main screens' code (tests/test_import_hygiene.py) and the reports'
statements, a person's record's, a circle's (each tab's) and a session's and its check-in's."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import CacheStats
from textual.pilot import Pilot

from circles.app import CirclesApp
from circles.demo import build_demo
from circles.services import circle_records as circles
from circles.services import sessions
from circles.views import PersonView
from models.engine import sqlite_url
from models.store import Store
from screens import organisation, person, recognition
from screens.checkin import CheckInScreen
from screens.circle import CircleScreen
from screens.home import HomeScreen
from screens.session import SessionScreen
from screens.tabs import TabPane
from tests import factories
from tests.tui_support import settle, until


def _app_on_rust_lunch(tmp_path, clock, names: tuple[str, ...]) -> tuple[CirclesApp, list[PersonView]]:
    """An app on a new store file holding Rust Lunch and ``names`` as its members (made, then
    closed, so the app opens the store itself and its worker readies the screens)."""
    url = sqlite_url(tmp_path / "circles.db")
    made = Store.open(url, clock=clock)
    lunch = factories.circle(made, "Rust Lunch")
    members = [factories.person(made, name) for name in names]
    for member in members:
        factories.member(made, lunch, member)
    made.close()
    return CirclesApp(open_store=lambda: Store.open(url, clock=clock)), members


async def _after_home(app: CirclesApp, pilot: Pilot[None]) -> None:
    """Home is up and the worker after it has readied the main screens."""
    await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app._screens_loading)
    await settle(app, pilot)


def _compiled(app: CirclesApp) -> list[str]:
    """The statements the app's store compiles from now on (not found in SQLAlchemy's cache),
    each as the start of its SQL."""
    compiled: list[str] = []

    def seen(_conn, _cursor, sql, _params, context, _many):
        if context.compiled is not None and context.cache_hit is not CacheStats.CACHE_HIT:
            compiled.append(" ".join(sql.split())[:80])

    sa.event.listen(app.store.engine, "before_cursor_execute", seen)
    return compiled


async def test_recognition_organisation_and_a_person_find_their_statements_compiled(tmp_path, clock):
    """Compiling their reads' statements was most of what their first open after a start
    cost beyond the later ones (Organisation: 0.26 s of processor time, 0.09 after; a person:
    13 of 14 statements, 0.16 s against 0.11). The record read is another person's than the
    one the app read: its statements are those of anyone."""
    app, members = _app_on_rust_lunch(tmp_path, clock, ("Ada", "Grace", "Zoe"))
    zoe = members[-1]
    async with app.run_test(size=(80, 24)) as pilot:
        await _after_home(app, pilot)
        compiled = _compiled(app)
        today = app.today()
        with app.store.read() as db:
            assert recognition.load_recognition(db, *recognition.period_days("this month", today), None)
            assert organisation.load_success(db, *organisation.period_days("last 3 months", today), None)
            assert person.load_person(db, zoe.id).record.memberships
        assert compiled == []


async def test_the_main_screens_widgets_find_their_css_parsed(tmp_path, clock, monkeypatch):
    """Textual parses a widget type's CSS as the first widget of that type mounts, on the UI
    thread: 13 ms of Organisation's first open on the large demo. The app parses the main
    screens' widgets' CSS in its worker once Home is up; opening them then parses none."""
    import textual.css.stylesheet

    from screens.organisation import OrganisationScreen
    from screens.person import PersonScreen
    from screens.recognition import RecognitionScreen

    app, (ada,) = _app_on_rust_lunch(tmp_path, clock, ("Ada",))
    async with app.run_test(size=(120, 40)) as pilot:
        await _after_home(app, pilot)
        parse = textual.css.stylesheet.parse
        parsed: list[str] = []

        def parsing(scope, css, read_from, *args, **kwargs):
            parsed.append(read_from[1])
            return parse(scope, css, read_from, *args, **kwargs)

        monkeypatch.setattr(textual.css.stylesheet, "parse", parsing)
        for key, screen in (("O", OrganisationScreen), ("R", RecognitionScreen)):
            await pilot.press(key)
            await until(pilot, lambda screen=screen: isinstance(app.screen, screen))
            await settle(app, pilot)
            await pilot.press("escape")
            await settle(app, pilot)
        app.open_person(ada.id)
        await until(pilot, lambda: isinstance(app.screen, PersonScreen))
        await settle(app, pilot)
        assert parsed == []


@pytest.fixture
def demo_url(store: Store, store_url: URL, small_demo_file: Path) -> URL:
    """The small demo (its circles' sessions held and to come, with their members, presenters,
    answers and check-ins) on each backend, closed for the app to open: on SQLite a copy of the
    one built once, on PostgreSQL built here."""
    if store.engine.dialect.name == "sqlite":
        store.close()
        assert store_url.database is not None
        shutil.copyfile(small_demo_file, store_url.database)
    else:
        build_demo(store, size="small", seed=7)
        store.close()
    return store_url


def _app_on(url: URL, clock) -> CirclesApp:
    """An app opening the store at ``url`` itself (its worker then readies the screens)."""
    return CirclesApp(open_store=lambda: Store.open(url, clock=clock))


@pytest.mark.slow  # the small demo built on PostgreSQL: 6 to 13 s
async def test_a_circle_its_tabs_a_session_and_its_check_in_find_their_statements_compiled(demo_url, clock):
    """Their first open after a start compiled a good part of their statements (on the large
    demo a circle 6 of its 11, its Rotation tab 11 of 13, its Stats tab 4, a session 4 and its
    check-in 3). The app reads Home's first session and its circle meanwhile; opened here are
    another circle, each of its tabs, and one of its sessions held already, with its check-in:
    their statements are those of any circle and session."""
    app = _app_on(demo_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await _after_home(app, pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        read = home.data.upcoming[0]  # what the app read
        now = app.now()
        with app.store.read() as db:
            circle_id = next(c.id for c in circles.list_circles(db) if c.id != read.circle_id)
            held = sessions.list_sessions(
                db, circle_id=circle_id, end=now - timedelta(hours=2), newest_first=True
            )
        compiled = _compiled(app)

        app.open_circle(circle_id)
        await until(pilot, lambda: isinstance(app.screen, CircleScreen))
        await settle(app, pilot)
        for key, tab in (("2", "sessions"), ("3", "rotation"), ("4", "stats")):
            await pilot.press(key)
            await until(pilot, lambda tab=tab: bool(app.screen.query_one(f"#{tab}", TabPane).children))
            await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        app.open_session(held[0].id)
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await settle(app, pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, CheckInScreen))
        await settle(app, pilot)
        assert compiled == []


@pytest.mark.slow  # the small demo built on PostgreSQL: 6 to 13 s
async def test_recognition_finds_the_statement_naming_its_people_compiled(demo_url, clock):
    """The month the app reads Recognition for recognises nobody, and the statement naming the
    people recognised was asked only when there were some: the first Recognition opened on a
    month with talks compiled it."""
    app = _app_on(demo_url, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _after_home(app, pilot)
        compiled = _compiled(app)
        with app.store.read() as db:
            found = recognition.load_recognition(
                db, *recognition.period_days("last month", app.today()), None
            )
        assert found.names.people and found.read
        assert compiled == []

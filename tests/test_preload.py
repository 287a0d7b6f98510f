"""What the app readies once Home shows its rows, before the facilitator opens a screen
(screens/preload.py): the main screens' code (tests/test_import_hygiene.py) and the reports'
statements and a person's record's."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import CacheStats

from circles.app import CirclesApp
from models.engine import sqlite_url
from models.store import Store
from screens import organisation, person, recognition
from screens.home import HomeScreen
from tests import factories
from tests.tui_support import settle, until


async def test_recognition_organisation_and_a_person_find_their_statements_compiled(tmp_path, clock):
    """Compiling their reads' statements was most of what their first open after a start
    cost beyond the later ones (Organisation: 0.26 s of processor time, 0.09 after; a person:
    13 of 14 statements, 0.16 s against 0.11). The record read is another person's than the
    one the app read: its statements are those of anyone."""
    url = sqlite_url(tmp_path / "circles.db")
    made = Store.open(url, clock=clock)
    lunch = factories.circle(made, "Rust Lunch")
    for name in ("Ada", "Grace"):
        factories.member(made, lunch, factories.person(made, name))
    zoe = factories.person(made, "Zoe")
    factories.member(made, lunch, zoe)
    made.close()
    app = CirclesApp(open_store=lambda: Store.open(url, clock=clock))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app._screens_loading)
        await settle(app, pilot)
        compiled = []

        def seen(_conn, _cursor, sql, _params, context, _many):
            if context.compiled is not None and context.cache_hit is not CacheStats.CACHE_HIT:
                compiled.append(" ".join(sql.split())[:80])

        sa.event.listen(app.store.engine, "before_cursor_execute", seen)
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

    url = sqlite_url(tmp_path / "circles.db")
    made = Store.open(url, clock=clock)
    lunch = factories.circle(made, "Rust Lunch")
    ada = factories.person(made, "Ada")
    factories.member(made, lunch, ada)
    made.close()
    app = CirclesApp(open_store=lambda: Store.open(url, clock=clock))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app._screens_loading)
        await settle(app, pilot)
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

"""Home: the welcome on an empty store, and the next 14 days of sessions with presenter and RSVPs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Button, DataTable, Static

from circles.app import CirclesApp
from circles.services import agenda, attendance, sessions
from models.enums import PresenterSource
from screens.circle import CircleScreen
from screens.form_screen import FormScreen
from screens.home import HomeScreen
from screens.table import Table
from tests import factories
from tests.tui_support import rows, screen_text, settle, shown, type_text, until

SIZE = (120, 40)


async def test_empty_store_welcomes_and_offers_first_circle(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#welcome").display
        assert not app.screen.query_one("#home-main").display
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert "Create your first circle (n)" in labels and "Load demo data (d)" in labels
        assert "demo" in {b.binding.action for b in app.screen.active_bindings.values()}

        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "Rust Lunch")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        assert app.screen.title == "Rust Lunch"


async def test_home_lists_the_next_14_days_with_presenter_and_rsvps(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Lima")
    bo = factories.person(memory_store, "Bo Chen")
    # Nobody in the rotation: the presenter Home shows comes from the agenda.
    factories.member(memory_store, c, ana, in_rotation=False)
    factories.member(memory_store, c, bo, in_rotation=False)
    soon = factories.session(memory_store, c, "2026-03-05 12:00", title="Ownership")
    factories.session(memory_store, c, "2026-04-30 12:00", title="Too far ahead")
    with memory_store.write() as db:
        agenda.add_item(db, session_id=soon.id, title="Talk", presenter_id=bo.id, minutes=40)
        attendance.set_rsvp(db, session_id=soon.id, person_id=ana.id, rsvp="yes")

    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.screen.query_one("#welcome").display
        table = app.screen.query_one("#upcoming", DataTable)
        assert rows(table) == [["Thu 05 Mar 12:00", "Rust Lunch", "Ownership", "Bo Chen", "1 yes"]]
        assert "demo" not in {b.binding.action for b in app.screen.active_bindings.values()}

        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.title == "Ownership"

        # Coming back after the clock moved on: the list follows the store's clock.
        clock.advance(days=50)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert [r[2] for r in rows(table)] == ["Too far ahead"]
        clock.advance(days=60)
        await pilot.press("r")
        await settle(app, pilot)
        assert rows(table) == []
        message = shown(app.screen.query_one("#upcoming-empty", Static))
        assert "Nothing scheduled before" in message
        assert f"{(clock() + timedelta(days=14)):%d %b}" in message
        # The next day, the same rows (none): what it says follows the day all the same.
        clock.advance(days=1)
        await pilot.press("r")
        await settle(app, pilot)
        message = shown(app.screen.query_one("#upcoming-empty", Static))
        assert f"{(clock() + timedelta(days=14)):%d %b}" in message, message


async def test_home_left_open_drops_a_session_once_it_is_no_longer_still_on(memory_store, clock, monkeypatch):
    """Nothing pressed and nothing changed in the store: the clock alone moves past the first
    session's still-on window (two hours from its start), and Home reads its list again."""
    monkeypatch.setattr(HomeScreen, "CLOCK_LOOK_SECONDS", 0.02)
    c = factories.circle(memory_store, "Rust Lunch", tz="UTC")
    factories.session(memory_store, c, "2026-03-03 10:00", title="This morning")
    factories.session(memory_store, c, "2026-03-03 15:00", title="This afternoon")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#upcoming", DataTable)
        assert [r[2] for r in rows(table)] == ["This morning", "This afternoon"]
        clock.advance(hours=3, minutes=1)  # 12:01: This morning was still on until 12:00
        await until(pilot, lambda: [r[2] for r in rows(table)] == ["This afternoon"])


async def test_the_welcome_reads_whole_at_80x24(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = " ".join(screen_text(app).split())  # wrapped lines joined: nothing may be cut
        assert "a learning circle, a community of practice, a lunch-and-learn or a workshop." in text
        assert "Or load demo data to look around first." in text


async def test_load_demo_data_from_the_welcome(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        # The demo is built in the loader's own worker, which settle() does not wait for.
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), rounds=3000)
        await settle(app, pilot)
        assert not app.screen.query_one("#welcome").display
        assert app.screen.query_one("#upcoming", DataTable).row_count > 0


async def test_an_rsvp_count_is_shown_whole_at_120_columns(memory_store, clock):
    """At 120 columns the RSVP cell read "7 yes · 1 may…" while a circle's name had letters to
    give: a count cut short is wrong, a long name cut short is still the name. The RSVP column is
    shown whole or, at 80 columns, not at all."""
    from circles.demo import build_demo

    build_demo(memory_store, size="small")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#upcoming", DataTable)
        await until(pilot, lambda: table.row_count > 0)
        cells = [str(table.get_row_at(i)[4]) for i in range(table.row_count)]
        longest = max(cells, key=len)
        assert "maybe" in longest
        assert longest in screen_text(app)


async def test_home_says_who_came_only_from_the_session_s_day_on(memory_store, clock):
    """Marks recorded for a session days ahead (check-in opened on the wrong one, which a store
    kept from before check-in waited for the session's day may hold) are not people who came:
    Home said '1 came' for next week's session."""
    c = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Lima")
    factories.member(memory_store, c, ana)
    today = factories.session(memory_store, c, "2026-03-03 12:00", title="Today")
    ahead = factories.session(memory_store, c, "2026-03-10 12:00", title="Next week")
    with memory_store.write() as db:
        for s in (today, ahead):
            attendance.set_rsvp(db, session_id=s.id, person_id=ana.id, rsvp="yes")
            with factories.taken_place(db, s):  # as it was once possible to, days ahead
                attendance.check_in(db, session_id=s.id, person_id=ana.id, attended="present")

    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        counts = {r[2]: r[4] for r in rows(app.screen.query_one("#upcoming", DataTable))}
        assert counts == {"Today": "1 yes · 1 came", "Next week": "1 yes"}


async def test_home_s_footer_offers_organisation_at_120_columns_and_still_quit_at_80(memory_store, clock):
    from screens.footer import Footer

    factories.circle(memory_store, "Rust Lunch")
    for size, wanted in [((120, 40), "O Organisation"), ((80, 24), "q Quit")]:
        app = CirclesApp(memory_store)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            keys = app.screen.query_one(Footer).shown_keys
            assert wanted in keys and "? Help" in keys, (size, keys)


async def test_home_says_in_its_title_only_a_session_is_not_going_ahead(memory_store, clock):
    """ "scheduled" on every row hid the cancelled session among rows that said nothing; then a
    Status column, blank on every row but one, took the presenter's cells on every row at 80
    columns. The one session cancelled says so first in its title, and the presenter stays."""
    c = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Ruiz")
    factories.member(memory_store, c, ana)
    on = factories.session(memory_store, c, "2026-03-05 12:00", title="Ownership at scale")
    off = factories.session(memory_store, c, "2026-03-12 12:00", title="Lifetimes in practice")
    with memory_store.write() as db:
        sessions.set_presenter(
            db, sessions.get_session(db, on.id), presenter_id=ana.id, source=PresenterSource.MANUAL
        )

    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#upcoming", Table)
        assert [r[2] for r in rows(table)] == ["Ownership at scale", "Lifetimes in practice"]

        with memory_store.write() as db:
            sessions.cancel_session(db, sessions.get_session(db, off.id))
        app.screen.refresh_data()
        await settle(app, pilot)
        assert [r[2] for r in rows(table)] == ["Ownership at scale", "cancelled: Lifetimes in practice"]
        assert "Presenter" in table.shown_columns
        text = screen_text(app)
        assert "cancelled: " in text and "Ana Ruiz" in text and "scheduled" not in text


async def test_home_tells_circles_named_alike_apart_at_80_columns(memory_store, clock):
    """The large demo's Home at 80 columns: with the times' zones, a Status column (since gone)
    and a scrollbar, the Circle column had 12 cells, and every "Accessibility Community of Practice"
    read "Accessibili…" whatever its city. A circle keeps the cells that say which, beside its
    presenter, and a cancelled session still says so. The place is kept whole: cut at its start
    ("…Paulo)") it no longer said which city."""
    cities = {"Bangalore": "Asia/Kolkata", "New York": "America/New_York", "Sao Paulo": "America/Sao_Paulo"}
    off = None
    for city, tz in cities.items():
        c = factories.circle(memory_store, f"Accessibility Community of Practice ({city})", tz=tz)
        presenter = factories.person(memory_store, f"Valentina Kowalski {city}", f"{tz}@example.org")
        factories.member(memory_store, c, presenter)
        for day in range(4, 13):
            s = factories.session(memory_store, c, f"2026-03-{day:02} 12:00", title="What's new this quarter")
            with memory_store.write() as db:
                view = sessions.get_session(db, s.id)
                sessions.set_presenter(db, view, presenter_id=presenter.id, source=PresenterSource.MANUAL)
            off = off or s
    assert off is not None
    with memory_store.write() as db:
        sessions.cancel_session(db, sessions.get_session(db, off.id))
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
    for city in cities:  # its place whole: "Accessib…(Sao Paulo)", not "Accessibility…Paulo)"
        assert f"…({city})" in text, text
    assert "cancelled" in text and "Valentina" in text, text


async def test_nothing_scheduled_says_the_year_of_a_day_in_next_year(memory_store, clock):
    """Two weeks from 20 Dec is in January: the day the empty list runs to says its year."""
    clock.now = datetime(2026, 12, 20, 9, tzinfo=UTC)
    factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        message = shown(app.screen.query_one("#upcoming-empty", Static))
        assert message.startswith("Nothing scheduled before Sun 03 Jan 2027"), message

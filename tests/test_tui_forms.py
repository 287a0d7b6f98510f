"""Modal forms: an error beside each bad field, nothing saved until valid, the service's refusals shown."""

from __future__ import annotations

from textual.widgets import Input, Static

from circles.app import CirclesApp
from circles.services import circles, people
from screens.circle import CircleScreen
from screens.form import FormScreen
from tests import factories
from tests.tui_support import pilot_test, settle, shown, type_text

SIZE = (120, 40)


def _error(screen: FormScreen, name: str) -> str:
    box = screen.query_one(f"#e-{name}", Static)
    return shown(box) if box.has_class("shown") else ""


def _count_circles(store) -> int:
    with store.read() as db:
        return len(circles.list_circles(db, include_archived=True))


@pilot_test
async def test_each_bad_field_says_what_is_wrong_and_nothing_is_saved(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-timezone", Input).value = "Berlin"
        form.query_one("#f-default_minutes", Input).value = "ninety"
        form.query_one("#f-video_url", Input).value = "meet.example.org/rust"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        assert _error(form, "name") == "Name is required"
        assert "is not an IANA timezone name" in _error(form, "timezone")
        assert "did you mean Europe/Berlin?" in _error(form, "timezone")
        assert "is not a whole number" in _error(form, "default_minutes")
        assert "must start with http:// or https://" in _error(form, "video_url")
        assert _error(form, "location") == ""
        assert app.focused is form.query_one("#f-name")
        assert _count_circles(memory_store) == 0

        # Fixing a field clears its own message at once.
        await type_text(pilot, "Rust Lunch")
        await pilot.pause()
        assert _error(form, "name") == ""
        for name, value in [("timezone", "Europe/Berlin"), ("default_minutes", "45"), ("video_url", "")]:
            form.query_one(f"#f-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        with memory_store.read() as db:
            saved = circles.find_circle(db, "Rust Lunch")
        assert (saved.timezone, saved.default_minutes) == ("Europe/Berlin", 45)


@pilot_test
async def test_a_duplicate_name_is_shown_not_swallowed(memory_store, clock):
    factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await type_text(pilot, "rust lunch")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert shown(form.query_one("#form-error", Static)) == "A circle named 'Rust Lunch' already exists."
        assert _count_circles(memory_store) == 1


async def _edit_circle(app, pilot, circle_id: int) -> FormScreen:
    """Open the circle and its edit form, as a facilitator would (E)."""
    await settle(app, pilot)
    app.open_circle(circle_id)
    await settle(app, pilot)
    await pilot.press("E")
    await pilot.pause()
    assert isinstance(app.screen, FormScreen)
    return app.screen


@pilot_test
async def test_someone_elses_edit_is_a_conflict_and_nothing_is_overwritten(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _edit_circle(app, pilot, c.id)
        # Meanwhile another facilitator renames the place.
        with memory_store.write() as db:
            circles.update_circle(db, c, location="Room 7")
        form.query_one("#f-location", Input).value = "Room 4.12"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        message = shown(form.query_one("#form-error", Static))
        assert "Someone else changed the circle 'Rust Lunch' since you opened it" in message
        assert "location is now 'Room 7'" in message
        assert "ctrl+r to load their version" in message
        with memory_store.read() as db:
            assert circles.get_circle(db, c.id).location == "Room 7"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        assert "Room 7" in shown(app.screen.query_one("#circle-summary", Static))


@pilot_test
async def test_after_a_conflict_their_version_loads_and_what_was_typed_stays_visible(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _edit_circle(app, pilot, c.id)
        with memory_store.write() as db:  # another facilitator saves first
            circles.update_circle(db, c, location="Room 7")
        form.query_one("#f-location", Input).value = "Room 4.12"
        form.query_one("#f-description", Input).value = "Ownership, borrowing, lifetimes"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert form.query_one("#f-location", Input).value == "Room 7"  # theirs, on screen
        assert shown(form.query_one("#e-location", Static)) == "yours: 'Room 4.12'"  # and mine beside it
        assert "Loaded their version" in shown(form.query_one("#form-error", Static))
        form.query_one("#f-location", Input).value = "Room 7, by the window"
        form.query_one("#f-description", Input).value = "Ownership, borrowing, lifetimes"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)  # saved this time, on top of their version
    with memory_store.read() as db:
        saved = circles.get_circle(db, c.id)
    assert (saved.location, saved.description) == ("Room 7, by the window", "Ownership, borrowing, lifetimes")


@pilot_test
async def test_person_form_checks_the_email_and_refuses_a_taken_one(memory_store, clock):
    factories.person(memory_store, "Ana Lima", "ana@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await type_text(pilot, "Ana Other")
        form.query_one("#f-email", Input).value = "ana at example"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "is not an e-mail address" in _error(form, "email")
        form.query_one("#f-email", Input).value = "ANA@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert (
            shown(form.query_one("#form-error", Static))
            == "Ana Lima already uses the e-mail address 'ana@example.org'."
        )
        with memory_store.read() as db:
            assert people.count_people(db) == 1

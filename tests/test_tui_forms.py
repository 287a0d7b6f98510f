"""Modal forms: an error beside each bad field, nothing saved until valid, the service's refusals shown."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from textual import events
from textual.widgets import Checkbox, Input, Static

from circles.app import CirclesApp
from circles.errors import NotAllowed
from circles.services import circle_records, people
from screens import forms
from screens.circle import CircleScreen
from screens.dialogs import ConfirmScreen
from screens.form_screen import Field, FormScreen
from tests import factories
from tests.tui_support import burst, settle, shown, type_text, until

SIZE = (120, 40)


def _error(screen: FormScreen, name: str) -> str:
    box = screen.query_one(f"#e-{name}", Static)
    return shown(box) if box.has_class("shown") else ""


def _count_circles(store) -> int:
    with store.read() as db:
        return len(circle_records.list_circles(db, include_archived=True))


async def test_each_bad_field_says_what_is_wrong_and_nothing_is_saved(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_circle_form(app, pilot)
        form.query_one("#f-timezone", Input).value = "Berlin"
        form.query_one("#f-default_minutes", Input).value = "ninety"
        form.query_one("#f-video_url", Input).value = "meet.example.org/rust"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        assert _error(form, "name") == "Name is required."
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
            saved = circle_records.find_circle(db, "Rust Lunch")
        assert (saved.timezone, saved.default_minutes) == ("Europe/Berlin", 45)


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
        assert _error(form, "name") == "A circle named 'Rust Lunch' already exists."
        assert _count_circles(memory_store) == 1


async def _new_circle_form(app, pilot) -> FormScreen:
    """Home's n, as a facilitator opens the New circle form."""
    await settle(app, pilot)
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, FormScreen)
    return app.screen


def _in_view(form: FormScreen, selector: str) -> bool:
    """Whether a widget of the form is inside the form's scrolling box as it is shown now."""
    from screens.dialogs import DialogBody

    region = form.query_one(selector).region
    return region.height > 0 and form.query_one(DialogBody).content_region.contains_region(region)


async def test_at_80x24_a_refusal_goes_under_its_field_in_view_and_the_field_has_the_focus(
    memory_store, clock
):
    """A duplicate name showed above the buttons, below the fold, with the focus left where it
    was: ctrl+s seemed to do nothing. An address taken is put under the e-mail the same way."""
    factories.circle(memory_store, "Rust Lunch")
    factories.person(memory_store, "Ana Lima", "ana@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_circle_form(app, pilot)
        await type_text(pilot, "rust lunch")
        form.query_one("#f-description", Input).focus()  # the cursor last at the bottom
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and app.focused is form.query_one("#f-name")
        assert _error(form, "name") == "A circle named 'Rust Lunch' already exists."
        assert _in_view(form, "#e-name") and _in_view(form, "#f-name")

        person = forms.person_form(None, name="Ana Other")
        app.push_screen(person)
        await pilot.pause()
        person.query_one("#f-email", Input).value = "ANA@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.focused is person.query_one("#f-email")
        assert _error(person, "email") == "Ana Lima already uses the e-mail address 'ana@example.org'."


async def test_at_80x24_every_bad_field_says_so_at_once_and_the_first_is_in_view(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_circle_form(app, pilot)
        form.query_one("#f-default_minutes", Input).value = "ninety"
        form.query_one("#f-video_url", Input).value = "meet.example.org/rust"
        form.query_one("#f-description", Input).focus()  # the name left empty, far above
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert _error(form, "name") == "Name is required."
        assert "is not a whole number" in _error(form, "default_minutes")
        assert "must start with http:// or https://" in _error(form, "video_url")
        assert app.focused is form.query_one("#f-name")
        assert _in_view(form, "#e-name") and _in_view(form, ".field-label.part-name")

        # A refusal about the whole form is scrolled into view above the buttons.
        form.refused(NotAllowed("The store is read-only."))
        await settle(app, pilot)
        assert _in_view(form, "#form-error")


async def _edit_circle(app, pilot, circle_id: int) -> FormScreen:
    """Open the circle and its edit form, as a facilitator would (E)."""
    await settle(app, pilot)
    app.open_circle(circle_id)
    await settle(app, pilot)
    await pilot.press("E")
    await pilot.pause()
    assert isinstance(app.screen, FormScreen)
    return app.screen


async def test_someone_elses_edit_is_a_conflict_and_nothing_is_overwritten(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _edit_circle(app, pilot, c.id)
        # Meanwhile another facilitator renames the place.
        with memory_store.write() as db:
            circle_records.update_circle(db, c, location="Room 7")
        form.query_one("#f-location", Input).value = "Room 4.12"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        message = shown(form.query_one("#form-error", Static))
        assert "Someone else changed the circle 'Rust Lunch' since you opened it" in message
        assert "location is now 'Room 7'" in message
        assert "ctrl+r to load their version" in message
        with memory_store.read() as db:
            assert circle_records.get_circle(db, c.id).location == "Room 7"
        await pilot.press("escape")  # what was typed is not saved: it asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        assert "Room 7" in shown(app.screen.query_one("#circle-summary", Static))


async def test_after_a_conflict_their_version_loads_and_what_was_typed_stays_visible(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _edit_circle(app, pilot, c.id)
        with memory_store.write() as db:  # another facilitator saves first
            circle_records.update_circle(db, c, location="Room 7")
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
        saved = circle_records.get_circle(db, c.id)
    assert (saved.location, saved.description) == ("Room 7, by the window", "Ownership, borrowing, lifetimes")


async def test_person_form_checks_the_email_and_refuses_a_taken_one(memory_store, clock):
    factories.person(memory_store, "Ana Lima", "ana@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("plus")
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
        assert _error(form, "email") == "Ana Lima already uses the e-mail address 'ana@example.org'."
        with memory_store.read() as db:
            assert people.count_people(db) == 1


def _forms(store):
    """Every form, as its screen opens it, with the field a person must fill first."""
    from circles.services import members

    c = factories.circle(store, "Rust Lunch")
    ana = factories.person(store, "Ana Lima", "ana@example.org")
    factories.member(store, c, ana)
    s = factories.session(store, c, "2026-03-10 12:00", title="Ownership")
    with store.read() as db:
        found = members.list_members(db, c.id)
    start = s.starts_at + timedelta(days=7)
    from circles.services import series

    weekly = factories.circle(store, "Weekly")
    with store.write() as db:
        weekly = series.set_cadence(db, weekly, "weekly on tue at 12:00")
    return [
        ("new circle", lambda: forms.circle_form(None), "name"),
        ("edit circle", lambda: forms.circle_form(c), "name"),
        ("new person", lambda: forms.person_form(None), "name"),
        ("new person named in the picker", lambda: forms.person_form(None, name="Grace Hopper"), "email"),
        ("edit person", lambda: forms.person_form(ana), "name"),
        ("schedule", lambda: forms.session_form(c, None, default_start=start), "start"),
        ("edit session", lambda: forms.session_form(c, s, default_start=s.starts_at), "start"),
        ("move", lambda: forms.move_form(s), "start"),
        ("plan several", lambda: forms.plan_form(c, default_start=start), "cadence"),
        ("plan several, the cadence known", lambda: forms.plan_form(weekly, default_start=start), "count"),
        ("new agenda item", lambda: forms.agenda_item_form(s, found, None), "title"),
        ("walk-in typed in the filter", lambda: forms.walk_in_form(s, name="Grace Hopper"), "name"),
        ("walk-in with +", lambda: forms.walk_in_form(s), "name"),
        ("mark away", lambda: forms.away_form(ana.id, today=date(2026, 3, 3)), "starts_on"),
    ]


async def test_each_form_starts_on_the_field_a_person_must_fill(memory_store, clock):
    cases = _forms(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        wrong = []
        for what, build, expected in cases:
            form = build()
            app.push_screen(form)
            await pilot.pause()
            focused = app.focused.id if app.focused else None
            if focused != f"f-{expected}":
                wrong.append(f"{what}: {focused} (expected f-{expected})")
            await pilot.press("escape")
            await pilot.pause()
        assert wrong == []


async def test_a_typed_date_replaces_the_suggested_date_not_the_title(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    s = factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership")
    person = factories.person(memory_store, "Ana Lima", "ana@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for form, date_field, typed, untouched in [
            (forms.session_form(c, None, default_start=s.starts_at), "start", "2026-03-20 18:00", "title"),
            (forms.session_form(c, s, default_start=s.starts_at), "start", "2026-03-11 12:30", "title"),
            (forms.away_form(person.id, today=date(2026, 3, 3)), "starts_on", "2026-04-01", "reason"),
        ]:
            app.push_screen(form)
            await pilot.pause()
            before = form.query_one(f"#f-{untouched}", Input).value
            await type_text(pilot, typed)
            assert form.query_one(f"#f-{date_field}", Input).value == typed
            assert form.query_one(f"#f-{untouched}", Input).value == before
            await pilot.press("escape")
            await pilot.pause()


async def test_pasted_lines_are_joined_and_a_notice_says_so(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = forms.circle_form(None)
        app.push_screen(form)
        await pilot.pause()
        name = form.query_one("#f-name", Input)
        name.post_message(events.Paste("Rust\r\n  Lunch and\n\nLearn \n"))
        await pilot.pause()
        assert name.value == "Rust Lunch and Learn"
        told = [n.message for n in app._notifications]
        assert told == ["Name: the 3 pasted lines were joined into one; check it reads right."]
        description = form.query_one("#f-description", Input)
        description.focus()
        await pilot.pause()
        description.post_message(events.Paste("one line only\n"))  # one line: pasted as it is, no notice
        await pilot.pause()
        assert description.value == "one line only" and len(app._notifications) == 1


async def test_a_new_circle_gets_its_cadence_and_a_bad_one_is_named(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_circle_form(app, pilot)
        await type_text(pilot, "Rust Lunch")
        form.query_one("#f-timezone", Input).value = "Europe/Berlin"
        form.query_one("#f-cadence", Input).value = "weekly on wednesday"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert _error(form, "cadence") != "" and _error(form, "name") == ""
        form.query_one("#f-cadence", Input).value = "Weekly on Wednesday at 12:00 for 45m"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen) and "first sessions" in app.screen.form_title
        await pilot.press("escape")  # plan later
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        with memory_store.read() as db:
            saved = circle_records.find_circle(db, "Rust Lunch")
        assert saved.cadence == "weekly on wed at 12:00 for 45m"

        await pilot.press("E")  # editing shows it, and clearing it clears it
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-cadence", Input).value == "weekly on wed at 12:00 for 45m"
        form.query_one("#f-cadence", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert circle_records.find_circle(db, "Rust Lunch").cadence is None


async def test_back_on_a_field_with_an_error_one_backspace_takes_one_character(memory_store, clock):
    # Opening on a suggested value selects it (typing replaces it); coming back to fix a value
    # must not: a single Backspace used to wipe the whole cadence.
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_circle_form(app, pilot)
        await type_text(pilot, "Rust Lunch")
        cadence = form.query_one("#f-cadence", Input)
        cadence.focus()
        await pilot.pause()
        await type_text(pilot, "weekly on wednesday")  # no time: refused
        form.query_one("#f-location", Input).focus()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.focused is cadence and _error(form, "cadence") != ""
        await pilot.press("backspace")
        await pilot.pause()
        assert cadence.value == "weekly on wednesda"
        await type_text(pilot, "y at 12:00")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is not form
        with memory_store.read() as db:
            assert circle_records.find_circle(db, "Rust Lunch").cadence == "weekly on wed at 12:00"


async def test_keys_read_in_one_burst_edit_the_field_in_the_order_they_were_typed(memory_store, clock):
    # A browser tab (circles serve) or a fast typist over ssh delivers several keys at once. An
    # editing key (Backspace, Home, ctrl+u) used to run only once it had gone up to the app to
    # find its binding, after the letters typed behind it: "Rusx", Backspace, "t" gave "Rusx".
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        name = app.screen.query_one("#f-name", Input)
        await until(pilot, lambda: app.focused is name)

        burst(app, "R", "u", "s", "x", "backspace", "t", "home", "A", "end", "s")
        await settle(app, pilot)
        assert name.value == "ARusts"
        burst(app, "ctrl+u", "G", "o")  # all of it away, then a new name
        await settle(app, pilot)
        assert name.value == "Go"


def test_every_text_box_in_the_app_is_a_one_line_input() -> None:
    """Textual's own Input runs its editing keys out of order in a burst (the test above) and
    keeps only the first line of a paste: every screen uses screens/one_line.py's instead."""
    screens = Path(__file__).resolve().parents[1] / "screens"
    plain = [
        f"{path.name}:{number}"
        for path in sorted(screens.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bInput\(", line)
    ]
    assert plain == []


async def test_a_field_the_service_refused_gets_the_focus_with_its_text_whole(memory_store, clock):
    from circles.errors import InvalidInput

    def save(_db, values):
        raise InvalidInput("code", values["code"], "is taken")

    form = FormScreen("Refused", [Field("name", "Name", "Ana"), Field("code", "Code", "rust-7")], save)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(form)
        await pilot.pause()
        assert app.focused is form.query_one("#f-name", Input)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        code = form.query_one("#f-code", Input)
        assert app.focused is code and "is taken" in _error(form, "code")
        await pilot.press("backspace")
        await pilot.pause()
        assert code.value == "rust-"
        # Only that once: tabbing into it later selects it, as every field does.
        await pilot.press("shift+tab", "tab")
        await pilot.pause()
        assert app.focused is code and code.selected_text == "rust-"


async def test_a_new_circle_suggests_this_machines_zone_and_asks_how_often_right_after_the_name(
    memory_store, clock, monkeypatch
):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_circle_form(app, pilot)
        assert form.query_one("#f-timezone", Input).value == "Asia/Kolkata"  # it was UTC
        await type_text(pilot, "Data Circle")
        await pilot.press("tab")
        await type_text(pilot, "weekly on thu at 13:00")
        await pilot.press("enter")
        await settle(app, pilot)
    with memory_store.read() as db:
        saved = circle_records.find_circle(db, "Data Circle")
    assert (saved.timezone, saved.cadence) == ("Asia/Kolkata", "weekly on thu at 13:00")


async def test_a_new_circle_suggests_the_zone_of_the_circles_of_whoever_whoami_names(
    memory_store, clock, monkeypatch
):
    """A facilitator whose circles are all in Berlin, on a machine set to UTC: the form said UTC."""
    monkeypatch.setenv("TZ", "UTC")
    ana = factories.person(memory_store, "Ana Lima", "ana@example.org")
    factories.circle(memory_store, "Rust Lunch", tz="Europe/Berlin", facilitator_id=ana.id)
    factories.circle(memory_store, "Go Lunch", tz="Europe/Berlin", facilitator_id=ana.id)
    factories.circle(memory_store, "Someone else's", tz="America/Chicago")
    monkeypatch.setenv("CIRCLES_ME", "ana@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, "n", *"Data")  # typed fast: the name goes into the form once it is up
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await settle(app, pilot)
        form = app.screen
        assert form.query_one("#f-timezone", Input).value == "Europe/Berlin"
        assert form.query_one("#f-name", Input).value == "Data"


async def test_enter_after_a_new_circle_s_name_goes_on_to_how_often_it_meets(memory_store, clock):
    """A new user typed a name and pressed Enter to go on: the circle was saved with the
    cadence, kind and zone they never saw. Enter in the name moves on; Enter after it saves,
    typed fast too; ctrl+s saves from anywhere."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_circle_form(app, pilot)
        await type_text(pilot, "Data Circle")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is form and app.focused is form.query_one("#f-cadence", Input)
        assert _count_circles(memory_store) == 0
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _new_circle_form(app, pilot)
        burst(app, *"Go Lunch", "enter", *"weekly on thu at 13:00", "enter")
        await until(pilot, lambda: _count_circles(memory_store) == 1)
        await settle(app, pilot)
    with memory_store.read() as db:
        saved = circle_records.find_circle(db, "Go Lunch")
    assert saved.cadence == "weekly on thu at 13:00" and _count_circles(memory_store) == 1


async def test_a_guest_may_be_saved_without_an_email_and_a_member_may_not(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = forms.person_form(None, name="Grace Hopper")
        saved = []
        app.push_screen(form, saved.append)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert _error(form, "email") == "E-mail is required unless Guest is ticked."
        form.query_one("#f-is_guest", Checkbox).value = True
        await pilot.pause()
        assert _error(form, "email") == ""
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [(p.name, p.email, p.is_guest) for p in saved] == [("Grace Hopper", None, True)]


async def test_escape_on_a_form_with_something_typed_asks_before_discarding_it(memory_store, clock):
    """A form left as it opened closes at once; once anything is typed, Escape (or Cancel)
    asks "Discard changes?": n or Escape goes back to the form with what was typed, y discards;
    quitting the app asks too."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = forms.person_form(None)
        app.push_screen(form)
        await settle(app, pilot)
        await pilot.press("escape")  # nothing typed: nothing to lose
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen | ConfirmScreen)

        form = forms.person_form(None)
        app.push_screen(form)
        await settle(app, pilot)
        await type_text(pilot, "Grace Hopper")
        for no in ("n", "escape"):
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "Discard changes? (y/n)" in shown(app.screen.query_one("#question", Static))
            await pilot.press(no)
            await until(pilot, lambda: app.screen is form)
            assert form.query_one("#f-name", Input).value == "Grace Hopper"
        assert form.unsaved() is not None  # quitting the app asks about it too
        await pilot.click("#cancel")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen | ConfirmScreen)
    with memory_store.read() as db:
        assert people.list_people(db, search="Grace") == []


async def test_ctrl_s_on_the_discard_question_saves_the_form_instead_of_throwing_it_away(memory_store, clock):
    """Escape hit by reflex, then ctrl+s to save, as on the form: it answered "yes, discard"."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = forms.person_form(None)
        app.push_screen(form)
        await settle(app, pilot)
        await type_text(pilot, "Grace Hopper")
        await pilot.press("tab")
        await type_text(pilot, "grace@example.org")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "ctrl+s saves" in shown(app.screen.query_one("#question", Static))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen | ConfirmScreen))
    with memory_store.read() as db:
        assert [p.email for p in people.list_people(db, search="Grace")] == ["grace@example.org"]


async def test_a_message_under_a_field_names_it_without_the_explanation_its_label_carries(
    memory_store, clock
):
    """Seen on the large demo: "How often (e.g. "weekly on tue at 12:00", "monthly on the last
    fri at 16:00") is required", and for a walk-in named like seven people "E-mail, if they give
    one (someone already known is found by it) is needed: ...". The label stays above the field;
    the message names the field by its first words."""
    c = factories.circle(memory_store, "Rust Lunch")
    s = factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership")
    for n in range(2):
        factories.person(memory_store, "Sami Olsen", f"sami{n}@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = forms.plan_form(c, default_start=s.starts_at + timedelta(days=7))
        app.push_screen(form)
        await pilot.pause()
        await type_text(pilot, "   ")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert _error(form, "cadence") == "How often is required."
        await pilot.press("escape", "y")
        await settle(app, pilot)

        form = forms.walk_in_form(s, name="Sami Olsen")
        app.push_screen(form)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert _error(form, "email") == (
            "E-mail is needed: 2 people are called Sami Olsen; it tells which one came."
        )


async def test_a_circles_facilitator_is_set_in_its_forms_whoami_first(memory_store, clock, monkeypatch):
    """The New and Edit circle forms had no facilitator: only 'circle add --facilitator' set one,
    and an invite needing an organizer asked for what the app could not do."""
    from circles.services import members

    monkeypatch.setenv("CIRCLES_ME", "ana@example.org")
    factories.person(memory_store, "Ana Lima", "ana@example.org")
    bo = factories.person(memory_store, "Bo Chen", "bo@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_circle_form(app, pilot)
        assert form.query_one("#f-facilitator", Input).value == "ana@example.org"
        await type_text(pilot, "Rust Lunch")
        form.query_one("#f-timezone", Input).value = "Europe/Berlin"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        with memory_store.read() as db:
            c = circle_records.find_circle(db, "Rust Lunch")
        assert c.facilitator_name == "Ana Lima"

        edit = await _edit_circle(app, pilot, c.id)
        assert edit.query_one("#f-facilitator", Input).value == "ana@example.org"
        edit.query_one("#f-facilitator", Input).value = "nobody@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is edit and app.focused is edit.query_one("#f-facilitator")
        assert "'nobody@example.org' is nobody in the directory" in _error(edit, "facilitator")
        edit.query_one("#f-facilitator", Input).value = "bo chen"  # a name only one person has
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        with memory_store.read() as db:
            c = circle_records.get_circle(db, c.id)
            bo_member = members.current_membership(db, circle_id=c.id, person_id=bo.id)
        assert c.facilitator_id == bo.id and bo_member is not None  # and joined the circle


async def test_a_form_typed_fast_fills_each_field_in_turn(memory_store, clock):
    """'Go', Tab, Tab, Tab, 'zz' read in one burst: a form's Tab moves the focus as it is read,
    and a box that handed the letters queued before it to the field the focus had reached put
    'zzGo' in the Facilitator field and nothing in the Name."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_circle_form(app, pilot)
        assert app.focused is form.query_one("#f-name")
        burst(app, "G", "o", "tab", "tab", "tab", "z", "z")
        await until(pilot, lambda: form.query_one("#f-facilitator", Input).value == "zz")
        await settle(app, pilot)
        assert form.query_one("#f-name", Input).value == "Go"
        assert form.query_one("#f-facilitator", Input).value == "zz"


async def test_text_typed_into_a_choice_is_refused_where_it_shows_and_holds_the_save(memory_store, clock):
    """A Tab too many and a sentence typed into a Select: it vanished without a word, and the
    save said only that the box it was meant for was empty. The choice says it was not kept."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_circle_form(app, pilot)
        form.query_one("#f-kind").focus()
        await pilot.pause()
        burst(app, *"for", "space", *"lab", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # not saved
        error = shown(form.query_one("#e-kind", Static))
        assert "“for lab” was not kept: Kind is picked from a list" in error
        assert form.values()["kind"] is forms.CircleKind.LEARNING_CIRCLE
        # Said once: back in the box the text was meant for, the form saves.
        assert form.focused is form.query_one("#f-name", Input)
        await type_text(pilot, "Lab")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)


async def test_the_person_and_walk_in_forms_tell_every_name_and_team_the_service_refuses_at_once(
    memory_store, clock
):
    """The forms checked a name's length but not what the service refuses besides (a direction
    control that can disguise it), and a team not at all: each was told on saving, one a save.
    They check with the service's own rules (people.person_name, people.team_name): both
    problems under their fields at the first save, and nobody saved."""
    c = factories.circle(memory_store, "Rust Lunch")
    s = factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for form in (forms.person_form(None), forms.walk_in_form(s)):
            app.push_screen(form)
            await pilot.pause()
            form.query_one("#f-name", Input).value = "Ana \u202eLima"
            form.query_one("#f-email", Input).value = "ana@example.org"
            form.query_one("#f-team", Input).value = "Platform " * 10  # 89 characters, stripped
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert app.screen is form
            assert "direction control" in _error(form, "name")
            assert _error(form, "team").endswith("is 89 characters long; the limit is 80.")
            await pilot.press("escape")
            await settle(app, pilot)
            if isinstance(app.screen, ConfirmScreen):  # what was typed: let it go
                await pilot.press("y")
                await settle(app, pilot)
        with memory_store.read() as db:
            assert people.count_people(db) == 0

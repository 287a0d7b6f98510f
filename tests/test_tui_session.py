"""The session screen: the agenda (add, edit, reorder, delete, time against length) and notes."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from circles.app import CirclesApp
from circles.services import agenda, sessions
from circles.views import SessionView
from screens import session as session_screen
from screens.dialogs import ConfirmScreen
from screens.form_screen import FormScreen
from screens.session import THEIRS_MARK, SessionScreen
from tests import factories
from tests.tui_support import rows, settle, shown, type_text, until

SIZE = (120, 40)


async def _open(app, pilot, session_id: int) -> SessionScreen:
    await settle(app, pilot)
    app.open_session(session_id)
    await settle(app, pilot)
    assert isinstance(app.screen, SessionScreen)
    return app.screen


def _ownership(store) -> SessionView:
    """A session of the Rust Lunch, for the notes tests."""
    circle = factories.circle(store, "Rust Lunch")
    return factories.session(store, circle, "2026-03-10 12:00", title="Ownership")


async def _notes_typed(app, pilot, session_id: int, text: str) -> SessionScreen:
    """The session open, n pressed and ``text`` typed into its notes, a key at a time."""
    screen = await _open(app, pilot, session_id)
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.focused, TextArea)
    await type_text(pilot, text)  # letters are text here, not commands
    return screen


async def _agenda_form(app, pilot, session_id: int, key: str) -> FormScreen:
    """The session's agenda item form: a to add, e to edit the highlighted item."""
    await _open(app, pilot, session_id)
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, FormScreen))
    return app.screen


def _titles(store, session_id: int) -> list[str]:
    with store.read() as db:
        return [i.title for i in agenda.list_items(db, session_id)]


async def test_build_an_agenda_with_presenters_and_minutes(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    bo = factories.person(memory_store, "Bo Chen")
    factories.member(memory_store, c, bo)
    s = factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership", minutes=60)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#agenda", DataTable)
        time = screen.query_one("#agenda-time", Static)
        assert "No agenda yet" in shown(time)

        for title, minutes, presenter in [
            ("Welcome", "10", None),
            ("Talk", "45", bo.id),
            ("Q&A", "15", None),
        ]:
            await pilot.press("a")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, FormScreen)
            await type_text(pilot, title)
            form.query_one("#f-minutes", Input).value = minutes
            if presenter is not None:
                form.query_one("#f-presenter", Select).value = presenter
            await pilot.press("ctrl+s")
            await settle(app, pilot)
        assert rows(table) == [
            ["1", "Welcome", "", "10"],
            ["2", "Talk", "Bo Chen", "45"],
            ["3", "Q&A", "", "15"],
        ]
        assert shown(time) == "Agenda 70 of 60 min: 10 min too long"
        assert time.has_class("over")
        assert table.cursor_row == 2  # on the item just added

        # A bad length is refused beside its field, and nothing changes.
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-minutes", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "must be between 1 and 1440 minutes" in shown(form.query_one("#e-minutes", Static))
        form.query_one("#f-minutes", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert shown(time) == "Agenda 60 of 60 min (0 free)"
        assert not time.has_class("over")

        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert _titles(memory_store, s.id) == ["Q&A", "Welcome", "Talk"]
        assert table.cursor_row == 0
        await pilot.press("shift+down")
        await settle(app, pilot)
        assert [r[1] for r in rows(table)] == ["Welcome", "Q&A", "Talk"]

        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert _titles(memory_store, s.id) == ["Welcome", "Talk"]
        assert [r[0] for r in rows(table)] == ["1", "2"]


async def test_notes_save_and_a_conflict_keeps_what_was_typed(memory_store, clock):
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _notes_typed(app, pilot, s.id, "Bring laptops")
        assert "unsaved" in shown(screen.query_one("#notes-state", Static))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert shown(screen.query_one("#notes-state", Static)) == "saved"
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == "Bring laptops"

        # Someone else moves the session while we keep typing.
        with memory_store.write() as db:
            other = sessions.get_session(db, s.id)
            sessions.update_session(db, other, title="Borrowing")
        await type_text(pilot, " and chargers")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        state = shown(screen.query_one("#notes-state", Static))
        assert state.startswith("not saved: Someone else changed the session")
        assert "title is now 'Borrowing'" in state
        assert screen.query_one("#notes", TextArea).text == "Bring laptops and chargers"
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == "Bring laptops"

        # Told, and caught up with their version: saving again puts the notes on top of it.
        assert "ctrl+s saves them on top" in shown(screen.query_one("#notes-state", Static))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert shown(screen.query_one("#notes-state", Static)) == "saved"
        with memory_store.read() as db:
            now = sessions.get_session(db, s.id)
        assert (now.title, now.notes) == ("Borrowing", "Bring laptops and chargers")


async def test_ctrl_s_saves_the_notes_wherever_the_focus_went_after_typing_them(memory_store, clock):
    """Typed, then Tab to the agenda (or a click on a tab): the hint under the notes still says
    "unsaved: ctrl+s saves", and ctrl+s did nothing there. It saves them, and once they are
    saved it has nothing to do away from them."""
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _notes_typed(app, pilot, s.id, "Bring laptops")
        screen.query_one("#agenda", DataTable).focus()
        await pilot.pause()
        assert "ctrl+s saves" in shown(screen.query_one("#notes-state", Static))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert shown(screen.query_one("#notes-state", Static)) == "saved"
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == "Bring laptops"
        assert not screen.check_action("save_notes", ())


async def test_notes_someone_else_saved_meanwhile_are_kept_for_merging_never_overwritten(memory_store, clock):
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _notes_typed(app, pilot, s.id, "Mine")
        with memory_store.write() as db:
            sessions.update_session(db, sessions.get_session(db, s.id), notes="Theirs")

        # Saving now is refused, and their notes come in below ours; the cursor stays put.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        notes = screen.query_one("#notes", TextArea)
        assert notes.text == f"Mine\n\n{THEIRS_MARK}\nTheirs"
        assert notes.cursor_location == (0, 4)
        assert "theirs are below yours" in shown(screen.query_one("#notes-state", Static))
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == "Theirs"

        # The merge is saved once the person has made it.
        notes.load_text("Mine and theirs")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == "Mine and theirs"

        # n puts the cursor at the end of the notes, where the next line of the meeting goes.
        screen.query_one("#agenda", DataTable).focus()
        await pilot.press("n")
        assert notes.cursor_location == notes.document.end
        # A reload while typing (back from check-in, say) also brings theirs in rather than
        # letting the next save replace them unseen.
        await type_text(pilot, "!")
        with memory_store.write() as db:
            sessions.update_session(db, sessions.get_session(db, s.id), notes="Theirs again")
        screen.reload(keep_notes=True)
        await settle(app, pilot)
        assert notes.text.endswith(f"{THEIRS_MARK}\nTheirs again")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == notes.text


@pytest.mark.parametrize(
    ("key", "left"),
    [
        ("escape", lambda app: not isinstance(app.screen, (SessionScreen, ConfirmScreen))),
        ("ctrl+q", lambda app: app.return_code == 0),
    ],
    ids=["escape", "quit"],
)
async def test_leaving_with_unsaved_notes_asks_first(memory_store, clock, key, left):
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        await pilot.press("n")
        await type_text(pilot, "Half a thought")
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "notes of" in shown(app.screen.query_one("#question", Static))
        await pilot.press("n")  # stay
        await settle(app, pilot)
        assert app.is_running and app.screen is screen
        assert screen.query_one("#notes", TextArea).text == "Half a thought"

        # Saved notes go without a question.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert left(app)


async def test_own_saves_never_come_back_as_someone_elses_notes(memory_store, clock):
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        notes = screen.query_one("#notes", TextArea)
        await pilot.press("n")
        await type_text(pilot, "Mine")
        await pilot.press("enter")  # a trailing newline, which the store trims
        before = screen.data
        await pilot.press("ctrl+s", "ctrl+s")  # pressed twice, quickly
        await settle(app, pilot)
        assert THEIRS_MARK not in notes.text
        assert shown(screen.query_one("#notes-state", Static)) == "saved"
        with memory_store.read() as db:
            assert sessions.get_session(db, s.id).notes == "Mine"

        # A reload that started before the save landed brings older notes: they are not shown.
        assert before is not None
        screen.show(before, keep_notes=True)
        assert notes.text == "Mine\n" and THEIRS_MARK not in notes.text
        screen.reload(keep_notes=True)
        await settle(app, pilot)
        assert THEIRS_MARK not in notes.text

        # Saved (but for the trimmed newline): Escape leaves without asking.
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, (SessionScreen, ConfirmScreen))


async def test_a_guest_from_the_directory_can_present_an_agenda_item(memory_store, clock):
    from screens.form_screen import ANYONE
    from screens.picker import PersonPicker

    s = _ownership(memory_store)
    gia = factories.person(memory_store, "Gia Rossi", is_guest=True)  # not a member
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _agenda_form(app, pilot, s.id, "a")
        form.query_one("#f-title", Input).value = "Guest talk"
        presenter = form.query_one("#f-presenter", Select)
        presenter.value = ANYONE
        await until(pilot, lambda: isinstance(app.screen, PersonPicker))
        await type_text(pilot, "Gia")
        first_match = lambda: str(app.screen.query_one("#matches").get_option_at_index(0).prompt)  # noqa: E731
        await until(pilot, lambda: first_match().startswith("Gia Rossi"))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is form)
        assert presenter.value == gia.id

        # Changing one's mind and cancelling the picker keeps the guest chosen.
        presenter.value = ANYONE
        await until(pilot, lambda: isinstance(app.screen, PersonPicker))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is form)
        assert presenter.value == gia.id

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with memory_store.read() as db:
            [item] = agenda.list_items(db, s.id)
        assert (item.title, item.presenter_id) == ("Guest talk", gia.id)


async def test_their_guest_presenter_loads_after_a_conflict_on_an_agenda_item(memory_store, clock):
    s = _ownership(memory_store)
    gia = factories.person(memory_store, "Gia Rossi", is_guest=True)  # not a member
    with memory_store.write() as db:
        item = agenda.add_item(db, session_id=s.id, title="Guest talk")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _agenda_form(app, pilot, s.id, "e")
        with memory_store.write() as db:  # someone else names the guest meanwhile
            agenda.update_item(db, agenda.get_item(db, item.id), presenter_id=gia.id)
        form.query_one("#f-title", Input).value = "Guest talk, revised"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.check_action("load_theirs", ()) is True)
        await pilot.press("ctrl+r")  # their version: a presenter this form's list did not have
        await settle(app, pilot)
        assert form.query_one("#f-presenter", Select).value == gia.id
        assert form.query_one("#f-title", Input).value == "Guest talk, revised"  # only mine changed it


async def test_after_a_conflict_on_an_agenda_item_each_side_keeps_what_only_it_changed(memory_store, clock):
    """Load their version merges: my title stays, their minutes come in, and the presenter we
    both changed shows theirs with mine under it, by name (it said "yours: 3" for an untouched
    presenter, and put back the old title I had to type again)."""
    ana, bo, cy = (factories.person(memory_store, name) for name in ("Ana", "Bo", "Cy"))
    circle = factories.circle(memory_store, "Go Guild")
    for person in (ana, bo, cy):
        factories.member(memory_store, circle, person)
    s = factories.session(memory_store, circle, "2026-03-11 12:00")
    with memory_store.write() as db:
        item = agenda.add_item(db, session_id=s.id, title="Talk", presenter_id=ana.id, minutes=30)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _agenda_form(app, pilot, s.id, "e")
        with memory_store.write() as db:  # the other facilitator: Bo presents, for 25 minutes
            agenda.update_item(db, agenda.get_item(db, item.id), presenter_id=bo.id, minutes=25)
        form.query_one("#f-title", Input).value = "Talk about traits"
        form.query_one("#f-presenter", Select).value = cy.id
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.check_action("load_theirs", ()) is True)
        await pilot.press("ctrl+r")
        await settle(app, pilot)

        def note(name: str) -> str:
            return shown(form.query_one(f"#e-{name}", Static))

        assert (form.query_one("#f-title", Input).value, note("title")) == ("Talk about traits", "")
        assert (form.query_one("#f-minutes", Input).value, note("minutes")) == ("25", "")
        assert (form.query_one("#f-presenter", Select).value, note("presenter")) == (bo.id, "yours: 'Cy'")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is not form)
    with memory_store.read() as db:
        saved = agenda.get_item(db, item.id)
    assert (saved.title, saved.presenter_id, saved.minutes) == ("Talk about traits", bo.id, 25)


async def test_the_session_is_moved_from_its_own_screen(memory_store, clock):
    # Only the circle's Sessions tab moved a session: open here, with people asking, it meant
    # going back to the circle and finding it in the list.
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, s.id)
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#f-start", Input).value = "2026-03-11 13:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert "Wed 11 Mar 2026 13:00" in shown(screen.query_one("#session-summary", Static))
    with memory_store.read() as db:
        moved = sessions.get_session(db, s.id)
    assert moved.starts_at > s.starts_at and moved.ics_sequence > s.ics_sequence


async def test_a_read_on_its_way_as_the_session_closes_is_dropped_at_once(memory_store, clock, monkeypatch):
    # Textual cancels a screen's workers only as it unmounts, some frames after it is popped: a
    # reload that came back meanwhile showed itself on a screen whose widgets were going
    # (Escape twice on a session, then NoMatches for #session-summary: "Something went wrong").
    s = _ownership(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        reading, go = threading.Event(), threading.Event()
        load = session_screen.load_session

        def held(db, session_id):
            reading.set()
            assert go.wait(30)
            return load(db, session_id)

        monkeypatch.setattr(session_screen, "load_session", held)
        screen.reload()
        await until(pilot, lambda: reading.is_set())
        app.pop_screen()
        mine = [w for w in app.workers if w.node is screen]
        assert mine and all(w.is_cancelled for w in mine)
        go.set()
        await settle(app, pilot)
        assert app.return_code is None and not isinstance(app.screen, SessionScreen)

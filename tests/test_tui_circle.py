"""The circle screen: members (add, remove, role, rotation) and sessions (schedule, plan, move, cancel)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from circles.app import CirclesApp
from circles.services import members, people, sessions
from models.enums import Role, SessionStatus
from screens.circle import CircleScreen
from screens.circles import CirclesScreen
from screens.dialogs import ConfirmScreen
from screens.form_screen import FormScreen
from screens.picker import PersonPicker
from screens.tabs import Tabs
from tests import factories
from tests.tui_support import burst, rows, settle, shown, type_text, until

SIZE = (120, 40)


async def _open(app, pilot, circle_id: int) -> CircleScreen:
    await settle(app, pilot)
    app.open_circle(circle_id)
    await settle(app, pilot)
    assert isinstance(app.screen, CircleScreen)
    return app.screen


async def test_circles_list_filters_and_opens(memory_store, clock):
    for name in ("Rust Lunch", "Design Guild", "Rustaceans"):
        factories.circle(memory_store, name)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CirclesScreen)
        table = app.screen.query_one(DataTable)
        assert [r[0] for r in rows(table)] == ["Design Guild", "Rust Lunch", "Rustaceans"]
        await pilot.press("slash")
        await type_text(pilot, "rust")
        await pilot.pause()
        assert [r[0] for r in rows(table)] == ["Rust Lunch", "Rustaceans"]
        await pilot.press("enter", "down", "enter")
        await settle(app, pilot)
        assert app.screen.title == "Rustaceans"


async def test_members_add_role_rotation_and_remove_with_confirmation(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    factories.person(memory_store, "Ana Lima")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, c.id)
        table = screen.query_one("#member-table", DataTable)
        assert rows(table) == []

        # An existing person, found by typing part of the name.
        await pilot.press("a")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        await type_text(pilot, "ana")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        # The picker stays for the next name, its search cleared.
        assert app.screen is picker and picker.query_one("#search", Input).value == ""
        assert shown(picker.query_one("#picker-added", Static)) == "Added: Ana Lima."

        # Someone new, created from the picker without leaving the circle.
        await type_text(pilot, "Bo Chen")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "bo@example.org")
        await pilot.press("enter")  # Enter on the last field typed saves
        await settle(app, pilot)
        assert app.screen is picker
        assert shown(picker.query_one("#picker-added", Static)) == "Added: Ana Lima, Bo Chen."
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert [r[0] for r in rows(table)] == ["Ana Lima", "Bo Chen"]
        assert "2 members" in shown(screen.query_one("#circle-summary", Static))

        await pilot.press("ctrl+r", "ctrl+t")  # Ana: facilitator, out of the rotation
        await settle(app, pilot)
        assert rows(table)[0][3:5] == ["facilitator", "out"]
        with memory_store.read() as db:
            ana = members.list_members(db, c.id)[0]
        assert (ana.role, ana.in_rotation) == (Role.FACILITATOR, False)

        await pilot.press("down", "x")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert len(rows(table)) == 2
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert [r[0] for r in rows(table)] == ["Ana Lima"]
        with memory_store.read() as db:
            past = members.list_members(db, c.id, include_past=True)
        assert [(m.name, m.current) for m in past] == [("Ana Lima", True), ("Bo Chen", False)]


async def test_a_new_circle_with_a_cadence_offers_its_first_sessions_and_members_come_next(
    memory_store, clock, monkeypatch
):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Rust Lunch")
        await pilot.press("tab")
        await type_text(pilot, "weekly on tue at 12:00")
        await pilot.press("enter")
        await settle(app, pilot)
        plan = app.screen
        assert isinstance(plan, FormScreen) and "Plan its first sessions now?" in plan.form_title
        count = plan.query_one("#f-count", Input)
        # The cadence is known: the cursor is on how many, its suggestion selected.
        assert app.focused is count and count.selected_text == count.value
        await type_text(pilot, "8")
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CircleScreen) and screen.active_tab == "members"
        assert len(screen.data.upcoming) == 8
        assert [s.local_start.strftime("%a %H:%M") for s in screen.data.upcoming] == ["Tue 12:00"] * 8


async def test_a_new_circle_without_a_cadence_just_opens(memory_store, clock):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Design Guild")
        await pilot.press("enter", "enter")  # on to how often, left empty: saved
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen) and app.screen.title == "Design Guild"


async def test_new_people_join_one_after_another_without_leaving_the_picker(memory_store, clock):
    from screens.footer import Footer

    c = factories.circle(memory_store, "Rust Lunch")
    people = [("Ada Lovelace", "ada@example.org"), ("Grace Hopper", "grace@example.org"), ("Alan Turing", "")]
    factories.person(memory_store, "Alan Turing", "alan@example.org")  # already in the directory
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, c.id)
        assert "press a and type their names" in shown(screen.query_one("#members-note", Static))
        await pilot.press("a")
        await settle(app, pilot)
        picker = app.screen
        assert "esc Done" in picker.query_one(Footer).shown_keys
        for name, email in people:  # name, Enter, (a new person's e-mail, Enter): nothing else
            await type_text(pilot, name)
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            if email:
                assert isinstance(app.screen, FormScreen)
                await type_text(pilot, email)
                await pilot.press("enter")
                await settle(app, pilot)
            assert app.screen is picker
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert [r[0] for r in rows(screen.query_one("#member-table", DataTable))] == [
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
        ]
        assert not screen.query_one("#members-note", Static).display


async def test_a_pick_the_store_refuses_is_said_in_the_picker_and_can_be_picked_again(memory_store, clock):
    from circles.errors import NotAllowed

    ana = factories.person(memory_store, "Ana Lima", "ana@example.org")

    def refuse(_db, person):
        raise NotAllowed(f"{person.name} left the organisation.")

    picker = PersonPicker("Add members", add=refuse)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(picker)
        await settle(app, pilot)
        await type_text(pilot, "ana")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        said = shown(picker.query_one("#picker-added", Static))
        assert said == "Ana Lima was not added: Ana Lima left the organisation."
        assert picker.added == [] and ana.id not in picker.exclude


async def test_planning_with_another_cadence_says_the_circle_now_meets_by_it(memory_store, clock):
    """The plan form offers the circle's cadence; typed otherwise, planning stored the new one
    as the circle's without a word (the Rotation tab's previews and later plans followed it).
    The notice after planning says the circle's cadence changed, and from what."""
    from circles.services import circle_records

    c = factories.circle(memory_store, "Rust Lunch", tz="Europe/Berlin")
    with memory_store.write() as db:
        from circles.services import series

        series.set_cadence(db, c, "weekly on tue at 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, c.id)
        await pilot.press("2", "P")
        await settle(app, pilot)
        plan = app.screen
        assert isinstance(plan, FormScreen)
        assert plan.query_one("#f-cadence", Input).value == "weekly on tue at 12:00"
        plan.query_one("#f-count", Input).value = "2"
        await pilot.press("ctrl+s")  # the cadence as it is: nothing more to say
        await settle(app, pilot)
        assert [n.message for n in app._notifications][-1] == "Planned 2 sessions."

        await pilot.press("P")
        await settle(app, pilot)
        app.screen.query_one("#f-cadence", Input).value = "every 2 weeks on wed at 13:00"
        app.screen.query_one("#f-count", Input).value = "2"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [n.message for n in app._notifications][-1] == (
            "Planned 2 sessions. Rust Lunch now meets every 2 weeks on wed at 13:00 "
            "(it met weekly on tue at 12:00); later plans follow it too."
        )
    with memory_store.read() as db:
        assert circle_records.get_circle(db, c.id).cadence == "every 2 weeks on wed at 13:00"


async def test_sessions_schedule_plan_move_and_cancel(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch", tz="Europe/Berlin")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, c.id)
        await pilot.press("2")
        await pilot.pause()
        assert screen.query_one(Tabs).active == "sessions"
        assert "No sessions yet" in shown(screen.query_one("#sessions-note", Static))
        table = screen.query_one("#session-table", DataTable)

        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        start = form.query_one("#f-start", Input)
        assert start.value == "2026-03-04 12:00"  # tomorrow at noon on the circle's clock
        start.value = "2026-03-29 02:30"  # skipped by the clocks in Berlin
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "does not exist in Europe/Berlin" in shown(form.query_one("#e-start", Static))
        start.value = "2026-03-10 12:00"
        form.query_one("#f-title", Input).value = "Ownership"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert rows(table) == [["Tue 10 Mar 12:00", "Ownership", "", "60 min", "0 yes", "scheduled"]]

        await pilot.press("P")
        await pilot.pause()
        plan = app.screen
        assert plan.query_one("#f-start", Input).value == "2026-03-17"  # a week after the last one
        assert plan.query_one("#f-cadence", Input).value == "weekly on tue at 12:00"
        plan.query_one("#f-count", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # Across the change to summer time the sessions stay at 12:00 in Berlin.
        assert [r[0] for r in rows(table)] == [
            "Tue 10 Mar 12:00",
            "Tue 17 Mar 12:00",
            "Tue 24 Mar 12:00",
            "Tue 31 Mar 12:00",
        ]

        await pilot.press("down", "m")
        await pilot.pause()
        app.screen.query_one("#f-start", Input).value = "2026-03-18 13:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert rows(table)[1][0] == "Wed 18 Mar 13:00"

        # A time alone keeps the session's day; what else it takes is said under the box.
        await pilot.press("m")
        await pilot.pause()
        move = app.screen
        assert "or HH:MM that day" in " ".join(shown(label) for label in move.query(".field-label"))
        move.query_one("#f-start", Input).value = "1pm"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "is not a time like 2026-03-17 12:00 or 12:00 (that day)" in shown(
            move.query_one("#e-start", Static)
        )
        move.query_one("#f-start", Input).value = "14:30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert rows(table)[1][0] == "Wed 18 Mar 14:30"

        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Cancel the session Rust Lunch, Wed 18 Mar 2026 14:30?" in shown(
            app.screen.query_one("#question")
        )
        await pilot.press("y")
        await settle(app, pilot)
        assert rows(table)[1][5] == "cancelled"
        with memory_store.read() as db:
            statuses = [s.status for s in sessions.list_sessions(db, circle_id=c.id)]
        assert statuses.count(SessionStatus.CANCELLED) == 1


async def test_number_keys_switch_tabs_from_any_tab_and_focus_follows(memory_store, clock):
    """Including from inside the rotation panel, whose table keeps focus when its tab hides."""
    c = factories.circle(memory_store)
    factories.member(memory_store, c, factories.person(memory_store, "Ana"))
    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, c.id)
        seen = []
        for key in "34123":
            await pilot.press(key)
            await settle(app, pilot)
            seen.append((screen.query_one(Tabs).active, app.focused.id if app.focused else None))
    assert [tab for tab, _ in seen] == ["rotation", "stats", "members", "sessions", "rotation"]
    assert seen[0][1] == "rotation-preview"  # so the footer shows the rotation's keys


async def test_a_circle_opens_with_its_members_in_its_first_frame(memory_store, clock):
    """Its screen is pushed once its data are read: no frame of empty tables first, then one
    with the members and another with the delivery line (each a layout of the whole screen)."""
    from screens.textual_internals import on_each_frame

    c = factories.circle(memory_store, "Rust Lunch")
    for name in ("Ana Lima", "Bo Chen"):
        factories.member(memory_store, c, factories.person(memory_store, name))
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        members_drawn: list[int] = []

        def drawn() -> None:
            if isinstance(app.screen, CircleScreen):
                members_drawn.append(app.screen.query_one("#member-table", DataTable).row_count)

        on_each_frame(app, drawn)
        app.open_circle(c.id)
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        assert members_drawn and members_drawn[0] == 2, members_drawn


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_circles_session_rsvp_counts_are_whole_or_not_shown(memory_store, clock, size):
    """On the large demo the Sessions tab read "20 y…" at 80 columns and "26 yes · 5 maybe ·
    24 ca…" at 120: a count cut short reads wrong. Each is shown whole, or the column not at all."""
    from circles.demo import build_demo
    from screens.table import FittedColumn
    from tests.tui_support import screen_text, until

    build_demo(memory_store, size="small")
    with memory_store.read() as db:
        from circles.services import lookups

        rust = next(c for c in lookups.listed_circles(db) if c.name == "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.open_circle(rust.id)
        await until(pilot, lambda: isinstance(app.screen, CircleScreen))
        await pilot.press("2")
        await settle(app, pilot)
        table = app.screen.query_one("#session-table", DataTable)
        await until(pilot, lambda: table.row_count > 0)
        await settle(app, pilot)
        rsvp = next(c for c in table.ordered_columns if str(c.label) == "RSVP")
        assert isinstance(rsvp, FittedColumn)
        if not rsvp.hidden:
            text = screen_text(app)
            visible = [str(table.get_row_at(i)[4]) for i in range(min(table.row_count, 5))]
            assert all(cell in text for cell in visible), visible
        assert not rsvp.truncated


async def test_a_name_typed_on_the_members_list_changes_no_member(memory_store, clock):
    """'tomas' typed on Rust Lunch's members, to find Tomas as People and Circles find a name:
    t took Camille, the highlighted facilitator, out of the rotation, and o made her a member,
    each at once and unasked. Role and rotation are ctrl+r and ctrl+t."""
    c = factories.circle(memory_store, "Rust Lunch")
    camille = factories.person(memory_store, "Camille Perez", "camille@example.org")
    tomas = factories.person(memory_store, "Tomas Kaur", "tomas@example.org")
    with memory_store.write() as db:
        members.add_member(db, circle_id=c.id, person_id=camille.id, role=Role.FACILITATOR)
        members.add_member(db, circle_id=c.id, person_id=tomas.id)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, c.id)
        burst(app, *"tomas")
        await settle(app, pilot)
        with memory_store.read() as db:
            first = members.list_members(db, c.id)[0]
        assert (first.name, first.role, first.in_rotation) == ("Camille Perez", Role.FACILITATOR, True)

        while app.screen is not screen:  # the picker 'a' opened, with the 's' after it
            await pilot.press("escape")
            await settle(app, pilot)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert members.list_members(db, c.id)[0].in_rotation is False


async def test_a_name_typed_fast_after_a_on_the_rotation_goes_into_the_presenter_list(memory_store, clock):
    """'a' and 'lucas' in one burst on the Rotation tab: while the choices were read, the
    letters were the tab's keys. Its u put the highlighted session, which Gus presents by hand,
    back to the rotation, its a asked again, and the list opened with nothing typed in it."""
    from circles.services import circle_records, planning, rotation, series
    from screens.dialogs import ChoiceScreen

    c = factories.circle(memory_store, "Rust Lunch")
    names = ["Ana Lima", "Bo Chen", "Cleo Diaz", "Dev Rao", "Eli Ito", "Fay Wu", "Gus Roy", "Lucas Hahn"]
    for name in [*names, "Jo Kerr"]:  # nine or more: the list has a box to type into
        factories.member(memory_store, c, factories.person(memory_store, name))
    with memory_store.write() as db:
        series.set_cadence(db, circle_records.get_circle(db, c.id), "weekly on tue at 12:00")
        first = planning.plan_sessions(db, circle_id=c.id, count=3).sessions[0]
        gus = next(m for m in members.list_members(db, c.id) if m.name == "Gus Roy")
        rotation.assign(db, first, person_id=gus.person_id)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, c.id)
        await pilot.press("3")
        await settle(app, pilot)
        burst(app, "a", *"lucas")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert sessions.get_session(db, first.id).presenter_id == gus.person_id
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        assert dialog.query_one("#choice-filter", Input).value == "lucas"


async def test_a_new_member_named_in_the_picker_gets_capitals_as_a_walk_in_does(memory_store, clock):
    """'grace hopper' typed to find someone: the New person form said 'grace hopper', where
    check-in's walk-in form said 'Grace Hopper'."""
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, c.id)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, PersonPicker))
        await type_text(pilot, "grace  hopper")
        await settle(app, pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#f-name", Input).value == "Grace Hopper"


def test_a_cancelled_session_shows_nobody_presenting_though_its_agenda_named_someone(memory_store, clock):
    from circles.services import agenda, lookups
    from screens.format import presenter_label

    ana = factories.person(memory_store, "Ana Ruiz", "ana@example.org")
    rust = factories.circle(memory_store, "Rust Lunch")
    talk = factories.session(memory_store, rust, "2030-03-05 12:00", title="Ownership")
    with memory_store.write() as db:
        agenda.add_item(db, session_id=talk.id, title="Talk", presenter_id=ana.id)
        named = lookups.agenda_presenters(db, [talk.id])
        assert presenter_label(sessions.get_session(db, talk.id), named) == "Ana Ruiz"
        cancelled = sessions.cancel_session(db, sessions.get_session(db, talk.id))
        # As 'circles session list' shows it: nobody presents at a cancelled session.
        assert presenter_label(cancelled, lookups.agenda_presenters(db, [talk.id])) == ""


async def test_a_circle_opened_and_a_name_typed_fast_after_a_goes_into_the_member_picker(memory_store, clock):
    """Enter on the circles list, 'a' and a name in one burst: the 'a' came back from the list
    before the Enter's row selection had opened the circle, and went into the list's filter
    with the name after it. They are the circle's keys: the picker, and the name in it."""
    factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        burst(app, "enter", "a", *"grace", "space", *"hopper")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        assert picker.query_one("#search", Input).value == "grace hopper"


async def test_a_session_opened_from_a_circle_with_a_tab_key_typed_fast_shows_that_tab(memory_store, clock):
    """Enter and '2' in one burst on a circle's Sessions: the '2' came back from the list
    before the Enter's row selection had opened anything, and the circle took it as its own
    (its Sessions tab, already showing). It is the session screen's: its second tab."""
    from screens.session import SessionScreen

    c = factories.circle(memory_store, "Rust Lunch")
    factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, c.id)
        await pilot.press("2")
        await settle(app, pilot)
        burst(app, "enter", "2")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await settle(app, pilot)
        session = app.screen
        assert isinstance(session, SessionScreen)
        assert session.query_one("#session-tabs", Tabs).active == "knowledge-tab"
        assert screen.query_one(Tabs).active == "sessions"


async def test_the_person_picker_offers_nobody_who_has_left_the_organisation(memory_store, clock):
    """Adding members (and joining a programme) offered people marked inactive, who have left."""
    c = factories.circle(memory_store)
    factories.person(memory_store, "Ana Lima")
    gone = factories.person(memory_store, "Ana Gone", "gone@example.org")
    with memory_store.write() as db:
        people.update_person(db, gone, active=False)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, c.id)
        await pilot.press("a")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        await type_text(pilot, "ana")
        await settle(app, pilot)
        assert [p.name for p in picker.found.values()] == ["Ana Lima"]

"""The programme screens: from Home to a programme, match, swap two proposals, confirm, open a
pair, log a meeting and end it early; the person screen lists their pairs."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from circles.app import CirclesApp
from circles.services import pairs, programmes
from screens.dialogs import ConfirmScreen
from screens.form import FormScreen
from screens.pair import PairScreen
from screens.person import PersonScreen
from screens.programme import ProgrammeScreen
from screens.programmes import ProgrammesScreen
from tests import factories
from tests.tui_support import rows, settle, shown, type_text, until

SIZE = (120, 40)


def _programme(store) -> int:  # type: ignore[no-untyped-def]
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", cadence="weekly on tue at 15:00")
    ids = []
    for name, team in (
        ("Ana Mentor", "Data"),
        ("Bo Mentor", "Web"),
        ("Cy Mentee", "Ops"),
        ("Di Mentee", "Ops"),
    ):
        ids.append(factories.person(memory := store, name, team=team).id)
    with memory.write() as db:
        programmes.join(db, p.id, ids[0], role="mentor", offers="Rust")
        programmes.join(db, p.id, ids[1], role="mentor", offers="Go")
        programmes.join(db, p.id, ids[2], role="mentee", wants="rust")
        programmes.join(db, p.id, ids[3], role="mentee", wants="go")
    return p.id


async def test_match_swap_confirm_meet_and_end_early(memory_store, clock):
    pid = _programme(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammesScreen)
        assert rows(app.screen.query_one(DataTable))[0][:3] == ["Mentors", "mentoring", "4"]
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ProgrammeScreen)
        assert [r[0] for r in rows(screen.query_one("#participant-table", DataTable))] == [
            "Ana Mentor", "Bo Mentor", "Cy Mentee", "Di Mentee",
        ]  # fmt: skip

        await pilot.press("2")
        await settle(app, pilot)
        table = screen.query_one("#proposal-table", DataTable)
        assert [r[1] for r in rows(table)] == ["Ana Mentor & Cy Mentee", "Bo Mentor & Di Mentee"]
        assert rows(table)[0][2].startswith("topics: rust · different teams")

        await pilot.press("s", "down", "s")  # swap the two mentees
        await settle(app, pilot)
        assert [r[1] for r in rows(table)] == ["Ana Mentor & Di Mentee", "Bo Mentor & Cy Mentee"]
        assert [r[3] for r in rows(table)] == ["locked", "locked"]

        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        with memory_store.read() as db:
            made = pairs.list_pairs(db, pid)
        assert sorted(p.names for p in made) == ["Ana Mentor & Di Mentee", "Bo Mentor & Cy Mentee"]
        assert screen.active_tab == "pairs"
        pair_rows = rows(screen.query_one("#pair-table", DataTable))
        assert len(pair_rows) == 2

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PairScreen)
        pair_screen = app.screen
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "45")  # the day is filled in (today): the cursor starts on the minutes
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is pair_screen
        assert "Meetings: 1 held" in shown(pair_screen.query_one("#meetings-title", Static))
        assert rows(pair_screen.query_one("#meeting-table", DataTable))[0][1] == "45"

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "moved team")  # "ended early" is chosen: the cursor is on the reason
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "ended early" in shown(pair_screen.query_one("#pair-summary", Static))
        ended_id = pair_screen.pair_id

        app.open_person(made[0].people[0].person_id)
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen)
        mine = rows(app.screen.query_one("#person-pairs", DataTable))
        assert mine and mine[0][0] == "Mentors"
    with memory_store.read() as db:
        assert pairs.get_pair(db, ended_id).end_reason == "moved team"


async def test_a_swap_that_breaks_a_rule_says_why_and_changes_nothing(memory_store, clock):
    pid = _programme(memory_store)
    cy = factories.person(memory_store, "Ed Mentee", team="Data")  # Ana's team
    with memory_store.write() as db:
        programmes.leave(db, pid, 3)
        programmes.join(db, pid, cy.id, role="mentee", wants="rust")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(pid))
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        table = app.screen.query_one("#proposal-table", DataTable)
        before = rows(table)
        assert [r[1] for r in before] == ["Ana Mentor & Di Mentee", "Bo Mentor & Ed Mentee"]
        await pilot.press("s", "down", "s")
        await settle(app, pilot)
        assert rows(table) == before
        said = [n.message for n in app._notifications]
        assert any("same team (Data)" in m for m in said), said

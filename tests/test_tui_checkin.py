"""Check-in: about one keystroke per person, type to filter, late/excused/absent, walk-ins, live counts."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from circles.app import CirclesApp
from circles.services import attendance
from models.enums import Attended
from screens.checkin import CheckInScreen
from screens.form import FormScreen
from tests import factories
from tests.tui_support import rows, settle, shown, type_text

SIZE = (120, 40)
NAMES = [
    "Ada",
    "Ben",
    "Cleo",
    "Dara",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lea",
    "Mo",
    "Nia",
    "Oto",
    "Pia",
    "Quin",
    "Rae",
    "Sol",
    "Tia",
    "Uma",
    "Vic",
    "Wes",
    "Xia",
    "Yan",
    "Zed",
    "Abe",
    "Bea",
    "Cy",
    "Dot",
]


def _marks(store, session_id: int) -> dict[str, Attended | None]:
    with store.read() as db:
        return {e.name: e.attended for e in attendance.roster(db, session_id)}


def _circle_of_30(store):
    c = factories.circle(store, "Rust Lunch")
    for name in NAMES:
        factories.member(store, c, factories.person(store, f"{name} Member", f"{name.lower()}@example.org"))
    return c, factories.session(store, c, "2026-03-03 12:00", title="Ownership")


async def _open(app, pilot, session_id: int) -> CheckInScreen:
    await settle(app, pilot)
    app.push_screen(CheckInScreen(session_id))
    await settle(app, pilot)
    assert isinstance(app.screen, CheckInScreen)
    return app.screen


async def test_twenty_of_thirty_checked_in_with_about_one_key_each(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        assert len(rows(table)) == 30
        # Walking down the alphabetical list: space for each of the 20 who came, down for the 10 who did not.
        roster = sorted(NAMES)
        came = set(roster[::3]) | set(roster[1::3][:10])
        assert len(came) == 20
        keys = ["space" if name in came else "down" for name in roster]
        await pilot.press(*keys)
        await settle(app, pilot)
        assert len(keys) == 30  # 1.5 keys per person who came, 1 per person in the list
        marks = _marks(memory_store, s.id)
        assert {n for n, m in marks.items() if m is Attended.PRESENT} == {f"{n} Member" for n in came}
        assert shown(screen.query_one("#counts", Static)).startswith("Here 20 (present 20, late 0)")
        assert "not marked 10" in shown(screen.query_one("#counts", Static))


async def test_type_to_filter_then_mark_late_excused_absent_and_undo(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        await type_text(pilot, "hana")
        await pilot.pause()
        assert [r[0] for r in rows(table)] == ["Hana Member"]
        assert "Filter: hana" in shown(screen.query_one("#checkin-filter", Static))
        await pilot.press("2")  # late; the filter clears for the next person
        await pilot.pause()
        assert len(rows(table)) == 30
        await type_text(pilot, "zed")
        await pilot.press("3")
        await type_text(pilot, "wes")
        await pilot.press("4")
        await type_text(pilot, "mo")
        await pilot.press("space")
        await settle(app, pilot)
        marks = _marks(memory_store, s.id)
        assert marks["Hana Member"] is Attended.LATE
        assert marks["Zed Member"] is Attended.EXCUSED
        assert marks["Wes Member"] is Attended.ABSENT
        assert marks["Mo Member"] is Attended.PRESENT
        counts = shown(screen.query_one("#counts", Static))
        assert counts.startswith("Here 2 (present 1, late 1) · excused 1 · absent 1 · not marked 26")

        # Space on someone already present undoes the mark (a slip of the finger).
        await type_text(pilot, "mo")
        await pilot.press("space")
        await settle(app, pilot)
        assert _marks(memory_store, s.id)["Mo Member"] is None
        await type_text(pilot, "qqq")
        await pilot.press("escape")  # clears the filter, stays
        assert isinstance(app.screen, CheckInScreen)
        assert len(rows(table)) == 30
        await pilot.press("escape")  # with no filter: back
        assert not isinstance(app.screen, CheckInScreen)


async def test_walk_in_is_added_without_leaving_check_in(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    factories.person(memory_store, "Guest Speaker", "guest@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        await type_text(pilot, "zoe")
        await pilot.pause()
        assert "nobody matches" in shown(screen.query_one("#checkin-filter", Static))
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-name").value == "Zoe"
        await type_text(pilot, "zoe@example.org")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        table = screen.query_one("#roster", DataTable)
        zoe = next(r for r in rows(table) if r[0] == "Zoe")
        assert zoe[3:] == ["✔ present", "walk-in"]
        assert "walk-ins 1" in shown(screen.query_one("#counts", Static))

        # Someone the store already knows (but not a member) is found by e-mail, not duplicated.
        await pilot.press("plus")
        await pilot.pause()
        await type_text(pilot, "Guest")
        app.screen.query_one("#f-email").value = "GUEST@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        marks = _marks(memory_store, s.id)
        assert marks["Guest Speaker"] is Attended.PRESENT and marks["Zoe"] is Attended.PRESENT
        assert len(rows(table)) == 32

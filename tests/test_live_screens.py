"""Live updates on the screens the first round left static (programme, pair, check-out,
Organisation, Recognition, search): two apps on one store, on SQLite and PostgreSQL; what one
(or the CLI's services) changes shows on the other, with its cursor, tab and typed text kept.
And the heavy screens' manners: a burst of changes is one look again, never two at once, and
none while the screen is covered (one when it comes back)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

from circles.app import CirclesApp
from circles.live import Change
from circles.services import feedback, recognition
from models.store import Store
from screens.figure_boxes import FigureBoxes
from screens.live import LiveScreen, current_key
from screens.organisation import Definition, OrganisationScreen
from screens.recognition import RecognitionScreen
from screens.tabs import Tabs
from tests import factories
from tests.test_tui_feedback import _held_session
from tests.test_tui_programmes import _programme
from tests.tui_support import rows, settle, shown, type_text, until

SIZE = (120, 40)


@pytest.fixture
def other_store(store: Store, clock) -> Iterator[Store]:
    """A second Store on the same database: another app's pool, as another process would have."""
    s = Store.open(store.url, clock=clock)
    yield s
    s.close()


def _watching(app: CirclesApp) -> bool:
    return app.change_watcher is not None and app.change_watcher.ready.is_set()


async def _open(app: CirclesApp, pilot: Any, screen: Any) -> Any:
    await settle(app, pilot)
    app.push_screen(screen)
    await settle(app, pilot)
    await until(pilot, lambda: _watching(app))
    assert app.screen is screen
    return screen


# -- Organisation and Recognition ------------------------------------------------------------


async def test_organisation_counts_again_when_someone_rates_keeping_the_figure_in_focus(
    store: Store, other_store: Store
) -> None:
    _, people, s = _held_session(store)
    with store.write() as db:
        feedback.add_answer(db, session_id=s.id, person_id=people[1].id, rating=4)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, OrganisationScreen())
        figures = screen.query_one(FigureBoxes)
        figures.focus()
        await pilot.press("right", "right", "right", "right", "right", "right")  # Satisfaction
        assert figures.current == "satisfaction"
        assert "4.0 / 5" in figures.text("satisfaction")

        with store.write() as db:  # someone at check-out, on another app
            feedback.add_answer(db, session_id=s.id, person_id=people[2].id, rating=2)
        await until(pilot, lambda: "3.0 / 5" in figures.text("satisfaction"))

        assert screen.focused is figures and figures.current == "satisfaction"
        assert "2 of 5" in figures.text("response_rate")


async def test_recognition_lists_new_thanks_keeping_the_highlighted_person(
    store: Store, other_store: Store
) -> None:
    _, people, _ = _held_session(store)
    with store.write() as db:
        recognition.add_thanks(db, person=str(people[3].id), text="for the notes")
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, RecognitionScreen())
        table = screen.query_one("#rec-ledger", DataTable)
        assert [r[0] for r in rows(table)] == ["Ana Ruiz", "Di Park"]
        await pilot.press("down")  # on Di
        assert "Di Park" in shown(screen.query_one("#rec-person", Static))

        with store.write() as db:  # thanks to Bo, who sorts between them
            recognition.add_thanks(db, person=str(people[1].id), text="for the room")
        await until(pilot, lambda: [r[0] for r in rows(table)] == ["Ana Ruiz", "Bo Chen", "Di Park"])

        assert table.cursor_row == 2 and "Di Park" in shown(screen.query_one("#rec-person", Static))


class _Loads:
    """Counts a screen's loads; the ones after ``hold_from`` wait until released."""

    def __init__(self, load: Callable[..., Any], hold_from: int) -> None:
        self.load, self.hold_from = load, hold_from
        self.count = 0
        self.released = threading.Event()

    def __call__(self, *args: Any) -> Any:
        self.count += 1
        if self.count >= self.hold_from:
            assert self.released.wait(10)
        return self.load(*args)


def _told(app: CirclesApp, n: int = 1) -> None:
    """As the watcher tells the app: something changed (SQLite cannot say what)."""
    from screens.live import ChangesSeen

    for _ in range(n):
        app.post_message(ChangesSeen([Change()]))


def _idle(screen: LiveScreen) -> bool:
    return not screen._loading() and screen._live().timer is None


async def test_a_heavy_screen_takes_a_burst_in_one_look_and_never_looks_while_it_loads(
    memory_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.organisation

    _held_session(memory_store)
    loads = _Loads(screens.organisation.load_success, hold_from=1)
    monkeypatch.setattr(screens.organisation, "load_success", loads)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(screen := OrganisationScreen())
        await until(pilot, lambda: loads.count == 1)  # its first count, held under way

        _told(app, 5)  # while it counts: one more after it, not five, and not meanwhile
        await until(pilot, lambda: screen._live().again)
        assert loads.count == 1
        loads.released.set()
        await until(pilot, lambda: loads.count == 2 and _idle(screen))
        await settle(app, pilot)
        assert loads.count == 2

        _told(app, 3)  # a burst, once it is idle: one look
        await until(pilot, lambda: loads.count == 3 and _idle(screen))
        await settle(app, pilot)
        assert loads.count == 3


async def test_a_heavy_screen_looks_again_only_on_top_and_once_when_it_comes_back(
    memory_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.organisation

    _held_session(memory_store)
    loads = _Loads(screens.organisation.load_success, hold_from=1_000)
    monkeypatch.setattr(screens.organisation, "load_success", loads)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(screen := OrganisationScreen())
        await until(pilot, lambda: loads.count == 1 and _idle(screen) and screen.report is not None)
        await pilot.press("question_mark")  # a figure's definition, over the screen
        await until(pilot, lambda: isinstance(app.screen, Definition))

        _told(app, 2)
        await until(pilot, lambda: screen._live().stale)
        await settle(app, pilot)
        assert loads.count == 1

        await pilot.press("escape")
        await until(pilot, lambda: loads.count == 2 and _idle(screen))
        await settle(app, pilot)
        assert loads.count == 2 and not screen._live().stale
        assert isinstance(screen.focused, FigureBoxes)


# -- check-out, a programme, a pair, search ----------------------------------------------------


async def test_check_out_shows_an_answer_given_elsewhere_keeping_the_rating_being_typed(
    store: Store, other_store: Store
) -> None:
    from screens.checkout import CheckOutScreen

    _, people, s = _held_session(store)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, CheckOutScreen(s.id))
        table = screen.query_one("#checkout-roster", DataTable)
        await pilot.press("down", "down", "4")  # Cy: four stars, and what he learned...
        learned = screen.query_one("#checkout-learned", Input)
        await until(pilot, lambda: screen.focused is learned)
        await type_text(pilot, "traits")

        with store.write() as db:  # ...while Ana answers on someone else's app
            feedback.add_answer(db, session_id=s.id, person_id=people[0].id, rating=5, learned="lifetimes")
        # Drawn whole: the column, empty until then, grows for it (it showed "lifet"). DataTable
        # widens its columns when next idle, after the cell changed: wait for that too.
        learned_column = table.columns[ColumnKey("learned")]
        await until(
            pilot,
            lambda: (
                rows(table)[0][2] == "lifetimes"
                and learned_column.get_render_width(table) >= len("lifetimes") + 2
            ),
        )

        assert current_key(table) == str(people[2].id)
        assert screen.focused is learned and learned.value == "traits"
        await pilot.press("enter")
        await until(pilot, lambda: rows(table)[2][2] == "traits")
    with store.read() as db:
        answered = {a.person_id: a.rating for a in feedback.session_feedback(db, s.id).attendees}
    assert answered[people[0].id] == 5 and answered[people[2].id] == 4


async def test_check_out_keeps_an_answer_given_elsewhere_for_the_person_being_rated(
    store: Store, other_store: Store
) -> None:
    """Two facilitators at check-out rate the same person: the one who saves second is told
    and shown the other's answer, with their own line back; Enter again replaces it, knowingly
    (walk22: the second Enter replaced the first answer, said only after)."""
    from screens.checkout import CheckOutScreen
    from screens.textual_internals import notifications

    _, people, s = _held_session(store)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, CheckOutScreen(s.id))
        table = screen.query_one("#checkout-roster", DataTable)
        await pilot.press("down", "down", "3")  # Cy: three stars...
        learned = screen.query_one("#checkout-learned", Input)
        await until(pilot, lambda: screen.focused is learned)
        await type_text(pilot, "traits")

        with store.write() as db:  # ...while Cy's answer is given on another app
            feedback.add_answer(db, session_id=s.id, person_id=people[2].id, rating=5, learned="lifetimes")
        await until(pilot, lambda: rows(table)[2][2] == "lifetimes")
        await pilot.press("enter")
        said = "(they answered, rated 5: 'lifetimes'). Nothing was saved: your line is back; Enter again"
        await until(pilot, lambda: any(said in n.message for n in notifications(app)))
        await settle(app, pilot)
        with store.read() as db:
            answered = {a.person_id: a.rating for a in feedback.session_feedback(db, s.id).attendees}
        assert answered[people[2].id] == 5
        assert screen.focused is learned and learned.value == "traits"
        assert rows(table)[2][2] == "lifetimes"

        await pilot.press("enter")  # told, and replacing it all the same
        await until(pilot, lambda: rows(table)[2][2] == "traits")
    with store.read() as db:
        answered = {a.person_id: a.rating for a in feedback.session_feedback(db, s.id).attendees}
    assert answered[people[2].id] == 3


def _paired(store: Store) -> tuple[int, int]:
    from circles.services import pairing

    pid = _programme(store)
    with store.write() as db:
        made = pairing.confirm(db, pid)
    return pid, made.pairs[0].id


async def test_a_programme_shows_who_joined_elsewhere_keeping_its_tab_and_row(
    store: Store, other_store: Store
) -> None:
    from circles.services import programmes
    from screens.programme import ProgrammeScreen

    pid, _ = _paired(store)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, ProgrammeScreen(pid))
        participants = screen.query_one("#participant-table", DataTable)
        await pilot.press("down", "down")  # on Cy
        on = current_key(participants)
        await pilot.press("3")  # the Pairs tab
        await settle(app, pilot)
        pairs_table = screen.query_one("#pair-table", DataTable)
        assert len(rows(pairs_table)) == 2
        pairs_table.move_cursor(row=1)
        pair_on = current_key(pairs_table)

        newcomer = factories.person(store, "Aaron Mentee", team="Ops")
        with store.write() as db:  # sorts first among the participants
            programmes.join(db, pid, newcomer.id, role="mentee", wants="rust")
        await until(pilot, lambda: rows(participants)[0][0] == "Aaron Mentee")

        assert current_key(participants) == on
        assert screen.query_one(Tabs).active == "pairs"
        assert current_key(pairs_table) == pair_on


async def test_a_pair_shows_a_goal_added_elsewhere_keeping_the_highlighted_goal(
    store: Store, other_store: Store
) -> None:
    from circles.services import pairs
    from screens.pair import PairScreen

    _, pair_id = _paired(store)
    with store.write() as db:
        goals = [pairs.add_goal(db, pair_id, text) for text in ("Read the book", "Ship a crate")]
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, PairScreen(pair_id))
        table = screen.query_one("#goal-table", DataTable)
        await pilot.press("down")  # on "Ship a crate"
        assert current_key(table) == str(goals[1].id)

        with store.write() as db:  # the mentor ticks the first goal and adds one, on their app
            pairs.set_goal_done(db, goals[0].id, done=True)
            pairs.add_goal(db, pair_id, "Give a talk")
        await until(pilot, lambda: [r[0] for r in rows(table)] == ["✔", "·", "·"])

        assert current_key(table) == str(goals[1].id) and screen.focused is table


async def test_search_shows_a_talk_added_elsewhere_keeping_the_query_and_the_hit_highlighted(
    store: Store, other_store: Store
) -> None:
    from circles.services import agenda
    from screens.search import SearchScreen

    _held_session(store)  # Rust Lunch's session "Ownership"
    factories.session(store, factories.circle(store, "Go Guild"), "2026-03-05 12:00", title="Ownership")
    zig = factories.session(store, factories.circle(store, "Zig Zone"), "2026-03-04 12:00")
    elixir = factories.session(store, factories.circle(store, "Elixir Hour"), "2026-03-06 12:00")
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, SearchScreen())
        await type_text(pilot, "ownership")
        table = screen.query_one("#search-results", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await pilot.press("down", "down")  # to the results, on the second
        on = current_key(table)
        assert on is not None

        with store.write() as db:  # a talk in a third circle, on someone else's app
            agenda.add_item(db, session_id=zig.id, title="Ownership in Zig")
        await until(pilot, lambda: table.row_count == 3)

        assert current_key(table) == on
        assert screen.query_one("#search-input", Input).value == "ownership"

        await pilot.press("enter")  # opens the highlighted hit
        await until(pilot, lambda: app.screen is not screen)
        with store.write() as db:  # meanwhile, another talk: searched again on coming back
            agenda.add_item(db, session_id=elixir.id, title="Ownership in Elixir")
        await until(pilot, lambda: screen._live().stale)  # told while covered: not searched yet
        assert table.row_count == 3
        await pilot.press("escape")
        await until(pilot, lambda: table.row_count == 4)
        assert current_key(table) == on
        assert screen.query_one("#search-input", Input).value == "ownership"


@pytest.mark.slow  # sixty people join through the services first
async def test_a_long_programme_keeps_its_scroll_when_someone_joins_above(
    store: Store, other_store: Store
) -> None:
    """The highlighted participant stays where they were on screen: the rows above move, not the view."""
    from circles.services import people, programmes
    from screens.programme import ProgrammeScreen

    with store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee").id
        for i in range(60):
            person = people.add_person(db, name=f"Person {i:02}", email=f"p{i}@example.org")
            programmes.join(db, pid, person.id, role="member")
    app = CirclesApp(other_store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, ProgrammeScreen(pid))
        table = screen.query_one("#participant-table", DataTable)
        table.focus()
        await pilot.press(*["down"] * 40, *["up"] * 8)  # away from the edges of the view
        await settle(app, pilot)
        on, scrolled = current_key(table), table.scroll_y
        assert scrolled > 0

        with store.write() as db:
            aaron = people.add_person(db, name="Aaron First", email="aaron@example.org")
            programmes.join(db, pid, aaron.id, role="member")
        await until(pilot, lambda: rows(table)[0][0] == "Aaron First" and table.scroll_y == scrolled + 1)
        assert current_key(table) == on

        with store.write() as db:  # the same rows: a cell changes, nothing moves
            programmes.pause(db, pid, aaron.id, until=date(2026, 4, 1), reason="on leave")
        await until(pilot, lambda: "paused" in rows(table)[0][-1])
        assert current_key(table) == on and table.scroll_y == scrolled + 1

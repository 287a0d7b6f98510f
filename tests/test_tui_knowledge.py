"""The TUI's search (from Home and the palette), the session's Materials & takeaways tab and the
person screen's topics, driven like a person would."""

from __future__ import annotations

from textual.command import CommandList
from textual.widgets import DataTable, Input, Static

from circles.app import CirclesApp
from circles.services import agenda, knowledge, sessions
from screens import knowledge_panel, opening
from screens.circle import CircleScreen
from screens.dialogs import ConfirmScreen
from screens.form_screen import FormScreen
from screens.person import PersonScreen
from screens.search import SearchScreen
from screens.session import SessionScreen
from screens.tabs import Tabs
from screens.textual_internals import notifications, on_each_frame
from tests import factories
from tests.tui_support import burst, rows, settle, shown, type_text, until

SIZE = (120, 40)


def _library(store, tmp_path):
    ana = factories.person(store, "Ana Lima")
    c = factories.circle(store, "Rust Lunch", description="Lunch talks about [bold]Rust[/bold]")
    s = factories.session(store, c, "2026-03-05 12:00", title="Ownership")
    with store.write() as db:
        agenda.add_item(db, session_id=s.id, title="The borrow checker", presenter_id=ana.id)
        sessions.update_session(db, sessions.get_session(db, s.id), notes="Lifetimes on the whiteboard")
        knowledge.add_topics(db, session_id=s.id, topics="Rust, memory safety")
    return {"ana": ana, "circle": c, "session": s}


async def _search(app, pilot, text: str) -> SearchScreen:
    await settle(app, pilot)
    await pilot.press("slash")
    await until(pilot, lambda: isinstance(app.screen, SearchScreen))
    await type_text(pilot, text)
    await settle(app, pilot)
    return app.screen  # type: ignore[return-value]


async def test_a_found_snippet_starts_at_a_word(memory_store, clock):
    """The snippet under a hit starts a little before the words found: the small demo's
    "…sian inference with sampling" began in the middle of "Bayesian"."""
    c = factories.circle(memory_store, "Data Science Learning Circle")
    s = factories.session(memory_store, c, "2026-03-05 12:00", title="Getting started")
    notes = "We went through Bayesian inference with sampling; most of the room would start there."
    with memory_store.write() as db:
        sessions.update_session(db, sessions.get_session(db, s.id), notes=notes)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "sampling")
        found = rows(screen.query_one("#search-results", DataTable))[0][1]
    assert found.splitlines()[1] == "…inference with sampling; most of the room would start there.", found


async def test_search_from_home_lists_results_while_typing_and_opens_one(memory_store, clock, tmp_path):
    found = _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "borrow che")
        table = screen.query_one("#search-results", DataTable)
        assert [r[0] for r in rows(table)] == ["agenda item"]
        assert "The borrow checker" in rows(table)[0][1] and rows(table)[0][2] == "Thu 05 Mar\nRust Lunch"
        assert "1 found for 'borrow che'" in shown(screen.query_one("#search-hint", Static))
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        assert app.screen.session_id == found["session"].id  # type: ignore[attr-defined]

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press("slash")  # back to the box
        screen.query_one("#search-input", Input).value = "lima"
        await settle(app, pilot)
        assert [r[0] for r in rows(table)] == ["person", "agenda item"]
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, PersonScreen))

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press("slash")
        screen.query_one("#search-input", Input).value = "lunch talks"
        await settle(app, pilot)
        assert "[bold]Rust[/bold]" in rows(table)[0][1]  # markup in the text shows as typed
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, CircleScreen))
        # Opened whole before the app closes: a screen closed while its tabs were still being
        # mounted made Textual's tab row look for a tab already taken away.
        await settle(app, pilot)
        assert app.screen.circle_id == found["circle"].id  # type: ignore[attr-defined]


async def test_enter_in_the_box_opens_the_best_hit_even_before_its_answer(memory_store, clock, tmp_path):
    """Enter from the box opens the first result; typed before the last answer came (or as a
    quick down-enter, which reaches the box before the focus moves), it opens once it comes."""
    found = _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "borrow che")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        assert app.screen.session_id == found["session"].id  # type: ignore[attr-defined]

        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        box = screen.query_one("#search-input", Input)
        box.value = "zebra"
        await settle(app, pilot)
        await pilot.press("enter")  # nothing found: nothing to open, the box keeps the text
        await settle(app, pilot)
        assert app.screen is screen and "Nothing found for 'zebra'" in shown(
            screen.query_one("#search-hint", Static)
        )
        await pilot.press("ctrl+u", "l", "i", "m", "a", "enter")  # as quick as a person types
        await until(pilot, lambda: isinstance(app.screen, PersonScreen))
        assert app.screen.person_id == found["ana"].id  # type: ignore[attr-defined]

        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        screen.look("lunch talks")  # a keystroke, and Enter in the same turn: before its answer
        screen._submitted()
        assert screen.open_on_answer
        await until(pilot, lambda: isinstance(app.screen, CircleScreen))
        await settle(app, pilot)
        stack = [type(s).__name__ for s in app.screen_stack]
        assert stack[-3:] == ["HomeScreen", "SearchScreen", "CircleScreen"]  # opened once


async def test_a_search_of_several_words_says_which_of_them_found_nothing(memory_store, clock, tmp_path):
    # "Nothing found" alone, for two words of which one is everywhere, sent people hunting.
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "borrow zebra")
        hint = shown(screen.query_one("#search-hint", Static))
        assert hint == "Nothing found for 'borrow zebra': nothing here has 'zebra'."


async def test_a_long_search_is_quoted_shortened_above_the_results(memory_store, clock, tmp_path):
    """500 characters pasted into the box were repeated whole in the line above the results:
    five lines at 120 columns, pushing the results down (found walking)."""
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "bo")
        for word, said in (
            ("borrow ", "1 found for 'borrow borrow"),
            ("zebra ", "Nothing found for 'zebra zebra"),
        ):
            screen.query_one("#search-input", Input).value = word * 60
            await settle(app, pilot)
            hint = shown(screen.query_one("#search-hint", Static))
            assert hint.startswith(said) and "…'" in hint and len(hint) < SIZE[0], hint


async def test_letters_typed_on_the_results_go_on_into_the_box(memory_store, clock, tmp_path):
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "borrow")
        box = screen.query_one("#search-input", Input)
        table = screen.query_one("#search-results", DataTable)
        await pilot.press("down")
        await until(pilot, lambda: table.has_focus)
        await type_text(pilot, " che")
        await settle(app, pilot)
        assert box.has_focus and box.value == "borrow che"
        assert [r[0] for r in rows(table)] == ["agenda item"]
        await pilot.press("down", "question_mark")  # a key with a binding keeps it: help
        await until(pilot, lambda: app.screen is not screen)
        assert box.value == "borrow che"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("down", "slash", "l", "i", "m", "a")  # `/` and a new search replaces it
        await settle(app, pilot)
        assert box.value == "lima" and [r[0] for r in rows(table)] == ["person", "agenda item"]


async def test_only_the_last_keystrokes_results_show_and_bad_input_is_a_hint(memory_store, clock, tmp_path):
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "whiteboard")
        table = screen.query_one("#search-results", DataTable)
        assert [r[0] for r in rows(table)] == ["session"]
        box = screen.query_one("#search-input", Input)
        for text in ["w", "wh", "whi", "ownership"]:  # typed faster than the answers come
            box.value = text
        await settle(app, pilot)
        assert "for 'ownership'" in shown(screen.query_one("#search-hint", Static))
        assert [r[0] for r in rows(table)] == ["session"] and "Ownership" in rows(table)[0][1]
        box.value = '"-*'
        await settle(app, pilot)
        assert rows(table) == []
        assert "The search has no word to look for." in shown(screen.query_one("#search-hint", Static))
        assert not app._notifications  # a hint, not a notification per keystroke
        box.value = "x" * 600
        await settle(app, pilot)
        assert "The search is 600 characters long; the limit is 500." in shown(
            screen.query_one("#search-hint", Static)
        )


async def test_what_cannot_be_searched_for_starts_no_search(memory_store, clock, tmp_path, monkeypatch):
    """A 10 kB paste typed in key by key (a terminal without bracketed paste) started a
    database search per key, each refused: minutes of them. It is refused before any starts."""
    from circles.services import search

    _library(memory_store, tmp_path)
    searched: list[str] = []
    real = search.search
    monkeypatch.setattr(
        search, "search", lambda db, text, **kw: searched.append(text) or real(db, text, **kw)
    )
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "wh")
        box = screen.query_one("#search-input", Input)
        for n in range(501, 520):
            box.value = "w" * n
        box.value = '"-*'
        await settle(app, pilot)
        assert all(len(text) <= 500 and text != '"-*' for text in searched)
        assert "The search has no word to look for." in shown(screen.query_one("#search-hint", Static))


async def test_the_palette_offers_search_everything(memory_store, clock, tmp_path):
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "whiteboard")
        wanted = "Search everything for 'whiteboard'"
        await until(pilot, lambda: wanted in _palette(app))
        app.screen.query_one(CommandList).highlighted = _palette(app).index(wanted)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await settle(app, pilot)
        assert [r[0] for r in rows(app.screen.query_one("#search-results", DataTable))] == ["session"]


def _palette(app) -> list[str]:
    found = app.screen.query(CommandList)
    if not found:
        return []
    options = found.first()
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def _knowledge_tab(app, pilot, session_id: int) -> SessionScreen:
    await settle(app, pilot)
    app.open_session(session_id)
    await settle(app, pilot)
    await pilot.press("m")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, SessionScreen)
    assert screen.query_one("#session-tabs", Tabs).active == "knowledge-tab"
    return screen


async def test_add_a_link_and_a_takeaway_then_find_them(memory_store, clock, tmp_path, monkeypatch):
    found = _library(memory_store, tmp_path)
    opened: list[str] = []
    monkeypatch.setattr(knowledge_panel, "launch", lambda target: opened.append(target) or True)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _knowledge_tab(app, pilot, found["session"].id)
        assert "Topics: memory safety, Rust" in shown(screen.query_one("#knowledge-topics", Static))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "ftp://example.org/book")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)  # refused, with the reason under the field
        assert "is not a web link" in shown(app.screen.query_one("#e-target", Static))
        app.screen.query_one("#f-target", Input).value = "https://doc.rust-lang.org/book/ch04.html"
        app.screen.query_one("#f-title", Input).value = "The book, chapter 4"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await settle(app, pilot)
        assert rows(screen.query_one("#materials", DataTable)) == [
            ["reading", "The book, chapter 4", "https://doc.rust-lang.org/book/ch04.html"]
        ]
        await pilot.press("o")
        await settle(app, pilot)
        assert opened == ["https://doc.rust-lang.org/book/ch04.html"]

        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "Moves are cheap")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await settle(app, pilot)
        assert rows(screen.query_one("#takeaways", DataTable)) == [["1", "Moves are cheap"]]

        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#f-topics", Input).value = "Rust, Lifetimes"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await settle(app, pilot)
        assert "Topics: Lifetimes, Rust" in shown(screen.query_one("#knowledge-topics", Static))

        app.push_screen(SearchScreen("cheap"))
        await settle(app, pilot)
        assert [r[0] for r in rows(app.screen.query_one("#search-results", DataTable))] == ["takeaway"]
        await pilot.press("down", "enter")  # a takeaway opens its session on its tab, on its row
        await until(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen is not screen)
        await settle(app, pilot)
        opened_on = app.screen
        assert opened_on.query_one("#session-tabs", Tabs).active == "knowledge-tab"
        assert opened_on.focused is opened_on.query_one("#takeaways", DataTable)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        app.screen.query_one("#search-input", Input).value = "chapter"
        await settle(app, pilot)
        assert [r[0] for r in rows(app.screen.query_one("#search-results", DataTable))] == ["material"]


async def test_a_takeaway_found_opens_its_session_read_first_and_once_on_two_enters(
    memory_store, clock, tmp_path
):
    """Search pushed a takeaway's session empty and filled it after (two frames), and kept the
    focus meanwhile: two Enters read at once opened the session twice. It opens as every other
    screen does (screens/opening.py): its data in the first frame, once, on its tab."""
    from tests.tui_support import burst

    found = _library(memory_store, tmp_path)
    with memory_store.write() as db:
        knowledge.add_takeaway(db, session_id=found["session"].id, text="Moves are cheap")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "cheap")
        assert [r[0] for r in rows(screen.query_one("#search-results", DataTable))] == ["takeaway"]
        burst(app, "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        opened = app.screen
        assert opened.read_first is not None  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert [type(s) for s in app.screen_stack].count(SessionScreen) == 1
        assert opened.query_one("#session-tabs", Tabs).active == "knowledge-tab"
        assert opened.focused is opened.query_one("#takeaways", DataTable)


async def test_a_missing_file_or_odd_link_is_not_opened_and_remove_asks(
    memory_store, clock, tmp_path, monkeypatch
):
    found = _library(memory_store, tmp_path)
    opened: list[str] = []
    monkeypatch.setattr(knowledge_panel, "launch", lambda target: opened.append(target) or True)
    slides = tmp_path / "slides.pdf"
    slides.write_text("x")
    with memory_store.write() as db:
        knowledge.add_material(db, session_id=found["session"].id, target=str(slides))
        knowledge.add_takeaway(db, session_id=found["session"].id, text="Keep it")
    slides.unlink()
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _knowledge_tab(app, pilot, found["session"].id)
        await pilot.press("o")
        await settle(app, pilot)
        assert opened == []
        assert any("is not there" in n.message for n in app._notifications)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(app, pilot)
        assert len(rows(screen.query_one("#materials", DataTable))) == 1
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert rows(screen.query_one("#materials", DataTable)) == []
        assert rows(screen.query_one("#takeaways", DataTable)) == [["1", "Keep it"]]
        # The agenda's own keys do nothing on this tab; 1 goes back to the agenda.
        await pilot.press("1")
        await settle(app, pilot)
        assert screen.query_one("#session-tabs", Tabs).active == "agenda-tab"
        assert screen.focused is screen.query_one("#agenda", DataTable)


async def test_the_person_screen_lists_the_topics_of_their_talks(memory_store, clock, tmp_path):
    found = _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_person(found["ana"].id)
        await settle(app, pilot)
        assert (
            shown(app.screen.query_one("#person-topics", Static))
            == "Topics of their talks: memory safety, Rust"
        )
        presented = rows(app.screen.query_one("#person-presented", DataTable))
        assert presented == [["05 Mar", "Rust Lunch", "The borrow checker"]]


async def test_what_people_learned_is_found_and_opens_the_sessions_feedback(memory_store, clock, tmp_path):
    from datetime import UTC, datetime

    from circles.services import attendance, feedback

    found = _library(memory_store, tmp_path)
    clock.now = datetime(2026, 3, 20, 9, tzinfo=UTC)
    with memory_store.write() as db:
        s = found["session"]
        sessions.update_session(db, sessions.get_session(db, s.id), status="held")
        attendance.check_in(db, session_id=s.id, person_id=found["ana"].id, attended="present")
        feedback.add_answer(
            db, session_id=s.id, person_id=found["ana"].id, rating=5, learned="Quokkas borrow", anonymous=True
        )
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "quokka")
        table = screen.query_one("#search-results", DataTable)
        assert [r[0] for r in rows(table)] == ["learned"]
        assert "What people learned at Ownership" in rows(table)[0][1] and "Ana" not in rows(table)[0][1]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        tabs = app.screen.query_one("#session-tabs", Tabs)
        assert tabs.active == "feedback-tab"
        await until(
            pilot,
            lambda: (
                bool(app.screen.query("#feedback-learned"))
                and "Quokkas borrow" in shown(app.screen.query_one("#feedback-learned", Static))
            ),
        )


async def test_a_key_that_finds_the_same_leaves_the_results_as_they_are(memory_store, clock, tmp_path):
    """Drawing the rows again is most of what a key costs: when the answer to a key is the one
    shown, the table is not rebuilt (the row picked stays picked)."""
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "whitebo")
        table = screen.query_one("#search-results", DataTable)
        before = list(table.rows)
        assert len(before) == 1
        await type_text(pilot, "a")
        await settle(app, pilot)
        assert screen.answered == "whiteboa"
        assert list(table.rows) == before
        await type_text(pilot, "x")  # nothing found now: the table empties
        await settle(app, pilot)
        assert screen.answered == "whiteboax" and table.row_count == 0


async def test_back_from_a_hit_what_is_typed_is_a_new_search(memory_store, clock, tmp_path):
    """Coming back from the session a hit opened, typing starts a new search (it was added to
    the old one: 'borrow/lima', nothing found); `/` in the box is a character, not a key."""
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "borrow")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "lima")
        await settle(app, pilot)
        box = screen.query_one("#search-input", Input)
        assert box.value == "lima"
        assert [r[0] for r in rows(screen.query_one("#search-results", DataTable))] == [
            "person",
            "agenda item",
        ]
        await type_text(pilot, "/x")
        assert box.value == "lima/x"


async def test_the_materials_tab_is_built_when_first_opened_with_what_came_meanwhile(memory_store, clock):
    """Opening a session builds its agenda only (the other tabs cost a tenth of its opening);
    the Materials & takeaways tab is built, loaded and focused when first opened, with what
    was added after the session opened."""
    c = factories.circle(memory_store, "Rust Lunch")
    s = factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership")
    with memory_store.write() as db:
        knowledge.add_material(db, session_id=s.id, target="https://doc.rust-lang.org/book/")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(s.id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert not screen.query(knowledge_panel.KnowledgePanel)
        assert not screen.query("#materials")
        assert screen.focused is screen.query_one("#agenda", DataTable)

        with memory_store.write() as db:  # someone adds a takeaway while the agenda is shown
            knowledge.add_takeaway(db, session_id=s.id, text="Moves are cheap")
        await pilot.press("m")
        await settle(app, pilot)
        assert screen.query_one("#session-tabs", Tabs).active == "knowledge-tab"
        materials = screen.query_one("#materials", DataTable)
        assert [r[2] for r in rows(materials)] == ["https://doc.rust-lang.org/book/"]
        assert rows(screen.query_one("#takeaways", DataTable)) == [["1", "Moves are cheap"]]
        assert screen.focused is materials

        await pilot.press("1", "2")  # built once: back on it, the same panel, focused again
        await settle(app, pilot)
        assert len(screen.query(knowledge_panel.KnowledgePanel)) == 1
        assert screen.focused is materials


def _with_a_link_and_a_takeaway(store, at: str):
    c = factories.circle(store, "Rust Lunch")
    s = factories.session(store, c, at, title="Ownership")
    with store.write() as db:
        knowledge.add_material(db, session_id=s.id, target="https://doc.rust-lang.org/book/")
        knowledge.add_takeaway(db, session_id=s.id, text="Moves are cheap")
    return s


async def test_the_materials_tab_comes_forward_with_what_it_shows(memory_store, clock, monkeypatch):
    """2 reads the materials, takeaways and topics before the tab comes forward: it was built
    and drawn empty (its footer rebuilt meanwhile), then laid out and drawn again with them."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)  # a loaded machine's reads may take their time
    s = _with_a_link_and_a_takeaway(memory_store, "2026-03-10 12:00")
    app = CirclesApp(memory_store)
    drawn: list[tuple[int, ...]] = []  # the rows each frame of the Materials tab showed

    def frame() -> None:
        screen = app.screen
        if isinstance(screen, SessionScreen) and screen.query_one(Tabs).active == "knowledge-tab":
            tables = [screen.query(f"#{name}") for name in ("materials", "takeaways")]
            drawn.append(tuple(t.first(DataTable).row_count if t else 0 for t in tables))

    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(s.id)
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("2")
        await settle(app, pilot)
        assert screen.focused is screen.query_one("#materials", DataTable)
    assert drawn and all(d == (1, 1) for d in drawn), drawn


async def test_the_materials_tab_typed_as_the_session_opens_shows_its_takeaways(memory_store, clock):
    """'2' typed as a held session with takeaways opened: its read came back before the tab's
    tables had their columns ("More values provided than there are columns")."""
    s = _with_a_link_and_a_takeaway(memory_store, "2026-03-02 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(s.id)
        burst(app, "2")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert not [n.message for n in notifications(app) if n.severity == "error"]
        assert rows(screen.query_one("#takeaways", DataTable)) == [["1", "Moves are cheap"]]


async def test_down_down_enter_typed_fast_opens_the_second_hit_as_typed_slowly(memory_store, clock, tmp_path):
    """↓ moves to the results, ↓ to the second hit, Enter opens it. Typed fast, the second ↓
    and Enter reached the box before the focus moved to the results: the first hit opened."""
    _library(memory_store, tmp_path)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(app, pilot, "lima")
        table = screen.query_one("#search-results", DataTable)
        assert [r[0] for r in rows(table)] == ["person", "agenda item"]
        burst(app, "down", "down", "enter")
        await until(pilot, lambda: app.screen is not screen)
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)  # the agenda item's, not the person

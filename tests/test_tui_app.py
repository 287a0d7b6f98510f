"""App-wide: footer keys, the help screen, the command palette's finder, Escape, themes, errors shown."""

from __future__ import annotations

import threading

from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Static

from circles.app import CirclesApp
from circles.errors import CirclesError
from screens.circle import CircleScreen
from screens.dialogs import HelpScreen
from screens.home import HomeScreen
from screens.person import PersonScreen
from screens.session import SessionScreen
from screens.textual_internals import notifications
from tests import factories
from tests.tui_support import settle, shown, type_text, until

SIZE = (120, 40)


async def test_help_lists_the_keys_of_the_screen_underneath(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(c.id)
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = shown(app.screen.query_one("#help-keys", Static))
        assert "Add member" in keys and "Edit circle" in keys
        assert "Schedule" not in keys  # a Sessions-tab key, not shown on the Members tab
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CircleScreen)
        await pilot.press("2", "question_mark")
        await pilot.pause()
        assert "Schedule" in shown(app.screen.query_one("#help-keys", Static))


async def test_help_lists_the_screens_own_keys_before_the_ones_every_screen_has(memory_store, clock):
    """Home's help began with Textual's "Focus Next", "Focus Previous" and "Copy selected text"."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        shown_lines = shown(app.screen.query_one("#help-keys", Static)).splitlines()
        lines = [line for line in shown_lines if not line.startswith(" ")]  # a long one goes on below
        assert lines[0].split()[0] == "c" and "Circles" in lines[0]
        assert [line.split(None, 1)[1] for line in lines[-4:-1]] == [
            "Next field, list or button",
            "Previous field, list or button",
            "Copy the selected text",
        ]
        assert lines[-1].split(None, 1) == [
            "^p",
            "Find any circle, person or session by name; export invites or attendance,",
        ]


async def test_help_s_closing_hint_lines_up_with_its_keys(memory_store, clock):
    """ "Press Escape or ? to close." stood a column right of the keys above it: the app's hint
    margin, inside a dialog that has its own padding."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        keys = app.screen.query_one("#help-keys", Static)
        (hint,) = [w for w in app.screen.query(".hint") if "to close" in shown(w)]
        assert hint.content_region.x == keys.content_region.x


async def test_help_says_each_key_once_in_the_app_s_words(memory_store, clock):
    """Home's help listed ctrl+p twice ("palette: Open the command palette", then ours), ctrl+q
    beside q, and Textual's sideways keys ("Page Left", "Page Right", "Home", "End") that on a
    table fitted to its width go nowhere. Home and End now go to the first and last row."""
    c = factories.circle(memory_store, "Rust Lunch")
    for day in range(3, 10):
        factories.session(memory_store, c, f"2026-03-{day:02d} 12:00", title=f"Talk {day}")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#upcoming", DataTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0

        await pilot.press("question_mark")
        await pilot.pause()
        text = shown(app.screen.query_one("#help-keys", Static))
        lines = [line.split(None, 1) for line in text.splitlines() if not line.startswith(" ")]
        keys = [key for key, _ in lines]
        said = [what for _, what in lines]
        assert ["home", "First row"] in lines and ["end", "Last row"] in lines
        assert [key for key in keys if key in ("^p", "^q", "ctrl+p", "ctrl+q")] == ["^p"]
        assert ["q", "Quit: Close circles (ctrl+q quits from any screen)"] in lines
        for textual_s in ("Page Left", "Page Right", "Scroll", "palette", "Home", "End"):
            assert not [what for what in said if what.startswith(textual_s)], textual_s
        assert len(keys) == len(set(keys))


def highlighted_hit(app: CirclesApp) -> str:
    results = app.screen.query_one(CommandList)
    if results.highlighted is None:
        return ""
    return str(results.get_option_at_index(results.highlighted).prompt)


async def test_palette_finds_circles_people_and_sessions_by_name(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Rustova")
    s = factories.session(memory_store, c, "2026-03-10 12:00", title="Ownership")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for query, screen_type, expected in [
            ("Rust Lunch", CircleScreen, c.name),
            ("Rustova", PersonScreen, ana.name),
            ("Ownership", SessionScreen, s.title),
        ]:
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await type_text(pilot, query)
            await settle(app, pilot)  # the palette's search runs in a worker
            await until(pilot, lambda expected=expected: expected in highlighted_hit(app))
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, screen_type), query
            assert app.screen.title == expected
            # Escape goes back, and on Home it stays.
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_every_screen_shows_in_another_theme(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.theme = "textual-light"
        app.open_circle(c.id)
        await settle(app, pilot)
        assert (
            app.screen.query_one("#circle-summary").styles.color
            != app.screen.query_one("#circle-summary").styles.background
        )
        assert app.current_theme.name == "textual-light"
        assert not app.current_theme.dark


async def test_user_text_is_shown_as_typed_not_as_markup(memory_store, clock):
    c = factories.circle(memory_store, "[bold]Ops[/] Guild")
    factories.session(memory_store, c, "2026-03-05 12:00", title="[red]Incidents")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        from textual.widgets import DataTable

        from tests.tui_support import rows

        row = rows(app.screen.query_one("#upcoming", DataTable))[0]
        assert row[1:3] == ["[bold]Ops[/] Guild", "[red]Incidents"]


async def test_the_first_screen_paints_while_the_store_opens(memory_store):
    """From the command line the app opens the store in a worker: Home follows the start screen."""
    from screens.home import HomeScreen
    from screens.start import StartScreen

    opened = threading.Event()

    def open_slowly():
        opened.wait(30)  # the store takes its time (an upgrade, a far server); the test says when
        return memory_store

    app = CirclesApp(open_store=open_slowly)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "Opening your store" in shown(app.screen.query_one("#start-status"))
        opened.set()
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")  # Home is the bottom: Escape does not go back to the start screen
        assert isinstance(app.screen, HomeScreen)


def _footer(app: CirclesApp) -> str:
    from screens.footer import Footer

    return " · ".join(app.screen.query_one(Footer).shown_keys)


async def test_q_quits_where_the_footer_says_so_and_is_typed_everywhere_else(memory_store, clock):
    from textual.widgets import Input

    from screens.checkin import CheckInScreen
    from screens.people import PeopleScreen

    c = factories.circle(memory_store, "Rust Lunch")
    factories.member(memory_store, c, factories.person(memory_store, "Quinn Quaker", "qq@example.org"))
    s = factories.session(memory_store, c, "2026-03-03 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        home = _footer(app)
        assert "q Quit" in home and "esc Back" not in home, home  # Home: nowhere to go back to

        app.open_circle(c.id)
        await settle(app, pilot)
        assert "q Quit" not in _footer(app) and "esc Back" in _footer(app)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)

        app.push_screen(PeopleScreen())
        await settle(app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "qq")
        await settle(app, pilot)
        assert app.screen.query_one("#filter", Input).value == "qq"

        app.push_screen(CheckInScreen(s.id))
        await settle(app, pilot)
        await type_text(pilot, "quinn")
        await pilot.pause()
        assert app.screen.filter_text == "quinn"

        while not isinstance(app.screen, HomeScreen):
            await pilot.press("escape")
            await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_store_that_will_not_open_is_explained_not_a_traceback(tmp_path):
    from sqlalchemy.engine import make_url

    from models.store import Store

    url = make_url("postgresql+psycopg://circles:s3cret@127.0.0.1:1/nowhere")
    app = CirclesApp(open_store=lambda: Store.open(url))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        text = shown(app.screen.query_one("#start-status"))
        assert "could not be opened" in text and "127.0.0.1:1" in text
        assert "s3cret" not in text


def _glance_and_slow_store(memory_store, clock):
    """Home's data as the first glance gives it, and a store that opens when told to."""
    from circles.services.home import load_home

    circle = factories.circle(memory_store, "Rust Lunch")
    factories.session(memory_store, circle, "2026-03-04 12:00")
    with memory_store.read() as db:
        first = load_home(db, clock())
    opened = threading.Event()

    def open_slowly():
        assert opened.wait(30)
        return memory_store

    return first, opened, open_slowly


async def test_home_shows_the_first_glance_and_keys_pressed_at_once_wait_for_the_store(
    memory_store, clock, monkeypatch
):
    from textual.widgets import DataTable

    import circles.services.home as home_service
    from screens.circles import CirclesScreen
    from tests.tui_support import rows

    first, opened, open_slowly = _glance_and_slow_store(memory_store, clock)
    loads: list[object] = []
    load_home = home_service.load_home

    def counted(db, now=None, **choices):
        loads.append(db)
        return load_home(db, now, **choices)

    monkeypatch.setattr(home_service, "load_home", counted)
    app = CirclesApp(open_store=open_slowly, first_glance=lambda: first)
    async with app.run_test(size=SIZE) as pilot:

        def listed() -> bool:
            found = app.screen.query("#upcoming") if isinstance(app.screen, HomeScreen) else []
            return bool(found) and found[0].row_count > 0

        await until(pilot, listed)
        upcoming = app.screen.query_one("#upcoming", DataTable)
        assert [r[1] for r in rows(upcoming)] == ["Rust Lunch"]  # the store is still opening
        assert not opened.is_set()
        await pilot.press("c")
        # The list waits for its circles up to screens/opening.py's WAIT_FOR_DATA, then shows
        # without them while the store is still opening.
        await until(pilot, lambda: isinstance(app.screen, CirclesScreen))
        opened.set()
        await settle(app, pilot)
        assert [r[0] for r in rows(app.screen.query_one(DataTable))] == ["Rust Lunch"]
        assert len(loads) == 1  # Home asked the store once for what the glance showed
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert [r[1] for r in rows(upcoming)] == ["Rust Lunch"]
        assert len(loads) == 2  # and again on coming back


async def test_a_store_that_fails_after_the_first_glance_is_explained(memory_store, clock):
    first, _opened, _ = _glance_and_slow_store(memory_store, clock)

    def fail():
        raise CirclesError("the disk is on fire")

    app = CirclesApp(open_store=fail, first_glance=lambda: first)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("c")
        await settle(app, pilot)
        told = [n.message for n in notifications(app)]
        assert any("could not be opened: the disk is on fire" in m for m in told)


async def test_a_key_still_coming_as_the_app_closes_has_somewhere_to_go(memory_store):
    """Keys held for a screen on its way are typed again later; one that arrived after the app
    had closed its screens asked for the focused widget and raised 'No screens on stack'."""
    from textual import events

    app = CirclesApp(memory_store)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert not app.screen_stack
    assert app._key_target() is app  # where a key read now is handed
    app.on_key(events.Key("b", "b"))  # as a held key typed again arrives back at the app


async def test_a_key_reaching_the_app_after_its_screens_are_gone_is_dropped(memory_store):
    """A held key typed again as the app closes reached Textual's own handling of a key, which
    asks for the screen, and raised ScreenStackError (a whole run failed on it at a test's end)."""
    from textual import events

    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stack = app._screen_stack[:]
        app._screen_stack.clear()  # as when the app closes, before its queue is empty
        try:
            await app.on_event(events.Key("a", "a"))
        finally:
            app._screen_stack.extend(stack)


async def test_a_long_description_in_help_goes_on_under_itself(memory_store, clock):
    """At 80 columns Home's help wrapped Search's description back to the dialog's edge, under
    the keys."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = shown(app.screen.query_one("#help-keys", Static)).splitlines()
        search = next(i for i, line in enumerate(lines) if line.startswith("/"))
        indent = lines[search].index("Search")
        assert lines[search + 1].startswith(" " * indent) and lines[search + 1].strip() == "everything"


async def test_a_picker_says_when_nothing_matches_what_was_typed(memory_store, clock):
    """Typing a name nobody has left an empty list whose Enter did nothing, and said nothing."""
    from screens.dialogs import ChoiceScreen

    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ChoiceScreen("Who presents?", [(str(n), f"Person {n}") for n in range(12)]))
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.is_mounted)
        await type_text(pilot, "zzq")
        hint = app.screen.query_one("#choice-hint", Static)
        assert shown(hint) == "Nothing matches 'zzq': Backspace shows more, Escape cancels."
        await pilot.press("enter")
        assert isinstance(app.screen, ChoiceScreen)  # nothing picked
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert shown(hint) == ChoiceScreen.HOW

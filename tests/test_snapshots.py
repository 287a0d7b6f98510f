"""Snapshots of every main screen and every dialog, at 80x24 (the size most terminals open at) and
120x40, on the small demo organisation with a fixed clock and seed (pytest-textual-snapshot).

Each picture is reached with the keys a person would press. Regenerate after a deliberate change:

    uv run pytest tests/test_snapshots.py --snapshot-update

then look at the SVGs in tests/__snapshots__/test_snapshots/ (open them in a browser, or
`sed 's/<svg /<svg xml:space="preserve" /' FILE.raw | rsvg-convert -o x.png`: without the
xml:space, rsvg drops the space that starts each run of text and shows "Check-in— Rust Lunch" for
the "Check-in — Rust Lunch" the terminal shows) before committing them: a snapshot only proves
something if what it froze is right.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from circles.app import CirclesApp
from circles.services import lookups, people, sessions
from screens.textual_internals import column_sizing_pending
from tests.conftest import fill_from
from tests.tui_support import settle as settle_workers
from tests.tui_support import until

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

# A step is a key (as Pilot names it) or something done to the app (opening a screen by id).
Step = str | Callable[[CirclesApp], object]


@pytest.fixture(autouse=True)
def _same_home_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    # The export dialogs suggest a file in the home folder, and a new circle the machine's time
    # zone: every machine must draw the same ones.
    monkeypatch.setenv("HOME", "/home/facilitator")
    monkeypatch.setenv("TZ", "Europe/Berlin")


@pytest.fixture
def demo(memory_store, clock, small_demo_file):
    """The small demo organisation (seed 7) at the fixed clock's time: 5 circles in 5 time
    zones, 45 people with long and short names, guests with long e-mail addresses."""
    fill_from(memory_store, small_demo_file)  # the demo built once (build_demo, seed 7), copied
    with memory_store.read() as db:
        circles = lookups.listed_circles(db)
        rust = next(c for c in circles if c.name == "Rust Lunch")
        session = sessions.list_sessions(db, circle_id=rust.id, start=clock(), limit=1)[0]
        person = people.list_people(db, limit=1)[0]
    return {"store": memory_store, "circle": rust.id, "session": session.id, "person": person.id}


async def settle(app: CirclesApp, pilot: Pilot) -> None:
    await settle_workers(app, pilot)
    # A DataTable sizes its columns when the app is next idle; on a busy machine that can come after
    # the picture, so wait until no table still owes its new sizes (Textual keeps that flag private).
    await pilot.wait_for_scheduled_animations()
    await until(pilot, lambda: not any(column_sizing_pending(t) for t in app.screen.query(DataTable)))
    # A blinking cursor is on or off depending on how long the machine took to get here: hold it on.
    for field in app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()


def _take(snap_compare, store, size: str, steps: list[Step]) -> bool:
    app = CirclesApp(store)
    app.animation_level = "none"  # the tabs' underline slides in; a snapshot must not catch it midway

    async def run_before(pilot: Pilot) -> None:
        await settle(app, pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                step(app)
            await settle(app, pilot)
        for widget in [*app.screen.query(Input), *app.screen.query(TextArea)]:
            widget.cursor_blink = False  # a steady cursor: the picture must not catch it mid-blink
        await settle(app, pilot)

    return snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


def _circle(data: dict) -> Step:
    return lambda app: app.open_circle(data["circle"])


def _session(data: dict) -> Step:
    return lambda app: app.open_session(data["session"])


def _person(data: dict) -> Step:
    return lambda app: app.open_person(data["person"])


SCREENS: dict[str, Callable[[dict], list[Step]]] = {
    "home": lambda d: [],
    "circles": lambda d: ["c"],
    "circle_1_members": lambda d: [_circle(d)],
    "circle_2_sessions": lambda d: [_circle(d), "2"],
    "circle_3_rotation": lambda d: [_circle(d), "3"],
    "circle_4_stats": lambda d: [_circle(d), "4"],
    "session": lambda d: [_session(d)],
    "check_in": lambda d: [_session(d), "i"],
    "people": lambda d: ["p"],
    "person": lambda d: [_person(d)],
    "help": lambda d: [_circle(d), "question_mark"],
    "session_2_materials": lambda d: [_session(d), "2"],
    "session_3_feedback": lambda d: [_session(d), "3"],
    "check_out": lambda d: [_session(d), "o"],
    "search": lambda d: ["slash", "r", "u", "s", "t"],
    "programmes": lambda d: ["M"],
    "programme": lambda d: ["M", "enter"],
    "recognition": lambda d: ["R"],
    "organisation": lambda d: ["O"],
}

DIALOGS: dict[str, Callable[[dict], list[Step]]] = {
    "new_circle": lambda d: ["n"],
    "edit_circle": lambda d: [_circle(d), "E"],
    "new_person": lambda d: ["p", "plus"],
    "schedule_session": lambda d: [_circle(d), "2", "s"],
    "edit_session": lambda d: [_circle(d), "2", "e"],
    "move_session": lambda d: [_circle(d), "2", "m"],
    "plan_sessions": lambda d: [_circle(d), "2", "P"],
    # As offered right after a circle is created with a cadence.
    "plan_first_sessions": lambda d: [lambda app: app.open_circle(d["circle"], then="plan_first")],
    "agenda_item": lambda d: [_session(d), "a"],
    "walk_in": lambda d: [_session(d), "i", "plus"],
    "mark_away": lambda d: [_person(d), "w"],
    "form_with_errors": lambda d: ["n", "ctrl+s"],
    "invites_circle": lambda d: [_circle(d), "I"],
    "invites_session": lambda d: [_session(d), "I"],
    "attendance_circle": lambda d: [_circle(d), "X"],
    "attendance_every_circle": lambda d: ["X"],
    "person_picker": lambda d: [_circle(d), "a"],
    "confirm_cancel_session": lambda d: [_circle(d), "2", "c"],
    "choose_presenter": lambda d: [_circle(d), "3", "a"],
    "plan_how_many": lambda d: [_circle(d), "3", "p"],
    "send_invites": lambda d: [_session(d), "S"],
}


@pytest.mark.parametrize("size", SIZES)
def test_home_empty_store_welcome(snap_compare, memory_store, clock, size):
    assert _take(snap_compare, memory_store, size, [])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, demo, size, screen):
    assert _take(snap_compare, demo["store"], size, SCREENS[screen](demo))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dialog", DIALOGS)
def test_dialog(snap_compare, demo, size, dialog):
    assert _take(snap_compare, demo["store"], size, DIALOGS[dialog](demo))

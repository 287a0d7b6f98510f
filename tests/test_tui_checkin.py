"""Check-in: about one keystroke per person, type to filter, late/excused/absent, walk-ins, live counts."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest
from textual import events
from textual.widgets import DataTable, Static

import screens.checkin as checkin
from circles.app import CirclesApp
from circles.errors import NotAllowed
from circles.services import attendance, people
from models.engine import sqlite_url
from models.enums import Attended
from models.store import Store
from screens.checkin import CheckInScreen
from screens.dialogs import ConfirmScreen
from screens.form_screen import FormScreen
from tests import factories
from tests.tui_support import burst, rows, screen_text, settle, shown, type_text, until

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
        # The session's day as every list writes it, this year's year left out.
        assert screen.sub_title == "Rust Lunch, Tue 03 Mar 12:00"
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
        await pilot.press("enter")  # with a filter, space would be part of the name: Enter marks
        await settle(app, pilot)
        marks = _marks(memory_store, s.id)
        assert marks["Hana Member"] is Attended.LATE
        assert marks["Zed Member"] is Attended.EXCUSED
        assert marks["Wes Member"] is Attended.ABSENT
        assert marks["Mo Member"] is Attended.PRESENT
        counts = shown(screen.query_one("#counts", Static))
        assert counts.startswith("Here 2 (present 1, late 1) · excused 1 · absent 1 · not marked 26")

        # 0 clears a mark; without a filter, space on someone already present undoes it too.
        await type_text(pilot, "mo")
        await pilot.press("0")
        await settle(app, pilot)
        assert _marks(memory_store, s.id)["Mo Member"] is None
        await pilot.press("space")
        await settle(app, pilot)
        assert _marks(memory_store, s.id)["Mo Member"] is Attended.PRESENT
        table.move_cursor(row=table.cursor_row - 1)
        await pilot.press("space")
        await settle(app, pilot)
        assert _marks(memory_store, s.id)["Mo Member"] is None
        await type_text(pilot, "qqq")
        await pilot.press("escape")  # clears the filter, stays
        assert isinstance(app.screen, CheckInScreen)
        assert len(rows(table)) == 30
        await pilot.press("escape")  # with no filter: back
        assert not isinstance(app.screen, CheckInScreen)


async def test_the_filter_counts_one_match_and_several_matches(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        await type_text(pilot, "ben")
        await settle(app, pilot)
        assert "▏ 1 match · Enter marks" in shown(screen.query_one("#checkin-filter", Static))
        await pilot.press("backspace", "backspace")
        await settle(app, pilot)
        found = screen.query_one("#roster", DataTable).row_count
        assert found > 1
        assert f"▏ {found} matches · Enter marks" in shown(screen.query_one("#checkin-filter", Static))


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
        await pilot.press("tab")  # an address is optional: it goes in the next field
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
        # Typed "Guest", checked in "Guest Speaker": the message says who, by which address.
        told = [n.message for n in app._notifications][-1]
        assert told == "Guest Speaker <guest@example.org> checked in as a walk-in.", told


async def test_a_full_name_with_its_space_finds_the_person_whatever_the_case_and_accents(memory_store, clock):
    c = factories.circle(memory_store, "Rust Lunch")
    for name, email in [
        ("Grace Hopper", "grace@example.org"),
        ("Zoë Ångström", "zoe@example.org"),
        ("Grace Lee", "lee@example.org"),
    ]:
        factories.member(memory_store, c, factories.person(memory_store, name, email))
    s = factories.session(memory_store, c, "2026-03-03 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        await type_text(pilot, "grace hop")
        await pilot.pause()
        assert [r[0] for r in rows(table)] == ["Grace Hopper"]
        assert "Filter: grace hop" in shown(screen.query_one("#checkin-filter", Static))
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "HOPPER GRACE")  # any order, any case: still her
        await pilot.pause()
        assert [r[0] for r in rows(table)] == ["Grace Hopper"]
        await pilot.press("enter")  # Enter again: still present, not undone
        await pilot.pause()
        await type_text(pilot, "zoe angst")
        await pilot.pause()
        assert [r[0] for r in rows(table)] == ["Zoë Ångström"]
        await pilot.press("2")
        await settle(app, pilot)
        marks = _marks(memory_store, s.id)
        assert marks["Grace Hopper"] is Attended.PRESENT and marks["Zoë Ångström"] is Attended.LATE

        # Nobody of that name: Enter offers the name as typed, space and all, as a walk-in.
        await type_text(pilot, "ada lovelace")
        await pilot.pause()
        assert "Enter checks in 'Ada Lovelace' as a walk-in" in shown(
            screen.query_one("#checkin-filter", Static)
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-name").value == "Ada Lovelace"


async def test_marks_show_whole_without_a_filter(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        await pilot.press("space", "3", "4", "2")
        await settle(app, pilot)
        drawn = [table.render_line(y).text for y in range(1, 5)]
        for line, mark in zip(drawn, ["✔ present", "○ excused", "✘ absent", "◔ late"], strict=True):
            assert mark in line, line


async def test_at_80x24_every_marking_key_help_and_back_are_shown_and_no_line_is_cut(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, s.id)
        lines = screen_text(app).splitlines()
        footer = lines[-1]
        for key in ("space Present", "2 Late", "3 Excused", "4 Absent", "+ Walk-in", "? Help", "esc Back"):
            assert key in footer, footer
        text = " ".join(" ".join(lines).split())  # the counts may break; nothing may be cut
        for phrase in ("not marked 30", "said yes 0", "walk-ins 0"):  # ... nor split
            assert any(phrase in line for line in lines), lines
        assert "Enter marks them present (or adds a walk-in)" in text

        # While a name is typed, space is part of it and Escape clears it: the footer says so.
        await type_text(pilot, "hana")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "esc Clear filter" in footer and "esc Back" not in footer, footer
        assert "space Present" not in footer and "4 Absent" in footer, footer
        await pilot.press("escape")
        await pilot.pause()
        assert "esc Back" in screen_text(app).splitlines()[-1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CheckInScreen)


async def test_at_80x24_the_header_says_which_day_is_being_checked_in(memory_store, clock):
    """The header cut its title at its end: on the large demo at 80 columns it read "Check-in —
    Technical Writing Lunch & Learn (Sao Paulo), Fri 0…", the day being checked in hidden. A
    sub-title too long loses its middle, as names in lists do."""
    c = factories.circle(memory_store, "Technical Writing Lunch & Learn (Sao Paulo)", tz="America/Sao_Paulo")
    factories.member(memory_store, c, factories.person(memory_store, "Ana Lima"))
    s = factories.session(memory_store, c, "2026-03-03 12:00", title="Case study")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, s.id)
        header = screen_text(app).splitlines()[0]
    assert "Check-in — Technical Writing" in header and header.rstrip().endswith("Tue 03 Mar 12:00"), header


class QuickStore(Store):
    """A store that gives up on a locked file after one retry, not after six."""

    def write_retrying(self, work, *, attempts=2):  # type: ignore[no-untyped-def]
        return super().write_retrying(work, attempts=attempts)


def _file_store(tmp_path, clock, monkeypatch, busy_ms: int):  # type: ignore[no-untyped-def]
    # Set before the store opens: each connection keeps the busy timeout it was made with, and
    # the pool hands out those made while the test's circle was written (set afterwards, the
    # save sometimes got one of them and gave up on the lock the test holds).
    monkeypatch.setattr("models.engine.BUSY_TIMEOUT_MS", busy_ms)
    path = tmp_path / "circles.db"
    s = QuickStore.open(sqlite_url(path), clock=clock)
    s.path = path  # type: ignore[attr-defined]
    yield s
    s.close()


@pytest.fixture
def file_store(tmp_path, clock, monkeypatch):
    """A SQLite file (a lock needs a second connection to the same file), with a busy
    timeout short enough that a locked store fails in a fraction of a second."""
    yield from _file_store(tmp_path, clock, monkeypatch, 50)


@pytest.fixture
def patient_file_store(tmp_path, clock, monkeypatch):
    """The same, but a save waits for the lock long enough for the test to let it go."""
    yield from _file_store(tmp_path, clock, monkeypatch, 10_000)


def _lock(path) -> sqlite3.Connection:
    """Another program holding the store's write lock (a long save, a backup tool)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _mark_cell(screen: CheckInScreen, name: str) -> str:
    table = screen.query_one("#roster", DataTable)
    return next(r[3] for r in rows(table) if r[0] == name)


async def test_a_mark_shows_as_pending_until_the_store_has_it(patient_file_store, clock):
    file_store = patient_file_store
    _, s = _circle_of_30(file_store)
    app = CirclesApp(file_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        lock = _lock(file_store.path)
        try:
            await pilot.press("space")  # Abe Member, first in the list
            await pilot.pause()  # however far the save got, it cannot commit while the lock is held
            assert _mark_cell(screen, "Abe Member") == "… present"
            assert screen.unsaved() == "1 check-in mark is still being saved."
            assert "present 0" in shown(screen.query_one("#counts", Static))
            assert _marks(file_store, s.id)["Abe Member"] is None
        finally:
            lock.rollback()
            lock.close()
        await settle(app, pilot)
        assert _mark_cell(screen, "Abe Member") == "✔ present"
        assert "present 1" in shown(screen.query_one("#counts", Static))
        assert _marks(file_store, s.id)["Abe Member"] is Attended.PRESENT
        assert screen.unsaved() is None


async def test_a_mark_the_locked_store_refused_goes_back_and_says_why(file_store, clock):
    _, s = _circle_of_30(file_store)
    with file_store.write() as db:
        attendance.check_in(
            db, session_id=s.id, person_id=_person_id(file_store, s.id, "Ada Member"), attended="late"
        )
    app = CirclesApp(file_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        lock = _lock(file_store.path)
        try:
            await pilot.press("space", "space")  # Abe present; Ada (late) present
            await settle(app, pilot)
            assert _mark_cell(screen, "Abe Member") == "·"
            assert _mark_cell(screen, "Ada Member") == "◔ late"
            assert "present 0, late 1" in shown(screen.query_one("#counts", Static))
            told = [n.message for n in app._notifications]
            # One notice for both, or one per save when the second key came after the first save
            # had already given up (a loaded machine): either way each lost mark is named, and why.
            not_saved = [m for m in told if m.startswith("Not saved: ") and "locked" in m]
            for mark in ("Abe Member present", "Ada Member present"):
                assert any(mark in m for m in not_saved), told
            assert screen.unsaved() is None
        finally:
            lock.rollback()
            lock.close()
        marks = _marks(file_store, s.id)
        assert marks["Abe Member"] is None and marks["Ada Member"] is Attended.LATE


def _person_id(store, session_id: int, name: str) -> int:
    with store.read() as db:
        return next(e.person_id for e in attendance.roster(db, session_id) if e.name == name)


async def test_a_walk_in_with_only_a_name_takes_two_keys_after_the_name(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        await type_text(pilot, "grace hopper")
        await pilot.press("enter")  # nobody of that name here: the walk-in form, name filled in
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter")  # the name is all it needs
        await settle(app, pilot)
        assert app.screen is screen
        grace = next(r for r in rows(screen.query_one("#roster", DataTable)) if r[0] == "Grace Hopper")
        assert grace[3:] == ["✔ present", "walk-in"]
        assert "walk-ins 1" in shown(screen.query_one("#counts", Static))
    with memory_store.read() as db:
        (person,) = [p for p in people.list_people(db) if p.name == "Grace Hopper"]
    assert (person.email, person.is_guest) == (None, True)


async def test_a_pasted_name_filters_like_a_typed_one_and_a_pasted_page_is_refused_in_one_line(
    memory_store, clock
):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        app.focused.post_message(events.Paste("  Nia Member\n"))  # copied from the chat, newline and all
        await until(pilot, lambda: screen.filter_text == "Nia Member")
        assert [r[0] for r in rows(table)] == ["Nia Member"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert _marks(memory_store, s.id)["Nia Member"] is Attended.PRESENT

        app.focused.post_message(events.Paste("Zed " * 2500))  # the whole page, by mistake
        await until(pilot, lambda: len(app._notifications) > 0)
        told = [n.message for n in app._notifications][-1]
        assert told.startswith("Check-in search: the pasted text (9999 characters, 'Zed Zed")
        assert "\n" not in told and screen.filter_text == "" and table.row_count == 30


async def test_ctrl_u_clears_the_filter_as_it_clears_every_line_typed_in(memory_store, clock):
    """ctrl+u clears what was typed in every other box (Search, the Circles list's filter, the
    forms); here it did nothing, and the next name was typed onto the wrong one."""
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        await type_text(pilot, "qqq")
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert screen.filter_text == "" and len(rows(table)) == 30
        assert isinstance(app.screen, CheckInScreen)
        burst(app, *"wes", "ctrl+u", *"niax", "backspace", "enter")  # as fast as a person corrects a name
        await until(pilot, lambda: _marks(memory_store, s.id)["Nia Member"] is not None)
        marked = {name: mark for name, mark in _marks(memory_store, s.id).items() if mark is not None}
        assert marked == {"Nia Member": Attended.PRESENT}


async def test_a_name_and_enter_typed_in_one_burst_marks_that_person(memory_store, clock):
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, s.id)
        burst(app, *"nia", "enter", *"sol", "enter", *"dot", "2")
        await settle(app, pilot)
        await until(pilot, lambda: _marks(memory_store, s.id)["Dot Member"] is not None)
        marked = {name: mark for name, mark in _marks(memory_store, s.id).items() if mark is not None}
        assert marked == {
            "Nia Member": Attended.PRESENT,
            "Sol Member": Attended.PRESENT,
            "Dot Member": Attended.LATE,
        }


async def test_arrows_and_a_digit_in_one_burst_mark_the_row_the_arrows_reach(memory_store, clock):
    """'down down 2' sent at once (tmux, a browser tab through circles serve) marked the first
    row late: the list's arrows ran only once back up at the app, after the digit (walk22)."""
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        table = screen.query_one("#roster", DataTable)
        third = rows(table)[2][0]
        burst(app, "down", "down", "2", "ctrl+end", "up", "3", "ctrl+home", "4")
        await settle(app, pilot)
        await until(pilot, lambda: len([m for m in _marks(memory_store, s.id).values() if m]) == 3)
        marked = {name: mark for name, mark in _marks(memory_store, s.id).items() if mark is not None}
        names = [r[0] for r in rows(table)]
        assert marked == {third: Attended.LATE, names[-2]: Attended.EXCUSED, names[0]: Attended.ABSENT}


async def test_a_refresh_read_before_a_mark_was_saved_does_not_show_it_unmarked(
    patient_file_store, clock, monkeypatch
):
    """Someone else's change makes check-in read the list again; a mark typed meanwhile is
    saved before that read comes back. The read does not have the mark, and the mark is no
    longer pending: shown as it was read, the person would look unmarked. It is read again."""
    file_store = patient_file_store
    _, s = _circle_of_30(file_store)
    read_before, let_go = threading.Event(), threading.Event()
    held = threading.Event()  # only the first read after arming waits; the next one is fresh
    real = checkin.load_check_in

    def load(db, session_id):  # type: ignore[no-untyped-def]
        data = real(db, session_id)
        if read_before.is_set() and not held.is_set():
            held.set()
            assert let_go.wait(30), "the test never let the stale read go"
        return data

    monkeypatch.setattr(checkin, "load_check_in", load)
    app = CirclesApp(file_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        read_before.set()
        screen.reload()  # as for someone else's change: it reads Abe unmarked, then waits
        await until(pilot, held.is_set)
        await pilot.press("space")  # Abe Member, first in the list
        await until(pilot, lambda: screen.unsaved() is None)
        assert _marks(file_store, s.id)["Abe Member"] is Attended.PRESENT
        let_go.set()
        await settle(app, pilot)
        assert _mark_cell(screen, "Abe Member") == "✔ present"
        assert "present 1" in shown(screen.query_one("#counts", Static))


async def test_keys_typed_while_the_walk_in_form_opens_go_into_it_and_open_no_second(memory_store, clock):
    """'qqq', Enter, 'x', Enter in one burst: the walk-in form opened for 'Qqq' and the 'x' and
    the second Enter, read before it was up, went to check-in, which opened a second form for
    'Qqqx' on top of the first. They are the form's keys: the name typed on, then its Enter."""
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, s.id)
        burst(app, *"qqq", "enter", "x", "enter")
        await settle(app, pilot)  # every key handled: the form they went into saved and closed
        assert app.screen is screen  # no second form left open
        walk_ins = [r[0] for r in rows(screen.query_one("#roster", DataTable)) if r[4:] == ["walk-in"]]
        assert walk_ins == ["Qqqx"]


async def test_check_in_for_a_past_session_asks_first_then_records(memory_store, clock, monkeypatch):
    """Attendance recorded late is fine, but not without a word: the first mark asks, yes
    records it (and the marks after it without asking again), even typed in one burst."""
    _, last_week = _circle_of_30(memory_store)
    clock.advance(days=7)
    asked: list[str] = []

    class Asked(ConfirmScreen):
        def __init__(self, question: str, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            asked.append(question)
            super().__init__(question, *args, **kwargs)

    monkeypatch.setattr(checkin, "ConfirmScreen", Asked)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, last_week.id)
        burst(app, "space", "y")
        await until(pilot, lambda: _marks(memory_store, last_week.id)["Abe Member"] is not None)
        assert app.screen is screen
        assert len(asked) == 1 and asked[0].startswith("This session was on ")
        await pilot.press("space")
        await settle(app, pilot)
        assert app.screen is screen and len(asked) == 1  # asked once
        marked = {n: m for n, m in _marks(memory_store, last_week.id).items() if m is not None}
        assert marked == {"Abe Member": Attended.PRESENT, "Ada Member": Attended.PRESENT}


async def test_check_in_for_a_session_to_come_says_it_has_not_started_and_records_nothing(
    memory_store, clock
):
    """A session of a day to come takes no marks, by the service's one rule: the screen asked
    'record attendance for it anyway?' and recorded them on a yes, where the command line
    recorded them without a word."""
    c, _ = _circle_of_30(memory_store)
    next_week = factories.session(memory_store, c, "2026-03-10 12:00", title="Next week")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, next_week.id)
        # Said before a key is pressed in vain (it said "Enter marks them present").
        hint = shown(screen.query_one("#checkin-filter", Static))
        assert hint == "Check-in opens on its day, Tue 10 Mar; the RSVPs so far are below"
        for key in ("space", "2", "plus"):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen is screen  # no question, no walk-in form
        told = [n.message for n in app._notifications]
        assert told and all(
            n == "The session Rust Lunch, Tue 10 Mar 2026 12:00 has not started yet: attendance is recorded "
            "from its day on."
            for n in told
        ), told
        assert all(m is None for m in _marks(memory_store, next_week.id).values())
        assert _mark_cell(screen, "Abe Member") == "·"
    # Its day come (the circle's clock: 00:30 in Berlin), people check in early.
    clock.now = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    with memory_store.write() as db:
        abe = next(p for p in people.find_by_name(db, "Abe Member"))
        attendance.check_in(db, session_id=next_week.id, person_id=abe.id, attended=Attended.PRESENT)
    clock.now = datetime(2026, 3, 9, 22, 30, tzinfo=UTC)
    with pytest.raises(NotAllowed, match="has not started yet"), memory_store.write() as db:
        attendance.check_in(db, session_id=next_week.id, person_id=abe.id, attended=Attended.EXCUSED)
    with memory_store.write() as db:  # a mark is taken back whenever
        attendance.check_in(db, session_id=next_week.id, person_id=abe.id, attended=None)


async def test_a_mark_typed_fast_before_a_name_marks_the_one_highlighted(memory_store, clock):
    """'2' for the highlighted person, then 'hana' and Enter for the next, in one burst: the
    '2' waited for the letters and marked the first 'h' late, not the one highlighted."""
    _, s = _circle_of_30(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, s.id)
        burst(app, "2", *"hana", "enter", *"yan", "3")
        await until(pilot, lambda: _marks(memory_store, s.id)["Yan Member"] is not None)
        await settle(app, pilot)
        marked = {n: m for n, m in _marks(memory_store, s.id).items() if m is not None}
        assert marked == {
            "Abe Member": Attended.LATE,
            "Hana Member": Attended.PRESENT,
            "Yan Member": Attended.EXCUSED,
        }

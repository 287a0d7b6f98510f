"""The feedback screens as a person uses them: check-out (a rating key per person, then the line),
the session's Feedback tab (answers, non-responders, settings), Recognition (the ledger, thanking
someone, exporting the digest), Organisation (figures that say how they are counted), the circle's
Stats tab (satisfaction, presenters by team), and the ways to reach them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Select, Static

from circles.app import CirclesApp
from circles.feedback_views import MentoringDone, Recognised, Streak, Talk, tell_apart
from circles.recognition_digest import markdown
from circles.services import attendance, feedback, programmes, recognition, sessions, success
from circles.services.participation import Scope
from circles.success_views import Mentoring, ProgrammeEngagement, RetentionAfter
from models.enums import PresenterSource, SessionStatus
from models.store import Store
from screens import opening
from screens import recognition as recognition_screen
from screens.blocks import Blocks
from screens.checkout import CheckOutScreen
from screens.dialogs import ConfirmScreen
from screens.feedback_panel import FeedbackPanel
from screens.figure_boxes import FigureBoxes
from screens.form_screen import FormScreen
from screens.organisation import (
    FIGURES,
    Definition,
    OrganisationScreen,
    change_text,
    figure_values,
    mentoring_lines,
    retention_text,
    short_count,
    spread,
)
from screens.paged import AHEAD, PAGE, PagedTable
from screens.recognition import RecognitionScreen, detail_lines, row_cells, streaks_text
from screens.send_dialog import SendDialog
from screens.session import SessionScreen
from screens.stats_panel import TEAMS, CircleFigures
from screens.table import Table
from screens.tabs import Tabs
from screens.textual_internals import on_each_frame
from tests import factories
from tests.tui_support import burst, rows, screen_text, settle, shown, type_text, until

SIZE = (120, 40)
NAMES = ("Ana Ruiz", "Bo Chen", "Cy Young", "Di Park", "Eve Walker", "Fay Lind")


def _held_session(store):  # type: ignore[no-untyped-def]
    """Rust Lunch on Mon 2 Mar (the clock says Tue 3 Mar): five came, Fay was absent."""
    circle = factories.circle(store, "Rust Lunch")
    people = [
        factories.person(store, name, team="Platform" if n % 2 else "Data") for n, name in enumerate(NAMES)
    ]
    for p in people:
        factories.member(store, circle, p, joined_at=datetime(2026, 1, 5, tzinfo=UTC))
    s = factories.session(store, circle, "2026-03-02 12:00", title="Ownership")
    with store.write() as db:
        for p in people[:5]:
            attendance.check_in(db, session_id=s.id, person_id=p.id, attended="present")
        attendance.check_in(db, session_id=s.id, person_id=people[5].id, attended="absent")
        view = sessions.set_presenter(
            db, sessions.get_session(db, s.id), presenter_id=people[0].id, source=PresenterSource.MANUAL
        )
        sessions.update_session(db, view, status=SessionStatus.HELD)
    return circle, people, s


async def _recognition(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """From Home, R, until the ledger is shown."""
    await settle(app, pilot)
    await pilot.press("R")
    await until(pilot, lambda: isinstance(app.screen, RecognitionScreen))
    await settle(app, pilot)


async def _organisation(app, pilot, *, also: Callable[[], bool] = lambda: True) -> None:  # type: ignore[no-untyped-def]
    """From Home, O, until the screen is shown (and ``also()`` holds)."""
    await settle(app, pilot)
    await pilot.press("O")
    await until(pilot, lambda: isinstance(app.screen, OrganisationScreen) and also())


async def _session(app, pilot, session_id: int) -> SessionScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    app.open_session(session_id)
    await settle(app, pilot)
    assert isinstance(app.screen, SessionScreen)
    return app.screen


async def test_check_out_rates_five_people_with_a_key_and_a_line_each(memory_store, clock):
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _session(app, pilot, s.id)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, CheckOutScreen))
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#checkout-roster", DataTable)
        # Only the five who came; Fay was absent.
        assert [r[0] for r in rows(table)] == list(NAMES[:5])
        for rating, line in zip("54345", ("borrowing", "traits", "", "lifetimes", "async"), strict=True):
            await pilot.press(rating)
            await until(pilot, lambda: isinstance(screen.focused, Input))
            await type_text(pilot, line)
            await pilot.press("enter")
            await settle(app, pilot)
        assert "Answered 5 of 5 who came · mean 4.2" in shown(screen.query_one("#checkout-counts", Static))
        assert [r[1] for r in rows(table)] == ["★★★★★", "★★★★☆", "★★★☆☆", "★★★★☆", "★★★★★"]
        # The roster shows each line learned next to its rating, so a slip is seen before leaving.
        assert [r[2] for r in rows(table)] == ["borrowing", "traits", "", "lifetimes", "async"]
        # Escape drops an answer being typed, then goes back.
        await pilot.press("1")
        await type_text(pilot, "oops")
        await pilot.press("escape")
        await settle(app, pilot)
        assert not screen.query_one("#checkout-line").display
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
    with memory_store.read() as db:
        found = {(a.person_name, a.rating, a.learned) for a in feedback.list_answers(db, s.id)}
    assert found == {
        ("Ana Ruiz", 5, "borrowing"),
        ("Bo Chen", 4, "traits"),
        ("Cy Young", 3, ""),
        ("Di Park", 4, "lifetimes"),
        ("Eve Walker", 5, "async"),
    }


async def test_escape_on_a_check_out_answer_with_words_typed_asks_before_dropping_them(memory_store, clock):
    """Escape dropped the line being typed at once: a sentence someone had just dictated went
    with one key hit by reflex, where every form asks first (found walking). A rating alone,
    one key to type again, still goes at once."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _check_out(app, pilot, s.id)
        line = screen.query_one("#checkout-line")
        await pilot.press("4")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await type_text(pilot, "traits")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert screen.unsaved() == "Ana Ruiz's answer is typed but not saved."
        await pilot.press("n")  # kept, and typing goes on where it was
        await until(pilot, lambda: app.screen is screen)
        await type_text(pilot, " and generics")
        await pilot.press("enter")
        await settle(app, pilot)
        assert _answers(memory_store, s.id) == [(4, "traits and generics", "")]
        await pilot.press("3", "escape")  # a rating alone
        await settle(app, pilot)
        assert app.screen is screen and not line.display and screen.unsaved() is None


async def test_check_out_of_a_session_not_started_says_so_before_anyone_is_rated(memory_store, clock):
    """Opened before the session (the clock says Tue 3 Mar 09:00), check-out took a rating and a
    line, then refused them: "has not started yet". It says so at once, and 1-5 rate nobody."""
    circle = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Ruiz")
    factories.member(memory_store, circle, ana)
    s = factories.session(memory_store, circle, "2026-03-03 12:00", title="Ownership")
    with memory_store.write() as db:
        attendance.check_in(db, session_id=s.id, person_id=ana.id, attended="present")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _session(app, pilot, s.id)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, CheckOutScreen))
        await settle(app, pilot)
        screen = app.screen
        assert "has not started yet: feedback comes after it." in shown(screen.query_one("#checkout-hint"))
        await pilot.press("4")
        await settle(app, pilot)
        assert not screen.query_one("#checkout-line").display
        assert screen.pending is None


async def test_the_feedback_tab_shows_answers_and_who_has_not_answered(memory_store, clock):
    circle, people, s = _held_session(memory_store)
    with memory_store.write() as db:
        feedback.add_answer(db, session_id=s.id, person_id=people[1].id, rating=4, learned="[b]traits[/b]")
        feedback.add_answer(
            db, session_id=s.id, person_id=people[2].id, rating=2, for_presenter="Slower, please"
        )
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _session(app, pilot, s.id)
        await pilot.press("3")
        await settle(app, pilot)
        panel = screen.query_one(FeedbackPanel)
        assert shown(panel.query_one("#feedback-summary", Static)) == (
            "2 answers from 2 of 5 who came (40%) · mean 3.0 / 5"
        )
        assert "• [b]traits[/b]  (Bo Chen)" in shown(panel.query_one("#feedback-learned", Static))
        assert "Slower, please" in shown(panel.query_one("#feedback-notes", Static))
        missing = panel.query_one("#feedback-missing", DataTable)
        assert [r[0] for r in rows(missing)] == ["Ana Ruiz", "Di Park", "Eve Walker"]
        # Making answers anonymous asks first, and says what anonymous means here.
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "no screen, export or query can tell whose an answer is" in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
        assert "Answers here are anonymous: answers are stored" in shown(
            panel.query_one("#feedback-settings", Static)
        )
    with memory_store.read() as db:
        assert feedback.get_settings(db, circle.id).anonymous


async def test_the_feedback_tab_comes_forward_with_its_answers(memory_store, clock, monkeypatch):
    """3 reads the answers before the tab comes forward: no frame of the tab empty, then with
    "Loading feedback…", each laid out and drawn, before the one with the answers."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)  # a loaded machine's reads may take their time
    _, people, s = _held_session(memory_store)
    with memory_store.write() as db:
        feedback.add_answer(db, session_id=s.id, person_id=people[1].id, rating=4, learned="traits")
    app = CirclesApp(memory_store)
    drawn: list[str] = []  # the summary each frame of the Feedback tab showed

    def frame() -> None:
        screen = app.screen
        if isinstance(screen, SessionScreen) and screen.query_one(Tabs).active == "feedback-tab":
            summary = screen.query("#feedback-summary")
            drawn.append(shown(summary.first(Static)) if summary else "")

    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _session(app, pilot, s.id)
        await pilot.press("3")
        await settle(app, pilot)
        assert screen.query_one(FeedbackPanel).has_focus_within
    # One answer, not "1 answers".
    assert drawn and all(d.startswith("1 answer from 1 of 5 who came") for d in drawn), drawn


async def test_back_from_check_in_the_session_stays_on_its_feedback_tab(memory_store, clock):
    """Back from check-in (or any screen) the session reads its open tabs again: the Materials
    tab's panel, refilled while hidden, took the focus and so brought its tab forward over
    the Feedback tab the person had left it on."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _session(app, pilot, s.id)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("i")
        await until(pilot, lambda: app.screen is not screen)
        await settle(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await settle(app, pilot)
        assert screen.query_one(Tabs).active == "feedback-tab"
        assert screen.query_one(FeedbackPanel).has_focus_within


async def test_recognition_lists_thanks_someone_and_exports_the_digest(memory_store, clock, tmp_path: Path):
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        screen = app.screen
        table = screen.query_one("#rec-ledger", DataTable)
        # Ana gave her first talk on 2 Mar; nobody else did anything to list this month.
        assert [r[:2] for r in rows(table)] == [["Ana Ruiz", "1 (first)"]]
        assert "first talk ever!" in shown(screen.query_one("#rec-person", Static))
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#f-text", Input).value = "x" * 301
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # The service's refusal (field "for") went to the foot of the form, off screen at 80x24.
        assert "is 301 characters long; the limit is 300" in shown(app.screen.query_one("#e-text", Static))
        app.screen.query_one("#f-text", Input).value = ""
        await type_text(pilot, "for the ownership talk")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert rows(table)[0][-1] == "1"
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#f-file", Input).value = str(tmp_path / "digest.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RecognitionScreen)
        # Again to the same file: the form asks "Replace?", as every export does (it had a tick
        # box of its own, and its refusal named the CLI's --force).
        (tmp_path / "digest.md").write_text("kept")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#f-file", Input).value = str(tmp_path / "digest.md")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "digest.md already exists. Replace it?" in shown(app.screen.query_one("#question", Static))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert shown(form.query_one("#form-error", Static)) == "Not exported: the file is there already."
        assert (tmp_path / "digest.md").read_text() == "kept"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, RecognitionScreen))
        await settle(app, pilot)
    text = (tmp_path / "digest.md").read_text()
    assert text.startswith("# Thank you: 01 Mar 2026 to 03 Mar 2026")
    assert "- **Ana Ruiz** gave 1 talk: “Ownership”, Rust Lunch, 02 Mar (their first talk ever!)" in text
    assert "- **Ana Ruiz**: for the ownership talk" in text
    with memory_store.read() as db:
        ledger = recognition.ledger(db, recognition.period_scope(db))
    assert [t.text for r in ledger.people for t in r.thanks] == ["for the ownership talk"]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_the_digest_is_read_and_written_while_others_check_people_in(
    store: Store, clock, tmp_path: Path, monkeypatch
):
    """x opens the export form at once, and saving reads and writes the digest in a read of the
    store, saying so on its button while it runs. The ledger was read whole before the form
    opened (a year of the huge demo: three seconds in which x did nothing visible), then written
    in a unit of work that writes: SQLite's write lock was held the while, and every other
    app's check-ins waited. And a second ctrl+s meanwhile started a second export beside it."""
    import sqlite3

    from screens import digest_export_dialog
    from tests.statements import statements_sent

    _held_session(store)
    entered, go = threading.Event(), threading.Event()
    others_wrote: list[bool] = []

    def slow_markdown(ledger):  # type: ignore[no-untyped-def]
        entered.set()
        other = sqlite3.connect(str(store.url.database), timeout=0.05)  # another app, checking in
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            others_wrote.append(True)
        except sqlite3.OperationalError:  # database is locked
            others_wrote.append(False)
        finally:
            other.close()
        go.wait(30)
        return markdown(ledger)

    monkeypatch.setattr(digest_export_dialog, "markdown", slow_markdown)
    app = CirclesApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        with statements_sent(store.engine) as sent:
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert not [statement for statement, _ in sent if "talk" in statement]  # no ledger read yet
        form = app.screen
        form.query_one("#f-file", Input).value = str(tmp_path / "digest.md")
        await pilot.press("ctrl+s")
        await until(pilot, entered.is_set)
        await pilot.pause(0.5)  # past SLOW_SAVE
        button = form.query_one("#save", Button)
        assert (str(button.label), button.disabled) == ("Saving…", True)
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form
        go.set()
        await until(pilot, lambda: isinstance(app.screen, RecognitionScreen))
        await settle(app, pilot)
    assert others_wrote == [True]  # once: one export, and check-ins went on meanwhile
    assert "- **Ana Ruiz** gave 1 talk" in (tmp_path / "digest.md").read_text()


async def test_the_digest_is_offered_in_downloads_and_a_folder_in_the_way_is_not_replaced(
    memory_store, clock, tmp_path: Path
):
    # The digest offered the home folder where every other export offers Downloads, and a
    # folder at the path typed was offered to be "replaced" before the save refused it.
    downloads = Path.home() / "Downloads"
    downloads.mkdir(parents=True)
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.query_one("#f-file", Input).value == str(downloads / "recognition-2026-03.md")
        (tmp_path / "digest.md").mkdir()
        form.query_one("#f-file", Input).value = str(tmp_path / "digest.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        said = shown(form.query_one("#e-file", Static))
        assert said.endswith("digest.md' is a folder; give a file name inside it."), said
    assert list(downloads.iterdir()) == []


async def test_recognition_is_drawn_first_with_its_ledger(memory_store, clock, monkeypatch):
    """R on Home reads the ledger before the screen is pushed: not drawn first with "Loading…"
    and laid out and drawn again with the rows, nor styled whole again as it becomes current."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)  # a loaded machine's reads may take their time
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    drawn: list[bool] = []  # whether each frame of the screen showed the ledger
    restyled: list[Screen[object]] = []

    def frame() -> None:
        if isinstance(app.screen, RecognitionScreen):
            drawn.append(app.screen.data is not None)

    def restyle(self: Screen[object], animate: bool = True) -> None:
        restyled.append(self)
        update_styles(self, animate)

    update_styles = Screen.update_node_styles
    monkeypatch.setattr(Screen, "update_node_styles", restyle)
    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        assert rows(app.screen.query_one("#rec-ledger", DataTable))[0][0] == "Ana Ruiz"
        assert drawn
        assert all(drawn)
        assert not [s for s in restyled if isinstance(s, RecognitionScreen)]


async def test_recognition_opens_on_a_period_asked_for(memory_store, clock):
    """bench/feedback.py opens it on last month, a whole month, as its last days show it."""
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        recognition_screen.open_recognition(app, "last month")
        await until(pilot, lambda: isinstance(app.screen, RecognitionScreen) and app.screen.data is not None)
        await settle(app, pilot)
        status = shown(app.screen.query_one("#rec-status", Static))
        assert status == "01 Feb 2026 to 28 Feb 2026 · all circles · nobody to recognise yet in this period"
        assert "Last month" in shown(app.screen.query_one("#rec-period"))


async def test_recognition_tells_namesakes_apart_by_their_team(memory_store, clock):
    _held_session(memory_store)  # Ana Ruiz (Data) gave a talk
    other = factories.person(memory_store, "Ana Ruiz", "ana.ruiz@example.org", team="Platform Reliability")
    with memory_store.write() as db:
        recognition.add_thanks(db, person=other.email or "", text="for the rota")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", DataTable)
        # Two rows both reading "Ana Ruiz": which one gave the talk?
        assert sorted(r[0] for r in rows(table)) == ["Ana Ruiz (Data)", "Ana Ruiz (Platform Reliability)"]
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        # At 80 columns Feedback and Thanks were hidden whole: Ana (Platform)'s thanks vanished.
        assert table.shown_columns[-2:] == ["Feedback", "Thanks"]
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        chosen = app.screen.query_one("#f-who", Select)
        assert sorted(str(label) for label, _ in chosen._options if "Ana" in str(label)) == [
            "Ana Ruiz (Data)",
            "Ana Ruiz (Platform Reliability)",
        ]
    with memory_store.read() as db:
        digest = markdown(recognition.ledger(db, recognition.period_scope(db)))
    assert "- **Ana Ruiz (Data)** gave 1 talk" in digest
    assert "- **Ana Ruiz (Platform Reliability)**: for the rota" in digest


async def test_the_ledger_at_80_columns_shows_a_first_talk_and_a_streak_whole(memory_store, clock):
    """A milestone talk had a column of its own ("Milestones" over "#5") and a streak was cut to
    "5 in a …": the milestone is said beside the talks now, and the streak has the room. Ana,
    alone in the rotation, presented each of five weeks: the fifth was in March."""
    circle = factories.circle(memory_store, "Rust Lunch")
    ana = factories.person(memory_store, "Ana Ruiz", team="Data")
    factories.member(memory_store, circle, ana, joined_at=datetime(2026, 1, 5, tzinfo=UTC))
    for day in ("02-02", "02-09", "02-16", "02-23", "03-02"):  # five Mondays, the last on 2 Mar
        s = factories.session(memory_store, circle, f"2026-{day} 12:00", title=f"Week {day}")
        with memory_store.write() as db:
            attendance.check_in(db, session_id=s.id, person_id=ana.id, attended="present")
            sessions.update_session(db, sessions.get_session(db, s.id), status=SessionStatus.HELD)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", DataTable)
        assert [r[:3] for r in rows(table)] == [["Ana Ruiz", "1 (#5)", "5 in a row"]]
        drawn = table.render_line(1).text
        assert "1 (#5)" in drawn and "5 in a row" in drawn, drawn


async def test_recognition_shows_a_name_that_looks_like_markup_as_written(memory_store, clock):
    _held_session(memory_store)
    odd = factories.person(memory_store, "[b]Zed[/b] Ops", "zed@example.org")
    with memory_store.write() as db:
        recognition.add_thanks(db, person=odd.email or "", text="for the rota")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", DataTable)
        drawn = [table.render_line(y).text for y in range(1, table.row_count + 1)]
        # A str cell is read as markup: the brackets vanished and the name showed in bold.
        assert any("[b]Zed[/b] Ops" in line for line in drawn), drawn


async def test_namesakes_in_one_team_keep_their_numbers_when_the_name_column_is_cut(memory_store, clock):
    """At 80 columns the Name column is shortened: cut at its end, two Zoe Tanakas of Sales
    Engineering both read "Zoe Tanaka (Sales…", the number that tells them apart gone (the huge
    demo listed three alike). Cut in the middle, each row keeps its end."""
    zoes = [
        factories.person(memory_store, "Zoe Tanaka", f"zoe.{n}@example.org", team="Sales Engineering")
        for n in (1, 2)
    ]
    with memory_store.write() as db:
        for zoe in zoes:
            recognition.add_thanks(
                db, person=zoe.email or "", text="for covering the whole of the spring rota"
            )
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", DataTable)
        drawn = [table.render_line(y).text for y in range(1, table.row_count + 1)]
        assert all("Zoe Tanaka (Sales Engineering" not in line for line in drawn), drawn  # cut
        for zoe in zoes:
            assert any(f"no. {zoe.id})" in line for line in drawn), drawn
        # The detail under the list says which of them the cursor is on, as the list does.
        detail = str(app.screen.query_one("#rec-person", Static).render())
        assert detail.splitlines()[0] == f"Zoe Tanaka (Sales Engineering, no. {zoes[0].id})", detail


def test_namesakes_in_one_team_are_told_apart_by_their_number() -> None:
    assert tell_apart([(1, "Ana Ruiz", "Data"), (2, "ana  ruiz", "Data"), (3, "Bo", None)]) == {
        1: "Ana Ruiz (Data, no. 1)",
        2: "ana  ruiz (Data, no. 2)",
        3: "Bo",
    }


async def test_s_on_the_feedback_tab_sends_invites_and_p_shares_notes(memory_store, clock):
    circle, _, s = _held_session(memory_store)
    with memory_store.read() as db:
        shared = feedback.get_settings(db, circle.id).share_with_presenter
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _session(app, pilot, s.id)
        await pilot.press("3")
        await until(pilot, lambda: bool(app.screen.query(FeedbackPanel)))
        await settle(app, pilot)
        # The line above the tabs says "S sends them"; here S flipped the circle's notes setting.
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, SendDialog))
        with memory_store.read() as db:
            assert feedback.get_settings(db, circle.id).share_with_presenter == shared
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
    with memory_store.read() as db:
        assert feedback.get_settings(db, circle.id).share_with_presenter == (not shared)


async def test_organisation_figures_say_how_they_are_counted(memory_store, clock):
    _, people, s = _held_session(memory_store)
    with memory_store.write() as db:
        feedback.add_answer(db, session_id=s.id, person_id=people[1].id, rating=4)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        screen = app.screen
        # 5 of 6 expected came; 1 rating of 4 from 1 of 5 who came.
        assert screen.query_one(FigureBoxes).text("participation").splitlines() == [
            "Participation ?",
            "83%",
            "5 of 6",
        ]
        assert "4.0 / 5" in screen.query_one(FigureBoxes).text("satisfaction")
        assert "1 of 5" in screen.query_one(FigureBoxes).text("response_rate")
        # Members joined in January: no 3-month mark has passed yet (it read "3m - 6m -", "0/0 0/0").
        assert screen.query_one(FigureBoxes).text("retention").splitlines() == [
            "Retention ?",
            "too soon",
            "to tell",
        ]
        by_circle = screen.query_one("#org-circles", DataTable)
        assert [r[0] for r in rows(by_circle)] == ["Rust Lunch"]
        assert "· 1 held session, 1 circle ·" in shown(screen.query_one("#org-status", Static))
        # Its height follows its rows: the app's 1fr for tables left it one line on the small demo.
        assert by_circle.size.height == 2
        assert isinstance(screen.focused, FigureBoxes)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, Definition))
        assert "the share who came (checked in present or late)" in shown(app.screen.query("Static")[1])
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, OrganisationScreen)


async def test_organisation_figures_keep_their_names_whole_at_80_columns(memory_store, clock):
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        names = " ".join(figure.name for figure in FIGURES).replace(",", "").split()
        boxes = app.screen.query_one(FigureBoxes)
        drawn = [s.text for s in boxes.render_lines(Region(0, 0, *boxes.outer_size))]
        # Six boxes a row: "Participation" was drawn as "Participa" over "tion ?".
        words = " ".join(drawn).translate(str.maketrans("│╭╮╰╯─,", "       ")).split()
        cut = [w for w in words for n in names if n != w and n.startswith(w)]
        assert not cut, drawn
        assert boxes.text("participation").startswith("Attended ?")


async def test_organisation_by_circle_keeps_its_figures_at_80_columns(memory_store, clock):
    """The large demo's circles at 80 columns: their names whole left room for Sessions alone,
    and each circle's participation and rating were hidden."""
    circle = factories.circle(memory_store, "Accessibility Community of Practice (Bangalore)")
    ana = factories.person(memory_store, "Ana Ruiz")
    factories.member(memory_store, circle, ana, joined_at=datetime(2026, 1, 5, tzinfo=UTC))
    s = factories.session(memory_store, circle, "2026-03-02 12:00", title="Ownership")
    with memory_store.write() as db:
        attendance.check_in(db, session_id=s.id, person_id=ana.id, attended="present")
        feedback.add_answer(db, session_id=s.id, person_id=ana.id, rating=4)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        table = app.screen.query_one("#org-circles", Table)
        assert {"Circle", "Participation", "Rating"} <= set(table.shown_columns), table.shown_columns
        table.scroll_visible(animate=False)
        await settle(app, pilot)
        assert "(Bangalore)" in screen_text(app)


async def test_the_stats_tab_shows_satisfaction_and_presenters_by_team(memory_store, clock):
    circle, people, s = _held_session(memory_store)
    with memory_store.write() as db:
        feedback.add_answer(db, session_id=s.id, person_id=people[1].id, rating=5)
        feedback.add_answer(db, session_id=s.id, person_id=people[2].id, rating=3)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(circle.id)
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        satisfaction = app.screen.query_one(CircleFigures).text("satisfaction")
        assert satisfaction.splitlines() == ["Satisfaction", "4.0 / 5", "40% of 5 who came answered"]
        charts = app.screen.query_one("#stats-charts", Blocks).blocks
        teams = next(text for title, _, text in charts if title == TEAMS).splitlines()
        # Ana (Data) presented; Data has Ana, Cy, Eve; Platform Bo, Di, Fay.
        assert teams[0].startswith("Data") and teams[0].endswith("33%  (1 of 3)")
        assert teams[1].startswith("Platform") and teams[1].endswith("0%  (0 of 3)")


async def test_the_palette_finds_recognition_and_organisation(memory_store, clock):
    factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for query, wanted in (("recognition", RecognitionScreen), ("organisation", OrganisationScreen)):
            await pilot.press("ctrl+p")
            await until(pilot, lambda: isinstance(app.screen, CommandPalette))
            await type_text(pilot, query)
            await until(pilot, lambda q=query: _first_hit(app).casefold().startswith(q))
            await pilot.press("enter")
            await until(pilot, lambda w=wanted: isinstance(app.screen, w))
            await settle(app, pilot)
            await pilot.press("escape")
            await settle(app, pilot)


async def test_enter_typed_right_after_the_words_picks_what_they_found(memory_store, clock):
    # Typed fast, "recognition" and Enter exported invites: Enter picked the highlighted line of
    # the list the palette opened with, the search for the words still on its way.
    factories.circle(memory_store, "Rust Lunch")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await until(pilot, lambda: _first_hit(app) != "")  # the list it opens with
        burst(app, *"recognition", "enter")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette))
        await settle(app, pilot)
        assert isinstance(app.screen, RecognitionScreen), app.screen


def _first_hit(app: CirclesApp) -> str:
    lists = app.screen.query(CommandList)
    if not lists or not lists.first().option_count:
        return ""
    return str(lists.first().get_option_at_index(0).prompt)


def test_figures_stay_short_and_a_rounded_zero_is_no_change() -> None:
    # The large demo's counts (120588 of 141940) overflowed a figure's box; a change that rounds
    # to nothing read "+0 pts" or "-0.00". Under 10,000 a count is written as the counts around
    # the boxes are ("7250 of 55k" stood beside "2,594 held sessions").
    assert (short_count(999), short_count(7_250), short_count(120_588)) == ("999", "7,250", "121k")
    assert (change_text(0.004), change_text(-0.001, points=True)) == ("no change", "no change")
    assert (change_text(0.125), change_text(-0.25, points=True)) == ("+12 pts", "-0.25")


def test_retention_shows_only_the_marks_members_reached() -> None:
    reached, young = RetentionAfter(3, 30, 12), RetentionAfter(6, 0, 0)
    assert retention_text([reached, young]) == ("3m\N{NO-BREAK SPACE}40%", "12/30")
    assert retention_text([young, RetentionAfter(6, 0, 0)]) == ("too soon", "to tell")


def test_a_figure_of_one_says_one_programme_one_rating(memory_store) -> None:
    with memory_store.read() as db:
        report = success.success_report(db, Scope())
    one = ProgrammeEngagement(1, "Mentoring 2026", "mentoring", 3, 2, 4, 1, 0)
    values = figure_values(
        replace(report, mentoring=Mentoring([one]), satisfaction=replace(report.satisfaction, ratings=1))
    )
    # They said "1 programmes" and "1 ratings".
    assert (values["pairs_active"][1], values["satisfaction"][1]) == ("1 programme", "1 rating")


def test_a_programmes_mentoring_line_keeps_its_meetings_apart_from_its_pairs() -> None:
    """The large demo's coffee roulette read '891 of 1461 1461 pairs active', and its lines
    were too wide for 80 columns."""
    lines = mentoring_lines(
        [
            ProgrammeEngagement(1, "Coffee roulette", "coffee", 1461, 891, 1461, 0, 0),
            ProgrammeEngagement(2, "Reverse mentoring: AI tools", "mentoring", 37, 12, 40, 0, 0),
        ]
    )
    assert lines[0].startswith("Coffee roulette             ")
    assert lines[0].endswith("   891 of 1,461 · 1,461 pairs active")
    assert lines[1].endswith("    12 of 40    · 37 pairs active")
    # Pairs that arrange their own meetings (no cadence): what they met, not "0 of 0".
    own = ProgrammeEngagement(3, "Buddies", "buddy", 4, 0, 0, 0, 0, meetings_met=9)
    assert mentoring_lines([own])[0].endswith("░     9 met      · 4 pairs active")
    assert max(len(line) for line in lines) <= 74  # the block's width at 80 columns


def test_a_programmes_name_too_long_for_its_mentoring_line_loses_its_middle() -> None:
    """Cut at 28 cells with nothing to say so ('Reverse mentoring for the dat'), two names of
    one start read alike; a wide character was counted as one cell and the bars went askew."""
    lines = mentoring_lines(
        [
            ProgrammeEngagement(
                1, "Reverse mentoring for the data platform team", "mentoring", 5, 1, 2, 0, 0
            ),
            ProgrammeEngagement(2, "Reverse mentoring for the design team", "mentoring", 5, 1, 2, 0, 0),
            ProgrammeEngagement(3, "咖啡 roulette", "coffee", 5, 1, 2, 0, 0),
        ]
    )
    names = [line[: line.index("█") if "█" in line else line.index("░")].rstrip() for line in lines]
    assert names[0].endswith("platform team") and "…" in names[0]
    assert names[1].endswith("design team") and "…" in names[1]
    assert len({cell_len(line) for line in lines}) == 1  # the bars line up, wide characters too


async def test_organisation_says_one_pair_of_a_programme_as_one(memory_store, clock):
    """A programme of two people read '1 pairs active' under Organisation's mentoring."""
    from circles.services import pairing

    _held_session(memory_store)
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    for name, team in (("Gus Lee", "Data"), ("Hal Ono", "Web")):
        person = factories.person(memory_store, name, team=team)
        with memory_store.write() as db:
            programmes.join(db, p.id, person.id, role="member")
    with memory_store.write() as db:
        pairing.confirm(db, p.id)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        app.screen.query_one("#org-mentoring").scroll_visible(animate=False)
        await settle(app, pilot)
        text = screen_text(app)
    assert "· 1 pair active" in text, text


def test_a_sparklines_range_tells_its_months_apart() -> None:
    # On the large demo the months ran 64.6% to 65.4%: the bars went from empty to full while
    # the line under them said "lowest 65%, highest 65%".
    assert spread([64.6, 65.4], 0, "%") == "lowest 64.6%, highest 65.4% (the bars span only this range)"
    assert spread([33.0, 67.0], 0, "%") == "lowest 33%, highest 67% (the bars span only this range)"
    assert spread([3.96, 3.99], 1) == "lowest 3.96, highest 3.99 (the bars span only this range)"
    assert spread([4.0], 1) == "all 4.0"


def test_the_ledger_shows_the_longest_streak_and_mentoring_without_zeros() -> None:
    streaks = [Streak("Rust Lunch", 5, date(2026, 3, 2)), Streak("Go Club", 10, date(2026, 3, 9))]
    assert (streaks_text([]), streaks_text(streaks[:1]), streaks_text(streaks)) == (
        "",
        "5 in a row",
        "10 in a row (+1)",
    )
    # A mentor who completed a pair but logged no meeting this period: no "0 meetings (0.0 h)".
    r = Recognised(1, "Ana Ruiz", None, mentoring=MentoringDone(1, 0, 0, as_mentor=True))
    assert detail_lines(r, date(2026, 3, 10)).splitlines()[1] == "  mentoring: 1 pair completed as mentor"


def test_a_persons_details_say_the_year_of_a_day_of_last_year_only() -> None:
    """A period of the last 12 months reaches into last year: its days say which year they are in."""
    r = Recognised(
        1,
        "Ana Ruiz",
        None,
        talks=[
            Talk(1, date(2025, 12, 9), "Rust Lunch", "Ownership", 2),
            Talk(2, date(2026, 1, 6), "Go Club", "", 3),
        ],
        streaks=[Streak("Rust Lunch", 5, date(2026, 3, 2))],
    )
    assert detail_lines(r, date(2026, 3, 10)).splitlines()[1:] == [
        "  talk 09 Dec 2025: Ownership (Rust Lunch)",
        "  talk 06 Jan: untitled (Go Club)",
        "  came to 5 Rust Lunch sessions in a row (02 Mar)",
    ]


async def test_the_palette_shows_names_that_look_like_markup_as_written(memory_store, clock):
    factories.circle(memory_store, "[bold]x[/ <script>")
    with memory_store.write() as db:
        programmes.add_programme(db, name="[bold]x[/ pairs", kind="coffee")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        # Typing this ended the app: the hits read the name (and what was typed) as markup.
        await type_text(pilot, "[bold]x[/")
        await until(pilot, lambda: _prompts(app) >= 3)
        shown_hits = [
            str(app.screen.query_one(CommandList).get_option_at_index(i).prompt) for i in range(_prompts(app))
        ]
        assert any(h.startswith("Search everything for '[bold]x[/'") for h in shown_hits)
        assert any(h.startswith("Circle: [bold]x[/ <script>") for h in shown_hits)
        assert any(h.startswith("Programme: [bold]x[/ pairs") for h in shown_hits)
        assert app.is_running


def _prompts(app: CirclesApp) -> int:
    lists = app.screen.query(CommandList)
    return lists.first().option_count if lists else 0


def _thanked(store, many: int) -> None:  # type: ignore[no-untyped-def]
    """``many`` people thanked this month, Person 000 onwards."""
    for k in range(many):
        someone = factories.person(store, f"Person {k:03}", f"p{k:03}@example.org")
        with store.write() as db:
            recognition.add_thanks(db, person=someone.email or "", text=f"for help no. {k}")


async def test_recognition_adds_a_long_ledger_a_page_at_a_time(memory_store, clock, monkeypatch):
    # 300 people thanked this month: the ledger holds what the terminal can show (and a few more)
    # at once, their cells made and nobody else's, the next page as the cursor nears their end,
    # and the last person is one key away (end), with their details under the table. What they
    # did is read a page ahead of the rows, each person once: opening read everyone's (a month
    # of the huge demo: 26,000 people, most of a second) for a screenful.
    _thanked(memory_store, 300)
    made: list[int] = []
    read: list[int] = []

    def cells(r: Recognised, names: dict[int, str]) -> tuple[str, ...]:
        made.append(r.person_id)
        return row_cells(r, names)

    whole_ledger = recognition.ledger

    def ledger(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = whole_ledger(*args, **kwargs)
        read.extend(r.person_id for r in found.people)
        return found

    monkeypatch.setattr(recognition_screen, "row_cells", cells)
    monkeypatch.setattr(recognition, "ledger", ledger)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", PagedTable)
        assert (table.row_count, table.total) == (SIZE[1] + AHEAD, 300)
        assert len(made) == len(set(made)) == SIZE[1] + AHEAD
        assert len(read) == PAGE
        table.move_cursor(row=SIZE[1] + 1)
        await settle(app, pilot)
        # One page more, not the rest: with 130 people a page more was all of them.
        assert table.row_count == SIZE[1] + AHEAD + PAGE < 300
        assert len(read) == SIZE[1] + AHEAD + 2 * PAGE < 300
        await pilot.press("ctrl+end")
        await settle(app, pilot)
        assert table.row_count == 300 and table.cursor_row == 299
        assert str(app.screen.query_one("#rec-person", Static).render()).startswith("Person 299")
    assert len(read) == len(set(read)) == 300


async def test_recognition_fills_a_terminal_grown_taller(memory_store, clock):
    """Its first rows were as many as the terminal could show: a taller one shows more at once
    (a table that does not scroll would never ask for them)."""
    _thanked(memory_store, 130)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", PagedTable)
        assert table.row_count == 24 + AHEAD
        await pilot.resize_terminal(80, 100)
        await settle(app, pilot)
        assert table.row_count > table.size.height


# Per screen: how to open it, its prefix, its status line at first, the keys from its first
# period to another, the status then, with Rust Lunch chosen, and back on the first period.
CHOOSERS = {
    "recognition": (
        lambda app, pilot: _recognition(app, pilot),
        "rec",
        "01 Mar 2026 to 03 Mar 2026 · all circles · 1 person to thank",
        ("down",),  # "Last month", under "This month"
        "01 Feb 2026 to 28 Feb 2026 · all circles · nobody",
        "01 Feb 2026 to 28 Feb 2026 · Rust Lunch · nobody",
        "01 Mar 2026 to 03 Mar 2026 · Rust Lunch · 1 person to thank",
    ),
    "organisation": (
        lambda app, pilot: _organisation(app, pilot),
        "org",
        "All circles · 01 Jan to 03 Mar · 1 held session",
        ("down", "down"),  # "Last 12 months", under "Last 3 months" and "This year"
        "All circles · 03 Mar 2025 to 03 Mar 2026 · 1 held session",
        "Rust Lunch · 03 Mar 2025 to 03 Mar 2026 · 1 held session",
        "Rust Lunch · 01 Jan to 03 Mar · 1 held session",
    ),
}


@pytest.mark.parametrize("which", CHOOSERS)
async def test_the_period_and_the_circle_are_chosen_from_lists_built_when_opened(memory_store, clock, which):
    """Recognition's and Organisation's period and circle show as compact Selects; each Select
    (six widgets, and the store's every circle) is built the first time it is opened, by key
    or by click (screens/select_on_open.py)."""
    open_screen, prefix, first, period_keys, other_period, with_circle, back = CHOOSERS[which]
    _held_session(memory_store)  # Ana's first talk, on Mon 2 Mar; the clock says Tue 3 Mar
    factories.circle(memory_store, "Go Guild")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot)
        screen = app.screen
        status = screen.query_one(f"#{prefix}-status", Static)
        assert not screen.query(Select)
        assert shown(status).startswith(first)
        screen.query_one(f"#{prefix}-period").focus()
        await pilot.press("enter", *period_keys, "enter")
        await settle(app, pilot)
        assert shown(status).startswith(other_period)
        assert len(screen.query(Select)) == 1
        await pilot.click(f"#{prefix}-circle")
        await type_text(pilot, "Rust")
        await pilot.press("enter")
        await settle(app, pilot)
        assert shown(status).startswith(with_circle)
        # Back to the period, whose Select is built now: an arrow opens its list, then back up.
        await pilot.press("shift+tab", "up", *["up"] * len(period_keys), "enter")
        await settle(app, pilot)
        assert shown(status).startswith(back)


async def test_a_long_circle_chosen_shows_on_one_line(memory_store, clock):
    """At 80 columns the large demo's "Accessibility Community of Practice (Bangalore 3)",
    chosen on Organisation, wrapped under its arrow and pushed the figures down a line."""
    _held_session(memory_store)
    long_name = "Accessibility Community of Practice (Bangalore 3)"
    factories.circle(memory_store, long_name)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _organisation(app, pilot)
        screen = app.screen
        await pilot.click("#org-circle")
        await type_text(pilot, "Access")
        await pilot.press("enter")
        await settle(app, pilot)
        assert shown(screen.query_one("#org-status", Static)).startswith(long_name)
        chosen = screen.query_one("#org-circle Select")
        assert chosen.outer_size.height == 1
        assert "Accessibility Community" in screen_text(app).splitlines()[1]


async def test_a_check_out_answer_shows_from_the_one_trip_to_the_store_that_saves_it(
    memory_store, clock, monkeypatch
):
    """Enter saves and the roster shows the answer from that same unit of work: no second
    trip to read the roster again (it doubled the time from Enter to the answer shown)."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _session(app, pilot, s.id)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, CheckOutScreen))
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#checkout-roster", DataTable)
        await pilot.press("4")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await type_text(pilot, "traits")
        units: list[str] = []
        for kind in ("read", "write"):
            opened = getattr(memory_store, kind)

            def counted(opened=opened, kind=kind):  # type: ignore[no-untyped-def]
                units.append(kind)
                return opened()

            monkeypatch.setattr(memory_store, kind, counted)
        await pilot.press("enter")
        await settle(app, pilot)
        assert rows(table)[0][1:3] == ["★★★★☆", "traits"]
        assert "Answered 1 of 5" in shown(screen.query_one("#checkout-counts", Static))
        assert units == ["write"]
        # On to the next person who has not answered.
        assert table.cursor_row == 1


async def _check_out(app, pilot, session_id: int) -> CheckOutScreen:  # type: ignore[no-untyped-def]
    await _session(app, pilot, session_id)
    await pilot.press("o")
    await until(pilot, lambda: isinstance(app.screen, CheckOutScreen))
    await settle(app, pilot)
    assert isinstance(app.screen, CheckOutScreen)
    return app.screen


def _answers(store: Store, session_id: int) -> list[tuple[int | None, str, str]]:
    with store.read() as db:
        return [(a.rating, a.learned, a.for_presenter) for a in feedback.list_answers(db, session_id)]


async def test_a_tab_typed_fast_in_check_out_moves_to_the_note_in_turn(memory_store, clock):
    """'4', a line, Tab, a note, Enter in one burst saved the note onto the line learned: the
    Tab moved the focus only once it came back up to the app, after the note's letters had
    gone into the line. And the Tab read before the line was open went nowhere."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _check_out(app, pilot, s.id)
        burst(app, "4", *"Charters need an owner", "tab", *"Great demo, thanks!", "enter")
        # Until its answer is saved, which only the last key (Enter) does. The line closed said
        # nothing: it is closed before the "4" is read too, and the test could leave the app
        # with the note's letters still on their way (one run in a few).
        await until(pilot, lambda: bool(_answers(memory_store, s.id)))
        await settle(app, pilot)
    assert _answers(memory_store, s.id) == [(4, "Charters need an owner", "Great demo, thanks!")]


async def test_at_80_columns_a_long_line_learned_is_shortened_not_hidden(memory_store, clock):
    """A line learned wider than the roster's room hid its column whole, and the e-mails with
    it: after the first long answer at 80 columns the roster read only names and stars, and a
    slip in what was typed went unseen. The line is shortened; the e-mails give way first."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _check_out(app, pilot, s.id)
        await pilot.press("5")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await type_text(pilot, "pin your dependencies and check the lockfile in every review")
        await pilot.press("enter")
        await settle(app, pilot)
        table = screen.query_one("#checkout-roster", Table)
        assert table.shown_columns[:3] == ["Name", "Rating", "Learned"]
        assert "pin your dependencies" in screen_text(app)


async def test_at_80_columns_the_answer_line_says_both_its_fields_whole(memory_store, clock):
    """The line under the roster read 'one thing they learned (Enter saves)   a note for the':
    the note's field, a third of what the name and stars left, cut its own placeholder."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _check_out(app, pilot, s.id)
        await pilot.press("4")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await settle(app, pilot)
        line = screen_text(app).splitlines()[-2]
        for field in screen.query("#checkout-line Input").results(Input):
            assert field.placeholder in line


async def test_back_in_a_check_out_field_a_key_types_on_instead_of_replacing_it(memory_store, clock):
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _check_out(app, pilot, s.id)
        await pilot.press("4")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await type_text(pilot, "traits")
        await pilot.press("tab")
        await type_text(pilot, "great demo")
        await pilot.press("shift+tab")
        await type_text(pilot, "!")
        await pilot.press("tab")
        await type_text(pilot, "!")
        await settle(app, pilot)
        assert screen.query_one("#checkout-learned", Input).value == "traits!"
        assert screen.query_one("#checkout-note", Input).value == "great demo!"


async def test_check_out_help_names_its_rating_keys_once(memory_store, clock):
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _check_out(app, pilot, s.id)
        app.action_help()
        await settle(app, pilot)
        keys = [k for k, _ in app.screen.keys]  # type: ignore[attr-defined]
    assert "1-5" in keys
    assert not {"1", "2", "3", "4", "5"} & set(keys)


async def test_ratings_typed_in_one_burst_rate_one_person_each(memory_store, clock):
    """'4 Enter 3 Enter 5 Enter' typed fast saved Ana's rating with "35" as her line and rated
    nobody else: Enter was read after the keys behind it had gone into her line, and a save
    asked while another ran was dropped."""
    _, _, s = _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _check_out(app, pilot, s.id)
        table = screen.query_one("#checkout-roster", DataTable)
        burst(app, "4", "enter", "3", "enter", "5", "enter")
        # The last Enter handled: the line closed and the cursor on to Di. (The line is also
        # closed between two ratings, while the keys after an Enter wait for it: not enough.)
        await until(pilot, lambda: table.cursor_row == 3 and not screen.query_one("#checkout-line").display)
        await settle(app, pilot)
        assert [r[1] for r in rows(table)[:4]] == ["★★★★☆", "★★★☆☆", "★★★★★", "·"]
        assert table.cursor_row == 3  # on to Di, the next who has not answered
    with memory_store.read() as db:
        found = {(a.person_name, a.rating, a.learned) for a in feedback.list_answers(db, s.id)}
    assert found == {("Ana Ruiz", 4, ""), ("Bo Chen", 3, ""), ("Cy Young", 5, "")}


async def test_check_out_opens_on_the_first_still_to_answer_and_asks_before_replacing(memory_store, clock):
    """It opened on the first row whoever that was: 'o 4 Enter' replaced Ana's answer (a notice
    said so afterwards) while those who had not answered stayed unrated."""
    _, people, s = _held_session(memory_store)
    with memory_store.write() as db:
        feedback.add_answer(db, session_id=s.id, person_id=people[0].id, rating=5, learned="borrowing")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _check_out(app, pilot, s.id)
        table = screen.query_one("#checkout-roster", DataTable)
        assert table.cursor_row == 1  # Bo, the first who has not answered
        burst(app, "4", "enter")
        await until(pilot, lambda: len(_answers(memory_store, s.id)) == 2)  # Bo's saved: Enter read
        await settle(app, pilot)
        assert [r[1] for r in rows(table)[:2]] == ["★★★★★", "★★★★☆"]
        # Back on Ana, who has answered: a digit asks first, and Enter (No) keeps her answer.
        await pilot.press("up", "up", "3")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        assert not screen.query_one("#checkout-line").display
        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await pilot.press("enter")
        await settle(app, pilot)
    with memory_store.read() as db:
        found = {(a.person_name, a.rating) for a in feedback.list_answers(db, s.id)}
    assert found == {("Ana Ruiz", 3), ("Bo Chen", 4)}


async def test_replacing_an_answer_given_without_names_asks_without_a_rating_or_a_stray_word(
    memory_store, clock
):
    """In a session whose answers show no names (one is anonymous) the roster knows only that
    Ana answered: the question read 'Ana Ruiz has answered (answered).'"""
    circle, people, s = _held_session(memory_store)
    with memory_store.write() as db:
        feedback.set_settings(db, circle.id, anonymous=True)
        feedback.add_answer(db, session_id=s.id, person_id=people[0].id, rating=5, learned="borrowing")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _check_out(app, pilot, s.id)
        await pilot.press("up", "3")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#question", Static).render())
        assert question == "Ana Ruiz has answered. Replace their answer?"


def _answers_held(monkeypatch) -> threading.Event:  # type: ignore[no-untyped-def]
    """A store slow to save answers: each waits until the event returned is set (10 s at most)."""
    go_on = threading.Event()
    add_answer = feedback.add_answer

    def slow_store(*args, **kwargs):  # type: ignore[no-untyped-def]
        go_on.wait(10)
        return add_answer(*args, **kwargs)

    monkeypatch.setattr(feedback, "add_answer", slow_store)
    return go_on


async def test_a_line_typed_shows_as_typed_while_its_save_is_on_its_way(memory_store, clock, monkeypatch):
    """Enter shows the answer in the roster at once, before the store has it: the line went in
    as markup there ("[b]" vanished, the rest turned bold) until the saved answer came back and
    was written over it, which then drew the whole roster again."""
    _, _, s = _held_session(memory_store)
    store_has_it = _answers_held(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _check_out(app, pilot, s.id)
        table = screen.query_one("#checkout-roster", DataTable)
        await pilot.press("4")
        await until(pilot, lambda: isinstance(screen.focused, Input))
        await type_text(pilot, "[b]ownership[/b] is [ops] work")
        await pilot.press("enter")
        await pilot.pause()
        try:
            assert "[b]ownership[/b] is [ops] work" in screen_text(app)
        finally:
            store_has_it.set()
        await settle(app, pilot)
        assert "Answered 1 of 5" in shown(screen.query_one("#checkout-counts", Static))
        assert rows(table)[0][1:3] == ["★★★★☆", "[b]ownership[/b] is [ops] work"]


async def test_ratings_saved_then_escape_at_once_are_kept(memory_store, clock, monkeypatch):
    """Ratings saved with Enter, then Escape before the store has them: check-out closes at
    once and the answers are still saved (screens/work.py's write lane), none lost with it.
    (Escape while a line is open drops that one, as help says: it was never saved.)"""
    _, _, s = _held_session(memory_store)
    store_open = _answers_held(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _check_out(app, pilot, s.id)
        burst(app, "4", *"traits", "enter", "3", "enter", "escape")
        await until(pilot, lambda: isinstance(app.screen, SessionScreen))
        store_open.set()
        await settle(app, pilot)
    with memory_store.read() as db:
        found = {(a.person_name, a.rating, a.learned) for a in feedback.list_answers(db, s.id)}
    assert found == {("Ana Ruiz", 4, "traits"), ("Bo Chen", 3, "")}


async def test_recognition_this_month_holds_the_thanks_given_this_morning(memory_store, clock, monkeypatch):
    # 08:30 on 1 April in Sydney is 21:30 UTC on 31 March: the screen's "this month" is April's
    # days there, and the thanks given just now are in it (counted on UTC's days, they were not).
    monkeypatch.setenv("TZ", "Australia/Sydney")
    clock.now = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    factories.circle(memory_store, "Rust Lunch")
    factories.person(memory_store, "Ana Ruiz", "ana@example.org")
    with memory_store.write() as db:
        recognition.add_thanks(db, person="ana@example.org", text="for the demo")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _recognition(app, pilot)
        assert [r[0] for r in rows(app.screen.query_one("#rec-ledger", DataTable))] == ["Ana Ruiz"]
        assert "01 Apr" in screen_text(app) or "1 Apr" in screen_text(app)


async def test_recognitions_columns_keep_their_widths_as_later_pages_come(memory_store: Store, clock) -> None:
    """Scrolling down a month of the large demo's ledger, its columns jumped wider as a page
    with a longer cell came in (a longer name, a streak with more): the names, all known at
    once, size the Name column for every one of them, and the rest keep the first rows'."""
    with memory_store.write() as db:
        from circles.services import people

        names = [f"Ana {n:03d}" for n in range(PAGE + 50)] + ["Zoe Papadopoulou-Konstantinou"]
        for n, name in enumerate(names):
            person = people.add_person(db, name=name, email=f"p{n}@example.org")
            recognition.add_thanks(db, person=str(person.id), text="for the talk")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _recognition(app, pilot)
        table = app.screen.query_one("#rec-ledger", PagedTable)
        widths = [c.get_render_width(table) for c in table.ordered_columns]
        await pilot.press("end")
        await until(pilot, lambda: table.row_count == len(names))
        await settle(app, pilot)
        assert [c.get_render_width(table) for c in table.ordered_columns] == widths
        assert "Zoe Papadopoulou-Konstantinou" in screen_text(app)

"""The pair screen does what the command line does for a pair: "did you meet?" (circles pair met)
and its invite (circles export ics --pair), from keys the footer shows at 80 columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from textual.widgets import DataTable, Input

from circles.app import CirclesApp
from circles.services import pairs
from models.store import Store
from screens.dialogs import ConfirmScreen
from screens.export_attendance_dialog import ExportAttendanceDialog
from screens.footer import Footer
from screens.form_screen import FormScreen
from screens.ics_export_dialog import IcsExportDialog
from screens.pair import PairScreen
from tests.test_pair_invites import _pair
from tests.tui_support import rows, scrolling, settle, shown, until

SIZE = (80, 24)


def _footer_keys(screen: PairScreen) -> list[str]:
    return [key.split(" ", 1)[0] for key in screen.query_one(Footer).shown_keys]


async def _open_pair(app: CirclesApp, pilot, pair_id: int) -> PairScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    app.push_screen(PairScreen(pair_id))
    await settle(app, pilot)
    assert isinstance(app.screen, PairScreen)
    return app.screen


async def test_a_rounds_pair_is_asked_did_you_meet_from_the_footer(memory_store: Store, clock) -> None:
    pair_id = _pair(memory_store, "coffee", None)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_pair(app, pilot, pair_id)
        assert {"d", "I"} <= set(_footer_keys(screen))

        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # leaves the answer as it was
        await until(pilot, lambda: app.screen is screen)
        with memory_store.read() as db:
            assert pairs.get_pair(db, pair_id).met is None

        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        await settle(app, pilot)
        with memory_store.read() as db:
            assert pairs.get_pair(db, pair_id).met is False


async def test_a_pairs_invite_is_exported_from_its_screen(memory_store: Store, clock, tmp_path: Path) -> None:
    pair_id = _pair(memory_store, "mentoring", "every 2 weeks on tue at 15:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_pair(app, pilot, pair_id)
        # A mentoring pair logs its meetings instead of answering "did you meet?".
        keys = _footer_keys(screen)
        assert "I" in keys and "d" not in keys

        await pilot.press("I")
        await until(pilot, lambda: isinstance(app.screen, IcsExportDialog))
        dialog = app.screen
        assert dialog.query_one("#ics-name", Input).value == f"mentors-pair-{pair_id}.ics"
        dialog.query_one("#ics-folder", Input).value = str(tmp_path)
        target = tmp_path / f"mentors-pair-{pair_id}.ics"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        assert target.is_file()
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    assert cal["METHOD"] == "REQUEST"  # as 'circles export ics --pair' writes it
    (event,) = cal.walk("VEVENT")
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == ["mailto:ana@example.org", "mailto:bo@example.org"]


async def test_this_morning_in_sydney_is_today_not_utcs_yesterday(
    memory_store: Store, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 21:30 UTC on 3 March is 08:30 on 4 March in Sydney. The meeting form offered UTC's date
    # (the 3rd) as today, and once it was corrected to the 4th, saving refused it as the future.
    clock.now = datetime(2026, 3, 3, 21, 30, tzinfo=UTC)
    monkeypatch.setenv("TZ", "Australia/Sydney")
    pair_id = _pair(memory_store, "mentoring", "every 2 weeks on tue at 15:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_pair(app, pilot, pair_id)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#f-held_on", Input).value == "2026-03-04"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await settle(app, pilot)
        with memory_store.read() as db:
            (meeting,) = pairs.pair_detail(db, pair_id).meetings
        assert meeting.held_on == date(2026, 3, 4)

        # Every circle's attendance export is named for the facilitator's day too.
        app.pop_screen()
        await settle(app, pilot)
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, ExportAttendanceDialog))
        assert app.screen.query_one("#export-file", Input).value.endswith("all-circles-2026-03-04.csv")


async def test_the_meeting_form_says_every_refused_field_at_once(memory_store: Store, clock) -> None:
    """A day in the future and 0 minutes: the form said the day alone, and once the day was
    fixed and saved, the minutes. Each field's refusal is under it at the first save, and
    nothing is logged."""
    pair_id = _pair(memory_store, "mentoring", "every 2 weeks on tue at 15:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_pair(app, pilot, pair_id)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#f-held_on", Input).value = "2030-01-01"
        form.query_one("#f-minutes", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert "is in the future" in shown(form.query_one("#e-held_on"))
        assert "must be between 1 and" in shown(form.query_one("#e-minutes"))
    with memory_store.read() as db:
        assert pairs.pair_detail(db, pair_id).meetings == []


async def test_a_pair_with_many_meetings_scrolls_in_one_region_at_80x24(memory_store: Store, clock) -> None:
    """Thirty meetings: the meetings table, capped at 14 rows, scrolled inside the page that
    scrolls (two scrollbars, one in the other), as a person's page did."""
    pair_id = _pair(memory_store, "mentoring", "weekly on tue at 15:00")
    clock.advance(weeks=30)
    with memory_store.write() as db:
        for week in range(30):
            pairs.log_meeting(db, pair_id, held_on=date(2026, 3, 3) + timedelta(weeks=week), minutes=30)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_pair(app, pilot, pair_id)
        body = screen.query_one("#pair-body")
        meetings = screen.query_one("#meeting-table", DataTable)
        assert meetings.row_count == 30
        assert scrolling(body) == [body]
        assert meetings.outer_size.height == 31  # its header and every meeting


async def test_a_pairs_days_of_this_year_are_written_without_the_year(memory_store: Store, clock) -> None:
    """As every list writes a day: 'Mon 09 Mar', the year only when it is not this one."""
    pair_id = _pair(memory_store, "mentoring", None)  # begun today, Tue 03 Mar 2026
    clock.now = datetime(2026, 3, 10, 9, tzinfo=UTC)
    with memory_store.write() as db:
        pairs.log_meeting(db, pair_id, held_on=date(2026, 3, 9), minutes=45, note="kick-off")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_pair(app, pilot, pair_id)
        assert rows(screen.query_one("#meeting-table", DataTable)) == [["Mon 09 Mar", "45", "kick-off"]]
        assert "Since 03 Mar (round" in shown(screen.query_one("#pair-summary"))

"""The pair screen does what the command line does for a pair: "did you meet?" (circles pair met)
and its invite (circles export ics --pair), from keys the footer shows at 80 columns."""

from __future__ import annotations

from pathlib import Path

import icalendar
from textual.widgets import Input

from circles.app import CirclesApp
from circles.services import pairs
from models.store import Store
from screens.dialogs import ConfirmScreen
from screens.footer import Footer
from screens.ics_export_dialog import IcsExportDialog
from screens.pair import PairScreen
from tests.test_pair_invites import _pair
from tests.tui_support import settle, until

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

"""The Stats panel and the export dialog, driven with Textual's pilot in a tiny host app."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button, Input, RadioButton, Static

from models.store import Store
from screens.blocks import Blocks
from screens.dialogs import ConfirmScreen
from screens.export_attendance_dialog import ExportAttendanceDialog
from screens.stats_panel import CONVERSION, HEADCOUNT, PARTICIPATION, RETENTION, CircleFigures, StatsPanel
from tests.attendance_fixture import History, build
from tests.tui_support import until


class Host(App[None]):
    """Just enough app: a store, and the panel under test (the circle screen mounts it for real)."""

    def __init__(self, store: Store, circle_id: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.circle_id = circle_id

    def compose(self) -> ComposeResult:
        if self.circle_id is not None:
            yield StatsPanel(self.circle_id)


def _text(app: App[None], selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def _figure(app: App[None], key: str) -> str:
    return app.query_one(CircleFigures).text(key)


def _chart(app: App[None], heading: str) -> tuple[list[float], str]:
    """A chart's data (none for lines only) and the lines under it."""
    data, text = next((data, text) for title, data, text in app.query_one(Blocks).blocks if title == heading)
    return data or [], text


async def test_stats_panel_shows_the_figures_as_charts(memory_store: Store) -> None:
    history: History = build(memory_store)
    app = Host(memory_store, history.rust)
    async with app.run_test(size=(100, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one(StatsPanel)
        assert panel.report is not None
        assert _figure(app, "rate") == "Participation\n50%\n6 of 12 expected"
        assert _figure(app, "no_shows") == "No-shows\n33%\n2 of 6 who said yes"
        assert "2 of 4 members presented" in _figure(app, "presenters")
        rates, axis = _chart(app, PARTICIPATION)
        assert rates == pytest.approx([200 / 3, 100 / 3, 100 / 3, 200 / 3])
        assert _chart(app, HEADCOUNT)[0] == [2, 1, 1, 2]
        retention = _chart(app, RETENTION)[1].splitlines()
        assert retention[0] == "after 1   ████████████░░░░░░░░░░░░   50%  (2 of 4)"
        assert retention[1].endswith("67%  (2 of 3)")
        assert axis.endswith("lowest 33%, highest 67%")
        conversion = _chart(app, CONVERSION)[1]
        assert "yes    ████████████░░░░░░░░░░░░   50%  (3 of 6 came)" in conversion
        assert _text(app, "#stats-status") == "4 held sessions, 03 Feb 2026 to 24 Feb 2026."
        assert axis.startswith("03 Feb 2026 … 24 Feb 2026")


async def test_stats_panel_on_a_circle_without_sessions(memory_store: Store) -> None:
    history = build(memory_store)
    from circles.services import circle_records

    with memory_store.write() as db:
        empty = circle_records.add_circle(db, name="Brand New", kind="workshop", timezone="UTC").id
    app = Host(memory_store, empty)
    async with app.run_test(size=(100, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "No held sessions yet" in _text(app, "#stats-status")
        assert _figure(app, "rate") == "Participation\n-\n0 of 0 expected"
    assert history.rust != empty


async def test_export_dialog_writes_the_file_and_says_where(memory_store: Store, tmp_path: Path) -> None:
    history = build(memory_store)
    app = Host(memory_store)
    async with app.run_test(size=(100, 50)) as pilot:
        written: list[Path | None] = []
        dialog = ExportAttendanceDialog(history.rust, "Rust Lunch", folder=tmp_path, today=date(2026, 3, 3))
        app.push_screen(dialog, written.append)
        await pilot.pause()
        target = tmp_path / "attendance-rust-lunch-2026-03-03.csv"
        assert dialog.query_one("#export-file", Input).value == str(target)
        dialog.query_one("#export-since", Input).value = "2026-02-10"
        dialog.query_one("#export-until", Input).value = "2026-02-17"
        await pilot.click("#export-go")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Wrote 7 rows to {target}" == _text(dialog, "#export-status")
        rows = list(csv.reader(target.open(encoding="utf-8")))
        assert len(rows) == 8 and rows[1][1] == "2026-02-10"

        # Again: the file is there, so the dialog asks; "n" keeps the old file. The toast
        # saying where the file went goes first: with a long path it covers the buttons.
        app.clear_notifications()
        await pilot.pause()
        target.write_text("keep me", encoding="utf-8")
        await pilot.click("#export-go")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert target.read_text(encoding="utf-8") == "keep me"
        assert _text(dialog, "#export-file-error") == "Not exported: the file is there already."

        # Every circle, as XLSX, replacing the file after saying yes.
        await pilot.click("#scope-all")
        await pilot.click("#format-xlsx")
        await pilot.pause()
        xlsx = tmp_path / "attendance-all-circles-2026-03-03.xlsx"
        assert dialog.query_one("#export-file", Input).value == str(xlsx)
        xlsx.write_text("old", encoding="utf-8")
        await pilot.click("#export-go")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Every circle now: the Night Owls met on 16 Feb too.
        assert _text(dialog, "#export-status") == f"Wrote 8 rows to {xlsx}"
        assert xlsx.read_bytes().startswith(b"PK")
        app.clear_notifications()
        await pilot.pause()
        await pilot.click("#export-close")
        await pilot.pause()
    assert written == [xlsx]


async def test_export_dialog_names_bad_fields(memory_store: Store, tmp_path: Path) -> None:
    build(memory_store)
    app = Host(memory_store)
    async with app.run_test(size=(100, 50)) as pilot:
        dialog = ExportAttendanceDialog(folder=tmp_path, today=date(2026, 3, 3))
        app.push_screen(dialog)
        await pilot.pause()
        assert not dialog.query("#scope-circle")  # no circle given: everything
        assert dialog.query_one("#scope-all", RadioButton).value
        dialog.query_one("#export-since", Input).value = "03/01/2026"
        await pilot.click("#export-go")
        await pilot.pause()
        assert _text(dialog, "#export-dates-error") == "since '03/01/2026' is not a date like 2026-03-17."
        dialog.query_one("#export-since", Input).value = ""
        dialog.query_one("#export-file", Input).value = str(tmp_path / "missing" / "a.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "does not exist" in _text(dialog, "#export-file-error")
        assert not dialog.query_one("#export-go", Button).disabled
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value", "error", "message"),
    [
        ("#export-until", "/tmp/x.csv", "#export-dates-error", "until '/tmp/x.csv' is not a date like"),
        ("#export-file", "", "#export-file-error", "file: give a file name"),
    ],
)
async def test_a_bad_field_is_explained_where_the_person_can_see_it(
    memory_store, field, value, error, message
):
    """In the circles app itself: its stylesheet hides form errors until they are shown."""
    from circles.app import CirclesApp
    from tests.tui_support import settle

    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.push_screen(ExportAttendanceDialog(today=date(2026, 3, 3)))
        await settle(app, pilot)
        app.screen.query_one(field, Input).value = value
        app.screen.query_one(field, Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        shown = app.screen.query_one(error, Static)
        assert message in str(shown.render())
        assert shown.display and shown.region.height >= 1


async def test_the_export_dialog_s_progress_bar_is_still_while_no_export_runs(
    memory_store: Store, tmp_path: Path
) -> None:
    """Made without a total (an export's length is known only once it counts its rows), the
    hidden bar redrew itself 15 times a second for as long as the dialog stayed open."""
    from textual.widgets import ProgressBar

    history = build(memory_store)
    app = Host(memory_store)
    async with app.run_test(size=(100, 50)) as pilot:
        dialog = ExportAttendanceDialog(history.rust, "Rust Lunch", folder=tmp_path, today=date(2026, 3, 3))
        app.push_screen(dialog)
        await pilot.pause()
        bar = dialog.query_one("#export-progress", ProgressBar)
        assert not bar.display and bar.percentage is not None  # no total: it animates


def test_the_figures_of_a_circle_of_years_group_their_thousands():
    """A circle of the large demo: '2283 of 3468 expected' at 80x24, where every other count in
    words groups its thousands (circles.words.count)."""
    from datetime import date

    from circles.services.participation import Scope
    from circles.services.reports import (
        Conversion,
        NoShows,
        ParticipationPoint,
        PresenterDiversity,
        Report,
        RetentionPoint,
    )
    from circles.success_views import SessionSatisfaction
    from models.enums import Rsvp
    from screens.stats_panel import charts, report_figures, satisfaction_figure

    report = Report(
        scope=Scope(circle_id=1),
        circle_name="Accessibility Community of Practice (Bangalore)",
        participation=[ParticipationPoint("2026-11-30", 97, 3468, 2283)],
        no_shows=NoShows(said_yes=2042, no_shows=1217),
        conversion=[Conversion(Rsvp.YES, answered=2042, attended=1825)],
        retention=[RetentionPoint(after=1, members=1042, still_attending=1001)],
        presenters=PresenterDiversity(members=1042, presented=1038),
        circles=[],
    )
    figures = report_figures(report)
    assert figures["rate"][1] == "2,283 of 3,468 expected"
    assert figures["no_shows"][1] == "1,217 of 2,042 who said yes"
    assert figures["presenters"][1] == "1,038 of 1,042 members presented"
    rated = [
        SessionSatisfaction(
            1, date(2026, 11, 30), ratings=936, rating_sum=3744, attendees=2283, responders=936
        )
    ]
    assert satisfaction_figure(rated) == ("4.0 / 5", "41% of 2,283 who came answered")
    text = " ".join(
        part for block in charts(report, rated, []) for part in block[1:] if isinstance(part, str)
    )
    assert "(1,001 of 1,042)" in text and "(1,825 of 2,042 came)" in text

"""The .ics export dialog: channel and file chosen in it, last folder remembered, the app says where."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import icalendar
from textual.app import App
from textual.widgets import Checkbox, Input, RadioSet, Static

from circles.export_folder import last_folder, remember_folder, settings_file
from circles.services import sessions
from models.store import Store
from screens.ics_export_dialog import IcsExportDialog, IcsExported
from tests.test_ics_export import _world

SIZE = (100, 40)


def pilot_test(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async pilot test on its own event loop (the suite has no asyncio plugin)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return run


class Host(App[None]):
    """A bare app holding the store, as CirclesApp does, so the dialog is tested on its own."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.results: list[IcsExported | None] = []


async def _open(app: Host, dialog: IcsExportDialog, pilot) -> None:  # type: ignore[no-untyped-def]
    app.push_screen(dialog, app.results.append)
    await pilot.pause()


async def _export(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.click("#ics-export")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pilot_test
async def test_exporting_a_session_writes_the_file_and_says_where(
    memory_store: Store, tmp_path: Path
) -> None:
    w = _world(memory_store)
    settings = tmp_path / "config" / "ics-export.json"
    out = tmp_path / "exports"
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, IcsExportDialog.for_session(w.sessions[0], settings_path=settings), pilot)
        dialog = app.screen
        assert isinstance(dialog, IcsExportDialog)
        assert dialog.query_one("#ics-name", Input).value == "rust-lunch-2026-03-10.ics"
        dialog.query_one("#ics-folder", Input).value = str(out)
        await pilot.click("#ics-request")
        await _export(pilot)
        # The same rule as the CLI's: a folder that is not there is named, never made.
        error = str(dialog.query_one("#ics-error", Static).render())
        assert f"is in a folder that does not exist ({out})" in error, error
        assert app.results == [] and not out.exists()
        out.mkdir()
        await _export(pilot)
        (result,) = app.results
        assert result is not None and result.path == out / "rust-lunch-2026-03-10.ics"
        cal = icalendar.Calendar.from_ical(result.path.read_bytes())
        assert cal["METHOD"] == "REQUEST"
        messages = [n.message for n in app._notifications]
        assert any(str(result.path) in m for m in messages), messages
    assert last_folder(settings) == out


@pilot_test
async def test_the_dialog_remembers_the_last_folder(memory_store: Store, tmp_path: Path) -> None:
    w = _world(memory_store)
    settings = tmp_path / "ics-export.json"
    remember_folder(tmp_path, settings)
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, IcsExportDialog.for_session(w.sessions[1], settings_path=settings), pilot)
        assert app.screen.query_one("#ics-folder", Input).value == str(tmp_path)


@pilot_test
async def test_a_cancelled_session_defaults_to_cancel(memory_store: Store, tmp_path: Path) -> None:
    w = _world(memory_store)
    with memory_store.write() as db:
        cancelled = sessions.cancel_session(db, w.sessions[2])
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = IcsExportDialog.for_session(cancelled, settings_path=tmp_path / "s.json")
        await _open(app, dialog, pilot)
        pressed = dialog.query_one("#ics-channel", RadioSet).pressed_button
        assert pressed is not None and str(pressed.label) == "cancel"
        dialog.query_one("#ics-folder", Input).value = str(tmp_path)
        await _export(pilot)
    (result,) = app.results
    assert result is not None
    (ev,) = icalendar.Calendar.from_ical(result.path.read_bytes()).walk("VEVENT")
    assert ev["STATUS"] == "CANCELLED" and ev["SEQUENCE"] == cancelled.ics_sequence


@pilot_test
async def test_a_circle_as_a_series(memory_store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    w = _world(memory_store)
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = IcsExportDialog.for_circle(w.circle, settings_path=tmp_path / "s.json")
        await _open(app, dialog, pilot)
        assert dialog.query_one("#ics-name", Input).value == "rust-lunch.ics"
        await pilot.click("#ics-recurring")
        assert dialog.query_one("#ics-recurring", Checkbox).value
        assert dialog.query_one("#ics-name", Input).value == "rust-lunch-series.ics"
        dialog.query_one("#ics-folder", Input).value = str(tmp_path)
        await _export(pilot)
    (result,) = app.results
    assert result is not None and result.path.name == "rust-lunch-series.ics"
    assert b"RRULE:FREQ=WEEKLY" in result.path.read_bytes()


@pilot_test
async def test_a_bad_folder_is_named_and_nothing_closes(memory_store: Store, tmp_path: Path) -> None:
    w = _world(memory_store)
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = IcsExportDialog.for_session(w.sessions[0], settings_path=tmp_path / "s.json")
        await _open(app, dialog, pilot)
        dialog.query_one("#ics-folder", Input).value = str(a_file)
        await _export(pilot)
        error = str(dialog.query_one("#ics-error", Static).render())
        assert "is a file, not a folder" in error and "not-a-folder" in error
        assert app.screen is dialog and app.results == []
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert not (tmp_path / "s.json").exists(), "settings are written only when an export succeeds"


@pilot_test
async def test_a_domain_error_shows_in_the_dialog(memory_store: Store, tmp_path: Path) -> None:
    w = _world(memory_store, facilitator=False)
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = IcsExportDialog.for_session(w.sessions[0], settings_path=tmp_path / "s.json")
        await _open(app, dialog, pilot)
        dialog.query_one("#ics-folder", Input).value = str(tmp_path)
        await pilot.click("#ics-request")
        await _export(pilot)
        assert "has no facilitator" in str(dialog.query_one("#ics-error", Static).render())
        assert app.screen is dialog


def test_the_settings_file_lives_in_the_user_config_dir(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_file() == tmp_path / "cfg" / "circles" / "last-export-folder.json"
    assert last_folder() is None and not (tmp_path / "cfg").exists()
    remember_folder(tmp_path)
    assert last_folder() == tmp_path

"""The .ics export dialog: channel and file chosen in it, last folder remembered, the app says where."""

from __future__ import annotations

import contextlib
from pathlib import Path

import icalendar
from textual.app import App
from textual.widgets import Checkbox, Input, RadioSet, Static
from textual.worker import WorkerFailed

from circles.export_folder import last_folder, remember_folder, settings_file
from circles.services import sessions
from models.store import Store
from screens.ics_export_dialog import IcsExportDialog, IcsExported
from screens.textual_internals import notifications
from tests.test_ics_export import _world
from tests.tui_support import threads_importing, until

SIZE = (100, 40)


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
    """Press Export and wait for its answer: the dialog closed with a result, or a new error.

    Waiting for the workers alone is not enough: on a loaded machine the click's worker may
    not have started yet when the wait begins, and the wait returns at once.
    """
    app = pilot.app
    dialog = app.screen
    before = (len(app.results), _error(dialog))
    # A button ignores clicks while it still shows the last one (a fraction of a second): a
    # person never clicks that fast, a warm test process does.
    button = dialog.query_one("#ics-export")
    await until(pilot, lambda: not button.has_class("-active"))
    await pilot.click("#ics-export")

    def answered() -> bool:
        return (len(app.results), _error(dialog)) != before

    # An export the store refuses ends its worker in error, by design (the dialog shows why).
    with contextlib.suppress(WorkerFailed):
        await until(pilot, answered)
    await pilot.pause()


def _error(dialog) -> str:  # type: ignore[no-untyped-def]
    return str(dialog.query_one("#ics-error", Static).render()) if dialog.is_attached else ""


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
        messages = [n.message for n in notifications(app)]
        assert any(str(result.path) in m for m in messages), messages
    assert last_folder(settings) == out


async def test_the_invites_are_loaded_off_the_screens_thread(memory_store: Store, tmp_path: Path) -> None:
    # The invites load icalendar: imported on the UI thread as Export was pressed, the dialog
    # stood still for a third of a second the first time before its worker began.
    w = _world(memory_store)
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, IcsExportDialog.for_session(w.sessions[0], settings_path=tmp_path / "s.json"), pilot)
        app.screen.query_one("#ics-folder", Input).value = str(tmp_path)
        with threads_importing("circles.services.invites") as threads:
            await _export(pilot)
        (result,) = app.results
        assert result is not None and result.path.exists()
        assert threads and "MainThread" not in threads, threads


async def test_the_dialog_remembers_the_last_folder(memory_store: Store, tmp_path: Path) -> None:
    w = _world(memory_store)
    settings = tmp_path / "ics-export.json"
    remember_folder(tmp_path, settings)
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, IcsExportDialog.for_session(w.sessions[1], settings_path=settings), pilot)
        assert app.screen.query_one("#ics-folder", Input).value == str(tmp_path)


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


async def test_a_domain_error_shows_in_the_dialog(memory_store: Store, tmp_path: Path) -> None:
    w = _world(memory_store, facilitator=False)
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = IcsExportDialog.for_session(w.sessions[0], settings_path=tmp_path / "s.json")
        await _open(app, dialog, pilot)
        dialog.query_one("#ics-folder", Input).value = str(tmp_path)
        await pilot.click("#ics-request")
        await _export(pilot)
        # It says how to do it here, in the app, not with a command-line flag.
        error = str(dialog.query_one("#ics-error", Static).render())
        assert "has no facilitator" in error and "(E on the circle: Facilitator)" in error
        assert "--" not in error
        assert app.screen is dialog


def test_the_settings_file_lives_in_the_user_config_dir(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_file() == tmp_path / "cfg" / "circles" / "last-export-folder.json"
    assert last_folder() is None and not (tmp_path / "cfg").exists()
    remember_folder(tmp_path)
    assert last_folder() == tmp_path


def test_the_dialogs_suggest_the_last_folder_else_downloads_else_home(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from circles.export_folder import suggested_folder

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    settings = tmp_path / "cfg" / "circles" / "last-export-folder.json"
    assert suggested_folder(settings) == home  # no Downloads folder here
    (home / "Downloads").mkdir()
    assert suggested_folder(settings) == home / "Downloads"
    # Named in the person's language, as the desktop's user-dirs.dirs says.
    (home / "Téléchargements").mkdir()
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "user-dirs.dirs").write_text('XDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n')
    assert suggested_folder(settings) == home / "Téléchargements"
    remember_folder(tmp_path, settings)
    assert suggested_folder(settings) == tmp_path


async def test_a_first_export_goes_to_downloads_with_nothing_typed(
    memory_store: Store, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    w = _world(memory_store)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    (tmp_path / "Downloads").mkdir()
    app = Host(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, IcsExportDialog.for_session(w.sessions[0], settings_path=tmp_path / "s.json"), pilot)
        await pilot.press("ctrl+s")
        await until_done(pilot, app)
    (result,) = app.results
    assert result is not None and result.path == tmp_path / "Downloads" / "rust-lunch-2026-03-10.ics"


async def until_done(pilot, app: Host) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        if app.results:
            return
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.02)
    raise AssertionError("the export never finished")

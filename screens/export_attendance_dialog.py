"""The attendance export dialog: one circle or all, format, date range, file; progress while it runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar, RadioSet, Static
from textual.worker import Worker, WorkerState, get_current_worker

from circles import validate
from circles.errors import CirclesError, InvalidInput
from circles.export_folder import remember_folder, suggested_folder
from circles.exports.attendance import ExportFormat, ExportResult, export_attendance
from circles.services.participation import make_scope
from circles.words import count
from screens.dialogs import Buttons, Dialog
from screens.one_line import OneLineInput
from screens.replace_file import may_write
from screens.toggles import Checkbox, RadioButton
from screens.work import run_db

if TYPE_CHECKING:
    from circles.store_access import Db

FORMATS = [(ExportFormat.CSV, "CSV"), (ExportFormat.XLSX, "Excel (XLSX)"), (ExportFormat.JSONL, "JSON Lines")]


class ExportCancelled(Exception):
    """Raised inside the export when the person closes the dialog; the half-written file goes away
    (and run_db, seeing its worker cancelled, tells nobody)."""


@dataclass(frozen=True)
class _Request:
    path: Path
    circle_id: int | None
    since: str
    until: str
    fmt: ExportFormat
    summary: bool
    excel: bool


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "circle"


class ExportAttendanceDialog(Dialog[Path | None]):
    """Exports attendance to a file. Dismisses with the file written, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", tooltip="Close (stops an export that is running)"),
        Binding("ctrl+s", "submit", "Export", tooltip="Write the file"),
    ]

    DEFAULT_CSS = """
    ExportAttendanceDialog .export-title { text-style: bold; margin-bottom: 1; }
    ExportAttendanceDialog RadioSet { width: 100%; height: auto; layout: horizontal; margin-bottom: 1; }
    ExportAttendanceDialog RadioSet RadioButton { width: auto; margin-right: 3; }
    ExportAttendanceDialog #export-dates { height: auto; }
    ExportAttendanceDialog #export-dates Vertical { width: 1fr; height: auto; margin-right: 1; }
    ExportAttendanceDialog .export-error { color: $error; height: auto; }
    ExportAttendanceDialog .export-label { margin-top: 1; }
    ExportAttendanceDialog #export-progress { margin-top: 1; }
    ExportAttendanceDialog #export-status { height: auto; }
    """

    def __init__(
        self,
        circle_id: int | None = None,
        circle_name: str | None = None,
        *,
        folder: Path | None = None,
        today: date,
    ) -> None:
        super().__init__()
        self.circle_id = circle_id
        self.circle_name = circle_name
        self.folder = folder
        # The facilitator's day, from the app (CirclesApp.today): the file is named for it.
        self.today = today
        self.written: Path | None = None
        self._export: Worker[None] | None = None

    # --- layout ---------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static("Export attendance", classes="export-title", markup=False)
        with RadioSet(id="export-scope", compact=True):
            if self.circle_id is not None:
                yield RadioButton(
                    f"This circle: {self.circle_name or self.circle_id}",
                    value=True,
                    compact=True,
                    id="scope-circle",
                )
            yield RadioButton("Every circle", value=self.circle_id is None, compact=True, id="scope-all")
        with RadioSet(id="export-format", compact=True):
            for fmt, label in FORMATS:
                yield RadioButton(
                    label, value=fmt is ExportFormat.CSV, compact=True, id=f"format-{fmt.value}"
                )
        # Labelled above, not only by placeholders: once both hold a date, which is which?
        with Horizontal(id="export-dates"):
            with Vertical():
                yield Label("Since (optional)")
                yield OneLineInput(placeholder="YYYY-MM-DD", compact=True, id="export-since")
            with Vertical():
                yield Label("Until (optional)")
                yield OneLineInput(placeholder="YYYY-MM-DD", compact=True, id="export-until")
        yield Static("", id="export-dates-error", classes="export-error", markup=False)
        yield Checkbox(
            "Summary per person (expected, attended, rate) instead of rows",
            compact=True,
            id="export-summary",
        )
        yield Checkbox("Byte order mark for Excel (CSV)", compact=True, id="export-excel")
        yield Label("File", classes="export-label")
        yield OneLineInput(self._default_path(ExportFormat.CSV), compact=True, id="export-file")
        yield Static("", id="export-file-error", classes="export-error", markup=False)
        # Hidden until an export runs, and still: made without a total, it animated while hidden.
        yield ProgressBar(total=1, id="export-progress", show_eta=False)
        yield Static("", id="export-status", markup=False)
        yield Buttons(
            Button("Export (ctrl+s)", variant="primary", compact=True, id="export-go"),
            Button("Close (esc)", compact=True, id="export-close"),
        )

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self.query_one("#export-file", Input).focus()

    def _default_path(self, fmt: ExportFormat) -> str:
        folder = self.folder or suggested_folder()
        who = _slug(self.circle_name) if self.circle_id is not None and self.circle_name else "all-circles"
        return str(folder / f"attendance-{who}-{self.today.isoformat()}{fmt.suffix}")

    # --- reading the form -----------------------------------------------------------

    def _format(self) -> ExportFormat:
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        return (
            ExportFormat((pressed.id or "format-csv").removeprefix("format-"))
            if pressed
            else ExportFormat.CSV
        )

    def _whole_store(self) -> bool:
        pressed = self.query_one("#export-scope", RadioSet).pressed_button
        return self.circle_id is None or (pressed is not None and pressed.id == "scope-all")

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self) -> None:
        # Keep the file name's suffix in step with the format, as people expect.
        field = self.query_one("#export-file", Input)
        path = Path(field.value.strip() or self._default_path(self._format()))
        if path.suffix.lower() in (".csv", ".xlsx", ".jsonl", ""):
            field.value = str(path.with_suffix(self._format().suffix))

    @on(RadioSet.Changed, "#export-scope")
    def _scope_changed(self) -> None:
        field = self.query_one("#export-file", Input)
        if Path(field.value).name.startswith("attendance-"):
            whole = self._whole_store()
            who = "all-circles" if whole else _slug(self.circle_name or "circle")
            old = Path(field.value)
            field.value = str(old.with_name(f"attendance-{who}-{self.today.isoformat()}{old.suffix}"))

    def _request(self) -> _Request | None:
        dates_error = self.query_one("#export-dates-error", Static)
        file_error = self.query_one("#export-file-error", Static)
        dates_error.update("")
        file_error.update("")
        since = self.query_one("#export-since", Input).value.strip()
        until = self.query_one("#export-until", Input).value.strip()
        try:
            first = validate.parse_date(since, "since") if since else None
            last = validate.parse_date(until, "until") if until else None
            if first and last:
                validate.date_range(first, last, start_field="since", end_field="until")
        except InvalidInput as exc:
            dates_error.update(str(exc))
            return None
        raw = self.query_one("#export-file", Input).value.strip()
        if not raw:
            file_error.update("file: give a file name to write to")
            return None
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = (self.folder or suggested_folder()) / path
        return _Request(
            path=path,
            circle_id=None if self._whole_store() else self.circle_id,
            since=since,
            until=until,
            fmt=self._format(),
            summary=self.query_one("#export-summary", Checkbox).value,
            excel=self.query_one("#export-excel", Checkbox).value,
        )

    # --- actions --------------------------------------------------------------------

    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-close")
    def _close(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_export()

    def action_submit(self) -> None:
        self.action_export()

    @work(exclusive=True, group="export-ask")
    async def action_export(self) -> None:
        if self._export is not None and self._export.state is WorkerState.RUNNING:
            return
        request = self._request()
        if request is None:
            return
        refusal = await may_write(self, request.path)
        if refusal is not None:
            self.query_one("#export-file-error", Static).update(str(refusal))
            return
        self._start(request)

    def _start(self, request: _Request) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#export-status", Static).update(f"Exporting to {request.path} …")
        self.query_one("#export-go", Button).disabled = True
        self._export = run_db(
            self, lambda db: self._write(db, request), self._written, failed=self._not_written, group="export"
        )

    def _write(self, db: Db, request: _Request) -> ExportResult:
        """In the worker: the rows go from one read unit of work straight into the file."""
        worker = get_current_worker()
        app = self.app
        bar = self.query_one("#export-progress", ProgressBar)

        def progress(done: int, total: int | None) -> None:
            if worker.is_cancelled:
                raise ExportCancelled
            app.call_from_thread(bar.update, total=total, progress=done)

        scope = make_scope(db, circle=request.circle_id, since=request.since, until=request.until)
        return export_attendance(
            db,
            request.path,
            scope=scope,
            fmt=request.fmt,
            summary=request.summary,
            excel=request.excel,
            force=True,  # the person was asked above
            progress=progress,
            count_first=True,
        )

    def _written(self, result: ExportResult) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        self.written = result.path
        # A folder given by the caller (tests) is not the person's choice; the dialog always
        # writes a file, so the result has its path.
        if self.folder is None and result.path is not None:
            remember_folder(result.path.parent)
        bar.update(total=max(bar.total or 0, 1), progress=max(bar.total or 0, 1))
        rows = count(result.rows, "summary row" if result.summary else "row")
        message = f"Wrote {rows} to {result.path}"
        self.query_one("#export-status", Static).update(message)
        self.app.notify(message, title="Attendance exported", markup=False)
        self.query_one("#export-go", Button).disabled = False

    def _not_written(self, error: CirclesError) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=1, progress=0)  # still while hidden (without a total, it animates)
        bar.display = False
        self.query_one("#export-status", Static).update(f"Not exported: {error}")
        self.query_one("#export-go", Button).disabled = False

    def action_cancel(self) -> None:
        if self._export is not None and self._export.state is WorkerState.RUNNING:
            self._export.cancel()
        self.dismiss(self.written)

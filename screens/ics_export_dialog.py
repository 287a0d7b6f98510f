"""The dialog that exports calendar invites (.ics) for a session, a circle, a cancelled session, or a
programme's pair (its meetings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, RadioSet, Static

from circles.errors import CirclesError
from circles.export_folder import remember_folder, suggested_folder
from circles.ics.model import Channel
from circles.ics.names import circle_stem, pair_stem, session_stem
from circles.programme_views import PairView
from circles.views import CircleView, SessionView
from circles.words import count
from models.enums import SessionStatus
from screens.dialogs import Buttons, Dialog
from screens.one_line import OneLineInput
from screens.replace_file import may_write
from screens.toggles import Checkbox, RadioButton
from screens.work import run_db

if TYPE_CHECKING:
    from circles.exports.invite_files import UnitOfWork
    from circles.services.invites import IcsExport
    from circles.store_access import Db


@dataclass(frozen=True, slots=True)
class IcsExported:
    """What the dialog returns once the file is written."""

    path: Path
    channel: Channel
    events: int


class IcsExportDialog(Dialog[IcsExported | None]):
    """Pick the channel and the file; the export runs in a worker and the app says where it went."""

    DEFAULT_CSS = """
    IcsExportDialog #ics-title {
        text-style: bold;
    }
    IcsExportDialog .ics-field-label {
        margin-top: 1;
    }
    IcsExportDialog #ics-channel {
        layout: horizontal;
        width: 100%;
    }
    IcsExportDialog #ics-channel RadioButton {
        width: auto;
        margin-right: 3;
    }
    IcsExportDialog #ics-channel-help {
        color: $text-muted;
    }
    IcsExportDialog #ics-recurring {
        margin-top: 1;
    }
    IcsExportDialog #ics-error {
        color: $error;
        height: auto;
    }
    """

    BINDINGS = [
        # "Cancel", as its button says: the dialog closes once the file is written, as a form does.
        Binding("escape", "cancel", "Cancel", tooltip="Close without exporting"),
        Binding("ctrl+s", "submit", "Export", tooltip="Write the file"),
    ]

    def __init__(
        self,
        *,
        session: SessionView | None = None,
        circle: CircleView | None = None,
        pair: PairView | None = None,
        settings_path: Path | None = None,
    ) -> None:
        if [session, circle, pair].count(None) != 2:
            raise ValueError("export a session, a circle or a pair")
        super().__init__()
        self.session = session
        self.circle = circle
        self.pair = pair
        self.settings_path = settings_path
        cancelled = session is not None and session.status is SessionStatus.CANCELLED
        # A pair's file is for the two (or three) of them: an invite to e-mail, as on the
        # command line (circles export ics --pair).
        self.initial_channel = (
            Channel.CANCEL if cancelled else Channel.REQUEST if pair is not None else Channel.PUBLISH
        )

    @classmethod
    def for_session(cls, session: SessionView, **kwargs: Any) -> IcsExportDialog:
        return cls(session=session, **kwargs)

    @classmethod
    def for_circle(cls, circle: CircleView, **kwargs: Any) -> IcsExportDialog:
        return cls(circle=circle, **kwargs)

    @classmethod
    def for_pair(cls, pair: PairView, **kwargs: Any) -> IcsExportDialog:
        return cls(pair=pair, **kwargs)

    @property
    def what(self) -> str:
        if self.session is not None:
            return self.session.label
        if self.pair is not None:
            return f"{self.pair.programme_name}, {self.pair.names}'s meetings"
        assert self.circle is not None
        return f"{self.circle.name}, upcoming sessions"

    def _suggested_name(self, recurring: bool = False) -> str:
        if self.session is not None:
            return session_stem(self.session.circle_name, self.session.local_day) + ".ics"
        if self.pair is not None:
            return pair_stem(self.pair.programme_name, self.pair.id) + ".ics"
        assert self.circle is not None
        return circle_stem(self.circle.name, recurring=recurring) + ".ics"

    def compose_body(self) -> ComposeResult:
        folder = suggested_folder(self.settings_path)
        yield Label(f"Export calendar invites (.ics): {escape(self.what)}", id="ics-title")
        yield Label("Channel", classes="ics-field-label")
        with RadioSet(id="ics-channel", compact=True):
            for channel in Channel:
                yield RadioButton(
                    channel.value,
                    value=channel is self.initial_channel,
                    compact=True,
                    id=f"ics-{channel.value}",
                )
        yield Static(self.initial_channel.help, id="ics-channel-help", markup=False)
        if self.circle is not None:
            yield Checkbox(
                "One recurring series (RRULE) instead of one event each", compact=True, id="ics-recurring"
            )
        yield Label("Folder", classes="ics-field-label")
        yield OneLineInput(str(folder), compact=True, id="ics-folder")
        yield Label("File name", classes="ics-field-label")
        yield OneLineInput(self._suggested_name(), compact=True, id="ics-name")
        yield Static("", id="ics-error", markup=False)
        yield Buttons(
            Button("Export (ctrl+s)", id="ics-export", variant="primary", compact=True),
            Button("Cancel (esc)", id="ics-close", compact=True),
        )

    @property
    def channel(self) -> Channel:
        pressed = self.query_one("#ics-channel", RadioSet).pressed_button
        return Channel(str(pressed.label)) if pressed is not None else Channel.PUBLISH

    @property
    def recurring(self) -> bool:
        return self.circle is not None and self.query_one("#ics-recurring", Checkbox).value

    @on(RadioSet.Changed, "#ics-channel")
    def _channel_changed(self) -> None:
        self.query_one("#ics-channel-help", Static).update(self.channel.help)

    @on(Checkbox.Changed, "#ics-recurring")
    def _recurring_changed(self, event: Checkbox.Changed) -> None:
        name = self.query_one("#ics-name", Input)
        if name.value in (self._suggested_name(False), self._suggested_name(True)):
            name.value = self._suggested_name(event.value)

    def _error(self, message: str) -> None:
        self.query_one("#ics-error", Static).update(message)

    def _target(self) -> Path | None:
        folder_text = self.query_one("#ics-folder", Input).value.strip()
        name = self.query_one("#ics-name", Input).value.strip()
        if not folder_text:
            self._error("Folder: give the folder to write the file to.")
            return None
        folder = Path(folder_text).expanduser()
        if folder.exists() and not folder.is_dir():
            self._error(f"Folder: {folder_text!r} is a file, not a folder.")
            return None
        if not name or "/" in name or name in (".", ".."):
            self._error(
                f"File name: {name!r} is not a file name; try {self._suggested_name(self.recurring)!r}."
            )
            return None
        if not name.lower().endswith(".ics"):
            name += ".ics"
        return folder / name

    @on(Button.Pressed, "#ics-export")
    @on(Input.Submitted)
    @work(exclusive=True, group="ics-ask")
    async def _export_pressed(self) -> None:
        target = self._target()
        if target is None:
            return
        refusal = await may_write(self, target)
        if refusal is not None:
            self._error(str(refusal))
            return
        self._error("")
        self.query_one("#ics-export", Button).disabled = True
        self._export(target, self.channel, self.recurring)

    @on(Button.Pressed, "#ics-close")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _export(self, target: Path, channel: Channel, recurring: bool) -> None:
        def build(db: Db) -> IcsExport:
            # Imported here, in the worker: the invites load icalendar, which on the UI thread
            # held the dialog still the first time Export was pressed.
            from circles.services import invites

            if self.session is not None:
                return invites.export_session(db, self.session.id, channel=channel)
            if self.pair is not None:
                from circles.services import pair_invites

                return pair_invites.export_pair(db, self.pair.id, channel=channel)
            assert self.circle is not None
            return invites.export_circle(db, self.circle.id, channel=channel, recurring=recurring)

        def export(write: UnitOfWork) -> IcsExported:
            from circles.exports.invite_files import ToFile, once, write_invites

            # The file and the store change it announces (a cancel) are written together, or neither.
            written = write_invites(once(write), build, ToFile(target, field="file"), force=True)
            (file,), (path,) = written.export.files, written.paths  # replacing was confirmed
            remember_folder(path.parent, self.settings_path)
            return IcsExported(path=path, channel=channel, events=file.events)

        run_db(self, export, self._exported, around_unit=True, failed=self._not_exported, group="ics-export")

    def _exported(self, done: IcsExported) -> None:
        self.app.notify(
            f"Calendar file written to {escape(str(done.path))} ({count(done.events, 'event')}, "
            f"{done.channel.value}).",
            title="Exported",
        )
        self.dismiss(done)

    def _not_exported(self, error: CirclesError) -> None:
        self.query_one("#ics-export", Button).disabled = False
        self._error(error.in_app)

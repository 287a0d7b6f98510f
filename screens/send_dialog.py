"""The Send dialog: who gets what (new, updated, cancelled), then the send's progress, then each
person's result. Everything goes through run_db workers; nothing waits on the UI thread."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, DataTable, Label, ProgressBar, Static

from circles.delivery.model import DeliveryStatus, SendPlan, SendResult
from circles.delivery.settings import SmtpSettings
from circles.errors import CirclesError
from circles.words import count
from screens.dialogs import Buttons, Dialog
from screens.format import safe, when
from screens.table import Table
from screens.typed_app import circles_app
from screens.work import run_db


@dataclass(frozen=True, slots=True)
class _Ready:
    plan: SendPlan
    smtp: SmtpSettings | None
    problem: str | None  # why it cannot send (no SMTP server set, a bad settings file)


def _load(db: Any, *, session_id: int | None, circle_id: int | None) -> _Ready:
    from circles.delivery.settings import load_settings
    from circles.services import delivery

    plan = (
        delivery.plan_session(db, session_id)
        if session_id is not None
        else delivery.plan_circle(db, circle_id or 0)
    )
    try:
        smtp = load_settings().require_smtp()
    except CirclesError as exc:
        return _Ready(plan, None, str(exc))
    return _Ready(plan, smtp, None)


def delivery_line(status: DeliveryStatus | None, now: datetime) -> str:
    """'Invites sent 3 days ago; 2 changes not sent (5 messages) · S sends them'."""
    if status is None or not status.email_set_up:
        return ""  # S still says what to set up, in the Send dialog
    if status.blocked:
        # Why nothing could go matters to someone who sends invites; to a person who never
        # did (most never set up e-mail) it is noise. S still says why, in the Send dialog.
        return f"E-mail invites: {status.blocked}" if status.last_sent else ""
    if status.last_sent is None:
        if not status.pending_messages:
            return "E-mail invites: nothing to send yet."
        return (
            f"Invites not sent by e-mail yet: {count(status.pending_sessions, 'session')} "
            f"({count(status.pending_messages, 'message')}) · S sends them"
        )
    days = (now.date() - status.last_sent.date()).days
    ago = "today" if days <= 0 else ("yesterday" if days == 1 else f"{days} days ago")
    if not status.pending_messages:
        return f"Invites sent {ago}; all up to date."
    changes, messages = count(status.pending_sessions, "change"), count(status.pending_messages, "message")
    return f"Invites sent {ago}; {changes} not sent ({messages}) · S sends them"


_FAILURES_SHOWN = 5


def _failure(result: SendResult, now: datetime) -> str:
    """'Cy Guest <cy@guest.org>, Tue 10 Mar 12:00: refused: 450 4.2.1 Mailbox busy …'."""
    out = result.outgoing
    return f"{out.attendee.name} <{out.attendee.email}>, {when(out.session, now)}: {result.detail}"


class SendDialog(Dialog[bool]):
    """Send a session's or a circle's invites by e-mail; dismisses True if anything went."""

    DEFAULT_CSS = """
    SendDialog > .dialog-body {
        width: 100;
    }
    SendDialog #send-title {
        text-style: bold;
        margin-bottom: 1;
    }
    SendDialog #send-plan {
        height: auto;
        max-height: 20;
    }
    SendDialog #send-progress {
        margin-top: 1;
    }
    SendDialog #send-status {
        margin-top: 1;
        height: auto;
    }
    SendDialog #send-status.error {
        color: $error;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", tooltip="Close (a send under way goes on)"),
        Binding("ctrl+s", "submit", "Send", tooltip="Send what the list shows"),
    ]

    def __init__(self, *, what: str, session_id: int | None = None, circle_id: int | None = None) -> None:
        if (session_id is None) == (circle_id is None):
            raise ValueError("send either a session or a circle")
        super().__init__()
        self.what = what
        self.session_id = session_id
        self.circle_id = circle_id
        self.ready: _Ready | None = None
        self.sent_any = False
        self._rows: dict[int, str] = {}  # message number -> row key

    def compose_body(self) -> ComposeResult:
        yield Label(f"Send invites by e-mail: {escape(self.what)}", id="send-title")
        yield Static("Working out what changed since the last send…", id="send-summary", markup=False)
        yield Table(id="send-plan", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(total=1, id="send-progress", show_eta=False)
        yield Static("", id="send-status", markup=False)
        yield Buttons(
            Button("Send (ctrl+s)", id="send-go", variant="primary", disabled=True, compact=True),
            Button("Close (esc)", id="send-close", compact=True),
        )

    def on_mount(self) -> None:
        self.query_one("#send-progress", ProgressBar).display = False
        # Each person's result matters most; at 80 columns 'What' gives way first. Name only, no
        # address: a refusal's line below the table names the address.
        table = self.query_one("#send-plan", Table)
        table.add_column("Session", key="session", priority=2, min_width=10)
        table.add_column("To", key="to", priority=1, min_width=10)
        table.add_column("What", key="what", priority=3, min_width=8)
        table.add_column("Result", key="result", priority=0)
        run_db(
            self,
            lambda db: _load(db, session_id=self.session_id, circle_id=self.circle_id),
            self._show_plan,
            failed=self._cannot,
            group="send-plan",
        )

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#send-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def _cannot(self, error: CirclesError) -> None:
        # No list and no Send under the reason: an empty table with a Send button says there
        # might be something to send after all.
        self.query_one("#send-summary", Static).update("Nothing can be sent.")
        self.query_one("#send-plan", Table).display = False
        self.query_one("#send-go", Button).display = False
        self._status(str(error), error=True)

    def _show_plan(self, ready: _Ready) -> None:
        self.ready = ready
        plan = ready.plan
        table = self.query_one("#send-plan", DataTable)
        now = circles_app(self).now()
        for out in plan.outgoing:
            key = str(out.number)
            self._rows[out.number] = key
            table.add_row(
                *safe(when(out.session, now), out.attendee.name, out.what, ""),
                key=key,
            )
        summary = f"To send: {plan.summary}; {plan.up_to_date} already up to date."
        if plan.without_address:
            summary += f" No address, not invited: {', '.join(plan.without_address[:4])}."
        self.query_one("#send-summary", Static).update(summary)
        if ready.problem:
            self._status(ready.problem, error=True)
        elif plan.outgoing:
            assert ready.smtp is not None
            self._status(f"Through {ready.smtp.describe()}. Send puts them in the post.")
            go = self.query_one("#send-go", Button)
            go.disabled = False
            go.focus()
        else:
            self._status("Everyone has the latest: nothing to send.")

    @on(Button.Pressed, "#send-go")
    def _send(self) -> None:
        ready = self.ready
        if ready is None or ready.smtp is None or not ready.plan.outgoing:
            return
        self.query_one("#send-go", Button).disabled = True
        bar = self.query_one("#send-progress", ProgressBar)
        bar.update(total=len(ready.plan.outgoing), progress=0)
        bar.display = True
        self._status("Sending…")
        app = self.app
        smtp, plan = ready.smtp, ready.plan

        def progress(result: SendResult, n: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the app closed while the send went on
                app.call_from_thread(self._one_done, result, n)

        def job(store: Any) -> list[SendResult]:
            from circles.delivery.send import send_plan

            return send_plan(store, plan, smtp, progress=progress)

        run_db(self, job, self._all_done, failed=self._send_failed, group="send", whole_store=True)

    def _one_done(self, result: SendResult, n: int) -> None:
        if result.sent:
            self.sent_any = True
        key = self._rows.get(result.outgoing.number)
        if key is None or not self.is_attached:
            return  # closed while sending: the send goes on, its log is written all the same
        self.query_one("#send-progress", ProgressBar).update(progress=n)
        table = self.query_one("#send-plan", DataTable)
        # The server's answer is in the status line below; the cell stays narrow.
        shown = "sent" if result.sent else "another send" if result.taken else "NOT SENT"
        table.update_cell(key, "result", shown, update_width=True)

    def _all_done(self, results: list[SendResult]) -> None:
        failed = [r for r in results if not r.sent and not r.taken]
        taken = sum(1 for r in results if r.taken)
        sent = len(results) - len(failed) - taken
        also = f"; {taken} sent by another send made at the same time" if taken else ""
        if failed:
            lines = [f"Sent {sent} of {len(results)}{also}; {len(failed)} not sent: they go again next time."]
            now = circles_app(self).now()
            lines += [_failure(r, now) for r in failed[:_FAILURES_SHOWN]]
            if len(failed) > _FAILURES_SHOWN:
                lines.append(f"… and {len(failed) - _FAILURES_SHOWN} more.")
            self._status("\n".join(lines), error=True)
        else:
            self._status(f"Sent {sent} of {len(results)}{also}.")
        self.query_one("#send-close", Button).focus()

    def _send_failed(self, error: CirclesError) -> None:
        self._status(f"Nothing was sent: {error}", error=True)
        self.query_one("#send-go", Button).disabled = False

    @on(Button.Pressed, "#send-close")
    def action_cancel(self) -> None:
        self.dismiss(self.sent_any)

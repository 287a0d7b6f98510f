"""The Send dialog and the 'sent n days ago' lines, in the app, against a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Static

from circles.app import CirclesApp
from circles.delivery.model import DeliveryStatus
from circles.delivery.replies import scan
from circles.delivery.settings import CONFIG_ENV, SMTP_URL_ENV
from circles.services import replies, sessions
from screens.circle import CircleScreen
from screens.send_dialog import SendDialog, delivery_line
from screens.session import SessionScreen
from screens.table import Table
from tests import factories
from tests.delivery_world import make_world
from tests.reply_makers import as_email, reply_icalendar
from tests.smtp_sink import Sink, free_port, smtp_sink
from tests.tui_support import rows, screen_text, settle, shown, until

SIZE = (120, 40)


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sink]:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "none.toml"))
    with smtp_sink() as s:
        monkeypatch.setenv(SMTP_URL_ENV, s.url)
        yield s


async def _dialog(app: CirclesApp, pilot) -> SendDialog:  # type: ignore[no-untyped-def]
    await pilot.press("S")
    await until(pilot, lambda: isinstance(app.screen, SendDialog))
    dialog = app.screen
    assert isinstance(dialog, SendDialog)
    await until(
        pilot, lambda: dialog.ready is not None or "Nothing" in shown(dialog.query_one("#send-summary"))
    )
    return dialog


async def test_send_a_circle_from_its_screen_then_a_moved_session(memory_store, sink, tmp_path):
    w = make_world(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(w.circle.id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CircleScreen)
        line = screen.query_one("#circle-delivery", Static)
        assert shown(line) == "Invites not sent by e-mail yet: 4 sessions (9 messages) · S sends them"

        dialog = await _dialog(app, pilot)
        table = dialog.query_one("#send-plan", DataTable)
        assert table.row_count == 9
        assert rows(table)[0][:3] == ["Tue 10 Mar 12:00", "Bo Smith", "invite"]
        assert "To send: 9 new; 0 already up to date." in shown(dialog.query_one("#send-summary"))
        await pilot.click("#send-go")
        await until(pilot, lambda: "Sent 9 of 9." in shown(dialog.query_one("#send-status")))
        assert [r[3] for r in rows(table)] == ["sent"] * 9
        await settle(app, pilot)
        assert table.max_scroll_x == 0  # each person's result is on screen, not scrolled off to the right
        assert len(sink.received) == 9
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        assert shown(line) == "Invites sent today; all up to date."

        with memory_store.write() as db:
            sessions.move_session(db, w.sessions[1], starts_at=w.sessions[1].starts_at + timedelta(hours=1))
        screen.reload()
        await settle(app, pilot)
        assert shown(line) == "Invites sent today; 1 change not sent (2 messages) · S sends them"
        dialog = await _dialog(app, pilot)
        assert [r[2] for r in rows(dialog.query_one("#send-plan", DataTable))] == ["updated invite"] * 2


async def test_a_refused_recipient_shows_with_the_servers_answer(memory_store, sink, tmp_path):
    w = make_world(memory_store)
    sink.busy = {"zoe@example.org"}
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        dialog = await _dialog(app, pilot)
        await pilot.click("#send-go")
        status = dialog.query_one("#send-status", Static)
        await until(pilot, lambda: "Sent 1 of 2" in shown(status))
        table = dialog.query_one("#send-plan", DataTable)
        assert [(r[1], r[3]) for r in rows(table)] == [("Bo Smith", "sent"), ("Zoë Ñandú", "NOT SENT")]
        assert shown(status).splitlines() == [
            "Sent 1 of 2; 1 not sent: they go again next time.",
            "Zoë Ñandú <zoe@example.org>, Tue 10 Mar 12:00: refused: 450 4.2.1 Mailbox busy, try again later",
        ]
        await settle(app, pilot)
        assert table.max_scroll_x == 0


async def test_a_server_that_is_not_there_sends_nothing_and_says_so(memory_store, monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "none.toml"))
    port = free_port()
    monkeypatch.setenv(SMTP_URL_ENV, f"smtp://127.0.0.1:{port}")
    w = make_world(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        dialog = await _dialog(app, pilot)
        await pilot.click("#send-go")
        status = dialog.query_one("#send-status", Static)
        await until(pilot, lambda: "Nothing was sent" in shown(status))
        assert f"SMTP 127.0.0.1:{port}: cannot connect: Connection refused" in shown(status)
        assert not dialog.query_one("#send-go", Button).disabled


async def test_a_session_that_is_over_says_so_with_no_list_and_no_send(memory_store, clock, sink):
    w = make_world(memory_store)
    clock.advance(days=400)  # every session of the world is over
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        dialog = await _dialog(app, pilot)
        await settle(app, pilot)
        assert "is over: there is nothing to send for it" in shown(dialog.query_one("#send-status"))
        assert not dialog.query_one("#send-plan", Table).display
        assert not dialog.query_one("#send-go", Button).display


async def test_no_smtp_server_set_says_where_to_set_one(memory_store, monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "none.toml"))
    monkeypatch.delenv(SMTP_URL_ENV, raising=False)
    w = make_world(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        dialog = await _dialog(app, pilot)
        assert "No SMTP server is set" in shown(dialog.query_one("#send-status"))
        assert dialog.query_one("#send-go", Button).disabled


async def test_a_reply_shows_in_the_session_headcount(memory_store, sink, tmp_path):
    w = make_world(memory_store)
    s = w.sessions[0]
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(s.id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        summary = screen.query_one("#session-summary", Static)
        assert "RSVP 0 yes" in shown(summary)
        eml = tmp_path / "yes.eml"
        eml.write_bytes(as_email(reply_icalendar(s.ics_uid, [("bo@example.org", "ACCEPTED")])))
        with memory_store.write() as db:
            replies.apply_replies(db, scan([eml]).replies)
        screen.reload()
        await settle(app, pilot)
        assert "RSVP 1 yes" in shown(summary)
        # A decline says so: it showed only as no yes more.
        no = tmp_path / "no.eml"
        no.write_bytes(as_email(reply_icalendar(s.ics_uid, [("zoe@example.org", "DECLINED")])))
        with memory_store.write() as db:
            replies.apply_replies(db, scan([no]).replies)
        screen.reload()
        await settle(app, pilot)
        assert "RSVP 1 yes · 1 no" in shown(summary)


async def test_at_80x24_ctrl_s_sends_and_each_result_stays_on_screen(memory_store, sink, tmp_path):
    """The Send dialog is a Dialog like every other: its action first, ctrl+s does it, and at 80
    columns the table gives up 'What' before the person's result."""
    w = make_world(memory_store)
    sink.busy = {"zoe@example.org"}
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        dialog = await _dialog(app, pilot)
        assert [b.id for b in dialog.query(Button)] == ["send-go", "send-close"]
        await pilot.press("ctrl+s")
        status = dialog.query_one("#send-status", Static)
        await until(pilot, lambda: "Sent 1 of 2" in shown(status))
        await settle(app, pilot)
        table = dialog.query_one("#send-plan", Table)
        assert table.shown_columns[:2] == ["Session", "To"] and "Result" in table.shown_columns
        assert table.max_scroll_x == 0
        text = screen_text(app)
        assert re.search(r"Bo Smith +invite +sent", text) and re.search(r"Zoë Ñandú +invite +NOT SENT", text)
        assert "<zoe@example.org>, Tue 10 Mar 12:00: refused: 450 4.2.1 Mailbox" in text
        assert len(sink.received) == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)


def test_the_delivery_line_counts_one_session_as_one() -> None:
    now = datetime(2026, 3, 3, 9, tzinfo=UTC)
    assert delivery_line(DeliveryStatus(None, 1, 1, 1), now) == (
        "Invites not sent by e-mail yet: 1 session (1 message) · S sends them"
    )
    assert delivery_line(DeliveryStatus(now - timedelta(days=3), 1, 2, 4), now) == (
        "Invites sent 3 days ago; 1 change not sent (2 messages) · S sends them"
    )


async def test_a_circle_that_never_sent_keeps_quiet_until_s_asks_why(memory_store, tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "none.toml"))
    circle = factories.circle(memory_store, "Rust Lunch")  # no facilitator: nothing could be sent
    factories.session(memory_store, circle, "2026-03-10 12:00")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(circle.id)
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        # A new user who never set up e-mail was told "E-mail invites: Rust Lunch has no
        # facilitator to send invites from" on the circle's first screen.
        assert shown(app.screen.query_one("#circle-delivery", Static)) == ""
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, SendDialog))
        status = app.screen.query_one("#send-status", Static)
        await until(pilot, lambda: "no facilitator to send invites from" in shown(status))


def test_the_delivery_line_says_why_nothing_goes_once_invites_went_before() -> None:
    now = datetime(2026, 3, 3, 9, tzinfo=UTC)
    why = "Invites go from the facilitator's address, and Ana has none."
    assert delivery_line(DeliveryStatus(None, 0, 0, 0, blocked=why), now) == ""
    assert delivery_line(DeliveryStatus(now, 0, 0, 0, blocked=why), now) == f"E-mail invites: {why}"


async def test_invites_not_sent_are_not_mentioned_where_e_mail_is_not_set_up(
    memory_store, tmp_path, monkeypatch
):
    """A new user who never set up e-mail read "Invites not sent by e-mail yet: 4 sessions
    (9 messages) · S sends them" on every circle and session, a chore they could not do and
    may never want (.ics files do the same). It shows once an SMTP server is set."""
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "none.toml"))
    monkeypatch.delenv(SMTP_URL_ENV, raising=False)
    w = make_world(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(w.circle.id)
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        assert shown(app.screen.query_one("#circle-delivery", Static)) == ""
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
        assert shown(app.screen.query_one("#session-delivery", Static)) == ""
        await pilot.press("S")  # the key still says what to set up
        await until(pilot, lambda: isinstance(app.screen, SendDialog))
        status = app.screen.query_one("#send-status", Static)
        await until(pilot, lambda: "No SMTP server is set" in shown(status))

    monkeypatch.setenv(SMTP_URL_ENV, "smtp://127.0.0.1:2525")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_circle(w.circle.id)
        await settle(app, pilot)
        assert isinstance(app.screen, CircleScreen)
        line = shown(app.screen.query_one("#circle-delivery", Static))
        assert line == "Invites not sent by e-mail yet: 4 sessions (9 messages) · S sends them"

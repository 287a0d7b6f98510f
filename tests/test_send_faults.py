"""A send when things go wrong, against a real SMTP server on 127.0.0.1: a refused login, one
recipient answered 4xx, the connection dropped half-way, no server at all. Each is a clear line,
nothing is sent twice, what failed goes next time, and the send log says what really went."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from circles.cli import main
from circles.delivery.send import send_plan
from circles.delivery.settings import SMTP_URL_ENV, smtp_from_url
from circles.delivery.smtp import SmtpError
from circles.services import delivery
from models.enums import SendOutcome
from models.store import Store
from models.tables import InviteSend
from tests.delivery_world import World, event_of, make_world, settings_for
from tests.smtp_sink import Sink, free_port, smtp_sink

SECRET = "n0t-Th1s-one"


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink() as s:
        yield s


def _sent_log(store: Store) -> list[tuple[str, str]]:
    with store.read() as db:
        rows = db.exec(select(InviteSend).where(InviteSend.outcome == SendOutcome.SENT)).all()
        return sorted((r.email, r.uid) for r in rows)


def _received(sink: Sink) -> list[tuple[str, str]]:
    return sorted((r.recipients[0], str(event_of(r.message)["UID"])) for r in sink.received)


def _plan(store: Store, w: World):  # type: ignore[no-untyped-def]
    with store.read() as db:
        return delivery.plan_circle(db, w.circle.id)


def test_a_refused_login_sends_nothing_and_logs_nothing(store: Store) -> None:
    w = make_world(store)
    with smtp_sink(auth=("ana", "the-right-one")) as sink:
        settings = smtp_from_url(f"smtp://ana:{SECRET}@127.0.0.1:{sink.port}")
        with pytest.raises(SmtpError) as caught:
            send_plan(store, _plan(store, w), settings)
    message = str(caught.value)
    assert message.startswith(f"SMTP 127.0.0.1:{sink.port}: the server refused the login for ana: 535")
    assert SECRET not in message and base64.b64encode(SECRET.encode()).decode() not in message
    assert sink.received == [] and _sent_log(store) == []
    assert len(_plan(store, w).outgoing) == 9


def test_a_4xx_for_one_recipient_is_reported_and_retried_next_time_alone(store: Store, sink: Sink) -> None:
    w = make_world(store)
    sink.busy = {"zoe@example.org"}
    results = send_plan(store, _plan(store, w), settings_for(sink.url))
    failed = [r for r in results if not r.sent]
    assert [r.outgoing.attendee.email for r in failed] == ["zoe@example.org"] * 4
    assert all(r.detail.startswith("refused: 450 4.2.1 Mailbox busy") and r.logged for r in failed)
    assert _sent_log(store) == _received(sink) and len(sink.received) == 5
    with store.read() as db:
        failures = db.exec(select(InviteSend).where(InviteSend.outcome == SendOutcome.FAILED)).all()
        assert len(failures) == 4 and all("450" in f.detail for f in failures)
    # Next time: only Zoë's four go, the others are not sent twice.
    sink.busy = set()
    again = _plan(store, w)
    assert {o.attendee.email for o in again.outgoing} == {"zoe@example.org"} and len(again.outgoing) == 4
    send_plan(store, again, settings_for(sink.url))
    assert _sent_log(store) == _received(sink) and len(sink.received) == 9
    assert _plan(store, w).outgoing == ()


def test_a_connection_dropped_half_way_leaves_the_log_true(store: Store, sink: Sink) -> None:
    w = make_world(store)
    sink.drop_after = 3  # the fourth message is cut off; the server takes connections again
    results = send_plan(store, _plan(store, w), settings_for(sink.url))
    assert sink.dropped == 1
    (failed,) = [r for r in results if not r.sent]
    assert "the connection was lost" in failed.detail and failed.logged
    # Everything the server took is logged as sent, and nothing else is.
    assert _sent_log(store) == _received(sink) and len(sink.received) == 8
    (left,) = _plan(store, w).outgoing
    assert left.attendee.email == failed.outgoing.attendee.email and left.session == failed.outgoing.session


def test_no_server_is_one_line_and_nothing_is_logged(store: Store) -> None:
    w = make_world(store)
    port = free_port()
    with pytest.raises(SmtpError, match=f"127.0.0.1:{port}: cannot connect: Connection refused"):
        send_plan(store, _plan(store, w), settings_for(f"smtp://127.0.0.1:{port}"))
    assert _sent_log(store) == []


# --- the command line -------------------------------------------------------------------------

FAR = date(2036, 3, 11)  # the CLI runs on the system clock: sessions well ahead of it


@pytest.fixture
def cli_store(tmp_path: Path, store_url, clock) -> Iterator[tuple[Store, str]]:  # type: ignore[no-untyped-def]
    store = Store.open(store_url, clock=clock)
    yield store, store_url.render_as_string(hide_password=False)
    store.close()


def _cli(db: str, *args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, ["--db", db, *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_the_cli_sends_then_sends_nothing(cli_store: tuple[Store, str], sink: Sink) -> None:
    store, db = cli_store
    make_world(store, first=FAR)
    env = {SMTP_URL_ENV: sink.url}
    first = _cli(db, "send", "invites", "--circle", "rust lunch", env=env)
    assert first.exit_code == 0, first.stderr
    assert len(sink.received) == 9
    assert "[9/9] sent invite (SEQUENCE 0) for Rust Lunch" in first.stdout
    assert (
        f"Sent 9 of 9 through 127.0.0.1:{sink.port} (no TLS) (9 new; 0 already up to date)." in first.stdout
    )
    second = _cli(db, "send", "invites", "--circle", "rust lunch", env=env)
    assert second.exit_code == 0 and second.stdout.strip() == "Nothing to send: 9 already up to date."
    assert len(sink.received) == 9
    as_json = _cli(db, "send", "invites", "--circle", "rust lunch", "--json", env=env)
    assert json.loads(as_json.stdout) == []


def test_the_cli_reports_a_refused_recipient_and_exits_1(cli_store: tuple[Store, str], sink: Sink) -> None:
    store, db = cli_store
    make_world(store, first=FAR)
    sink.busy = {"cy@guest.org"}
    result = _cli(db, "send", "invites", "--circle", "Rust Lunch", "--json", env={SMTP_URL_ENV: sink.url})
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(r["email"], r["outcome"]) for r in rows if r["outcome"] != "sent"] == [
        ("cy@guest.org", "failed")
    ]
    assert {r["method"] for r in rows} == {"REQUEST"} and len(rows) == 9


def test_a_dry_run_writes_the_messages_and_sends_nothing(
    cli_store: tuple[Store, str], sink: Sink, tmp_path: Path
) -> None:
    store, db = cli_store
    w = make_world(store, first=FAR)
    out = tmp_path / "outbox"
    result = _cli(db, "send", "invites", "--session", str(w.sessions[2].id), "--dry-run", str(out))
    assert result.exit_code == 0, result.stderr
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "001-2036-03-25-bo-smith-request.eml",
        "002-2036-03-25-cy-guest-request.eml",
        "003-2036-03-25-zoe-nandu-request.eml",
    ]
    assert "would send invite (SEQUENCE 0) for Rust Lunch, Tue 25 Mar 2036 12:00 to Bo Smith" in result.stdout
    assert sink.received == [] and _sent_log(store) == []
    again = _cli(db, "send", "invites", "--session", str(w.sessions[2].id), "--dry-run", str(out))
    assert again.exit_code == 1 and "is a folder that is not empty" in again.stderr
    send = _cli(db, "send", "invites", "--session", str(w.sessions[2].id), env={SMTP_URL_ENV: sink.url})
    assert send.exit_code == 0 and len(sink.received) == 3


def test_the_cli_says_what_is_missing(cli_store: tuple[Store, str], tmp_path: Path) -> None:
    store, db = cli_store
    w = make_world(store, first=FAR)
    env = {"CIRCLES_CONFIG": str(tmp_path / "none.toml")}
    result = _cli(db, "send", "invites", "--circle", "Rust Lunch", env=env)
    assert result.exit_code == 1 and "No SMTP server is set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    both = _cli(db, "send", "invites", "--circle", "Rust Lunch", "--session", str(w.sessions[0].id))
    assert both.exit_code == 2
    unknown = _cli(db, "send", "invites", "--circle", "Python Lunch", env=env)
    assert unknown.exit_code == 1 and "Python Lunch" in unknown.stderr

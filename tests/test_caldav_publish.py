"""A shared calendar on a real CalDAV server (Radicale on 127.0.0.1), on SQLite and PostgreSQL:
sessions put once, moved and cancelled ones updated, a re-run puts nothing, and an event another
client changed on the server is reported, never overwritten; a server error is one line."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from circles.cli import main
from circles.services import members, sessions, upkeep
from models.store import Store
from models.tables import CaldavEvent
from tests.delivery_world import make_world
from tests.test_ics_radicale import CalDav, radicale, radicale_server  # noqa: F401  (the fixture)

FAR = date(2036, 3, 11)  # the CLI runs on the system clock


@pytest.fixture
def dav(request: pytest.FixtureRequest) -> CalDav:
    """Radicale on 127.0.0.1 with a calendar at /circles/invites/ (tests/test_ics_radicale.py)."""
    server: CalDav = request.getfixturevalue("radicale")
    return server


def _cli(store: Store, *args: str, tmp_path: Path) -> Result:
    db = store.url.render_as_string(hide_password=False)
    env = {"CIRCLES_CONFIG": str(tmp_path / "none.toml")}
    result = CliRunner().invoke(main, ["--db", db, "publish", "caldav", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _on_server(dav: CalDav) -> dict[str, icalendar.Event]:
    got = dav.request("GET", "/circles/invites/")
    assert got.status == 200
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(got.body).walk("VEVENT")}


def test_sessions_are_put_once_and_changes_update_them(
    store: Store,
    dav: CalDav,
    tmp_path: Path,
) -> None:
    w = make_world(store, first=FAR)
    url = dav.base + "/circles/invites/"
    first = _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path)
    assert first.exit_code == 0, first.output
    assert "Published 4 of 4 changes" in first.stdout
    events = _on_server(dav)
    assert set(events) == {s.ics_uid for s in w.sessions}
    raw = dav.request("GET", "/circles/invites/").body
    assert b"METHOD:" not in raw and b"ORGANIZER" not in raw and b"ATTENDEE" not in raw
    with store.read() as db:
        rows = db.exec(select(CaldavEvent)).all()
    assert len(rows) == 4 and all(r.etag for r in rows)

    again = _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path)
    assert (
        again.exit_code == 0
        and "Published 0 of 0 changes" in again.stdout
        and "4 already up to date" in again.stdout
    )

    with store.write() as db:
        sessions.move_session(db, w.sessions[0], starts_at=w.sessions[0].starts_at + timedelta(hours=1))
        sessions.cancel_session(db, sessions.get_session(db, w.sessions[3].id))
    third = _cli(store, "Rust Lunch", "--url", url, "--json", tmp_path=tmp_path)
    assert third.exit_code == 0, third.output
    done = {r["session_id"]: r["action"] for r in json.loads(third.stdout) if r["action"] != "unchanged"}
    assert done.get(w.sessions[0].id) == "update" and done.get(w.sessions[3].id) == "mark cancelled"
    events = _on_server(dav)
    moved = events[w.sessions[0].ics_uid]
    assert moved["SEQUENCE"] == 1 and moved["DTSTART"].dt == w.sessions[0].starts_at + timedelta(hours=1)
    assert events[w.sessions[3].ics_uid]["STATUS"] == "CANCELLED"
    assert _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path).stdout.count("Published 0 of 0") == 1


def test_an_edit_on_the_server_is_reported_not_overwritten(
    store: Store,
    dav: CalDav,
    tmp_path: Path,
) -> None:
    w = make_world(store, first=FAR)
    url = dav.base + "/circles/invites/"
    assert _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path).exit_code == 0
    # Someone else's calendar program changes the second session on the server.
    s = w.sessions[1]
    with store.read() as db:
        href = db.exec(select(CaldavEvent.href).where(CaldavEvent.session_id == s.id)).one()
    path = href.removeprefix(dav.base)
    theirs = dav.request("GET", path).body.replace(
        b"SUMMARY:Rust Lunch", b"SUMMARY:MOVED TO ROOM 9 - Rust Lunch"
    )
    assert dav.put(path, theirs).status in (201, 204)
    with store.write() as db:
        sessions.update_session(db, sessions.get_session(db, s.id), title="Borrowing, again")
        sessions.update_session(db, sessions.get_session(db, w.sessions[2].id), title="Lifetimes")
    result = _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path)
    assert result.exit_code == 1
    assert "412: it was changed on the server since the last publish; not overwritten" in result.stderr
    assert "Published 1 of 2 changes" in result.stdout
    events = _on_server(dav)
    assert str(events[s.ics_uid]["SUMMARY"]).startswith("MOVED TO ROOM 9")  # theirs stands
    assert "Lifetimes" in str(events[w.sessions[2].ics_uid]["SUMMARY"])  # the other change went


def test_an_event_deleted_on_the_server_is_said_to_be_deleted(
    store: Store, dav: CalDav, tmp_path: Path
) -> None:
    """Someone deleted a session's event in their calendar program: the next change is not put
    back over their deletion, and the line says it was deleted (it said 'changed', and the
    person went looking for an edit that was not there)."""
    w = make_world(store, first=FAR)
    url = dav.base + "/circles/invites/"
    assert _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path).exit_code == 0
    s = w.sessions[1]
    with store.read() as db:
        href = db.exec(select(CaldavEvent.href).where(CaldavEvent.session_id == s.id)).one()
    assert dav.request("DELETE", href.removeprefix(dav.base)).status in (200, 204)
    with store.write() as db:
        sessions.update_session(db, sessions.get_session(db, s.id), title="Borrowing, again")
    result = _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path)
    assert result.exit_code == 1
    assert "412: it was deleted on the server since the last publish; not put back" in result.stderr
    assert s.ics_uid not in _on_server(dav)


class _LosesOneAnswer(BaseHTTPRequestHandler):
    """A proxy in front of Radicale that passes every request on, but after the first PUT hangs
    up without passing the answer back: the server has the event, the client never heard so."""

    upstream = ""
    lost: list[str] = []

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))) or None
        req = urllib.request.Request(self.upstream + self.path, data=body, method=self.command)
        for name in ("Authorization", "Content-Type", "Depth", "If-Match", "If-None-Match"):
            if self.headers.get(name):
                req.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(req, timeout=20) as got:
                status, headers, answer = got.status, got.headers, got.read()
        except urllib.error.HTTPError as err:
            status, headers, answer = err.code, err.headers, err.read()
        if self.command == "PUT" and not self.lost:
            self.lost.append(self.path)
            self.close_connection = True
            return  # the line drops before a byte of the answer
        self.send_response(status)
        for name in ("Content-Type", "ETag"):
            if headers.get(name):
                self.send_header(name, headers[name])
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_PUT = do_PROPFIND = _forward

    def log_message(self, *args: object) -> None:
        pass


def test_a_put_whose_answer_was_lost_is_taken_as_done_when_the_server_has_it(
    store: Store, dav: CalDav, tmp_path: Path
) -> None:
    """The first PUT reaches the server but its answer is lost. The next run meets our own copy
    (412 on If-None-Match): it is the very event, so it is recorded, not reported as someone
    else's, and later changes reach the calendar (a copy someone changed is still refused:
    test_an_edit_on_the_server_is_reported_not_overwritten)."""
    w = make_world(store, first=FAR)
    _LosesOneAnswer.upstream, _LosesOneAnswer.lost = dav.base, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LosesOneAnswer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/circles/invites/"
        first = _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path)
        assert first.exit_code == 1 and len(_LosesOneAnswer.lost) == 1
        assert len(_on_server(dav)) == 1  # it arrived; the other three were not tried

        again = _cli(store, "Rust Lunch", "--url", url, "--json", tmp_path=tmp_path)
        assert again.exit_code == 0, again.output
        rows = json.loads(again.stdout)
        assert [r["action"] for r in rows] == ["create"] * 4
        assert rows[0]["detail"] == "already there (the answer to the last try was lost)"
        with store.read() as db:
            assert len(db.exec(select(CaldavEvent)).all()) == 4

        # The adopted copy's ETag is the one on record: a move now updates it.
        with store.write() as db:
            sessions.move_session(db, w.sessions[0], starts_at=w.sessions[0].starts_at + timedelta(hours=1))
        moved = _cli(store, "Rust Lunch", "--url", url, tmp_path=tmp_path)
        assert moved.exit_code == 0 and "update: Rust Lunch" in moved.stdout, moved.output
        assert int(_on_server(dav)[w.sessions[0].ics_uid]["SEQUENCE"]) == 1
    finally:
        server.shutdown()
        server.server_close()


class _Failing(BaseHTTPRequestHandler):
    """A calendar whose server fails every PUT with 503."""

    def do_PROPFIND(self) -> None:
        body = (
            b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            b"<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/>"
            b"<c:calendar/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
            b"</d:response></d:multistatus>"
        )
        self.send_response(207)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(503, "Service Unavailable")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cal/"
    server.shutdown()
    server.server_close()


def test_a_server_error_is_reported_and_nothing_is_recorded(
    store: Store, failing: str, tmp_path: Path
) -> None:
    make_world(store, first=FAR)
    result = _cli(store, "Rust Lunch", "--url", failing, tmp_path=tmp_path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4 and all(
        "503 Service Unavailable: not published; run again" in line for line in lines
    )
    with store.read() as db:
        assert db.exec(select(CaldavEvent)).all() == []


def test_a_dry_run_contacts_nothing_and_a_bad_url_is_one_line(store: Store, tmp_path: Path) -> None:
    make_world(store, first=FAR)
    dry = _cli(store, "Rust Lunch", "--url", "http://127.0.0.1:9/cal/", "--dry-run", tmp_path=tmp_path)
    assert dry.exit_code == 0 and dry.stdout.count("create: Rust Lunch") == 4
    bad = _cli(store, "Rust Lunch", "--url", "http://dav.example.org/cal/", tmp_path=tmp_path)
    assert bad.exit_code == 1 and "must use https://" in bad.stderr
    gone = _cli(store, "Rust Lunch", "--url", "http://127.0.0.1:9/cal/", tmp_path=tmp_path)
    assert gone.exit_code == 1 and "cannot connect" in gone.stderr and "Traceback" not in gone.output
    missing = _cli(store, "Rust Lunch", tmp_path=tmp_path)
    assert missing.exit_code == 1 and "No CalDAV calendar is set" in missing.stderr


def test_a_server_that_is_down_or_silent_is_named_in_a_person_s_words(store: Store, tmp_path: Path) -> None:
    """The HTTP library wraps the socket's error three times; the line says what the socket said
    ('Connection refused', 'no answer in time'), as the SMTP line does, not the wrappers' dump."""
    make_world(store, first=FAR)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # takes the connection, never answers
        quiet = silent.getsockname()[1]
        config = tmp_path / "config.toml"
        config.write_text(f'[caldav]\nurl = "http://127.0.0.1:{quiet}/cal/"\ntimeout = 1\n')
        db = store.url.render_as_string(hide_password=False)
        env = {"CIRCLES_CONFIG": str(config)}
        waited = CliRunner().invoke(main, ["--db", db, "publish", "caldav", "Rust Lunch"], env=env)
    assert waited.exit_code == 1
    assert waited.stderr.strip() == f"circles: CalDAV 127.0.0.1:{quiet}: cannot connect: no answer in time"
    down = _cli(store, "Rust Lunch", "--url", "http://127.0.0.1:9/cal/", tmp_path=tmp_path)
    assert down.exit_code == 1
    assert down.stderr.strip() == "circles: CalDAV 127.0.0.1:9: cannot connect: Connection refused"


def test_the_calendar_is_found_from_the_account_address(
    store: Store,
    dav: CalDav,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given the account (not the calendar), the caldav library finds the calendar by its name."""
    make_world(store, first=FAR)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[caldav]\nurl = "{dav.base}/circles/"\nuser = "circles"\n'
        'password_env = "DAV_PASSWORD"\ncalendar = "circles/invites"\n'
    )
    monkeypatch.setenv("DAV_PASSWORD", "circles")
    env = {"CIRCLES_CONFIG": str(config)}
    check = CliRunner().invoke(main, ["config", "check"], env=env)
    assert check.exit_code == 0, check.output
    assert f"CalDAV {dav.base}/circles/invites/: calendar found (circles/invites)." in check.stdout
    db = store.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", db, "publish", "caldav", "Rust Lunch"], env=env)
    assert result.exit_code == 0, result.output
    assert len(_on_server(dav)) == 4


def test_a_refused_login_is_one_line_and_never_shows_the_password(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Radicale with a password: a wrong one is refused in one line (config check and publish),
    nothing is recorded, and no output holds the password, plain or as the Basic header has it."""
    secret = "dav-s3cret-Pa55word"
    wrong = "wrong-" + secret
    make_world(store, first=FAR)
    (tmp_path / "dav").mkdir()
    with radicale_server(tmp_path / "dav", password=secret) as dav:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[caldav]\nurl = "{dav.base}/circles/invites/"\nuser = "circles"\n'
            'password_env = "DAV_PASSWORD"\n'
        )
        env = {"CIRCLES_CONFIG": str(config), "DAV_PASSWORD": wrong}
        db = store.url.render_as_string(hide_password=False)
        check = CliRunner().invoke(main, ["config", "check"], env=env)
        publish = CliRunner().invoke(main, ["--db", db, "publish", "caldav", "Rust Lunch"], env=env)
        for result in (check, publish):
            assert result.exit_code == 1 and "Traceback" not in result.output
            (line,) = result.stderr.strip().splitlines()
            assert "the server refused the login for circles (401)" in line, line
            for text in (result.output, repr(result.exception)):
                for hidden in (wrong, secret, base64.b64encode(f"circles:{wrong}".encode()).decode()):
                    assert hidden not in text
        with store.read() as db_:
            assert db_.exec(select(CaldavEvent)).all() == []
        # The right password works: it was the password that was refused, not the server.
        env["DAV_PASSWORD"] = secret
        assert CliRunner().invoke(main, ["config", "check"], env=env).exit_code == 0


def test_a_presenter_change_after_a_publish_is_told(store: Store, dav: CalDav, tmp_path: Path) -> None:
    """The shared calendar shows the presenter: a change that moves it is told, as after an export."""
    w = make_world(store, first=FAR)
    zoes = {s.id for s in w.sessions if s.presenter_id == w.zoe}
    assert (
        _cli(store, "Rust Lunch", "--url", dav.base + "/circles/invites/", tmp_path=tmp_path).exit_code == 0
    )
    with store.write() as db:
        members.remove_member(db, circle_id=w.circle.id, person_id=w.zoe)
    told = {c.session.id: c.exported_presenter for c in upkeep.presenter_changes(db)}
    assert zoes and zoes <= set(told) and {told[sid] for sid in zoes} == {"Zoë Ñandú"}

"""A real CalDAV server (Radicale on 127.0.0.1) stores our files: PUT creates (201), PUT of an
updated session to the same href replaces it (204), a cancellation marks it, and Radicale's own
expansion of a series puts every session at the instant zoneinfo gives."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from circles.ics.build import to_bytes
from circles.ics.model import Channel, Options
from circles.ics.series import series_calendar
from circles.services import invites, sessions
from models.store import Store
from tests.test_ics_consumers import ZONES, _dst_series
from tests.test_ics_export import _world


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Response:
    status: int
    body: bytes


class CalDav:
    def __init__(self, base: str, password: str = "circles") -> None:
        self.base = base
        self.auth = "Basic " + base64.b64encode(f"circles:{password}".encode()).decode()

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> Response:
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("Authorization", self.auth)
        for name, value in headers.items():
            req.add_header(name.replace("_", "-"), value)
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                return Response(resp.status, resp.read())
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read())

    def put(self, path: str, data: bytes) -> Response:
        return self.request("PUT", path, data, Content_Type="text/calendar; charset=utf-8")


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[CalDav]:
    """Radicale on a free loopback port, storing into a temporary folder, no authentication."""
    with radicale_server(tmp_path) as dav:
        yield dav


@contextmanager
def radicale_server(tmp_path: Path, *, password: str | None = None) -> Iterator[CalDav]:
    """Radicale as the fixture starts it; with ``password``, user circles must log in with it."""
    port = _free_port()
    log = (tmp_path / "radicale.log").open("wb")
    auth = ["--auth-type", "none"]
    if password is not None:
        users = tmp_path / "radicale.users"
        users.write_text(f"circles:{password}\n")
        auth = [
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
        ]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            *auth,
            "--rights-type",
            "owner_only",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Radicale did not start: {(tmp_path / 'radicale.log').read_text()}"
                    ) from None
                time.sleep(0.1)
        dav = CalDav(f"http://127.0.0.1:{port}", password or "circles")
        assert dav.request("MKCALENDAR", "/circles/invites/").status == 201
        yield dav
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _stored(dav: CalDav) -> list[icalendar.Event]:
    got = dav.request("GET", "/circles/invites/")
    assert got.status == 200
    return list(icalendar.Calendar.from_ical(got.body).walk("VEVENT"))


def test_put_creates_and_an_updated_session_replaces_it(radicale: CalDav, memory_store: Store) -> None:
    w = _world(memory_store)
    s = w.sessions[0]
    href = "/circles/invites/session-1.ics"
    with memory_store.write() as db:
        first = invites.export_session(db, s.id, channel="none").files[0].content
        moved = sessions.move_session(db, s, starts_at=s.starts_at + timedelta(hours=3))
        second = invites.export_session(db, s.id, channel="none").files[0].content
    assert radicale.put(href, first).status == 201
    assert radicale.put(href, second).status == 204
    (event,) = _stored(radicale)
    assert event["UID"] == s.ics_uid
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == moved.starts_at


def test_a_cancel_export_marks_the_session_on_the_server(radicale: CalDav, memory_store: Store) -> None:
    w = _world(memory_store)
    s = w.sessions[1]
    href = "/circles/invites/session-2.ics"
    with memory_store.write() as db:
        first = invites.export_session(db, s.id, channel="none").files[0].content
        # The cancel export itself: it cancels the session in the store and says so.
        cancel = invites.export_session(db, s.id, channel="cancel").files[0].content
        # What a CalDAV upload of the session carries from then on (no METHOD).
        upload = invites.export_session(db, s.id, channel="none").files[0].content
    assert radicale.put(href, first).status == 201
    assert radicale.put(href, cancel).status == 204
    (event,) = _stored(radicale)
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1 and event["UID"] == s.ics_uid
    assert radicale.put(href, upload).status == 204
    (event,) = _stored(radicale)
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1


_EXPAND = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data>
    <C:expand start="20250101T000000Z" end="20280101T000000Z"/>
  </C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20250101T000000Z" end="20280101T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


@pytest.mark.parametrize("tz", ZONES)
def test_radicale_expands_a_dst_crossing_series_where_zoneinfo_says(radicale: CalDav, tz: str) -> None:
    each, expected = _dst_series(tz)
    untitled = [i.session.__class__(**{**_slots(i.session), "title": ""}) for i in each.sessions]
    series = each.__class__(
        each.circle, tuple(i.__class__(s) for i, s in zip(each.sessions, untitled, strict=True))
    )
    data = to_bytes(series_calendar(series, Options(Channel.NONE, datetime(2026, 1, 1, tzinfo=UTC))))
    assert radicale.put("/circles/invites/series.ics", data).status == 201
    report = radicale.request(
        "REPORT", "/circles/invites/", _EXPAND.encode(), Depth="1", Content_Type="application/xml"
    )
    assert report.status == 207, report.body[:500]
    text = report.body.decode("utf-8")
    blocks = [b.split("</")[0] for b in text.split("calendar-data>")[1::2]]
    starts = []
    for block in blocks:
        cal = icalendar.Calendar.from_ical(_xml_unescape(block).strip())
        starts += [e["DTSTART"].dt.astimezone(UTC) for e in cal.walk("VEVENT")]
    assert sorted(starts) == expected


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _slots(s: object) -> dict[str, object]:
    return {name: getattr(s, name) for name in s.__slots__}  # type: ignore[attr-defined]

"""khal (`khal import --batch` into a fresh temporary calendar) takes our files as a person's calendar would:
updates replace the event, cancellations mark it, and DST changes land at the right instant."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from circles.services import invites, sessions
from models.store import Store
from tests.test_ics_consumers import ZONES, _dst_series, publish
from tests.test_ics_export import FAR_AHEAD, _world

KHAL = [sys.executable, "-m", "khal"]


@dataclass(frozen=True)
class KhalEvent:
    uid: str
    start: datetime
    end: datetime
    title: str
    cancelled: bool


class Khal:
    """khal with its own config, calendar folder and cache, all under a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.calendar = root / "calendar"
        self.calendar.mkdir(parents=True)
        self.config = root / "khal.conf"
        # Local and default zone UTC, so khal prints every start as a UTC instant.
        self.config.write_text(
            "[calendars]\n"
            "[[test]]\n"
            f"path = {self.calendar}\n"
            "type = calendar\n"
            "[locale]\n"
            "timeformat = %H:%M\n"
            "dateformat = %Y-%m-%d\n"
            "longdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%dT%H:%M\n"
            "longdatetimeformat = %Y-%m-%dT%H:%M\n"
            "local_timezone = UTC\n"
            "default_timezone = UTC\n"
            "[default]\n"
            "default_calendar = test\n"
            "[sqlite]\n"
            f"path = {root / 'khal.db'}\n",
            encoding="utf-8",
        )
        self.root = root

    def _run(self, *args: str) -> str:
        done = subprocess.run(
            [*KHAL, "-c", str(self.config), *args], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def import_(self, data: bytes, name: str = "invite.ics") -> None:
        path = self.root / name
        path.write_bytes(data)
        self._run("import", "--batch", "-a", "test", str(path))

    def import_many(self, files: dict[str, bytes]) -> None:
        paths = []
        for name, data in files.items():
            path = self.root / name
            path.write_bytes(data)
            paths.append(str(path))
        self._run("import", "--batch", "-a", "test", *paths)

    def events(self, start: str = "2020-01-01", end: str = "2040-01-01") -> list[KhalEvent]:
        fmt = "{uid}|{start}|{end}|{title}|{cancelled}"
        out = self._run("list", "--format", fmt, "--day-format", "", start, end)
        found = []
        for line in out.splitlines():
            if not line.strip():
                continue
            uid, start_text, end_text, title, cancelled = line.split("|")
            found.append(
                KhalEvent(
                    uid,
                    datetime.fromisoformat(start_text).replace(tzinfo=UTC),
                    datetime.fromisoformat(end_text).replace(tzinfo=UTC),
                    title,
                    bool(cancelled.strip()),
                )
            )
        return found

    def stored(self) -> list[str]:
        return sorted(p.read_text(encoding="utf-8") for p in self.calendar.glob("*.ics"))


@pytest.fixture
def khal(tmp_path: Path) -> Khal:
    return Khal(tmp_path / "khal")


@pytest.fixture
def world_store(tmp_path: Path) -> Store:
    from models.engine import sqlite_url

    store = Store.open(sqlite_url(tmp_path / "store.db"))
    yield store  # type: ignore[misc]
    store.close()


@pytest.mark.slow
def test_a_moved_session_replaces_the_old_one_in_khal(khal: Khal, memory_store: Store) -> None:
    w = _world(memory_store)
    s = w.sessions[0]
    with memory_store.write() as db:
        first = invites.export_session(db, s.id).files[0].content
        moved = sessions.move_session(db, s, starts_at=s.starts_at + timedelta(days=1, hours=2))
        second = invites.export_session(db, s.id).files[0].content
    khal.import_(first, "first.ics")
    assert [e.start for e in khal.events()] == [s.starts_at]
    khal.import_(second, "second.ics")
    (event,) = khal.events()
    assert event.uid == s.ics_uid
    assert event.start == moved.starts_at and event.end == moved.ends_at
    (stored,) = khal.stored()
    assert "SEQUENCE:1" in stored.splitlines()


@pytest.mark.slow
def test_a_cancel_marks_the_event_cancelled_in_khal(khal: Khal, memory_store: Store) -> None:
    w = _world(memory_store)
    s = w.sessions[1]
    with memory_store.write() as db:
        khal.import_(invites.export_session(db, s.id).files[0].content, "first.ics")
        khal.import_(invites.export_session(db, s.id, channel="cancel").files[0].content, "cancel.ics")
    (event,) = khal.events()
    assert event.uid == s.ics_uid and event.cancelled


@pytest.mark.slow
def test_khal_puts_dst_crossing_series_where_zoneinfo_says(khal: Khal) -> None:
    """Berlin, New York and Sydney, one event each and as a series, imported in one go."""
    expected: dict[str, list[datetime]] = {}
    files: dict[str, bytes] = {}
    for tz in ZONES:
        each, instants = _dst_series(tz)
        untitled = [i.session.__class__(**{**_slots(i.session), "title": ""}) for i in each.sessions]
        series = each.__class__(
            each.circle, tuple(i.__class__(s) for i, s in zip(each.sessions, untitled, strict=True))
        )
        files[f"{tz.replace('/', '-')}-each.ics"] = publish(each)
        files[f"{tz.replace('/', '-')}-series.ics"] = publish(series, recurring=True)
        for i in each.sessions:
            expected[i.session.ics_uid] = [i.session.starts_at]
        expected[each.circle.ics_series_uid] = instants
    khal.import_many(files)
    got: dict[str, set[datetime]] = {}
    for e in khal.events():
        # An evening in New York runs past midnight UTC: khal lists it under both days.
        got.setdefault(e.uid, set()).add(e.start)
    assert {uid: sorted(starts) for uid, starts in got.items()} == expected


def _slots(s: object) -> dict[str, object]:
    return {name: getattr(s, name) for name in s.__slots__}  # type: ignore[attr-defined]


def test_the_cli_file_imports_into_khal(khal: Khal, world_store: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from circles.cli import main

    w = _world(world_store, first=FAR_AHEAD)
    out = tmp_path / "rust.ics"
    url = world_store.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        main, ["--db", url, "export", "ics", "--circle", "Rust Lunch", "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    khal.import_(out.read_bytes())
    assert sorted(e.uid for e in khal.events()) == sorted(s.ics_uid for s in w.sessions)

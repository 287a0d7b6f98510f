"""Independent calendar consumers read our .ics files: the adapters every ics test shares, and
the weekly series across daylight-saving changes landing on the instants zoneinfo gives.

Each consumer is installed the ordinary way: vobject, ics-py, ical, recurring-ical-events and
khal from PyPI (dev group), ical.js from npm and libical from Debian (.ci/install-calendar-tools).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from ical.calendar_stream import IcsCalendarStream
from ics import Calendar as IcsPyCalendar

from circles.ics.build import session_calendar, to_bytes
from circles.ics.model import Channel, CircleInvites, Options, SessionInvite
from circles.ics.series import series_calendar
from circles.views import CircleView, SessionView
from models.enums import CircleKind, SessionStatus

REPO = Path(__file__).resolve().parent.parent
JS_DIR = REPO / "tests" / "js"
SYSTEM_PYTHON = Path("/usr/bin/python3")
STAMP = datetime(2026, 1, 20, 8, 0, tzinfo=UTC)
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(2040, 1, 1, tzinfo=UTC)


# --- read models made by hand, so the builders are tested without a store -------------------


def circle_view(tz: str = "Europe/Berlin", **changes: object) -> CircleView:
    values: dict[str, object] = {
        "id": 1,
        "name": "Rust Lunch",
        "kind": CircleKind.LUNCH_AND_LEARN,
        "description": "",
        "timezone": tz,
        "location": "Room 4",
        "video_url": "https://meet.example.org/rust",
        "cadence": None,
        "default_minutes": 60,
        "reminder_minutes": 15,
        "facilitator_id": None,
        "facilitator_name": None,
        "facilitator_email": None,
        "archived": False,
        "ics_series_uid": f"series-{tz.replace('/', '-').lower()}@circles",
        "ics_series_sequence": 0,
        "version": 1,
    }
    values.update(changes)
    return CircleView(**values)  # type: ignore[arg-type]


def session_view(circle: CircleView, n: int, when: datetime, **changes: object) -> SessionView:
    """A session planned at ``when``; ``starts_at=`` in ``changes`` moves it elsewhere."""
    values: dict[str, object] = {
        "id": n,
        "circle_id": circle.id,
        "circle_name": circle.name,
        "circle_kind": circle.kind,
        "timezone": circle.timezone,
        "starts_at": when.astimezone(UTC),
        "minutes": 60,
        "title": f"Talk {n}",
        "location": circle.location,
        "video_url": circle.video_url,
        "status": SessionStatus.SCHEDULED,
        "ics_uid": f"session-{n}-{circle.ics_series_uid}",
        "ics_sequence": 0,
        "planned_starts_at": when.astimezone(UTC),
        "presenter_id": None,
        "presenter_name": None,
        "presenter_source": None,
        "notes": "",
        "version": 1,
    }
    values.update(changes)
    return SessionView(**values)  # type: ignore[arg-type]


def weekly(tz: str, first_local: datetime, count: int) -> list[datetime]:
    """Wall-clock weekly starts in ``tz``, as zoneinfo places them (the expected instants)."""
    zone = ZoneInfo(tz)
    return [(first_local + timedelta(weeks=i)).replace(tzinfo=zone) for i in range(count)]


def invites_for(circle: CircleView, sessions: Sequence[SessionView]) -> CircleInvites:
    return CircleInvites(circle, tuple(SessionInvite(s) for s in sessions))


def publish(invites: CircleInvites, *, channel: Channel = Channel.PUBLISH, recurring: bool = False) -> bytes:
    options = Options(channel, STAMP)
    if recurring:
        return to_bytes(series_calendar(invites, options))
    return to_bytes(session_calendar(invites, options, calendar_name=invites.circle.name))


# --- the consumers ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Occurrence:
    uid: str
    start: datetime  # UTC
    end: datetime  # UTC
    summary: str
    status: str | None = None
    sequence: int | None = None


def _utc(value: datetime) -> datetime:
    assert value.tzinfo is not None, f"floating time {value!r}"
    return value.astimezone(UTC)


def _apply_overrides(
    rule_starts: dict[str, list[datetime]],
    overrides: list[tuple[str, datetime, Occurrence]],
    length: dict[str, timedelta],
    masters: dict[str, Occurrence],
) -> list[Occurrence]:
    """What a calendar shows: the rule's instants, each replaced by its override if it has one."""
    replaced = {(uid, rid): occ for uid, rid, occ in overrides}
    found = []
    for uid, starts in rule_starts.items():
        for start in starts:
            occ = replaced.pop((uid, start), None)
            if occ is None:
                m = masters[uid]
                occ = Occurrence(uid, start, start + length[uid], m.summary, m.status, m.sequence)
            found.append(occ)
    return found + list(replaced.values())


def by_vobject(data: bytes) -> list[Occurrence]:
    cal = vobject.readOne(data.decode("utf-8"))
    rule_starts: dict[str, list[datetime]] = {}
    overrides, lengths, masters, found = [], {}, {}, []
    for ev in cal.vevent_list:
        occ = Occurrence(
            ev.uid.value,
            _utc(ev.dtstart.value),
            _utc(ev.dtend.value),
            ev.summary.value,
            ev.status.value if hasattr(ev, "status") else None,
            int(ev.sequence.value) if hasattr(ev, "sequence") else None,
        )
        if hasattr(ev, "recurrence_id"):
            overrides.append((occ.uid, _utc(ev.recurrence_id.value), occ))
        elif hasattr(ev, "rrule") or hasattr(ev, "rdate"):
            rule_starts[occ.uid] = [_utc(d) for d in ev.getrruleset(addRDate=True)]
            lengths[occ.uid] = occ.end - occ.start
            masters[occ.uid] = occ
        else:
            found.append(occ)
    return found + _apply_overrides(rule_starts, overrides, lengths, masters)


def by_ics_py(data: bytes) -> list[Occurrence]:
    """ics-py does not expand recurrence rules: it reads each VEVENT as it stands."""
    cal = IcsPyCalendar(data.decode("utf-8"))
    return [
        Occurrence(
            ev.uid,
            _utc(ev.begin.datetime),
            _utc(ev.end.datetime),
            ev.name,
            ev.status,
        )
        for ev in cal.events
    ]


def by_ical(data: bytes) -> list[Occurrence]:
    cal = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return [
        Occurrence(
            ev.uid or "",
            _utc(ev.start),  # type: ignore[arg-type]
            _utc(ev.end),  # type: ignore[arg-type]
            ev.summary or "",
            ev.status.value if ev.status else None,
            ev.sequence,
        )
        for ev in cal.timeline
    ]


def by_recurring_ical_events(data: bytes) -> list[Occurrence]:
    cal = icalendar.Calendar.from_ical(data)
    return [
        Occurrence(
            str(ev["UID"]),
            _utc(ev.start),
            _utc(ev.end),
            str(ev.get("SUMMARY", "")),
            str(ev["STATUS"]) if "STATUS" in ev else None,
            int(ev["SEQUENCE"]) if "SEQUENCE" in ev else None,
        )
        for ev in recurring_ical_events.of(cal).between(FAR_PAST, FAR_FUTURE)
    ]


def icaljs_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (.ci/install-calendar-tools needs npm)"
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        return "ical.js is not installed: run .ci/install-calendar-tools"
    return None


def by_icaljs(data: bytes, tmp_path: Path) -> list[Occurrence]:
    path = tmp_path / "icaljs-input.ics"
    path.write_bytes(data)
    out = subprocess.run(
        ["node", str(JS_DIR / "consume.mjs"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [
        Occurrence(
            e["uid"],
            datetime.fromisoformat(e["start"].replace("Z", "+00:00")),
            datetime.fromisoformat(e["end"].replace("Z", "+00:00")),
            e["summary"],
            e["status"],
            e["sequence"],
        )
        for e in json.loads(out)
    ]


_LIBICAL_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import gi
    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib as I

    text = open(sys.argv[1], encoding="utf-8").read()
    cal = I.Component.new_from_string(text)
    if cal is None:
        print(json.dumps({"error": "libical could not parse the file"}))
        sys.exit(0)
    errors = [line for line in cal.as_ical_string().splitlines() if line.startswith("X-LIC-ERROR")]
    utc = I.Timezone.get_utc_timezone()
    def instant(t, prop=None):
        zone = t.get_timezone()
        if zone is None and prop is not None:
            # RECURRENCE-ID comes back without its zone: resolve its TZID in this calendar.
            param = prop.get_first_parameter(I.ParameterKind.TZID_PARAMETER)
            if param is not None:
                zone = cal.get_timezone(param.get_tzid())
        return t.as_timet_with_zone(zone if zone is not None else utc)
    events = []
    ev = cal.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
    while ev is not None:
        item = {
            "uid": ev.get_uid(),
            "start": instant(ev.get_dtstart()),
            "end": instant(ev.get_dtend()),
            "summary": ev.get_summary(),
            "status": ev.get_first_property(I.PropertyKind.STATUS_PROPERTY).get_value_as_string()
                if ev.get_first_property(I.PropertyKind.STATUS_PROPERTY) else None,
            "sequence": ev.get_sequence(),
            "rid": None,
            "rule": None,
        }
        rid = ev.get_first_property(I.PropertyKind.RECURRENCEID_PROPERTY)
        if rid is not None:
            item["rid"] = instant(rid.get_recurrenceid(), rid)
        elif ev.get_first_property(I.PropertyKind.RRULE_PROPERTY) is not None:
            spans = []
            ev.foreach_recurrence(
                I.Time.new_from_string("20000101T000000Z"),
                I.Time.new_from_string("20400101T000000Z"),
                lambda comp, span, data: spans.append(span.get_start()),
                None,
            )
            item["rule"] = spans
        events.append(item)
        ev = cal.get_next_component(I.ComponentKind.VEVENT_COMPONENT)
    print(json.dumps({"errors": errors, "events": events}))
    """
)


def libical_missing() -> str | None:
    if not SYSTEM_PYTHON.exists():
        return "no system python3 for the libical bindings"
    probe = subprocess.run(
        [
            str(SYSTEM_PYTHON),
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
    )
    if probe.returncode != 0:
        return (
            "libical's GObject bindings (gir1.2-ical-3.0, python3-gi) are missing: "
            "run .ci/install-calendar-tools"
        )
    return None


def by_libical(data: bytes, tmp_path: Path) -> list[Occurrence]:
    path = tmp_path / "libical-input.ics"
    path.write_bytes(data)
    out = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", _LIBICAL_SCRIPT, str(path)], capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out)
    assert "error" not in result, result
    assert result["errors"] == [], f"libical reported {result['errors']}"

    def when(t: int) -> datetime:
        return datetime.fromtimestamp(t, UTC)

    rule_starts: dict[str, list[datetime]] = {}
    overrides, lengths, masters, found = [], {}, {}, []
    for e in result["events"]:
        occ = Occurrence(e["uid"], when(e["start"]), when(e["end"]), e["summary"], e["status"], e["sequence"])
        if e["rid"] is not None:
            overrides.append((occ.uid, when(e["rid"]), occ))
        elif e["rule"] is not None:
            rule_starts[occ.uid] = [when(t) for t in e["rule"]]
            lengths[occ.uid] = occ.end - occ.start
            masters[occ.uid] = occ
        else:
            found.append(occ)
    return found + _apply_overrides(rule_starts, overrides, lengths, masters)


_LIBICAL_ITIP_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import gi
    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib as I

    cal = I.Component.new_from_string(open(sys.argv[1], encoding="utf-8").read())
    passed = bool(cal.check_restrictions())  # icalrestriction_check: RFC 5546 for the METHOD
    text = cal.as_ical_string().replace("\\r\\n ", "")  # unfolded
    problems = [line.split(":", 1)[1] for line in text.splitlines() if line.startswith("X-LIC-ERROR")]
    print(json.dumps({"passed": passed, "problems": problems}))
    """
)


def libical_itip_problems(data: bytes, tmp_path: Path) -> list[str]:
    """What libical's iTIP restriction check (RFC 5546, for the file's METHOD) finds wrong.

    Thunderbird, Evolution and GNOME Calendar use libical; a file that fails this check is
    one they may refuse to process as an invitation, a publication or a cancellation.
    """
    reason = libical_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"libical should have been installed by .ci/install-calendar-tools: {reason}")
        pytest.skip(reason)
    path = tmp_path / "libical-itip.ics"
    path.write_bytes(data)
    out = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", _LIBICAL_ITIP_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    assert result["passed"] == (result["problems"] == []), result
    return list(result["problems"])


Consumer = Callable[[bytes, Path], list[Occurrence]]
# ics-py cannot expand RRULEs, so it reads only files with one event per session.
CONSUMERS: dict[str, tuple[Consumer, bool]] = {
    "vobject": (lambda d, _: by_vobject(d), True),
    "ics-py": (lambda d, _: by_ics_py(d), False),
    "ical": (lambda d, _: by_ical(d), True),
    "recurring-ical-events": (lambda d, _: by_recurring_ical_events(d), True),
    "ical.js": (by_icaljs, True),
    "libical": (by_libical, True),
}


def consumer(name: str) -> Consumer:
    reason = {"ical.js": icaljs_missing, "libical": libical_missing}.get(name, lambda: None)()
    if reason:
        if os.environ.get("CI"):
            # .ci/run installs these: missing there means its install step broke.
            pytest.fail(f"{name} should have been installed by .ci/install-calendar-tools: {reason}")
        pytest.skip(reason)
    return CONSUMERS[name][0]


def starts(occurrences: list[Occurrence]) -> list[datetime]:
    return sorted(o.start for o in occurrences)


# --- daylight-saving changes -----------------------------------------------------------------

# Weekly at 18:30 from late February to mid-November 2026: every zone changes its clocks twice
# (Berlin 29 Mar / 25 Oct, New York 8 Mar / 1 Nov, Sydney 5 Apr / 4 Oct).
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
FIRST = datetime(2026, 2, 24, 18, 30)
COUNT = 38


def _dst_series(tz: str) -> tuple[CircleInvites, list[datetime]]:
    circle = circle_view(tz)
    local = weekly(tz, FIRST, COUNT)
    sessions = [session_view(circle, n, start) for n, start in enumerate(local, start=1)]
    return invites_for(circle, sessions), [s.astimezone(UTC) for s in local]


def test_the_series_crosses_both_daylight_saving_changes() -> None:
    for tz in ZONES:
        _, expected = _dst_series(tz)
        offsets = {(e.astimezone(ZoneInfo(tz)).utcoffset()) for e in expected}
        assert len(offsets) == 2, f"{tz}: the test series must span a DST change each way"


@pytest.mark.parametrize("name", list(CONSUMERS))
@pytest.mark.parametrize("tz", ZONES)
def test_one_event_per_session_lands_where_zoneinfo_says(tz: str, name: str, tmp_path: Path) -> None:
    read = consumer(name)
    invites, expected = _dst_series(tz)
    got = read(publish(invites), tmp_path)
    assert starts(got) == expected
    assert all(o.end - o.start == timedelta(hours=1) for o in got)


@pytest.mark.parametrize("name", [n for n, (_, expands) in CONSUMERS.items() if expands])
@pytest.mark.parametrize("tz", ZONES)
def test_a_recurring_series_lands_where_zoneinfo_says(tz: str, name: str, tmp_path: Path) -> None:
    read = consumer(name)
    invites, expected = _dst_series(tz)
    # Plain sessions (no title, notes or agenda) need no override: the rule alone places them.
    plain = CircleInvites(
        invites.circle,
        tuple(
            SessionInvite(s.session.__class__(**{**_fields(s.session), "title": ""}))
            for s in invites.sessions
        ),
    )
    data = publish(plain, recurring=True)
    assert data.count(b"BEGIN:VEVENT") == 1, "plain sessions should all come from the rule"
    assert starts(read(data, tmp_path)) == expected


def _fields(s: SessionView) -> dict[str, object]:
    return {name: getattr(s, name) for name in s.__slots__}  # type: ignore[attr-defined]

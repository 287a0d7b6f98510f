"""The recurring export expands to exactly the scheduled sessions: moved ones moved, cancelled ones gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from circles.ics.model import CircleInvites, SessionInvite
from circles.ics.series import plan_series, series_sequence
from models.enums import SessionStatus
from tests.test_ics_consumers import CONSUMERS, circle_view, consumer, publish, session_view, weekly

TZ = "America/New_York"
ZONE = ZoneInfo(TZ)


def _series(*, every: int = 1) -> tuple[CircleInvites, dict[str, datetime]]:
    """Eight slots from 24 Feb 2026 across the March DST change: slot 3 moved to a Wednesday
    evening, slot 5 cancelled, slot 6 never planned (a holiday), plus a session off the grid."""
    circle = circle_view(TZ, default_minutes=45)
    slots = weekly(TZ, datetime(2026, 2, 24, 12, 0), 8 * every)[::every]
    moved_to = (slots[2] + timedelta(days=1)).replace(hour=18)
    sessions = []
    for n, slot in enumerate(slots, start=1):
        if n == 6:
            continue
        changes: dict[str, object] = {"minutes": 45}
        if n == 3:
            changes.update(starts_at=moved_to.astimezone(UTC), ics_sequence=1)
        if n == 5:
            changes.update(status=SessionStatus.CANCELLED, ics_sequence=1)
        sessions.append(session_view(circle, n, slot, **changes))
    extra = datetime(2026, 3, 13, 9, 0, tzinfo=ZONE)  # a Friday morning special
    sessions.append(session_view(circle, 99, extra, minutes=45, title="Special"))
    sessions.sort(key=lambda s: s.starts_at)
    kept = {s.title: s.starts_at for s in sessions if s.status is not SessionStatus.CANCELLED}
    return CircleInvites(circle, tuple(SessionInvite(s) for s in sessions)), kept


def test_the_plan_has_a_rule_exdates_and_the_special_apart() -> None:
    invites, _ = _series()
    plan = plan_series(invites)
    assert plan.interval_weeks == 1
    assert plan.first == datetime(2026, 2, 24, 12, 0, tzinfo=ZONE)
    assert [d.date().isoformat() for d in plan.exdates] == ["2026-03-24", "2026-03-31"]
    assert plan.extras == (99,)
    assert plan.until == datetime(2026, 4, 14, 12, 0, tzinfo=ZONE).astimezone(UTC)


def test_the_file_has_rrule_exdates_and_one_override_per_changed_session() -> None:
    invites, kept = _series()
    cal = icalendar.Calendar.from_ical(publish(invites, recurring=True))
    events = list(cal.walk("VEVENT"))
    masters = [e for e in events if "RECURRENCE-ID" not in e and e["UID"] == invites.circle.ics_series_uid]
    assert len(masters) == 1
    (special,) = [e for e in events if e["UID"] != invites.circle.ics_series_uid]
    assert str(special["SUMMARY"]) == "Rust Lunch: Special" and "RRULE" not in special
    master = masters[0]
    assert master["UID"] == invites.circle.ics_series_uid
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["UNTIL"][0].tzinfo is not None
    overrides = [e for e in events if "RECURRENCE-ID" in e]
    assert len(overrides) == len(kept) - 1  # every kept session but the special has its own title
    moved = next(e for e in overrides if str(e["SUMMARY"]).endswith("Talk 3"))
    assert moved["RECURRENCE-ID"].dt == datetime(2026, 3, 10, 12, 0, tzinfo=ZONE)
    assert moved["DTSTART"].dt == datetime(2026, 3, 11, 18, 0, tzinfo=ZONE)
    assert {e["SEQUENCE"] for e in [master, *overrides]} == {series_sequence(invites)}
    exdates = master["EXDATE"] if isinstance(master["EXDATE"], list) else [master["EXDATE"]]
    assert sorted(d.dt for e in exdates for d in e.dts) == [
        datetime(2026, 3, 24, 12, 0, tzinfo=ZONE),  # cancelled
        datetime(2026, 3, 31, 12, 0, tzinfo=ZONE),  # never planned
    ]


@pytest.mark.parametrize("name", [n for n, (_, expands) in CONSUMERS.items() if expands])
@pytest.mark.parametrize("every", [1, 2])
def test_expanding_the_series_gives_exactly_the_sessions(name: str, every: int, tmp_path: Path) -> None:
    read = consumer(name)
    invites, kept = _series(every=every)
    got = read(publish(invites, recurring=True), tmp_path)
    by_summary = {o.summary.removeprefix("Rust Lunch: "): o for o in got}
    assert len(got) == len(kept), [o.summary for o in got]
    assert {k: o.start for k, o in by_summary.items()} == {k: v.astimezone(UTC) for k, v in kept.items()}
    assert "Talk 5" not in by_summary and "Talk 6" not in by_summary
    assert all(o.end - o.start == timedelta(minutes=45) for o in got)


def test_the_series_sequence_rises_when_a_session_changes_or_is_added() -> None:
    invites, _ = _series()
    before = series_sequence(invites)
    first = invites.sessions[0].session
    bumped = SessionInvite(first.__class__(**{**_fields(first), "ics_sequence": first.ics_sequence + 1}))
    changed = CircleInvites(invites.circle, (bumped, *invites.sessions[1:]))
    assert series_sequence(changed) == before + 1
    added = CircleInvites(invites.circle, (*invites.sessions, SessionInvite(_later(invites))))
    assert series_sequence(added) == before + 1


def _later(invites: CircleInvites):  # type: ignore[no-untyped-def]
    last = invites.sessions[-1].session
    return last.__class__(
        **{
            **_fields(last),
            "id": 1000,
            "ics_uid": "later@circles",
            "starts_at": last.starts_at + timedelta(weeks=1),
            "planned_starts_at": last.planned_starts_at + timedelta(weeks=1),
        }
    )


def _fields(s: object) -> dict[str, object]:
    return {name: getattr(s, name) for name in s.__slots__}  # type: ignore[attr-defined]

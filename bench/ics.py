"""Benchmark: the .ics export of a circle with 500 sessions and 30 members (an invite to
e-mail, so every event lists every member) against the icalendar library building the
same events bare from data already in memory, in the same run. Target: within 1.3x.

    uv run python bench/ics.py [--runs 5] [--backend sqlite|postgresql]

On PostgreSQL the circle is kept in a database of its own beside the large demo's; the baseline,
which reads nothing, is the same on both.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CACHE, add_backend, median_seconds, report, store_for

STORE = CACHE / "ics-500x30.db"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def build(url) -> None:  # type: ignore[no-untyped-def]
    from circles.services import attendance, circle_records, members, people, planning, series
    from models.store import Store

    store = Store.open(url, clock=lambda: NOW)
    with store.write() as db:
        facilitator = people.add_person(db, name="Fay Facilitator", email="fay@example.org")
        c = circle_records.add_circle(
            db,
            name="Rust Lunch",
            kind="lunch-and-learn",
            timezone="Europe/Berlin",
            location="Room Ada",
            video_url="https://meet.example.org/rust",
            facilitator_id=facilitator.id,
        )
        series.set_cadence(db, c, "weekly on tue at 12:00")
        for i in range(29):
            p = people.add_person(db, name=f"Member {i:02d}", email=f"m{i}@example.org")
            members.add_member(db, circle_id=c.id, person_id=p.id)
        first = planning.plan_sessions(db, circle_id=c.id, count=200, start=NOW.date() + timedelta(days=1))
        planning.plan_sessions(db, circle_id=c.id, count=200)
        planning.plan_sessions(db, circle_id=c.id, count=100)
        for s in first.sessions[:50]:
            attendance.set_rsvp(db, session_id=s.id, person_id=facilitator.id, rsvp="yes")
    store.close()


def bare(invites: list[dict], tzid: str) -> bytes:
    """The same events with nothing but icalendar: what any exporter has to do at least."""
    from icalendar import Alarm, Calendar, Event, vCalAddress, vText

    cal = Calendar()
    cal.add("prodid", "-//bench//bare//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    cal.add_missing_timezones()
    for i in invites:
        event = Event()
        event.add("summary", i["summary"])
        event.add("dtstart", i["start"], parameters={"TZID": tzid})
        event.add("dtend", i["end"], parameters={"TZID": tzid})
        event.add("dtstamp", NOW)
        event.add("uid", i["uid"])
        event.add("sequence", i["sequence"])
        event.add("description", i["description"])
        event.add("location", i["location"])
        event.add("url", i["url"])
        event.add("categories", [i["kind"]])
        organizer = vCalAddress("mailto:fay@example.org")
        organizer.params["cn"] = vText("Fay Facilitator")
        event.add("organizer", organizer)
        for name, email in i["attendees"]:
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["cn"] = vText(name)
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("TRUE")
            event.add("attendee", attendee)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(minutes=-15))
        alarm.add("description", i["summary"])
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    add_backend(parser)
    args = parser.parse_args()
    url = store_for(args.backend, STORE, build)

    from circles.services import agenda, circle_records, invites, members, sessions
    from models.store import Store

    store = Store.open(url, clock=lambda: NOW)
    size = 0

    def ours() -> None:
        nonlocal size
        with store.write() as db:
            export = invites.export_circle(db, 1, channel="request")
        size = len(export.files[0].content)
        assert export.files[0].events == 500

    with store.read() as db:  # the bare build gets its data handed to it, ready made
        circle = circle_records.get_circle(db, 1)
        people = [(m.name, m.email) for m in members.list_members(db, 1)]
        data = [
            {
                "summary": f"{circle.name}: {s.title}",
                "start": s.local_start.replace(tzinfo=None),
                "end": (s.local_start + timedelta(minutes=s.minutes)).replace(tzinfo=None),
                "uid": s.ics_uid,
                "sequence": s.ics_sequence,
                "description": "\n".join(
                    f"- {i.title} ({i.presenter_name}), {i.minutes} min" for i in agenda.list_items(db, s.id)
                ),
                "location": s.location,
                "url": s.video_url,
                "kind": circle.kind.label,
                "attendees": people,
            }
            for s in sessions.list_sessions(db, circle_id=1)
        ]

    ours()
    took = median_seconds(ours, args.runs)
    base = median_seconds(lambda: bare(data, circle.timezone), args.runs)
    report(
        f"ics export, 500 sessions x 30 members ({size / 1e6:.1f} MB)",
        f"{took:.2f} s",
        f"bare icalendar {base:.2f} s",
        took / base,
        "<= 1.3",
    )


if __name__ == "__main__":
    main()

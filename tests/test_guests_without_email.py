"""A guest checked in by name alone has no e-mail address: everything that lists people copes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import icalendar
from click.testing import CliRunner

from circles.cli import main
from circles.exports.attendance import ExportFormat, write_attendance
from circles.services import attendance, invites, lookups, members
from circles.services.reports import Scope
from models.store import Store
from tests import factories
from tests.test_ics_consumers import consumer


def _circle_with_a_guest_member(store: Store):
    """Ana facilitates Rust Lunch; Grace, a guest with no address, is a member and walked in once."""
    ana = factories.person(store, "Ana López", "ana@example.org")
    c = factories.circle(store, "Rust Lunch", facilitator_id=ana.id)
    held = factories.session(store, c, "2026-03-03 08:00", title="Ownership")
    upcoming = factories.session(store, c, "2026-03-10 12:00", title="Borrowing")
    with store.write() as db:
        grace = attendance.check_in_walk_in(db, session_id=held.id, name="Grace Hopper")
        members.add_member(db, circle_id=c.id, person_id=grace.id)
    return c, held, upcoming, grace


def test_an_invite_leaves_out_whoever_has_no_address_and_stays_valid(store, clock, tmp_path: Path):
    c, _, upcoming, _ = _circle_with_a_guest_member(store)
    with store.read() as db:
        (file,) = invites.export_session(db, upcoming.id, channel="request").files
        series = invites.export_circle(db, c.id, channel="request", recurring=True).files[0].content
    (event,) = icalendar.Calendar.from_ical(file.content).walk("VEVENT")
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ana@example.org"]
    assert b"Grace" not in series.split(b"DESCRIPTION")[0]  # no ATTENDEE line for her in the series
    assert b"mailto:none" not in file.content and b"mailto:\r\n" not in file.content
    consumer("libical")(file.content, tmp_path)  # libical reports no error


def test_exports_and_lists_show_an_empty_address(store, clock):
    _circle_with_a_guest_member(store)
    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope(), fmt=ExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    held = [(r["person"], r["email"], r["attended"]) for r in rows if r["session title"] == "Ownership"]
    assert held == [("Grace Hopper", "", "present")]

    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope(), fmt=ExportFormat.JSONL)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    (row,) = [r for r in lines if r["person"] == "Grace Hopper" and r["title"] == "Ownership"]
    assert row["email"] is None and row["attended"] == "present"

    out = io.BytesIO()
    with store.read() as db:
        write_attendance(db, out, scope=Scope(), fmt=ExportFormat.CSV, summary=True)
    summary = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert ("Grace Hopper", "") in [(r["person"], r["email"]) for r in summary]

    with store.read() as db:
        found = lookups.search_everything(db, "grace")
    assert [(f.kind, f.label, f.detail) for f in found if f.kind == "person"] == [
        ("person", "Grace Hopper", "guest")
    ]


def test_the_cli_adds_and_lists_a_guest_without_an_address(store):
    url = store.url.render_as_string(hide_password=False)
    runner = CliRunner()
    result = runner.invoke(main, ["--db", url, "person", "add", "Grace Hopper", "--guest"])
    assert result.exit_code == 0, result.output
    assert "Added Grace Hopper (id" in result.output and "<" not in result.output
    result = runner.invoke(main, ["--db", url, "person", "add", "Ana López"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "circles: --email is required for anyone who is not a guest."
    result = runner.invoke(main, ["--db", url, "person", "list"])
    assert result.exit_code == 0 and "Grace Hopper" in result.output and "None" not in result.output
    result = runner.invoke(main, ["--db", url, "person", "list", "--json"])
    assert json.loads(result.output)[0]["email"] is None

"""The rotation commands end to end: a real `circles` process on a scratch store.

Marked slow: each command is a fresh process (about a second each).
"""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from circles.services import sessions
from models.engine import sqlite_url
from models.store import Store
from tests import factories, forked


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db

    def run(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = forked.run_circles(
            ["--db", str(self.db), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == code, f"{args}: {done.stdout}{done.stderr}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "circles.db")
    for name in ("Ana", "Bob", "Cleo", "Dev"):
        c.run("person", "add", name, "--email", f"{name.lower()}@example.org")
    c.run("person", "add", "Grace", "--email", "grace@example.org", "--guest")
    c.run("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    for name in ("Ana", "Bob", "Cleo", "Dev"):
        c.run("member", "add", "Rust Lunch", f"{name.lower()}@example.org")
    return c


def _hold_once_over(db: Path, session_id: str) -> None:
    """``circles rotation hold SESSION_ID`` as it runs once the session has taken place: the
    service on the store's clock (circles/services/clock.py) at the session's end."""
    store = Store.open(sqlite_url(db))
    try:
        with store.write() as unit:
            factories.hold(unit, sessions.get_session(unit, int(session_id)))
    finally:
        store.close()


@pytest.mark.slow
def test_cadence_plan_preview_away_swap_and_ledger(cli: Cli) -> None:
    bad = cli.run("circle", "cadence", "Rust Lunch", "weekly on tusday at 12:00", code=1)
    assert "'tusday' is not a weekday" in bad.stderr
    assert "Traceback" not in bad.stderr
    shown = cli.run("circle", "cadence", "Rust Lunch", "Weekly on Tuesday at 12:00 for 45 min").stdout
    assert "Rust Lunch meets weekly on tue at 12:00 for 45m (Europe/Berlin)." in shown

    preview = cli.json("rotation", "show", "Rust Lunch", "--next", "12")
    assert [r["planned"] for r in preview] == [False] * 12
    skip_day = date.fromisoformat(preview[3]["starts_at"][:10])
    cli.run("circle", "skip", "Rust Lunch", skip_day.isoformat(), "--reason", "holiday")

    planned = cli.run("session", "plan", "Rust Lunch", "--count", "10").stdout
    assert planned.count("Planned session") == 10
    assert f"Skipped {skip_day:%a %d %b %Y} (holiday)." in planned

    before = cli.json("rotation", "show", "Rust Lunch", "--next", "10")
    assert all(r["planned"] for r in before)
    assert [r["presenter_name"] for r in before[:5]] == ["Ana", "Bob", "Cleo", "Dev", "Ana"]
    assert before[4]["reason"].startswith("last presented ")
    assert skip_day.isoformat() not in {r["starts_at"][:10] for r in before}
    sessions = cli.json("session", "list", "Rust Lunch")
    assert [s["presenter_name"] for s in sessions] == [r["presenter_name"] for r in before]

    # Bob is away on his date: Cleo moves up, Bob is first in line once back.
    bob_day = before[1]["starts_at"][:10]
    cli.run("away", "add", "bob@example.org", "--from", bob_day, "--to", bob_day, "--reason", "dentist")
    after_away = cli.json("rotation", "show", "Rust Lunch", "--next", "10")
    assert [r["presenter_name"] for r in after_away[:4]] == ["Ana", "Cleo", "Bob", "Dev"]
    assert "Bob away until" in after_away[1]["reason"] and "(dentist)" in after_away[1]["reason"]

    ids = [str(r["session_id"]) for r in after_away]
    swapped = cli.run("rotation", "swap", ids[2], ids[3]).stdout
    assert "Swapped: Dev presents" in swapped
    after_swap = cli.json("rotation", "show", "Rust Lunch", "--next", "10")
    assert [r["presenter_name"] for r in after_swap[:4]] == ["Ana", "Cleo", "Dev", "Bob"]
    assert after_swap[2]["how"] == "manual"
    assert after_swap[2]["reason"].startswith("swap: Bob gave ")
    assert [r["swapped_with"] for r in after_swap[2:5]] == [int(ids[3]), int(ids[2]), None]

    assigned = cli.run("rotation", "assign", ids[5], "grace@example.org").stdout
    assert "guest speaker, nobody's turn" in assigned
    # A session is held once it has taken place: these are to come on the real clock, which
    # the command line reads, so they are held on the store's clock moved to their end.
    refused = cli.run("rotation", "hold", ids[0], code=1)
    assert refused.stderr.startswith("circles: The session Rust Lunch, ")
    assert refused.stderr.endswith(" has not started yet: it is marked held once it has taken place.\n")
    _hold_once_over(cli.db, ids[0])
    since = before[0]["starts_at"][:10]
    table = cli.run("rotation", "ledger", "Rust Lunch", "--since", since).stdout
    assert "1 session held in this range, 0 by guest speakers." in table
    _hold_once_over(cli.db, ids[1])
    ledger = {r["name"]: r for r in cli.json("rotation", "ledger", "Rust Lunch")}
    assert (ledger["Ana"]["times_presented"], ledger["Cleo"]["times_presented"]) == (1, 1)
    away_day = date.fromisoformat(bob_day)
    assert ledger["Bob"]["skips"][0] == [bob_day, f"away until {away_day.day} {away_day:%b} (dentist)"]
    assert (ledger["Bob"]["swaps_given"], ledger["Dev"]["swaps_taken"]) == (1, 1)
    table = cli.run("rotation", "ledger", "Rust Lunch", "--since", before[0]["starts_at"][:10]).stdout
    assert "2 sessions held in this range, 0 by guest speakers." in table


@pytest.mark.slow
def test_templates_and_errors_are_one_line(cli: Cli) -> None:
    shown = cli.run("rotation", "template", "Rust Lunch").stdout
    assert "the default for a lunch and learn" in shown and "Talk (30 min)  <- presenter" in shown
    cli.run("rotation", "template", "Rust Lunch", "Welcome:5", "Demo:40:presenter", "Q&A")
    assert "Demo (40 min)  <- presenter" in cli.run("rotation", "template", "Rust Lunch").stdout
    bad_item = cli.run("rotation", "template", "Rust Lunch", "Demo:forty:minutes", code=1)
    assert bad_item.stderr.startswith("circles: item 1 'Demo:forty:minutes' is not written as TITLE")

    no_cadence = cli.run("session", "plan", "Rust Lunch", "--count", "3", code=1)
    assert "Rust Lunch has no cadence yet" in no_cadence.stderr
    cli.run("circle", "cadence", "Rust Lunch", "monthly on the last fri at 16:00")
    past = cli.run("session", "plan", "Rust Lunch", "--count", "2", "--from", "2020-01-01", code=1)
    assert past.stderr.startswith(
        "circles: --from '2020-01-01' is in the past; sessions are planned from today ("
    )
    plan = cli.run("session", "plan", "Rust Lunch", "--count", "2", "--from", "2031-01-01").stdout
    assert "Fri 31 Jan 2031 16:00" in plan and "Fri 28 Feb 2031 16:00" in plan
    first_id = plan.split("Planned session ")[1].split(":")[0]
    items = cli.json("agenda", "list", first_id)
    assert [(i["title"], i["presenter_name"]) for i in items] == [
        ("Welcome", None),
        ("Demo", "Ana"),
        ("Q&A", None),
    ]

    missing = cli.run("rotation", "swap", "1", "999", code=1)
    assert (
        missing.stderr.strip()
        == "circles: There is no session with id 999; 'circles session list' shows them."
    )
    same = cli.run("rotation", "swap", "1", "1", code=1)
    assert "same session" in same.stderr
    bad_date = cli.run("rotation", "ledger", "Rust Lunch", "--since", "last week", code=1)
    assert "--since 'last week' is not a date like 2026-03-17." in bad_date.stderr
    assert cli.run("rotation", "show", "Rust Lunch", "--next", "0", code=1).stderr.startswith(
        "circles: --next 0 must be between 1 and"
    )
    cli.run("rotation", "show", code=2)
    cli.run("circle", "skip", "Rust Lunch", "2031-13-01", code=1)


@pytest.mark.slow
def test_the_issue_repro_and_a_change_to_exported_invites_is_told(cli: Cli, tmp_path: Path) -> None:
    """Issue 13: an extra session before a planned series; then an exported invite goes stale."""
    cli.run("circle", "cadence", "Rust Lunch", "weekly on wed at 12:00 for 60m")
    cli.run("session", "plan", "Rust Lunch", "--count", "4", "--from", "2031-12-03")
    cli.run("session", "add", "Rust Lunch", "--at", "2031-12-02 12:00", "--title", "Extra")
    listed = cli.json("session", "list", "Rust Lunch")
    shown = cli.json("rotation", "show", "Rust Lunch", "--next", "5")
    assert [s["presenter_name"] for s in listed] == [r["presenter_name"] for r in shown]
    assert [s["presenter_name"] for s in listed] == ["Ana", "Bob", "Cleo", "Dev", "Ana"]
    table = cli.run("rotation", "show", "Rust Lunch", "--next", "5").stdout.splitlines()
    assert table[0].split()[:3] == ["starts", "(Europe/Berlin)", "session"]  # the day first, not the id
    assert [line.split()[:3] for line in table[-2:]] == [
        ["Wed", "2031-12-17", "12:00"],
        ["Wed", "2031-12-24", "12:00"],
    ]
    invite = cli.run("export", "ics", "--session", str(listed[1]["id"])).stdout
    assert "Talk (Bob)" in invite.replace("\r\n ", "")

    cli.run("export", "ics", "--circle", "Rust Lunch", "-o", str(tmp_path / "rust.ics"))
    removed = cli.run("member", "remove", "Rust Lunch", "bob@example.org")
    assert removed.stdout.startswith("Bob left Rust Lunch")  # the command's own line first
    told = removed.stderr.splitlines()
    assert told[0] == "The presenter changed at 4 sessions whose invite already went out; " + (
        "export or send the invites again so calendars show it:"
    )
    assert told[1] == f"  session {listed[1]['id']}, Rust Lunch, Wed 03 Dec 2031 12:00: Bob -> Cleo"
    assert told[-1] == (
        "(circles export ics --session ID, or --circle CIRCLE; by e-mail: circles send invites"
        " --circle CIRCLE; a shared calendar: circles publish caldav CIRCLE)"
    )
    # Nothing moved this time: nothing said, and --json output stays JSON.
    quiet = cli.run("session", "list", "Rust Lunch", "--json")
    assert quiet.stderr == "" and json.loads(quiet.stdout)
    assert (
        cli.run("away", "add", "bob@example.org", "--from", "2031-12-01", "--to", "2031-12-01").stderr == ""
    )

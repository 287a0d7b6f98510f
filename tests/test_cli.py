"""The CLI end to end, in a real subprocess, as a script or a person would run it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests import forked

REPO = Path(__file__).resolve().parent.parent


class Cli:
    def __init__(self, db: str, home: Path) -> None:
        self.db = db
        self.env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
        self.env.pop("CIRCLES_DATABASE_URL", None)

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = forked.run_circles(
            ["--db", self.db, *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self.env,
            cwd=REPO,
            timeout=120,
        )
        assert "Traceback" not in result.stderr, result.stderr
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def binary(self, *args: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
        """The command's output as bytes (a workbook), to a pipe or to ``stdout`` (a terminal)."""
        return forked.run_circles(
            ["--db", self.db, *args],
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=REPO,
            timeout=120,
        )

    def json(self, *args: str) -> list[dict]:
        return json.loads(self(*args, "--json").stdout)


def test_a_facilitators_week_from_the_command_line(cli):
    # The CLI runs on the real clock, so the week is in 2037 (a year with 2026's calendar):
    # a session that has already ended is refused unless it is recorded as held.
    cli("person", "add", "Ana Lopez", "--email", "Ana@Example.org", "--team", "Data")
    cli("person", "add", "Bo Chen", "--email", "bo@example.org")
    cli("person", "add", "Dr. Miriam O", "--email", "miriam@uni.example", "--guest")
    out = cli(
        "circle",
        "add",
        "Rust Lunch",
        "--kind",
        "lunch-and-learn",
        "--tz",
        "Europe/Berlin",
        "--facilitator",
        "ana@example.org",
        "--location",
        "Room Ada",
    ).stdout
    assert "Created Rust Lunch (id 1), a lunch and learn in Europe/Berlin." in out
    cli("member", "add", "rust lunch", "bo@example.org")
    cli("member", "add", "1", "miriam@uni.example", "--no-rotation")
    cli("session", "add", "Rust Lunch", "--at", "2037-07-07 12:00", "--title", "Ownership")
    cli("agenda", "add", "1", "Talk", "--presenter", "bo@example.org", "--minutes", "35")
    cli("rsvp", "1", "bo@example.org", "yes")
    # Attendance is taken from the session's day on: a week's sessions to come take no marks.
    early = cli("attend", "1", "ana@example.org", "late", "--note", "bus", ok=False)
    assert (early.returncode, early.stderr) == (
        1,
        "circles: The session Rust Lunch, Tue 07 Jul 2037 12:00 has not started yet: attendance is "
        "recorded from its day on.\n",
    )
    cli("away", "add", "bo@example.org", "--from", "2037-08-01", "--to", "2037-08-14", "--reason", "holiday")
    assert (
        "Moved session 1 to Rust Lunch, Wed 08 Jul 2037 12:00."
        in cli("session", "move", "1", "--to", "2037-07-08 12:00").stdout
    )

    # A time alone keeps the session's day.
    assert (
        "Moved session 1 to Rust Lunch, Wed 08 Jul 2037 12:30."
        in cli("session", "move", "1", "--to", "12:30").stdout
    )

    (session,) = cli.json("session", "list", "Rust Lunch")
    assert session["starts_at"] == "2037-07-08T10:30:00+00:00"
    assert (session["location"], session["ics_sequence"], session["title"]) == ("Room Ada", 2, "Ownership")
    people = cli.json("person", "list")
    assert [p["email"] for p in people] == ["ana@example.org", "bo@example.org", "miriam@uni.example"]
    assert set(people[0]) == {"id", "name", "email", "team", "is_guest", "active", "version"}
    (circle,) = cli.json("circle", "list")
    assert (circle["id"], circle["members"], circle["facilitator_name"]) == (1, 3, "Ana Lopez")
    members = cli.json("member", "list", "Rust Lunch")
    assert {m["email"]: m["in_rotation"] for m in members}["miriam@uni.example"] is False
    (item,) = cli.json("agenda", "list", "1")
    assert (item["title"], item["presenter_name"], item["minutes"]) == ("Talk", "Bo Chen", 35)
    assert [a["reason"] for a in cli.json("away", "list")] == ["holiday"]

    cli("member", "remove", "Rust Lunch", "bo@example.org")
    assert len(cli.json("member", "list", "Rust Lunch", "--past")) == 3
    assert "Cancelled session 1" in cli("session", "cancel", "1").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["circle", "add", "X", "--kind", "workshop", "--tz", "Mars/Olympus"],
            "--tz 'Mars/Olympus' is not an IANA timezone",
        ),
        (["person", "add", "Ana", "--email", "ana-at"], "--email 'ana-at' is not an e-mail address"),
        (["session", "add", "Nope", "--at", "2026-07-07 12:00"], "There is no circle named 'Nope'"),
        (["session", "move", "42", "--to", "2026-07-07 12:00"], "There is no session with id 42"),
        (
            ["away", "add", "x@example.org", "--from", "soon", "--to", "2026-01-01"],
            "--from 'soon' is not a date like",
        ),
        (["rsvp", "1", "x@example.org", "yes"], "There is no session with id 1"),
    ],
)
def test_a_domain_error_is_one_line_on_stderr_and_exit_1(cli, args, message):
    result = cli(*args, ok=False)
    assert result.returncode == 1
    assert result.stderr.startswith("circles: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_value_a_service_refuses_is_named_by_the_flag_it_was_typed_with(cli, tmp_path):
    """A service names a bad value by its keyword (count, alarm); the person typed a flag
    (--next, --alarm), so the CLI's one line names the flag, as it does for the values it
    reads itself (--from 'soon')."""
    cli("person", "add", "Ana", "--email", "ana@example.org")
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("circle", "cadence", "Rust Lunch", "weekly on tue at 12:00")
    told = {
        ("rotation", "show", "Rust Lunch", "--next", "0"): "--next 0 must be between 1 and 200.",
        ("session", "plan", "Rust Lunch", "--count", "0"): "--count 0 must be between 1 and 200.",
        ("session", "plan", "Rust Lunch", "--count", "201"): "--count 201 must be between 1 and 200.",
        ("export", "ics", "--circle", "Rust Lunch", "--alarm", "99999", "-o", str(tmp_path / "x.ics")): (
            "--alarm 99999 must be between 0 and 10080 minutes before the start."
        ),
        (
            "digest",
            "Rust Lunch",
            "--since",
            "soon",
            "-o",
            str(tmp_path / "d.md"),
        ): "--since 'soon' is not a date like",
    }
    for args, message in told.items():
        result = cli(*args, ok=False)
        assert result.returncode == 1, args
        assert result.stderr.startswith(f"circles: {message}"), (args, result.stderr)


def test_usage_errors_exit_2(cli):
    assert cli("session", "add", "Rust", ok=False).returncode == 2
    assert cli("circle", "add", "X", "--kind", "book-club", "--tz", "UTC", ok=False).returncode == 2
    assert cli("frobnicate", ok=False).returncode == 2


def test_empty_lists_say_what_to_do_next(cli):
    assert "circles circle add" in cli("circle", "list").stdout
    assert cli.json("session", "list") == []


def test_db_upgrade_says_where_the_old_version_is_once(tmp_path):
    """The command's own line names the backup; the notice every other command prints on an
    upgrade is left out, not said a second time in other words."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.script import ScriptDirectory

    import models.migrate as migrate
    from models.engine import sqlite_url

    cli = Cli(str(tmp_path / "mine.db"), tmp_path / "home")
    cli("person", "add", "Ana", "--email", "ana@example.org")
    cfg = migrate._config()
    previous = ScriptDirectory.from_config(cfg).get_revision(migrate.SCHEMA_HEAD).down_revision
    engine = sa.create_engine(sqlite_url(tmp_path / "mine.db"))
    with engine.connect() as conn, migrate.foreign_keys_deferred(conn), conn.begin():
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, previous)
    engine.dispose()
    result = cli("db", "upgrade")
    said = f"Upgraded the store from {previous} to {migrate.SCHEMA_HEAD}; the previous version is in"
    assert said in result.stdout
    assert "previous version" not in result.stderr


def test_db_path_backup_and_upgrade(tmp_path):
    cli = Cli(str(tmp_path / "mine.db"), tmp_path / "home")
    assert cli("db", "path").stdout.strip() == str(tmp_path / "mine.db")
    cli("person", "add", "Ana", "--email", "ana@example.org")
    assert "up to date" in cli("db", "upgrade").stdout
    assert "Backed up" in cli("db", "backup", str(tmp_path / "copy.db")).stdout
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT email FROM person").fetchall() == [("ana@example.org",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = cli("db", "backup", str(tmp_path / "copy.db"), ok=False)
    assert again.returncode == 1 and "--force" in again.stderr  # one line, as an export says it


@pytest.mark.parametrize(
    "args",
    [
        ("person", "add", "Ann", "--email", "notanemail"),
        ("program", "add", "X", "--kind", "mentoring", "--group-size", "abc"),
        (
            "circle",
            "add",
            "Rust",
            "--kind",
            "workshop",
            "--tz",
            "Europe/Berlin",
            "--facilitator",
            "nobody@example.org",
        ),
    ],
)
def test_a_refused_command_leaves_no_new_store_behind(tmp_path, args):
    """'person add Ann --email notanemail' on a new --db said "Started a new store" before the
    refusal, and left the empty store there for the next command to take as real."""
    cli = Cli(str(tmp_path / "new" / "a.db"), tmp_path / "home")
    refused = cli("--create", *args, ok=False)
    assert refused.returncode == 1 and "Started a new store" not in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # neither the file nor the folder made for it
    added = cli("--create", "person", "add", "Ann", "--email", "ann@example.org")
    assert added.stderr == f"Started a new store at {tmp_path / 'new' / 'a.db'}.\n"


def test_a_database_url_password_never_shows(tmp_path):
    cli = Cli("postgresql://circles:s3cret-pw@127.0.0.1:1/nowhere", tmp_path / "home")
    assert "s3cret-pw" not in cli("db", "path").stdout
    result = cli("person", "list", ok=False)
    assert result.returncode == 1 and "s3cret-pw" not in result.stderr + result.stdout
    assert "Cannot open the store postgresql://circles:***@127.0.0.1:1/nowhere" in result.stderr


def test_the_default_store_lives_in_the_users_data_folder(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CIRCLES_DATABASE_URL", None)
    out = forked.run_circles(["db", "path"], capture_output=True, text=True, env=env, cwd=REPO)
    assert out.stdout.strip() == str(tmp_path / "data" / "circles" / "circles.db")
    env["CIRCLES_DATABASE_URL"] = str(tmp_path / "elsewhere.db")
    out = forked.run_circles(["db", "path"], capture_output=True, text=True, env=env, cwd=REPO)
    assert out.stdout.strip() == str(tmp_path / "elsewhere.db")


def test_a_member_answers_for_the_whole_series_and_a_session_answer_wins(cli, store_url):
    """rsvp --series CIRCLE EMAIL ANSWER: every session without an answer of its own takes it;
    one session's answer overrides it. check-in is the command's name; attend stays."""
    from circles.services import attendance
    from models.store import Store

    cli("person", "add", "Ana Lopez", "--email", "ana@example.org")
    cli("person", "add", "Bo Chen", "--email", "bo@example.org")
    # Check-in opens on the session's day and the command line runs on the real clock: two
    # sessions this evening, in a zone where it is the middle of the day now.
    zone, today = _where_it_is_midday()
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", zone)
    cli("member", "add", "Rust Lunch", "ana@example.org")
    for hour in ("20:00", "21:00"):
        cli("session", "add", "Rust Lunch", "--at", f"{today} {hour}")
    said = cli("rsvp", "--series", "rust lunch", "ana@example.org", "yes").stdout
    assert "Ana Lopez answered yes for every session of Rust Lunch" in said
    cli("rsvp", "2", "ana@example.org", "no")
    refused = cli("rsvp", "--series", "Rust Lunch", "bo@example.org", "yes", ok=False)
    assert refused.returncode == 1 and "Only a current member" in refused.stderr
    cli("check-in", "1", "ana@example.org", "present")
    cli("attend", "2", "bo@example.org", "late")

    store = Store.open(store_url)
    try:
        with store.read() as db:
            first, second = ({e.email: e for e in attendance.roster(db, session_id)} for session_id in (1, 2))
    finally:
        store.close()
    assert (first["ana@example.org"].rsvp.value, first["ana@example.org"].attended.value) == (
        "yes",
        "present",
    )
    assert second["ana@example.org"].rsvp.value == "no"
    assert second["bo@example.org"].attended.value == "late"


def _where_it_is_midday() -> tuple[str, str]:
    """A zone where it is between 06:00 and 18:00 now, and its date: one of the three always is."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    for zone in ("UTC", "Asia/Tokyo", "America/New_York"):
        here = datetime.now(UTC).astimezone(ZoneInfo(zone))
        if 6 <= here.hour < 18:
            return zone, here.date().isoformat()
    raise AssertionError("UTC, Tokyo and New York cover every hour")


def test_every_command_names_a_refused_value_by_its_flag():
    """Each command renames a value a service refuses to the flag it was typed with
    (circles/cli/flags.py): a command made with click's own class would say the service's
    keyword instead ('count 0', not '--next 0')."""
    import click

    from circles.cli import main
    from circles.cli.flags import Command

    def commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
        found = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            found.append((name, command))
            if isinstance(command, click.Group):
                found += [(f"{name} {sub}", c) for sub, c in commands(command, ctx)]
        return found

    every = commands(main, click.Context(main))
    assert len(every) > 50
    assert [name for name, c in every if not isinstance(c, click.Group | Command)] == []


def test_circle_edit_gives_a_circle_a_facilitator_or_takes_it_away(cli):
    cli("person", "add", "Ana Lopez", "--email", "ana@example.org")
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    out = cli("circle", "edit", "rust lunch", "--facilitator", "ANA@example.org")
    assert out.stdout.strip() == "Saved Rust Lunch (id 1), facilitated by Ana Lopez."
    assert [c["facilitator_name"] for c in cli.json("circle", "list")] == ["Ana Lopez"]
    refused = cli("circle", "edit", "Rust Lunch", "--facilitator", "nobody@example.org", ok=False)
    assert refused.returncode != 0
    assert "--facilitator 'nobody@example.org' is nobody in the directory" in refused.stderr
    out = cli("circle", "edit", "Rust Lunch", "--no-facilitator")
    assert out.stdout.strip() == "Saved Rust Lunch (id 1), with no facilitator."


def test_dash_as_the_output_is_standard_output_for_every_export(cli):
    """'-o -' wrote a file named '-' for every command but the digest."""
    dash = REPO / "-"
    assert not dash.exists()
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("session", "add", "Rust Lunch", "--at", "2037-07-07 12:00", "--title", "Ownership")
    try:
        assert cli("export", "attendance", "-o", "-").stdout.startswith('"circle",')
        assert "BEGIN:VCALENDAR" in cli("export", "ics", "--circle", "Rust Lunch", "-o", "-").stdout
        assert cli("recognition", "-o", "-").stdout.startswith("#")
        assert cli("digest", "Rust Lunch", "-o", "-").stdout.startswith("#")
        # A workbook is binary: to standard output when that is a file or a pipe, as here.
        for args in (["report", "--xlsx", "-"], ["export", "attendance", "--format", "xlsx", "-o", "-"]):
            binary = cli.binary(*args)
            assert binary.returncode == 0 and binary.stdout.startswith(b"PK"), binary.stderr
        assert not dash.exists()
    finally:
        dash.unlink(missing_ok=True)


def test_a_workbook_is_not_written_to_a_terminal(cli):
    import pty

    main, terminal = pty.openpty()
    try:
        for args in (["report", "--xlsx", "-"], ["export", "attendance", "--format", "xlsx", "-o", "-"]):
            refused = cli.binary(*args, stdout=terminal)
            assert refused.returncode == 1, refused.stderr
            assert b"is the terminal, and an XLSX file is binary: give a file name" in refused.stderr
    finally:
        os.close(main)
        os.close(terminal)
    assert not (REPO / "-").exists()


def test_the_texts_a_new_user_met_read_right(cli):
    cli("person", "add", "Ana Lopez", "--email", "ana@example.org")
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("program", "add", "Mentors", "--kind", "mentoring")
    told = {
        ("program", "join", "Mentors", "ana@example.org", "--as", "boss"): (
            "--as 'boss' is not a role in a mentoring programme: give mentor or mentee."
        ),
        ("member", "add", "Rust Lunch", "not-an-email"): "'not-an-email' is not an e-mail address",
        ("digest", "--topic", "", "-o", "-"): "--topic is empty: give the topic to gather",
        ("config", "check"): "Nothing to check: no [smtp] or [caldav]",
    }
    for args, message in told.items():
        result = cli(*args, ok=False)
        assert result.returncode == 1 and result.stderr.startswith(f"circles: {message}"), (
            args,
            result.stderr,
        )
    assert (
        cli("person", "list", "--search", "rnia").stdout.strip()
        == "Nobody's name, e-mail or team contains 'rnia'."
    )


def test_a_long_value_found_nowhere_is_quoted_shortened_not_a_screenful(cli):
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("session", "add", "Rust Lunch", "--at", "2037-07-07 12:00")
    pasted = "borrow checker " * 300  # a paragraph pasted where a word was wanted
    quoted = "'" + pasted[:60] + "…'"
    said = {
        ("person", "list", "--search", pasted): f"Nobody's name, e-mail or team contains {quoted}.",
        ("digest", "--topic", pasted, "-o", "-"): f"circles: No session or agenda item is tagged {quoted};",
        ("topic", "remove", "1", pasted): f"circles: There is no topic {quoted}.",
    }
    for args, message in said.items():
        result = cli(*args, ok=False)
        told = result.stdout + result.stderr
        assert told.startswith(message) and len(told) < 200, (args, told)


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--group-size", "3"), "--group-size 3 trios are for buddy and coffee programmes"),
        (
            ("--from", "2037-02-01", "--to", "2037-01-01"),
            "--to '2037-01-01' is earlier than the first day (2037-02-01).",
        ),
    ],
)
def test_a_programme_refused_by_the_service_names_the_flag_typed(cli, flags, said):
    """The services name a value in words ("group size"), as a form shows it; the command line
    says the flag the person typed (circles/cli/flags.py)."""
    refused = cli("program", "add", "Mentors", "--kind", "mentoring", *flags, ok=False)
    assert refused.returncode == 1 and said in refused.stderr, refused.stderr


def test_a_file_named_as_another_kind_is_refused_naming_the_flag(cli, tmp_path):
    """`export ics -o invites.pdf` wrote a calendar into a file named .pdf (and the digests,
    the workbook likewise), saying only that it was written: it would not open as what its name
    promised. Each refuses that name, naming the flag and what it writes, and writes nothing;
    the name that says the file is written, in any case."""
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("session", "add", "Rust Lunch", "--at", "2030-01-08 12:00")
    refused = {
        ("export", "ics", "--circle", "Rust Lunch", "-o"): ("invites.pdf", "a calendar file: name it .ics."),
        ("digest", "Rust Lunch", "-o"): (
            "digest.pdf",
            "the digest: name it .md, .markdown, .txt, .html or .htm.",
        ),
        ("recognition", "digest", "-o"): ("thanks.csv", "the digest: name it .md, .markdown, .txt or .json."),
        ("report", "--xlsx"): ("figures.csv", "a workbook: name it .xlsx."),
    }
    for args, (name, what) in refused.items():
        result = cli(*args, str(tmp_path / name), ok=False)
        suffix = name.rsplit(".", 1)[1]
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith(f"circles: {args[-1].replace('-o', '--output')} '"), result.stderr
        assert f"' ends in .{suffix}, but what is written is {what}" in result.stderr, result.stderr
        assert not (tmp_path / name).exists()
    for args, name in (
        (("export", "ics", "--circle", "Rust Lunch", "-o"), "invites.ICS"),
        (("digest", "Rust Lunch", "-o"), "digest.html"),
        (("report", "--xlsx"), "figures.xlsx"),
    ):
        assert cli(*args, str(tmp_path / name)).returncode == 0
        assert (tmp_path / name).exists()


def test_a_blank_cadence_is_refused_and_the_cadence_kept(cli):
    """The services take a blank cadence as none (a form's emptied field): typed on the command
    line, spaces or an empty shell variable removed the cadence and said only that it was gone."""
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("circle", "cadence", "Rust Lunch", "weekly on tue at 12:00")
    cli("program", "add", "Mentors", "--kind", "mentoring", "--cadence", "every 2 weeks on tue at 15:00")
    for args in (("circle", "cadence", "Rust Lunch"), ("program", "cadence", "Mentors")):
        for blank in ("   ", ""):
            refused = cli(*args, blank, ok=False)
            assert refused.returncode == 1, (args, blank, refused.stdout)
            assert (
                refused.stderr.startswith("circles: cadence ")
                and "or --clear to remove it." in refused.stderr
            )
    assert "meets weekly on tue at 12:00" in cli("circle", "cadence", "Rust Lunch").stdout
    assert [p["programme"]["cadence"] for p in cli.json("program", "list")] == [
        "every 2 weeks on tue at 15:00"
    ]

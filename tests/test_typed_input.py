"""What a person types, read by one set of rules (circles.validate): numbers and ids in the
digits 0-9, dates between 1970 and 2199, a time that happens twice named, a past session
recorded as held, and every refusal one short sentence naming the field."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from circles import validate
from circles.app import CirclesApp
from circles.cli import main
from circles.errors import InvalidInput, NotFound
from circles.services import (
    agenda_templates,
    away,
    circle_records,
    fairness,
    people,
    series,
    sessions,
)
from circles.validate import AmbiguousTime
from circles.zones import time_zone
from screens.form_screen import FormScreen
from tests import factories
from tests.tui_support import settle, shown

# The CLI runs on the real clock: the seeded sessions are far enough ahead to stay upcoming.
AHEAD = "2037-07-07"


def _cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store: three circles in far-apart zones, one member, a session each, an agenda item."""
    db = tmp_path_factory.mktemp("seed") / "circles.db"
    steps = [
        ["person", "add", "Ana", "--email", "ana@example.org"],
        ["circle", "add", "Rust Lunch", "--kind", "workshop", "--tz", "Europe/Berlin"],
        ["circle", "add", "Far East", "--kind", "workshop", "--tz", "Pacific/Kiritimati"],
        ["circle", "add", "Far West", "--kind", "workshop", "--tz", "Pacific/Pago_Pago"],
        ["circle", "cadence", "1", "weekly on tue at 12:00"],
        ["circle", "cadence", "2", "weekly on tue at 23:30"],
        ["circle", "cadence", "3", "weekly on tue at 00:30"],
        *[["member", "add", str(c), "ana@example.org"] for c in (1, 2, 3)],
        *[["session", "add", str(c), "--at", f"{AHEAD} 12:00"] for c in (1, 2, 3)],
        ["agenda", "add", "1", "Talk", "--minutes", "20"],
    ]
    for step in steps:
        result = _cli(db, *step)
        assert result.exit_code == 0, (step, result.output)
    return db


def _copy(seeded: Path, folder: Path) -> Path:
    """The seeded store in a folder of its own (sqlite's backup: the WAL comes along)."""
    target = folder / "circles.db"
    with sqlite3.connect(seeded) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _worked_or_one_line(result: Result, field: str | None = None) -> None:
    """Exit 0, or exit 1 with one line on stderr (naming ``field`` when given); never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("circles: "), result.stderr
        if field is not None:
            assert lines[0].startswith(f"circles: {field} "), (field, lines[0])


# ------------------------------------------------------------------ numbers and ids

# Where a command reads a number or an id, and the field its message names. (None: the
# position takes a name, an address or an id, so other digits look up a name.)
NUMERIC_POSITIONS: list[tuple[list[str], str | None]] = [
    (["member", "list", "{}"], None),
    (["member", "add", "{}", "ana@example.org"], None),
    (["member", "add", "1", "{}"], None),
    (["member", "remove", "1", "{}"], None),
    (["rsvp", "{}", "ana@example.org", "yes"], "session id"),
    (["rsvp", "1", "{}", "yes"], None),
    (["attend", "{}", "ana@example.org", "present"], "session id"),
    (["attend", "1", "{}", "present"], None),
    (["agenda", "add", "{}", "Talk"], "session id"),
    (["agenda", "add", "1", "Talk", "--presenter", "{}"], None),
    (["agenda", "add", "1", "Talk", "--minutes", "{}"], "--minutes"),
    (["agenda", "list", "{}"], "session id"),
    (["session", "add", "{}", "--at", f"{AHEAD} 18:00"], None),
    (["session", "add", "1", "--at", f"{AHEAD} 18:00", "--minutes", "{}"], "--minutes"),
    (["session", "move", "{}", "--to", f"{AHEAD} 13:00"], "session id"),
    (["session", "cancel", "{}"], "session id"),
    (["session", "list", "{}"], None),
    (["session", "plan", "{}", "--count", "1"], None),
    (["session", "plan", "1", "--count", "{}"], "--count"),
    (["circle", "add", "Circle {}", "--kind", "workshop", "--tz", "UTC", "--minutes", "{}"], "--minutes"),
    (["circle", "cadence", "{}"], None),
    (["circle", "skip", "{}", f"{AHEAD}"], None),
    (["circle", "skips", "{}"], None),
    (["away", "add", "{}", "--from", f"{AHEAD}", "--to", f"{AHEAD}"], None),
    (["away", "list", "{}"], None),
    (["rotation", "show", "{}"], None),
    (["rotation", "show", "1", "--next", "{}"], "--next"),
    (["rotation", "assign", "{}", "ana@example.org"], "session id"),
    (["rotation", "assign", "1", "{}"], None),
    (["rotation", "clear", "{}"], "session id"),
    (["rotation", "swap", "{}", "1"], "session id"),
    (["rotation", "hold", "{}"], "session id"),
    (["rotation", "ledger", "{}"], None),
    (["rotation", "template", "1", "Talk:{}"], "item 1 minutes"),
    (["rotation", "template", "1", "Talk:{}:presenter"], "item 1 minutes"),
    (["report", "--circle", "{}"], None),
    (["export", "attendance", "--circle", "{}"], None),
    (["export", "ics", "--session", "{}"], "--session"),
    (["export", "ics", "--circle", "{}"], None),
    (["export", "ics", "--circle", "1", "--alarm", "{}"], "--alarm"),
    (["demo", "--seed", "{}"], "--seed"),
]


@pytest.mark.parametrize(
    ("command", "field"), NUMERIC_POSITIONS, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v)
)
# Superscript two, circled one, Arabic-Indic three, full-width three, and a mix.
@pytest.mark.parametrize("digits", ["\u00b2", "\u2460", "\u0663", "\uff13", "1\u00b2"])
def test_digits_of_other_scripts_are_refused_or_looked_up_as_names(seeded, tmp_path, command, field, digits):
    """Today's main: '²' passes str.isdigit() and int() refuses it (a traceback); '٣' passes
    both, so '--minutes ٣' became 3. Now only 0-9 make a number."""
    result = _cli(_copy(seeded, tmp_path), *[part.replace("{}", digits) for part in command])
    assert result.exit_code == 1, result.output
    _worked_or_one_line(result, field)
    if field is not None:
        assert "is not a whole number; type it with the digits 0 to 9." in result.stderr


unicode_digits = st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=4)
numbers = (
    unicode_digits
    | st.from_regex(r"[0-9]{1,4}", fullmatch=True)
    | st.builds(
        "".join,
        st.lists(
            st.sampled_from("0123456789²³¹٣३๓൩①⑳\u216b\u216f\uff10\uff19\U0001d7d3"), min_size=1, max_size=5
        ),
    )
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.sampled_from(NUMERIC_POSITIONS), value=numbers)
def test_no_command_given_any_digits_in_a_number_or_id_raises(seeded, tmp_path_factory, position, value):
    command, field = position
    db = _copy(seeded, tmp_path_factory.mktemp("digits"))
    result = _cli(db, *[part.replace("{}", value) for part in command])
    ascii_number = value.isascii() and value.isdigit()
    _worked_or_one_line(result, None if ascii_number else field)
    if field is not None and not ascii_number:
        assert result.exit_code == 1


def test_lookups_take_only_ascii_digits_as_an_id(memory_store):
    c = factories.circle(memory_store, "²")
    p = factories.person(memory_store, "Ana", "ana@example.org")
    with memory_store.read() as db:
        assert circle_records.find_circle(db, "²").id == c.id  # a name, not an id
        assert circle_records.find_circle(db, f" {c.id} ").id == c.id
        assert people.find_person(db, str(p.id)).id == p.id
        with pytest.raises(NotFound, match="'①' is not an e-mail address"):
            people.find_person(db, "①")
    assert validate.id_in("٣") is None and validate.id_in("0") is None and validate.id_in("7") == 7
    with pytest.raises(InvalidInput, match="type it with the digits 0 to 9"):
        agenda_templates.parse_template_item("Talk:²", "item 1")


# ------------------------------------------------------------------ dates

DATE_POSITIONS: list[list[str]] = [
    ["report", "--since", "{d}"],
    ["report", "--until", "{d}"],
    ["report", "--circle", "{c}", "--since", "{d}", "--until", "2199-12-31"],
    ["export", "attendance", "--since", "{d}"],
    ["export", "attendance", "--until", "{d}"],
    ["rotation", "ledger", "{c}", "--since", "{d}"],
    ["rotation", "ledger", "{c}", "--until", "{d}"],
    ["away", "add", "ana@example.org", "--from", "{d}", "--to", "{d}"],
    ["away", "add", "ana@example.org", "--from", "1970-01-01", "--to", "{d}"],
    ["circle", "skip", "{c}", "{d}"],
    ["circle", "skip", "{c}", "{d}", "--remove"],
    ["session", "plan", "{c}", "--count", "3", "--from", "{d}"],
    ["session", "add", "{c}", "--at", "{d} 23:59"],
    ["session", "add", "{c}", "--at", "{d} 00:00"],
    ["session", "add", "{c}", "--at", "{d} 12:00", "--held"],
    ["session", "move", "{c}", "--to", "{d} 23:59"],
]
# What a stored date could break later (the OverflowErrors of today's main came from these).
AFTERWARDS: list[list[str]] = [
    ["export", "ics", "--circle", "{c}"],
    ["export", "ics", "--circle", "{c}", "--recurring"],
    ["session", "plan", "{c}", "--count", "2"],
    ["rotation", "show", "{c}"],
    ["rotation", "ledger", "{c}"],
    ["report"],
    ["export", "attendance"],
    ["session", "list", "--upcoming"],
]
EDGES = [
    date(1, 1, 1),
    date(1969, 12, 31),
    date(1970, 1, 1),
    date(2199, 12, 31),
    date(2200, 1, 1),
    date(9999, 12, 31),
]


@pytest.mark.parametrize("command", DATE_POSITIONS, ids=" ".join)
@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)], ids=str)
def test_a_date_outside_1970_to_2199_is_refused(seeded, tmp_path, command, day):
    """Today's main: 12 of these crash (OverflowError, or SQL errors on year 1)."""
    db = _copy(seeded, tmp_path)
    result = _cli(db, *[part.format(d=day.isoformat(), c="1") for part in command])
    assert result.exit_code == 1, result.output
    _worked_or_one_line(result)
    assert "is outside the dates circles keeps: 1970 to 2199." in result.stderr


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(DATE_POSITIONS),
    day=st.dates(date(1, 1, 1), date(9999, 12, 31)) | st.sampled_from(EDGES),
    circle=st.sampled_from(["1", "2", "3"]),
)
@example(command=["session", "add", "{c}", "--at", "{d} 23:59"], day=date(2199, 12, 31), circle="3")
def test_no_command_given_any_date_raises_then_or_later(seeded, tmp_path_factory, command, day, circle):
    db = _copy(seeded, tmp_path_factory.mktemp("dates"))
    result = _cli(db, *[part.format(d=day.isoformat(), c=circle) for part in command])
    _worked_or_one_line(result)
    if result.exit_code == 0:  # what it stored must not break the commands that read it
        for later in AFTERWARDS:
            _worked_or_one_line(_cli(db, *[part.format(c=circle) for part in later]))


def test_services_keep_dates_in_range_too(store):
    """The app's forms and other callers pass dates, not text: the services check them too."""
    c = factories.circle(store)
    ana = factories.person(store, "Ana")
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    with store.write() as db, pytest.raises(InvalidInput, match=r"^start .* is outside the dates"):
        sessions.add_session(db, circle_id=c.id, starts_at=far)
    with store.read() as db, pytest.raises(InvalidInput, match=r"^until '9999-12-31' is outside"):
        fairness.ledger(db, c.id, until=date(9999, 12, 31))
    with store.write() as db, pytest.raises(InvalidInput, match=r"^day '0001-01-01' is outside"):
        series.add_skip_date(db, circle_id=c.id, day=date(1, 1, 1))
    with store.write() as db, pytest.raises(InvalidInput, match=r"^to '9999-12-31' is outside"):
        away.add_away(db, person_id=ana.id, starts_on=date(2026, 5, 1), ends_on=date(9999, 12, 31))


# ------------------------------------------------------------------ a time that happens twice


def test_a_time_that_happens_twice_is_refused_with_both_instants():
    """Today's main took the first of the two without a word."""
    with pytest.raises(AmbiguousTime) as caught:
        validate.parse_local_time("2026-10-25 02:30", "start", "Europe/Berlin")
    error = caught.value
    assert error.field == "start"
    assert [c.astimezone(UTC) for c in error.choices] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ]
    assert error.typed == ("2026-10-25 02:30 CEST", "2026-10-25 02:30 CET")
    assert str(error) == (
        "start '2026-10-25 02:30' happens twice in Europe/Berlin (the clocks go back that night): "
        "02:30 CEST (UTC+02:00, 00:30 UTC), then an hour later 02:30 CET (UTC+01:00, 01:30 UTC); "
        "add CEST or CET to say which."
    )


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2026-10-25 02:30 CEST", "00:30"),
        ("2026-10-25 02:30 cet", "01:30"),
        ("2026-10-25 02:30 +02:00", "00:30"),
        ("2026-10-25 02:30 +0100", "01:30"),
        ("2026-10-25 03:30", "02:30"),
        ("2026-07-01 12:00 CEST", "10:00"),
    ],
)
def test_naming_the_zone_or_offset_picks_one(typed, utc):
    parsed = validate.parse_local_time(typed, "start", "Europe/Berlin")
    assert f"{parsed.astimezone(UTC):%H:%M}" == utc


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("2026-10-25 02:30 +05:00", "says +05:00, but Europe/Berlin is on CEST or CET at that time."),
        ("2026-07-01 12:00 CET", "says CET, but Europe/Berlin is on CEST at that time."),
        ("2026-03-29 02:30", "does not exist in Europe/Berlin (the clocks skip it for daylight saving)"),
        ("٢٠٢٦-03-17 12:00", "is not a time like 2026-03-17 12:00."),
    ],
)
def test_a_mark_that_does_not_fit_is_refused(typed, problem):
    with pytest.raises(InvalidInput) as caught:
        validate.parse_local_time(typed, "start", "Europe/Berlin")
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-12-31 25:00", "start '2026-12-31 25:00' has no time 25:00: a day goes from 00:00 to 23:59."),
        ("2026-12-31 10:60", "start '2026-12-31 10:60' has no time 10:60: a day goes from 00:00 to 23:59."),
        (
            "2026-02-30 10:00",
            "start '2026-02-30 10:00' is not a day of the calendar: February 2026 has 28 days.",
        ),
        ("2026-13-01 10:00", "start '2026-13-01 10:00' has no month 13: months go from 01 to 12."),
    ],
)
def test_a_time_written_the_right_way_but_impossible_says_what_is_wrong(typed, said):
    """'2026-12-31 25:00' is written as the form asks: "is not a time like 2026-03-17 12:00"
    did not say that the hour is the trouble (found walking the Schedule form)."""
    with pytest.raises(InvalidInput) as caught:
        validate.parse_local_time(typed, "start", "Europe/Berlin")
    assert str(caught.value) == said


@pytest.mark.parametrize(
    ("typed", "starts"),
    [
        ("13:00", "2026-03-18 13:00"),
        (" 9:05 ", "2026-03-18 09:05"),
        ("00:30", "2026-03-18 00:30"),
        ("2026-03-20 13:00", "2026-03-20 13:00"),
    ],
)
def test_a_time_alone_is_on_the_day_of_the_session_moved(typed, starts):
    """The session starts at 23:30 in Berlin, 22:30 UTC: its day is Berlin's, not UTC's."""
    session_starts = datetime(2026, 3, 18, 22, 30, tzinfo=UTC)
    parsed = validate.parse_local_time(typed, "start", "Europe/Berlin", day_of=session_starts)
    assert validate.local_time_text(parsed, "Europe/Berlin") == starts


def test_a_time_alone_that_happens_twice_that_day_names_its_mark():
    """On the day the clocks go back, "02:30" is asked about as a whole date and time is."""
    session_starts = datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    with pytest.raises(validate.AmbiguousTime):
        validate.parse_local_time("02:30", "start", "Europe/Berlin", day_of=session_starts)
    parsed = validate.parse_local_time("02:30 CET", "start", "Europe/Berlin", day_of=session_starts)
    assert f"{parsed.astimezone(UTC):%Y-%m-%d %H:%M}" == "2026-10-25 01:30"


def test_a_time_alone_without_a_day_to_go_on_is_refused_as_before():
    with pytest.raises(InvalidInput) as caught:
        validate.parse_local_time("13:00", "start", "Europe/Berlin")
    assert str(caught.value) == "start '13:00' is not a time like 2026-03-17 12:00."


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1pm", "start '1pm' is not a time like 2026-03-17 12:00 or 12:00 (that day)."),
        ("25:00", "start '25:00' has no time 25:00: a day goes from 00:00 to 23:59."),
    ],
)
def test_a_bad_time_alone_says_a_time_alone_would_do(typed, said):
    session_starts = datetime(2026, 3, 18, 11, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as caught:
        validate.parse_local_time(typed, "start", "Europe/Berlin", day_of=session_starts)
    assert str(caught.value) == said


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
]


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(datetime(1980, 1, 1), datetime(2199, 12, 30)),
    tz=st.sampled_from(ZONES),
)
@example(instant=datetime(2026, 10, 25, 1, 30), tz="Europe/Berlin")
@example(instant=datetime(2026, 4, 4, 15, 15), tz="Australia/Lord_Howe")
def test_every_instant_written_as_a_person_types_it_reads_back_to_itself(instant, tz):
    """What the forms put in a start field (local_time_text) parses back to the same instant,
    also in the hour that happens twice (that text carries the zone's abbreviation or offset)."""
    when = instant.replace(second=0, microsecond=0, tzinfo=UTC).astimezone(time_zone(tz))
    assert validate.parse_local_time(validate.local_time_text(when, tz), "start", tz) == when


def test_cli_asks_which_of_two_times_and_takes_the_one_named(seeded, tmp_path):
    db = _copy(seeded, tmp_path)
    asked = _cli(db, "session", "add", "1", "--at", "2037-10-25 02:30")
    assert asked.exit_code == 1
    assert asked.stderr.startswith("circles: --at '2037-10-25 02:30' happens twice in Europe/Berlin")
    assert _cli(db, "session", "add", "1", "--at", "2037-10-25 02:30 CET").exit_code == 0
    listed = _cli(db, "session", "list", "1", "--json").stdout
    assert '"starts_at": "2037-10-25T01:30:00+00:00"' in listed


# ------------------------------------------------------------------ how refusals read

LONG = "x" * 500

HOSTILE: list[tuple[list[str], str]] = [
    (["person", "add", LONG, "--email", "long@example.org"], "name"),
    (["person", "add", "Ana", "--email", LONG + "@example.org"], "--email"),
    (["member", "list", LONG], "There is no circle named"),
    (["program", "pairs", LONG], "There is no programme named"),
    (["program", "pairs", "\u00b2"], "There is no programme named"),  # a digit to str.isdigit()
    (["rsvp", "1", LONG, "yes"], "'" + LONG[:60] + "…' is not an e-mail address"),
    (["circle", "cadence", "1", "every 2 " + LONG + " at 12:00"], "cadence"),
    (["circle", "cadence", "1", "every 2 wednesday at 12:00"], "cadence"),
    (["session", "add", "1", "--at", LONG], "--at"),
    (["session", "add", "1", "--at", "2026-13-45 12:00"], "--at"),
    (["away", "add", "ana@example.org", "--from", "2037-12-10", "--to", "2037-12-01"], "--to"),
    (["rotation", "ledger", "1", "--since", LONG], "--since"),
    (["agenda", "add", "1", LONG], "title"),
    (["person", "add", "\u202eAna", "--email", "evil@example.org"], "name"),
    (["person", "add", "Ana", "--email", "an\u200ba@example.org"], "--email"),
    (["export", "ics", "--circle", "1", "-o", "/nowhere/" + LONG + ".ics"], "--output"),
]


@pytest.mark.parametrize(("command", "start"), HOSTILE, ids=lambda v: str(v)[:40])
def test_every_refusal_is_one_short_sentence_that_names_the_field(seeded, tmp_path, command, start):
    """Today's main repeated a 500-character value whole in some of these."""
    result = _cli(_copy(seeded, tmp_path), *command)
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"circles: {start}")
    assert len(line) <= 240, line
    assert "x" * 61 not in line  # at most ~60 characters of the value
    assert line.endswith((".", "?"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            ["circle", "cadence", "1", "every 2 wednesday at 12:00"],
            "circles: cadence 'every 2 wednesday at 12:00' cannot be used: "
            "'every 2' must be followed by weeks or months, not 'wednesday'.",
        ),
        (
            ["away", "add", "ana@example.org", "--from", "2037-12-10", "--to", "2037-12-01"],
            "circles: --to '2037-12-01' is earlier than the first day (2037-12-10).",
        ),
        (
            ["person", "add", "", "--email", "a@example.org"],
            "circles: name is blank: give one (circles person add NAME).",
        ),
    ],
)
def test_the_messages_that_read_badly_now_read_as_sentences(seeded, tmp_path, typed, message):
    assert _cli(_copy(seeded, tmp_path), *typed).stderr.strip() == message


async def test_a_form_shows_at_most_sixty_characters_of_a_bad_value(memory_store, clock):
    """Today's main showed the whole value beside the field: a 500-character name filled 9 lines."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("plus")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-name", Input).value = "y" * 500
        form.query_one("#f-email", Input).value = "yy@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = shown(form.query_one("#e-name", Static))
    assert error.startswith("'yyyy") and error.endswith("is 500 characters long; the limit is 120.")
    assert len(error) < 120


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (["session", "add", "1", "--at", f"{AHEAD} 18:00", "--url"], "--url"),
        (["circle", "edit", "1", "--url"], "--url"),
        (["material", "add", "1"], "link"),
        (["publish", "caldav", "1", "--dry-run", "--url"], "--url"),
    ],
)
@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("https://[::1/talk", "is not a valid URL"),  # an IPv6 host with its ] left out
        ("https://meet.example.org:99999/talk", "has a port that is not a number from 0 to 65535"),
        ("https://ana:pw@meet.example.org:80a/talk", "has a port that is not a number from 0 to 65535"),
    ],
)
def test_a_link_urllib_cannot_read_is_refused_naming_the_field_and_never_kept(
    seeded, tmp_path, command, field, typed, problem
):
    """urllib refuses these only when asked for the host or port: a material's 'https://[::1/x'
    was 'Something went wrong' (exit 70), and a session's or circle's video link was kept,
    to fail wherever it was read next. The value is shown as typed, without its password."""
    db = tmp_path / "circles.db"
    with sqlite3.connect(seeded) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # the seeded store is in WAL mode: its file alone may not hold it all
    source.close()
    copy.close()
    result = _cli(db, *command, typed)
    assert result.exit_code == 1, result.output
    shown_as = typed.replace("ana:pw@", "ana:***@")
    assert result.output == f"circles: {field} {shown_as!r} {problem}.\n"


def test_serve_refuses_a_public_url_urllib_cannot_read(tmp_path):
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "c.db"), "serve", "--public-url", "https://[::1"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--public-url': 'https://[::1' is not a valid URL." in result.output


def test_serve_quotes_a_public_url_it_refuses_without_its_password(tmp_path):
    """It quoted the value as typed: 'https://ana:PASSWORD@circles.example.org/x' on the screen."""
    result = CliRunner().invoke(
        main,
        [
            "--db",
            str(tmp_path / "c.db"),
            "serve",
            "--public-url",
            "https://ana:PASSWORD@circles.example.org/x",
        ],
    )
    assert result.exit_code == 2
    assert "circles.example.org" in result.output and "PASSWORD" not in result.output, result.output

"""Participation figures against ones worked out by hand on a small history (tests/attendance_fixture.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from circles.cli import main
from circles.errors import InvalidInput, NotFound
from circles.services import attendance, participation, reports
from circles.services.participation import Scope
from circles.services.sql import stream_rows
from models.enums import Rsvp
from models.store import Store
from tests.attendance_fixture import History, build
from tests.statements import postgres_plan, statements_sent


@pytest.fixture
def history(store: Store) -> History:
    return build(store)


def test_participation_per_session_of_one_circle(store: Store, history: History) -> None:
    with store.read() as db:
        points = reports.participation_over_time(db, Scope(circle_id=history.rust))
    # Cancelled (20 Feb) and future (10 Mar) sessions do not count; Bob is gone after S2,
    # Cy arrives for S3; Eve's walk-in is not expected, so not in these figures.
    assert [(p.period, p.expected, p.attended) for p in points] == [
        ("2026-02-03", 3, 2),
        ("2026-02-10", 3, 1),
        ("2026-02-17", 3, 1),
        ("2026-02-24", 3, 2),
    ]
    assert points[0].rate == pytest.approx(2 / 3)


def test_participation_per_month_across_circles(store: Store, history: History) -> None:
    with store.read() as db:
        points = reports.participation_over_time(db, Scope())
    assert [(p.period, p.sessions, p.expected, p.attended) for p in points] == [("2026-02", 5, 13, 7)]


def test_no_shows_count_yes_answers_that_did_not_come(store: Store, history: History) -> None:
    with store.read() as db:
        found = reports.no_shows(db, Scope(circle_id=history.rust))
    # Yes (own or series): S1 Ana, Bob, Dee; S3 Ana, Dee; S4 Dee. Did not come: Bob S1
    # (absent), Ana S3 (absent). Dee S3 was excused: not a no-show.
    assert (found.said_yes, found.no_shows) == (6, 2)
    assert found.rate == pytest.approx(1 / 3)


def test_conversion_uses_the_series_answer_when_the_session_has_none(store: Store, history: History) -> None:
    with store.read() as db:
        found = {
            c.rsvp: (c.answered, c.attended) for c in reports.conversion(db, Scope(circle_id=history.rust))
        }
    assert found == {Rsvp.YES: (6, 3), Rsvp.MAYBE: (1, 0), Rsvp.NO: (1, 0), Rsvp.NONE: (4, 3)}


def test_retention_counts_leaving_as_dropping_off(store: Store, history: History) -> None:
    with store.read() as db:
        curve = reports.retention(db, Scope(circle_id=history.rust), steps=(1, 2, 3, 4))
    # Sessions since joining (attended marked *): Ana *1 *2 3 *4, Bob 1 2 3 4 (left after 2),
    # Cy *1 2, Dee *1 2 3 *4.
    assert [(r.after, r.members, r.still_attending) for r in curve] == [
        (1, 4, 2),
        (2, 3, 2),
        (3, 3, 2),
        (4, 0, 0),
    ]
    assert curve[3].rate is None


@pytest.mark.postgres
def test_retention_reads_the_attendance_session_by_session(postgres_url: sa.URL) -> None:
    """It looked up each member's attendance row at each held session since they joined: on the
    huge demo's busiest circle, 3,900 lookups (a third of its Stats tab's reading)."""
    store = Store.open(postgres_url)
    try:
        history = build(store)
        scope = Scope(circle_id=history.rust)
        with store.read() as db:
            sessions = len(reports.participation_over_time(db, scope))
            held = participation.in_scope(db, scope)
        with statements_sent(store.engine) as statements, store.read() as db:
            reports.retention(db, scope, held=held)
        [sent] = statements
        plan = postgres_plan(store.engine, sent, off=("enable_seqscan", "enable_bitmapscan"), analyze=True)
        lookups = sum(n["Actual Loops"] for n in plan if n.get("Relation Name") == "attendance")
        assert 0 < lookups <= sessions
    finally:
        store.close()


def test_presenter_diversity_counts_session_and_agenda_presenters(store: Store, history: History) -> None:
    with store.read() as db:
        found = reports.presenter_diversity(db, Scope(circle_id=history.rust))
    # Ana presented S4, Cy an agenda item of S3; Bob and Dee never did. Eve is not a member.
    assert (found.members, found.presented, found.share) == (4, 2, 0.5)


def test_the_stats_tab_adds_its_presenter_diversity_up_from_its_teams(store: Store, history: History) -> None:
    """The Stats tab reads presenters by team and sums them for the presenter diversity, rather
    than reading the same members and talks a second time: the sums are the report's figures."""
    from screens.stats_panel import load_stats

    with store.read() as db:
        tab = load_stats(db, history.rust)
        alone = reports.presenter_diversity(db, Scope(circle_id=history.rust))
    assert (tab.report.presenters.members, tab.report.presenters.presented) == (4, 2)
    assert tab.report.presenters == alone
    assert sum(t.members for t in tab.teams) == 4


def test_a_circles_report_reads_its_figures_per_session_in_one_statement(
    store: Store, history: History
) -> None:
    """A circle's participation per session, no-shows and RSVP conversion come from one
    statement over session_expected (the Stats tab waits for them): they were three over the
    same rows. The same figures as each function gives alone (worked out by hand above)."""
    scope = Scope(circle_id=history.rust)
    with store.read() as db:
        held = participation.in_scope(db, scope)
        apart = (
            reports.participation_over_time(db, scope, held=held),
            reports.no_shows(db, scope, held=held),
            reports.conversion(db, scope, held=held),
        )
        with statements_sent(store.engine) as sent:
            report = reports.build_report(db, scope, per_circle=False, retention_curve=False, held=held)
    assert (report.participation, report.no_shows, report.conversion) == apart
    assert len(report.participation) == 4 and report.no_shows.said_yes  # (not three empty figures)
    # The circle's name, the figures per session, and the presenter diversity.
    assert len(sent) == 3, [s for s, _ in sent]
    assert sum("session_expected" in s for s, _ in sent) == 1


def test_the_stats_figures_add_up_the_stores_summaries(store: Store, history: History) -> None:
    """Participation, no-shows, RSVP conversion and presenter diversity (a circle's Stats tab)
    add up what the store keeps per session (session_expected, talk: migration 0100), not every
    attendance row and agenda item again (the figures themselves: the tests above)."""
    with statements_sent(store.engine) as sent, store.read() as db:
        for scope in (Scope(circle_id=history.rust), Scope()):
            reports.participation_over_time(db, scope)
            reports.no_shows(db, scope)
            reports.conversion(db, scope)
            reports.presenter_diversity(db, scope)
    # Which sessions are under way and not held yet looks at the check-ins of the last day's
    # sessions alone (circles/held.py): not the attendance this test is about.
    statements = [s for s, _ in sent if not s.startswith("SELECT pending.id FROM circle_session AS pending")]
    raw = [s for s in statements if re.search(r"\b(attendance|agenda_item)\b", s)]
    assert statements and not raw, raw


def test_person_summaries_hand_computed(store: Store, history: History) -> None:
    with store.read() as db:
        rows = list(reports.person_summaries(db, Scope(circle_id=history.rust)))
    assert [(r.person, r.expected, r.attended, r.walk_ins, r.rate) for r in rows] == [
        ("Ana Ruiz", 4, 3, 0, 0.75),
        ("Bob Stone", 2, 0, 0, 0.0),
        ("Cy Young", 2, 1, 0, 0.5),
        ("Dee Park", 4, 2, 0, 0.5),
        ("Eve Walker", 0, 0, 1, None),
    ]


def test_rows_read_in_part_leave_the_unit_of_work_usable(store: Store) -> None:
    # The report's rows are streamed (on PostgreSQL by psycopg's Cursor.stream): a reader that
    # stops early has the query cancelled, which must not fail the rest of the unit of work.
    # Ten million rows to come: the cancel surely meets the query still running.
    many = sa.text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000) SELECT i FROM n"
    )
    with store.read() as db:
        rows = stream_rows(db.connection(), many, size=10)
        assert tuple(next(rows)) == (1,)
        rows.close()
        assert db.execute(sa.text("SELECT 2")).scalar() == 2


def test_circle_summaries(store: Store, history: History) -> None:
    with store.read() as db:
        found = {c.circle: c for c in reports.circle_summaries(db, Scope())}
    rust = found["Rust Lunch"]
    assert (rust.sessions, rust.expected, rust.attended, rust.walk_ins) == (4, 12, 6, 1)
    assert rust.average_headcount == pytest.approx(7 / 4)
    owls = found["Night Owls"]
    assert (owls.sessions, owls.expected, owls.attended, owls.walk_ins) == (1, 1, 1, 0)
    assert list(found) == ["Night Owls", "Rust Lunch"]


def test_date_range_is_local_to_each_circle(store: Store, history: History) -> None:
    with store.read() as db:
        # Night Owls met Mon 16 Feb 20:00 in Los Angeles, which is already 17 Feb in UTC.
        on_16th = reports.circle_summaries(db, Scope(since=date(2026, 2, 16), until=date(2026, 2, 16)))
        on_17th = reports.circle_summaries(db, Scope(since=date(2026, 2, 17), until=date(2026, 2, 17)))
    assert [(c.circle, c.sessions) for c in on_16th] == [("Night Owls", 1)]
    assert [(c.circle, c.sessions) for c in on_17th] == [("Rust Lunch", 1)]


def test_the_store_clock_decides_what_has_been_held(store: Store, history: History, clock) -> None:
    clock.advance(days=10)  # now 13 Mar: S5 (10 Mar) has been held, with nobody checked in
    with store.read() as db:
        points = reports.participation_over_time(db, Scope(circle_id=history.rust))
    assert [(p.period, p.expected, p.attended) for p in points][-1] == ("2026-03-10", 3, 0)


def test_empty_store_reports_nothing_without_dividing_by_zero(store: Store) -> None:
    with store.read() as db:
        report = reports.build_report(db, Scope())
    assert report.participation == []
    assert report.no_shows.rate is None
    assert report.presenters.share is None
    assert report.totals.rate is None


def test_a_report_without_its_table_of_circles(store: Store, history: History) -> None:
    with store.read() as db:
        whole = reports.build_report(db, Scope(circle_id=history.rust))
        figures = reports.build_report(db, Scope(circle_id=history.rust), per_circle=False)
    assert [c.circle for c in whole.circles] == ["Rust Lunch"]
    assert figures.circles == []
    assert dataclasses.replace(figures, circles=whole.circles) == whole


def test_a_report_without_its_retention_curve(store: Store, history: History) -> None:
    """The text report gives retention in months and leaves the curve after N sessions out."""
    with store.read() as db:
        whole = reports.build_report(db, Scope(circle_id=history.rust))
        figures = reports.build_report(db, Scope(circle_id=history.rust), retention_curve=False)
    assert whole.retention
    assert figures.retention == []
    assert dataclasses.replace(figures, retention=whole.retention) == whole


@pytest.mark.parametrize("scope", ["circle", "all"])
def test_a_report_reads_the_sessions_under_way_once(store: Store, history: History, scope: str) -> None:
    """Each figure read the store's sessions under way again (a circle's Stats tab: four times,
    the whole report six), to the same answer within one unit of work."""
    with statements_sent(store.engine) as statements, store.read() as db:
        reports.build_report(db, Scope(circle_id=history.rust if scope == "circle" else None))
    assert sum("FROM circle_session AS pending" in sent for sent, _ in statements) == 1


def test_the_stats_tab_reads_the_sessions_under_way_once(store: Store, history: History) -> None:
    """Its presenters by team and satisfaction per session read them again beside its report:
    three times to the same answer within one unit of work."""
    from screens.stats_panel import load_stats

    with statements_sent(store.engine) as statements, store.read() as db:
        load_stats(db, history.rust)
    assert sum("FROM circle_session AS pending" in sent for sent, _ in statements) == 1


def test_make_scope_names_the_field_and_value(store: Store, history: History) -> None:
    with store.read() as db:
        assert participation.make_scope(db, circle="rust lunch", since="2026-02-01").circle_id == history.rust
        with pytest.raises(InvalidInput, match=r"since '1 Feb' is not a date like 2026-03-17\."):
            participation.make_scope(db, since="1 Feb")
        refused = r"until '2026-02-01' is earlier than the first day \(2026-03-01\)"
        with pytest.raises(InvalidInput, match=refused):
            participation.make_scope(db, since="2026-03-01", until="2026-02-01")
        with pytest.raises(NotFound, match="no circle named 'Nope'"):
            participation.make_scope(db, circle="Nope")


def test_headcounts_still_agree_with_the_roster(store: Store, history: History) -> None:
    """attendance.headcounts reads the store's sums (session_turnout), which count as the roster does."""
    with store.read() as db:
        count = attendance.headcount(db, history.s["S1"])
        roster = attendance.roster(db, history.s["S1"])
    assert (count.yes, count.maybe, count.expected) == (3, 0, 3)
    assert sorted(e.rsvp.value for e in roster) == ["yes", "yes", "yes"]


def test_cli_report_json_and_text(store: Store, history: History) -> None:
    runner = CliRunner()
    db_arg = store.url.render_as_string(hide_password=False)
    # The CLI runs on the real clock, so the range stops before the future session of 10 Mar.
    until = ["--until", "2026-03-01"]
    result = runner.invoke(main, ["--db", db_arg, "report", "--circle", "Rust Lunch", "--json", *until])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"] == {"period": "all", "sessions": 4, "expected": 12, "attended": 6, "rate": 0.5}
    assert data["no_shows"]["no_shows"] == 2
    assert data["presenters"]["share"] == 0.5
    text = runner.invoke(main, ["--db", db_arg, "report", *until])
    assert text.exit_code == 0, text.output
    assert "Participation  54% (7 of 13 expected)" in text.output
    assert "Night Owls" in text.output
    # Nobody's 3 months were up a month before the period's end: said as the Organisation screen says it.
    assert "Retention after 3 and 6 months: too soon to tell" in text.output
    assert "after N sessions" not in text.output
    bad = runner.invoke(main, ["--db", db_arg, "report", "--since", "yesterday"])
    assert bad.exit_code == 1
    assert "since 'yesterday' is not a date like 2026-03-17." in bad.output
    assert "Traceback" not in bad.output

"""Every success figure against a value worked out by hand from tests/success_fixture.py,
on SQLite and PostgreSQL; the JSON and XLSX reports carry the same figures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from circles.cli import main
from circles.services import attendance, circle_records, members, sessions, success
from circles.services.participation import Scope, in_scope
from circles.services.reports import RETENTION_STEPS
from circles.success_views import DEFINITIONS
from models.enums import PresenterSource, SessionStatus
from models.store import Store
from models.tables import CircleSession
from tests.conftest import FixedClock
from tests.statements import statements_sent
from tests.success_fixture import NOW, Book, build

# Years of daily sessions and members who joined along the way (test_the_report_over_years_...).
SESSIONS, MEMBERS = 2_000, 120


@pytest.fixture
def book(store: Store, clock: FixedClock) -> Book:
    clock.now = NOW
    return build(store)


def test_participation_and_its_trend(store: Store, book: Book) -> None:
    with store.read() as db:
        report = success.success_report(db, Scope())
    months = [(p.period, p.attended, p.expected) for p in report.participation]
    assert months == [
        ("2026-01", 2, 2),
        ("2026-02", 2, 3),
        ("2026-03", 3, 4),
        ("2026-05", 1, 3),
        ("2026-06", 3, 3),
        ("2026-07", 0, 3),
        ("2026-08", 3, 3),
    ]
    assert (report.attended, report.expected) == (14, 21)
    assert report.participation_rate == pytest.approx(2 / 3)
    # Halves of the 21 expected: Jan-Mar (7 of 9) and half of May (0.5 of 1.5); the other half
    # of May and Jun-Aug (6 of 9).
    assert report.participation_trend.change == pytest.approx(6.5 / 10.5 - 7.5 / 10.5)


def test_rsvp_conversion_and_no_shows(store: Store, book: Book) -> None:
    with store.read() as db:
        report = success.success_report(db, Scope())
    found = {c.rsvp.value: (c.answered, c.attended) for c in report.conversion}
    assert found == {"yes": (5, 2), "maybe": (0, 0), "no": (1, 1), "none": (15, 11)}
    assert report.said_yes is not None and report.said_yes.rate == pytest.approx(0.4)
    assert (report.no_shows.said_yes, report.no_shows.no_shows) == (5, 3)


def test_retention_after_3_and_6_months(store: Store, book: Book) -> None:
    with store.read() as db:
        whole = success.retention_after_months(db, Scope())
        since_may = success.retention_after_months(db, Scope(since=date(2026, 5, 1)))
    # 3 months: Ana (Mar10 late) and Di (Jun10) came back; Bo's month had only the cancelled
    # session, Cy had left. 6 months: Ana came (Jun10), Bo was absent (Jul10), Cy had left;
    # Di's 6 months end 1 Sep, and the month after has not passed yet.
    assert [(r.months, r.members, r.still_attending) for r in whole] == [(3, 4, 2), (6, 3, 1)]
    assert [(r.months, r.members, r.still_attending) for r in since_may] == [(3, 2, 1), (6, 3, 1)]
    # Periods of the same kinds, with other bounds: Bo's 3 months (5 April) counts from April;
    # up to June, Ana's 6 months (1 June) is the only one.
    with store.read() as db:
        since_april = success.retention_after_months(db, Scope(since=date(2026, 4, 1)))
        until_june = success.retention_after_months(db, Scope(until=date(2026, 6, 30)))
    assert [(r.months, r.members, r.still_attending) for r in since_april] == [(3, 3, 1), (6, 3, 1)]
    assert [(r.months, r.members, r.still_attending) for r in until_june] == [(3, 4, 2), (6, 1, 1)]
    assert whole[0].rate == pytest.approx(0.5)


def test_presenter_diversity_and_by_team(store: Store, book: Book) -> None:
    with store.read() as db:
        report = success.success_report(db, Scope())
        teams = success.presenters_by_team(db, Scope())
    # Ana, Di (an agenda item) and Bo presented; Cy did not; the guest Gil is no member.
    assert (report.presenters.members, report.presenters.presented) == (4, 3)
    assert [(t.team, t.members, t.presented) for t in teams] == [
        ("", 1, 1),
        ("Data", 2, 1),
        ("Platform", 1, 1),
    ]


def test_members_are_counted_once_each_whatever_their_memberships(store: Store, clock: FixedClock) -> None:
    """A circle's members in a period: the people a membership of theirs covered a held
    session's start for, each once. The report counts current memberships from their circle's
    count and past ones apart (participation.member_counts); here every kind of membership
    that could be miscounted, against the hand-worked people and the Stats tab's own pairs.

    Weekly at noon UTC, 7 September to 12 October; the clock on 20 October; "since 10
    September" holds 14 September (its first) to 12 October (its last)."""
    from circles.services.participation import member_presented
    from tests import factories

    clock.now = datetime(2026, 10, 20, 9, tzinfo=UTC)
    weekly = factories.circle(store, "Weekly", tz="UTC")
    for day in ("2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12"):
        factories.session(store, weekly, f"{day} 12:00")
    spans = {
        # current since January: in
        "ana": [("2026-01-01", None)],
        # left the day after the circle's first session: in over all time, out since the 10th
        "bo": [("2026-01-01", "2026-09-08")],
        # left after the period's first session and came back: in, once
        "cy": [("2026-01-01", "2026-09-20"), ("2026-10-01", None)],
        # two past memberships over each other, both covering sessions: in, once
        "di": [("2026-01-01", "2026-09-30"), ("2026-09-15", "2026-10-03")],
        # joined and left between two sessions: out
        "eve": [("2026-09-15", "2026-09-20")],
        # joined after the period's first session, left after the next: in
        "fay": [("2026-09-15", "2026-09-22")],
        # joined after the last session held: out
        "gus": [("2026-10-13", None)],
        # left after the first session, back after the last: in, once (for the past one)
        "hal": [("2026-01-01", "2026-09-16"), ("2026-10-14", None)],
    }
    for name, memberships in spans.items():
        who = factories.person(store, name.title())
        for joined, left in memberships:
            with store.write() as db:
                members.add_member(
                    db,
                    circle_id=weekly.id,
                    person_id=who.id,
                    joined_at=datetime.fromisoformat(joined).replace(tzinfo=UTC),
                )
                if left is not None:
                    members.remove_member(
                        db,
                        circle_id=weekly.id,
                        person_id=who.id,
                        left_at=datetime.fromisoformat(left).replace(tzinfo=UTC),
                    )
    for since, expected in ((None, 6), (date(2026, 9, 10), 5)):
        scope = Scope(since=since, until=date(2026, 10, 20))
        with store.read() as db:
            report = success.success_report(db, scope)
            pairs = member_presented(db, scope)
            stats = db.execute(sa.select(sa.func.count()).select_from(pairs)).scalar_one()
        [row] = report.circles
        assert (row.members, report.presenters.members, stats) == (expected, expected, expected), since


def test_satisfaction_response_rate_and_trend(store: Store, book: Book) -> None:
    with store.read() as db:
        report = success.success_report(db, Scope())
        per_session = success.satisfaction_by_session(db, Scope(circle_id=book.circle))
    sat = report.satisfaction
    assert (sat.ratings, sat.rating_sum, sat.distribution) == (10, 39, (0, 1, 2, 4, 3))
    assert sat.mean == pytest.approx(3.9)
    # 15 came (Eve's walk-in included, July nobody), 10 answered.
    assert (sat.attendees, sat.responders) == (15, 10)
    assert sat.response_rate == pytest.approx(2 / 3)
    points = [(p.period, p.count, p.value) for p in report.satisfaction_trend.points]
    assert points == [
        ("2026-01", 2, 4.5),
        ("2026-02", 2, 3.5),
        ("2026-03", 2, 3.5),
        ("2026-05", 1, 4.0),
        ("2026-06", 2, 3.5),
        ("2026-08", 1, 5.0),
    ]
    # Halves of the 10 ratings: Jan, Feb and one of March's (19.5 of 5); the other and the rest.
    assert report.satisfaction_trend.change == pytest.approx(19.5 / 5 - 19.5 / 5)
    assert [(x.day.month, x.ratings, x.attendees, x.responders) for x in per_session] == [
        (1, 2, 2, 2),
        (2, 2, 2, 2),
        (3, 2, 4, 2),
        (5, 1, 1, 1),
        (6, 2, 3, 2),
        (7, 0, 0, 0),
        (8, 1, 3, 1),
    ]


def test_satisfaction_per_session_is_one_statement(store: Store, book: Book) -> None:
    """A circle's Stats tab waits for it: the sessions, their ratings and who answered were
    three statements (the figures themselves: the test above, by hand)."""
    scope = Scope(circle_id=book.circle)
    with store.read() as db:
        held = in_scope(db, scope)
        with statements_sent(store.engine) as sent:
            per_session = success.satisfaction_by_session(db, scope, held=held)
    assert len(sent) == 1, [s for s, _ in sent]
    assert [(x.ratings, x.rating_sum) for x in per_session][:2] == [(2, 9), (2, 7)]


def test_mentoring_engagement(store: Store, book: Book) -> None:
    with store.read() as db:
        whole = success.mentoring(db, Scope())
        summer = success.mentoring(db, Scope(since=date(2026, 6, 1), until=date(2026, 8, 31)))
    # Planned on the 15th: P1 Mar-Aug (6), P2 Mar-Jun (4), P3 May (1).
    assert (whole.pairs_active, whole.meetings_held, whole.meetings_planned) == (3, 6, 11)
    assert (whole.completed, whole.ended_early, whole.completion) == (1, 1, 0.5)
    # Jun-Aug: P1 and P2 alive (P3 ended in May); P1 met 15 Jun and 15 Aug; planned P1 3, P2 1.
    assert (summer.pairs_active, summer.meetings_held, summer.meetings_planned) == (2, 2, 4)
    assert (summer.completed, summer.ended_early, summer.completion) == (1, 0, 1.0)
    # A period of the same kind, Mar-May: all three alive; P1 met 15 Mar and 15 Apr, P2 20 Mar
    # and 15 May; planned P1 3, P2 3, P3 1 (15 May); P3 ended early.
    with store.read() as db:
        spring = success.mentoring(db, Scope(since=date(2026, 3, 1), until=date(2026, 5, 31)))
    assert (spring.pairs_active, spring.meetings_held, spring.meetings_planned) == (3, 4, 7)
    assert (spring.completed, spring.ended_early) == (0, 1)


def test_the_circle_table(store: Store, book: Book) -> None:
    with store.read() as db:
        (row,) = success.circle_table(db, Scope())
    assert (row.circle, row.sessions, row.expected, row.attended) == ("Book Club", 7, 21, 14)
    assert (row.members, row.presenters, row.ratings, row.rating_sum) == (4, 3, 10, 39)
    assert (row.attendees, row.responders) == (15, 10)


def test_a_member_who_came_back_and_a_presenter_of_two_sessions_count_once(store: Store, book: Book) -> None:
    """The members and presenters are counted per circle as distinct people: Cy, back in May
    after leaving in April, has two memberships covering held sessions, and Bo presents May10
    as well as Jun10; each is still one member, and Bo one presenter."""
    with store.write() as db:
        members.add_member(
            db, circle_id=book.circle, person_id=book.p["cy"], joined_at=datetime(2026, 5, 1, tzinfo=UTC)
        )
        sessions.set_presenter(
            db,
            sessions.get_session(db, book.s["may"]),
            presenter_id=book.p["bo"],
            source=PresenterSource.MANUAL,
        )
    with store.read() as db:
        report = success.success_report(db, Scope())
        (row,) = success.circle_table(db, Scope())
    assert (report.presenters.members, report.presenters.presented) == (4, 3)
    assert (row.members, row.presenters) == (4, 3)


def test_one_circle_has_no_mentoring_figures(store: Store, book: Book) -> None:
    with store.read() as db:
        report = success.success_report(db, Scope(circle_id=book.circle))
    assert report.mentoring is None and report.satisfaction.ratings == 10


def test_an_empty_store_divides_by_nothing(store: Store) -> None:
    with store.read() as db:
        report = success.success_report(db, Scope())
    assert report.participation_rate is None and report.satisfaction.mean is None
    assert report.satisfaction.response_rate is None and report.participation_trend.change is None
    assert report.mentoring is not None and report.mentoring.completion is None


def test_the_cli_report_has_the_figures_as_json_and_xlsx(store: Store, book: Book, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    # The CLI runs on the machine's clock: the period ends before anything after NOW matters.
    period = ["--until", "2026-08-31"]
    result = runner.invoke(main, [*db, "report", "--json", *period])
    assert result.exit_code == 0, result.output
    # --json keeps the retention curve after N sessions, which the text report leaves out.
    assert [r["after"] for r in json.loads(result.output)["retention"]] == list(RETENTION_STEPS)
    data = json.loads(result.output)["success"]
    assert data["satisfaction"]["mean"] == pytest.approx(3.9)
    assert data["satisfaction"]["distribution"] == {"1": 0, "2": 1, "3": 2, "4": 4, "5": 3}
    assert data["retention"][0]["months"] == 3
    assert data["participation"] == {"rate": pytest.approx(2 / 3), "attended": 14, "expected": 21}
    assert set(data["definitions"]) == set(DEFINITIONS)
    out = tmp_path / "report.xlsx"
    made = runner.invoke(main, [*db, "report", "--xlsx", str(out), *period])
    assert made.exit_code == 0, made.output
    book_xlsx = openpyxl.load_workbook(out)
    assert book_xlsx.sheetnames == [
        "Summary",
        "Participation",
        "RSVP",
        "Retention (sessions)",
        "Retention (months)",
        "Satisfaction",
        "Circles",
        "Mentoring",
        "Learned",
        "Definitions",
    ]
    summary = {row[0]: row[1] for row in book_xlsx["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Satisfaction (mean rating)"] == pytest.approx(3.9)
    assert summary["Response rate"] == pytest.approx(2 / 3)
    again = runner.invoke(main, [*db, "report", "--xlsx", str(out), *period])
    assert again.exit_code == 1 and "pass --force" in again.output
    explained = runner.invoke(main, [*db, "report", "--explain", *period])
    assert "Satisfaction   3.9 / 5 (10 ratings; 67% of 15 who came answered)" in explained.output
    assert DEFINITIONS["retention"][1][:60] in explained.output.replace("\n", " ")
    # Retention is the figure --explain defines and the Organisation screen shows, in its words.
    retention = data["retention"][0]
    assert (
        f"Retention after 3 months {retention['still_attending'] / retention['members']:.0%} "
        f"({retention['still_attending']} of {retention['members']} members)"
    ) in " ".join(explained.output.split())
    assert "after N sessions" not in explained.output


def test_a_coffee_pair_that_said_it_met_held_its_meeting(store: Store, book: Book) -> None:
    from circles.services import pairs, programmes
    from models.enums import ParticipantRole
    from models.tables import PairMember, ProgrammePair, ProgrammeRound

    with store.write() as db:
        coffee = programmes.add_programme(db, name="Coffee", kind="coffee", starts_on=date(2026, 6, 1))
        rnd = ProgrammeRound(programme_id=coffee.id, number=1, held_on=date(2026, 7, 1), created_at=NOW)
        db.add(rnd)
        db.flush()
        made = []
        for n, (a, b) in enumerate((("ana", "bo"), ("cy", "di"))):
            pair = ProgrammePair(
                programme_id=coffee.id,
                round_id=rnd.id,
                started_on=date(2026, 7, 1),
                ics_uid=f"coffee-{n}@test",
            )
            db.add(pair)
            db.flush()
            for person in (a, b):
                db.add(PairMember(pair_id=pair.id, person_id=book.p[person], role=ParticipantRole.MEMBER))
            made.append(pair.id)
        db.flush()
        pairs.answer(db, made[0], met=True)  # met, said so, logged nothing
        pairs.answer(db, made[1], met=False)
    with store.read() as db:
        found = {p.programme: p for p in success.mentoring(db, Scope()).programmes}
    assert (found["Coffee"].meetings_held, found["Coffee"].meetings_planned) == (1, 2)


def _held_ids(store: Store, scope: Scope) -> set[int]:
    from sqlmodel import col, select

    from circles.services.participation import in_scope
    from models.tables import CircleSession

    with store.read() as db:
        return {i for i in db.exec(select(col(CircleSession.id)).where(*in_scope(db, scope))) if i}


def test_a_period_keeps_the_local_days_of_the_zones_furthest_east_and_west(
    store: Store, clock: FixedClock
) -> None:
    """The period's days are each circle's own: the range over every zone (which lets
    PostgreSQL read the sessions by their start) cuts none of the first or last day's sessions."""
    from tests import factories

    clock.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    east = factories.circle(store, "East", tz="Pacific/Kiritimati")  # UTC+14
    west = factories.circle(store, "West", tz="Pacific/Pago_Pago")  # UTC-11
    inside = [
        factories.session(store, east, "2026-02-01 00:30").id,
        factories.session(store, west, "2026-02-28 23:30").id,
    ]
    outside = [
        factories.session(store, east, "2026-01-31 23:30").id,
        factories.session(store, west, "2026-01-31 23:30").id,
        factories.session(store, east, "2026-03-01 00:30").id,
    ]
    found = _held_ids(store, Scope(since=date(2026, 2, 1), until=date(2026, 2, 28)))
    assert found == set(inside) and found.isdisjoint(outside)


@pytest.mark.postgres
def test_a_period_reads_the_sessions_by_their_start_on_postgresql(postgres_url) -> None:
    """The period's days are per time zone, an OR of one range per zone: on the large demo
    PostgreSQL read every session of the store through it (the Organisation screen's ratings
    and answers took 70 ms each). The one range over every zone lets it read the period's
    sessions by their start (here, with sequential reads ruled out, where it took one range
    per zone instead)."""
    from sqlmodel import select

    from circles.services.participation import in_scope
    from models.tables import CircleSession
    from tests import factories

    store = Store.open(postgres_url, clock=FixedClock())
    try:
        for name, tz in (("East", "Asia/Tokyo"), ("West", "America/New_York")):
            factories.circle(store, name, tz=tz)
        with store.read() as db:
            scope = Scope(since=date(2026, 2, 1), until=date(2026, 2, 28))
            statement = select(sa.func.count()).select_from(CircleSession).where(*in_scope(db, scope))
            compiled = statement.compile(dialect=db.get_bind().dialect)
            db.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = db.connection().exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all()
        text = "\n".join(row[0] for row in plan)
        # One range of starts read (with the index left it, one range per zone, OR-ed together).
        reads = [line for line in text.splitlines() if "Index Cond" in line]
        assert any("starts_at" in line for line in reads) and "BitmapOr" not in text, text
    finally:
        store.close()


def test_the_report_reads_ratings_and_answers_in_its_pass_over_the_turnout(store: Store, book: Book) -> None:
    """The Organisation screen's figures: the ratings by month and the answers by circle are
    summed from the same held sessions as participation (each session's figures in one row of
    session_figures), in that statement (two more passes
    over the period's sessions were a fifth of the screen's data on the large demo)."""
    from tests.statements import statements_sent

    with statements_sent(store.engine) as sent, store.read() as db:
        success.success_report(db, Scope(since=date(2026, 1, 1)))
    summaries = [s for s, _ in sent if "session_figures" in s]
    assert len(summaries) == 1 and "session_figures.ratings" in summaries[0], summaries


def test_the_report_is_six_round_trips(store: Store, book: Book) -> None:
    """The whole report for every circle over a period: the sessions under way and the time
    zones in use, the sums by circle and month with the circles' names, retention after 3 and 6
    months in one statement, and mentoring in two. Each statement is a round trip to the server
    while Organisation waits for its figures: retention was one per N, mentoring five, and the
    names one of their own."""
    from tests.statements import statements_sent

    with statements_sent(store.engine) as sent, store.read() as db:
        report = success.success_report(db, Scope(since=date(2026, 1, 1)))
    asked = [s for s, _ in sent if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert report.mentoring is not None and report.mentoring.programmes
    assert len(asked) == 6, asked


def test_the_circle_table_is_in_the_order_of_the_circles_names(store: Store, book: Book) -> None:
    """The circles' names come with their sums, in one statement: the table is by name (its
    case aside), then by id, on both backends (SQLite orders the union of circle and month rows
    by a column of its own), and every circle has its own name."""
    from tests import factories

    owls = _night_owls(store, book)
    late = factories.circle(store, "alpine walkers", tz="Europe/Zurich")
    factories.session(store, late, "2026-04-01 18:00")
    with store.write() as db:
        members.add_member(
            db, circle_id=late.id, person_id=book.p["eve"], joined_at=datetime(2026, 2, 1, tzinfo=UTC)
        )
    with store.read() as db:
        table = success.success_report(db, Scope(since=date(2026, 1, 1))).circles
        names = {c.id: c.name for c in circle_records.list_circles(db)}
    shown = [c.circle for c in table]
    assert shown == sorted(shown, key=str.lower) and shown[0] == "alpine walkers"
    assert owls in [c.circle_id for c in table]
    assert all(names[c.circle_id] == c.circle for c in table)


def test_the_report_counts_members_and_presenters_in_its_pass_over_the_held_sessions(
    store: Store, book: Book
) -> None:
    """Each circle's members and presenters (presenter diversity) are counted from the held
    sessions the turnout's statement selects, in that statement: in a statement of their own
    they selected the period's sessions twice more (on the large demo's last 3 months on
    SQLite, a quarter of the report's processor time)."""
    from tests.statements import statements_sent

    with statements_sent(store.engine) as sent, store.read() as db:
        success.success_report(db, Scope(since=date(2026, 1, 1)))
    presenters = [s for s, _ in sent if "talk" in s]
    assert len(presenters) == 1 and "session_figures" in presenters[0], presenters


@pytest.mark.postgres
def test_the_report_over_years_reads_the_held_sessions_once_on_postgresql(postgres_url: sa.URL) -> None:
    """A member who joined after their circle's first held session asks whether a session of
    their circle passes the period's tests. Asked instead whether one of the held sessions the
    statement selected fell in their membership, PostgreSQL hashed every selected id, and built
    that hash again for each such member once it outgrew its memory (work_mem): the huge demo's
    report over all time (287,000 held sessions) ran for over eleven minutes. Here a few
    years of sessions, and a memory small enough for them to outgrow it."""
    from tests import factories

    store = Store.open(postgres_url)
    try:
        circle = factories.circle(store, "Daily Standup", tz="UTC")
        first = datetime(2021, 1, 4, 9, tzinfo=UTC)
        with store.write() as db:
            db.add_all(
                CircleSession(
                    circle_id=circle.id,
                    starts_at=first + timedelta(days=n),
                    planned_starts_at=first + timedelta(days=n),
                    status=SessionStatus.HELD,
                    ics_uid=f"day{n}@test",
                )
                for n in range(SESSIONS)
            )
        # Members who each joined after the circle's first session, made in SQL without the
        # store's triggers (each membership worked out its expected people at 2,000 sessions).
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE membership DISABLE TRIGGER USER")
            conn.execute(
                sa.text(
                    "INSERT INTO person (name, email, is_guest, active, version, created_at)"
                    " SELECT 'Member ' || n, 'm' || n || '@example.org', false, true, 1, now()"
                    " FROM generate_series(1, :n) AS n"
                ),
                {"n": MEMBERS},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO membership (circle_id, person_id, role, joined_at, in_rotation,"
                    " default_rsvp, version) SELECT :circle, id, 'member',"
                    " :first + (id % 500 + 3) * interval '1 day', true, 'none', 1 FROM person"
                ),
                {"circle": circle.id, "first": first},
            )
            conn.exec_driver_sql("ALTER TABLE membership ENABLE TRIGGER USER")
        with statements_sent(store.engine) as sent, store.read() as db:
            report = success.success_report(db, Scope(until=date(2026, 9, 1)))
        assert report.presenters.members == MEMBERS
        [main] = [s for s in sent if s[0].startswith("WITH held_in_scope")]
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SET work_mem = '64kB'")
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + main[0], main[1]).scalar_one()
        found = plan if isinstance(plan, list) else json.loads(plan)

        def nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
            return [node, *(n for child in node.get("Plans", []) for n in nodes(child))]

        # Each read of the held sessions runs once at most (one that finds no talks, none).
        loops = [n["Actual Loops"] for n in nodes(found[0]["Plan"]) if n.get("CTE Name") == "held_in_scope"]
        assert loops and max(loops) == 1, loops
    finally:
        store.close()


def _night_owls(store: Store, book: Book) -> int:
    """A second circle, at UTC+14, whose sessions fall on other days there than in UTC: the
    periods below count two time zones' local days."""
    from tests import factories

    owls = factories.circle(store, "Night Owls", tz="Pacific/Kiritimati")
    with store.write() as db:
        for who in ("eve", "cy"):
            members.add_member(
                db, circle_id=owls.id, person_id=book.p[who], joined_at=datetime(2026, 2, 1, tzinfo=UTC)
            )
    held = [
        factories.session(store, owls, at).id
        for at in ("2026-03-01 00:30", "2026-06-01 00:30", "2026-07-15 19:00")
    ]
    with store.write() as db:
        for n, sid in enumerate(held):
            attendance.check_in(db, session_id=sid, person_id=book.p["eve"], attended="present")
            attendance.check_in(
                db, session_id=sid, person_id=book.p["cy"], attended="absent" if n else "late"
            )
        sessions.set_presenter(
            db, sessions.get_session(db, held[1]), presenter_id=book.p["eve"], source=PresenterSource.MANUAL
        )
    return owls.id


def test_the_report_counts_each_period_and_circle_as_the_participation_report_does(
    store: Store, book: Book
) -> None:
    """The success report's statements are built once per kind of scope and run with each
    scope's values: one after another in a session, every scope's figures are those counted
    apart by the participation report and satisfaction (statements made for that scope alone),
    periods of the same kind (since 1 March, since 1 May) included."""
    from circles.services import reports

    owls = _night_owls(store, book)
    periods = [
        (None, None),
        (date(2026, 3, 1), None),
        (date(2026, 5, 1), None),
        (date(2026, 6, 1), None),
        (None, date(2026, 3, 31)),
        (None, date(2026, 5, 31)),
        (date(2026, 3, 1), date(2026, 5, 31)),
        (date(2026, 6, 1), date(2026, 8, 31)),
        (date(2026, 10, 1), None),
    ]
    seen = set()
    with store.read() as db:
        for circle in (None, book.circle, owls):
            for since, until in periods:
                scope = Scope(circle_id=circle, since=since, until=until)
                report = success.success_report(db, scope)
                months = reports.participation_over_time(db, scope, by="month")
                assert [(p.period, p.expected, p.attended) for p in report.participation] == [
                    (p.period, p.expected, p.attended) for p in months
                ], scope
                assert report.conversion == reports.conversion(db, scope), scope
                assert report.no_shows == reports.no_shows(db, scope), scope
                assert report.presenters == reports.presenter_diversity(db, scope), scope
                assert report.satisfaction == success.satisfaction(db, scope), scope
                apart = {
                    c.circle_id: (c.sessions, c.expected, c.attended)
                    for c in reports.circle_summaries(db, scope)
                }
                assert {c.circle_id: (c.sessions, c.expected, c.attended) for c in report.circles} == apart, (
                    scope
                )
                seen.add((report.attended, report.expected, report.presenters.members))
    assert len(seen) > 10  # the periods and circles count different figures


def test_a_report_of_a_kind_run_before_runs_the_same_statements_found_compiled(
    store: Store, book: Book
) -> None:
    """A second period of the same kind (all circles, from a day) builds no statement: it runs
    the ones the first built, with its own values bound, and SQLAlchemy finds each compiled in
    its cache. (Built for each report, a dozen statements were made and keyed again: some
    20 ms of the Organisation screen's last 3 months on the large demo.)"""

    def report(since: date) -> tuple[list[Any], list[str]]:
        ran: list[Any] = []
        misses: list[str] = []

        def executed(_conn: Any, statement: Any, *_: Any) -> None:
            ran.append(statement)

        def sent(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
            if context.compiled is not None and context.cache_hit is not context.dialect.CACHE_HIT:
                misses.append(statement)

        sa.event.listen(store.engine, "before_execute", executed)
        sa.event.listen(store.engine, "before_cursor_execute", sent)
        try:
            with store.read() as db:
                success.success_report(db, Scope(since=since))
        finally:
            sa.event.remove(store.engine, "before_execute", executed)
            sa.event.remove(store.engine, "before_cursor_execute", sent)
        return ran, misses

    first, _ = report(date(2026, 3, 1))
    second, misses = report(date(2026, 5, 1))
    assert len(first) == len(second) > 5
    assert all(a is b for a, b in zip(first, second, strict=True))
    assert misses == []


def test_the_report_reads_its_sums_by_circle_and_by_month_not_by_both(store: Store, book: Book) -> None:
    """The held sessions' sums come from the database added up by circle and by month, one row
    each: by circle and month together, the large demo's 300 circles over two years sent 6,900
    rows that the report then added up in Python, more of its time than the server's."""
    from circles.services.participation import bind_scope

    _night_owls(store, book)
    with store.read() as db:
        counts = success._participation(db, bind_scope(db, Scope()))
        report = success.success_report(db, Scope())
    months = {p.period for p in report.participation}
    assert len(report.circles) == 2 and len(months) > 2
    assert len(counts.circles) == 2 and len(counts.months) == len(months)


def test_a_month_only_begun_weighs_in_the_trend_as_little_as_it_holds() -> None:
    """'The last 3 months' on the 1st of December: October and November whole, December one
    session that nobody checked in to yet. Halves of the months set October against that
    session (-70 points); halves of the people expected set October against November (and it)."""
    from circles.success_views import TrendPoint

    months = [("2026-10", 700, 1000), ("2026-11", 720, 1000), ("2026-12", 0, 20)]
    points = [TrendPoint(period, came / expected, expected) for period, came, expected in months]
    trend = success._trend(points, [(float(came), expected) for _, came, expected in months])
    # Earlier half: October and 10 of November's 1000; later half: the other 990 and December.
    early = (700 + 720 * 10 / 1000) / 1010
    late = (720 * 990 / 1000 + 0) / 1010
    assert trend.change == pytest.approx(late - early)
    assert abs(trend.change) < 0.01
    # One month with anything counted: no trend, not "no change".
    assert success._trend(points[:1], [(700.0, 1000)]).change is None
    assert success._trend(points, [(700.0, 1000), (0.0, 0), (0.0, 0)]).change is None


def test_meetings_held_are_counted_against_the_same_pairs_plans(store: Store, book: Book) -> None:
    """Organisation read '992 of 949 meetings' on the large demo: the meetings a pair logged
    were counted on whatever day they fell, the planned ones on its cadence's days (and a round
    pair's in the period its round began), so a period holding a meeting but not the planned
    day it was for read more held than planned. A pair's meetings now count up to its plan."""
    from circles.services import pairs, programmes
    from models.enums import ParticipantRole
    from models.tables import PairMember, ProgrammePair, ProgrammeRound

    with store.write() as db:
        pairs.log_meeting(db, book.pairs["P1"], held_on=date(2026, 6, 20))  # a second in June
        coffee = programmes.add_programme(db, name="Coffee", kind="coffee", starts_on=date(2026, 6, 1))
        rnd = ProgrammeRound(programme_id=coffee.id, number=1, held_on=date(2026, 7, 1), created_at=NOW)
        db.add(rnd)
        db.flush()
        pair = ProgrammePair(
            programme_id=coffee.id, round_id=rnd.id, started_on=date(2026, 7, 1), ics_uid="coffee@test"
        )
        db.add(pair)
        db.flush()
        for person in ("ana", "bo"):
            db.add(PairMember(pair_id=pair.id, person_id=book.p[person], role=ParticipantRole.MEMBER))
        db.flush()
        pairs.log_meeting(db, pair.id, held_on=date(2026, 8, 3))  # the July round's coffee, in August

    def held_of_planned(since: date, until: date) -> dict[str, tuple[int, int]]:
        with store.read() as db:
            found = success.mentoring(db, Scope(since=since, until=until)).programmes
        return {p.programme: (p.meetings_held, p.meetings_planned) for p in found}

    # June: P1 and P2 each planned the 15th; P1 met then and on the 20th, P2 not at all.
    assert held_of_planned(date(2026, 6, 1), date(2026, 6, 30))["Mentors"] == (1, 2)
    # After the 15th nothing was planned: the 20th's meeting is beyond P1's plan (it read 1 of 0).
    assert held_of_planned(date(2026, 6, 16), date(2026, 6, 30))["Mentors"] == (0, 0)
    # The round's one meeting is July's, when the round began, though logged in August.
    assert held_of_planned(date(2026, 7, 1), date(2026, 7, 31))["Coffee"] == (1, 1)
    assert held_of_planned(date(2026, 8, 1), date(2026, 8, 31))["Coffee"] == (0, 0)


def test_meetings_no_cadence_planned_are_still_counted(store: Store, book: Book) -> None:
    """Held is counted against planned, each pair's at most its own: a programme without a
    cadence plans none, and its pairs' meetings read "0 of 0" as if they had not met. They are
    counted apart (meetings_met), and so is a meeting beyond a pair's plan."""
    from circles.services import pairs, programmes

    with store.write() as db:
        pairs.log_meeting(db, book.pairs["P1"], held_on=date(2026, 6, 20))  # beyond June's plan

    def met(since: date, until: date) -> tuple[int, int, int]:
        with store.read() as db:
            found = success.mentoring(db, Scope(since=since, until=until)).programmes
        p = next(p for p in found if p.programme == "Mentors")
        return p.meetings_held, p.meetings_planned, p.meetings_met

    assert met(date(2026, 6, 1), date(2026, 6, 30)) == (1, 2, 2)
    assert met(date(2026, 6, 16), date(2026, 6, 30)) == (0, 0, 1)
    with store.write() as db:  # pairs arrange their own meetings
        programmes.set_cadence(db, programmes.find_programme(db, "Mentors").id, None)
    assert met(date(2026, 6, 1), date(2026, 6, 30)) == (0, 0, 2)


def test_the_cli_report_says_one_pair_active_as_one(store: Store, book: Book) -> None:
    """'Mentoring      1 pairs active; ...' of July and August, when P1 alone was paired."""
    db = ["--db", store.url.render_as_string(hide_password=False)]
    result = CliRunner().invoke(main, [*db, "report", "--since", "2026-07-01", "--until", "2026-08-31"])
    assert result.exit_code == 0, result.output
    assert "Mentoring      1 pair active; " in result.output

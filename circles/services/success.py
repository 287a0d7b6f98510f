"""Measuring whether the programme works, per circle or across the organisation, over any period.

Each figure is one GROUP BY query (definitions in circles/success_views.py); participation,
conversion, no-shows and presenter diversity are the report's own (services/reports.py),
counted with services/participation.py like the attendance export. The only work done in
Python is combining a dozen monthly sums into a trend, and expanding each programme's cadence
once per distinct pair start to count the meetings it planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from circles.services import circle_records, reports
from circles.services.clock import latest_today
from circles.services.participation import (
    BoundScope,
    Scope,
    ScopeShape,
    bind_scope,
    came,
    held_sessions,
    in_scope,
    local_days,
    member_counts,
    member_presented,
    one_if,
    presented_while_members,
)
from circles.services.programmes import meetings_planned
from circles.services.sql import all_rows, kept, select_columns, table_of
from circles.success_views import (
    RETENTION_MONTHS,
    CircleSuccess,
    Mentoring,
    ProgrammeEngagement,
    RetentionAfter,
    Satisfaction,
    SessionSatisfaction,
    SuccessReport,
    TeamPresenters,
    Trend,
    TrendPoint,
)
from circles.zones import time_zone
from models.enums import PairStatus, ProgrammeKind, Rsvp
from models.tables import (
    Attendance,
    Circle,
    CircleSession,
    Membership,
    PairMeeting,
    Person,
    Programme,
    ProgrammePair,
    SessionFeedback,
    SessionFigures,
    SessionResponses,
)

# -- SQL helpers -----------------------------------------------------------------------------


def _dialect(db: Session) -> str:
    """The backend's name: the few statements whose SQL differs per backend are kept per backend."""
    return db.get_bind().dialect.name


def _add_months(dialect: str, column: Any, months: int) -> Any:
    """SQL: a timestamp column plus whole months, on the calendar (as each backend counts them)."""
    if dialect == "postgresql":
        return column + sa.literal_column(f"interval '{int(months)} months'")
    # SQLite keeps naive UTC text with six decimals; the result keeps that shape (the same
    # fraction put back), so it compares with stored instants and bound ones as text.
    shifted = sa.func.strftime("%Y-%m-%d %H:%M:%S", column, f"+{int(months)} months")
    return sa.type_coerce(shifted.concat(sa.func.substr(column, 20)), column.type)


def _trend(points: list[TrendPoint], weights: list[tuple[float, int]]) -> Trend:
    """The later half of what the months count (people expected, or ratings) against the earlier
    half: each month's total ``weights[i][0]`` over its count ``weights[i][1]``, the month
    where the halves meet shared between them by its count, as if spread evenly over it.

    Halves of the months, not of what they count, compared a month with a few days of the next:
    "the last 3 months" on the 1st of December set October against December's first morning, a
    session or two (on the large demo, 65 points down); here November weighs in the later half
    as much as October in the earlier. Fewer than two months with anything counted: no trend."""
    counted = sum(n for _, n in weights)
    if sum(1 for _, n in weights if n) < 2:
        return Trend(points, None)
    half = counted / 2
    early = [0.0, 0.0]  # total, count
    late = [0.0, 0.0]
    before = 0
    for total, n in weights:
        in_early = min(max(half - before, 0.0), n)  # the part of this month before the middle
        if n:
            early[0] += total * in_early / n
            late[0] += total * (n - in_early) / n
        early[1] += in_early
        late[1] += n - in_early
        before += n
    return Trend(points, late[0] / late[1] - early[0] / early[1])


# -- participation over time ------------------------------------------------------------------


def participation_trend(points: Sequence[reports.ParticipationPoint]) -> Trend:
    trend = [TrendPoint(p.period, p.rate, p.expected) for p in points]
    return _trend(trend, [(float(p.attended), p.expected) for p in points])


# -- retention after months --------------------------------------------------------------------


def retention_after_months(
    db: Session, scope: Scope, months: Sequence[int] = RETENTION_MONTHS
) -> list[RetentionAfter]:
    """For each N: memberships whose N-month mark fell in the period (a month or more ago), and
    how many of them came to a held session of that circle within a month after the mark."""
    return _retention(db, bind_scope(db, scope), tuple(months))


def _retention(db: Session, bound: BoundScope, months: tuple[int, ...]) -> list[RetentionAfter]:
    if not months:
        return []
    values = dict(bound.values)
    for n in months:
        values.update(_joined_near(bound, n))
    row = all_rows(db, _retention_sql(_dialect(db), bound.shape, months), values)[0]
    return [
        RetentionAfter(months=n, members=int(row[2 * i]), still_attending=int(row[2 * i + 1]))
        for i, n in enumerate(months)
    ]


def _joined_near(bound: BoundScope, months: int) -> dict[str, datetime]:
    """Bounds on the day a membership began that every member of the N-month cohort passes, so
    that the database rules most memberships out with a plain comparison before the month
    arithmetic: N months are between 28N days and 31N + 3 (SQLite carries a 31st past a short
    month's end), and the period's days begin and end within a day of UTC's."""
    values = bound.values
    near = {f"joined_by_{months}": values["now"] - timedelta(days=28 * (months + 1) - 1)}
    if "earliest" in values:
        near[f"joined_from_{months}"] = values["earliest"] - timedelta(days=31 * months + 4)
    if "earliest_after" in values:
        near[f"joined_before_{months}"] = values["earliest_after"] - timedelta(days=28 * months - 1)
    return near


@kept
def _retention_sql(dialect: str, shape: ScopeShape, months: tuple[int, ...]) -> Any:
    """One row: for each N of ``months``, the cohort and how many of them came back. One
    statement for all (each N's count a subquery of one row), where each N was a statement of
    its own: a round trip more to the server while Organisation waits for its figures."""
    m, s, a = Membership, CircleSession, Attendance
    joined = col(m.joined_at)
    # Across circles, SQLite finds the memberships by the cheap bounds on the day they began,
    # from its index (ix_membership_joined_at): on the bare circle column it looked them up by
    # circle once per time zone (an index OR) and tested the period's every zone again on each
    # row found, its month arithmetic included, two thirds of each statement; with no index on
    # the day, it read every membership. One circle's are still found by its index.
    circle = m.circle_id + 0 if dialect == "sqlite" and not shape.circle else m.circle_id
    found = []
    for n in months:
        mark = _add_months(dialect, m.joined_at, n)
        window_end = _add_months(dialect, m.joined_at, n + 1)
        came_back = sa.exists(
            select(a.id)
            .join(s, col(s.id) == a.session_id)
            .where(
                s.circle_id == m.circle_id,
                a.person_id == m.person_id,
                came(a),
                *held_sessions(ScopeShape(pending=shape.pending)),  # held (circles/held.py)
                s.starts_at >= mark,
                s.starts_at < window_end,
            )
        )
        near = [joined <= sa.bindparam(f"joined_by_{n}")]
        if shape.since:
            near.append(joined >= sa.bindparam(f"joined_from_{n}"))
        if shape.until:
            near.append(joined < sa.bindparam(f"joined_before_{n}"))
        found.append(
            select(
                sa.func.count().label(f"members_{n}"),
                sa.func.coalesce(sa.func.sum(one_if(came_back)), 0).label(f"came_back_{n}"),
            )
            .where(*near, window_end <= sa.bindparam("now"), *local_days(shape, mark, circle))
            .subquery(f"after_{n}")
        )
    rows: Any = found[0]
    for cohort in found[1:]:  # each one row: side by side
        rows = rows.join(cohort, sa.true())
    return select_columns(*(c for cohort in found for c in cohort.c)).select_from(rows)


# -- satisfaction ------------------------------------------------------------------------------


def _ratings(held: list[Any]) -> Select[*tuple[Any, ...]]:
    """SQL: ratings about held sessions in scope: count, sum, and how many of each 1..5; from
    each session's ratings as the store sums them up (table session_feedback, migration 0100),
    not from every answer."""
    sf, s = SessionFeedback, CircleSession
    dist = (sf.rated_1, sf.rated_2, sf.rated_3, sf.rated_4, sf.rated_5)
    return (
        select_columns(
            sa.func.coalesce(sa.func.sum(sf.ratings), 0),
            sa.func.coalesce(sa.func.sum(sf.rating_sum), 0),
            *(sa.func.coalesce(sa.func.sum(d), 0) for d in dist),
        )
        .select_from(s)
        .join(sf, col(sf.session_id) == s.id)
        .where(*held)
    )


def _responses(held: list[Any]) -> Select[*tuple[Any, ...]]:
    """SQL: people who came to held sessions in scope (once per session), and how many answered;
    from each session's as the store counts them (table session_responses, migration 0100)."""
    s, r = CircleSession, SessionResponses
    return (
        select_columns(
            sa.func.coalesce(sa.func.sum(r.attendees), 0),
            sa.func.coalesce(sa.func.sum(r.responders), 0),
        )
        .select_from(s)
        .join(r, col(r.session_id) == s.id)
        .where(*held)
    )


def satisfaction(db: Session, scope: Scope) -> Satisfaction:
    held = in_scope(db, scope)
    row = db.exec(_ratings(held)).first()
    ratings, total, *dist = row if row is not None else (0, 0, 0, 0, 0, 0, 0)
    responses = db.exec(_responses(held)).first()
    attendees, responders = responses if responses is not None else (0, 0)
    one, two, three, four, five = (int(d) for d in dist)
    return Satisfaction(
        int(ratings), int(total), int(attendees), int(responders), (one, two, three, four, five)
    )


# (circle, month, ratings, their sum, how many of each 1..5)
RatingGroup = tuple[int, str, int, int, tuple[int, ...]]


def _ratings_trend(groups: list[RatingGroup]) -> Trend:
    by_month: dict[str, tuple[int, int]] = {}
    for _, m, n, total, _ in groups:
        before = by_month.get(m, (0, 0))
        by_month[m] = (before[0] + n, before[1] + total)
    rows = {m: by_month[m] for m in sorted(by_month)}
    points = [TrendPoint(m, total / n if n else None, n) for m, (n, total) in rows.items()]
    return _trend(points, [(float(total), n) for n, total in rows.values()])


def satisfaction_by_session(
    db: Session, scope: Scope, *, held: reports.Held = None
) -> list[SessionSatisfaction]:
    """Per held session in scope (oldest first, those nobody came to too): ratings, and who
    answered of who came. ``held``: ``in_scope(db, scope)``, when the caller has it already.

    One statement: each session with its row of session_feedback and of session_responses (one
    each at most, kept by the store), where the sessions, their ratings and their responses
    were three, a round trip each on PostgreSQL while a circle's Stats tab waits for them.
    Each row is looked up by the session's id: joined, PostgreSQL read and hashed the whole of
    session_responses (the large demo's 28,628 rows for a circle's 95 sessions)."""
    s, sf, r = CircleSession, SessionFeedback, SessionResponses

    def of_session(column: Any, table: Any) -> Any:
        found = select(column).where(table.session_id == s.id).scalar_subquery()
        return sa.func.coalesce(found, 0)

    rows = db.exec(
        select_columns(
            col(s.id),
            col(s.starts_at),
            col(Circle.timezone),
            of_session(sf.ratings, sf),
            of_session(sf.rating_sum, sf),
            of_session(r.attendees, r),
            of_session(r.responders, r),
        )
        .join(Circle, col(Circle.id) == s.circle_id)
        .where(*in_scope(db, scope, held))
        .order_by(col(s.starts_at), col(s.id))
    )
    return [
        SessionSatisfaction(
            session_id=sid,
            day=starts.astimezone(time_zone(tz)).date(),
            ratings=int(ratings),
            rating_sum=int(rating_sum),
            attendees=int(attendees),
            responders=int(responders),
        )
        for sid, starts, tz, ratings, rating_sum, attendees, responders in rows
    ]


# -- presenters --------------------------------------------------------------------------------


def presenters_by_team(db: Session, scope: Scope, *, held: reports.Held = None) -> list[TeamPresenters]:
    """Presenter diversity across teams: per team, members and how many of them presented.
    ``held``: ``in_scope(db, scope)``, when the caller has it already."""
    pairs = member_presented(db, scope, held)
    # Each member's team looked up by id: joined to every person, PostgreSQL's planner (which
    # expects the members of dozens of circles where a Stats tab has one circle's) hashed all
    # of the huge demo's 100,000 people to find a few dozen teams.
    of_member = select(Person.team).where(col(Person.id) == pairs.c.person_id).scalar_subquery()
    teams = select_columns(sa.func.coalesce(of_member, "").label("team"), pairs.c.presented).subquery()
    rows = db.exec(
        select(teams.c.team, sa.func.count(), sa.func.coalesce(sa.func.sum(teams.c.presented), 0))
        .group_by(teams.c.team)
        .order_by(teams.c.team)
    )
    return [TeamPresenters(t, int(n), int(p)) for t, n, p in rows]


# -- per circle, and the participation figures in one pass -------------------------------------


@dataclass(frozen=True, slots=True)
class _Participation:
    """The held sessions in scope summed in SQL by circle and by month: the circle table is the
    rows by circle, and everything over all of them (participation per month and its trend,
    RSVP conversion, no-shows, the ratings' distribution) adds up from the few rows by month,
    which sum the same sessions: over the 3,000 circles of the huge demo, adding up the
    circles' rows again was a sixth of the report's time in Python."""

    # The circle table, in its order (by name, then id).
    circles: list[CircleSuccess]
    # (None, month, held sessions, expected, came, then per answer of Rsvp in its order:
    # expected and came, then the expected who answered yes and missed): one row per month.
    months: list[tuple[Any, ...]]
    # The same months' ratings (those with a rating only).
    rated_months: list[RatingGroup]

    def monthly(self) -> list[reports.ParticipationPoint]:
        return [
            reports.ParticipationPoint(month, sessions, expected, came_n)
            for _, month, sessions, expected, came_n, *_ in sorted(self.months, key=lambda row: row[1])
            if expected
        ]

    def _totals(self) -> list[int]:
        """Over every month: per answer, expected and came; then the yes who missed."""
        columns = list(zip(*self.months, strict=True))[5:]
        return [sum(c) for c in columns] if columns else [0] * (2 * len(Rsvp) + 1)

    def conversion(self) -> list[reports.Conversion]:
        totals = self._totals()
        return [reports.Conversion(r, totals[2 * n], totals[2 * n + 1]) for n, r in enumerate(Rsvp)]

    def no_shows(self) -> reports.NoShows:
        totals = self._totals()
        yes = list(Rsvp).index(Rsvp.YES)
        return reports.NoShows(totals[2 * yes], totals[-1])

    def distribution(self) -> tuple[int, int, int, int, int]:
        """How many ratings of 1 .. 5 over all of it."""
        found = [0, 0, 0, 0, 0]
        for *_, dist in self.rated_months:
            found = [a + b for a, b in zip(found, dist, strict=True)]
        one, two, three, four, five = found
        return one, two, three, four, five


def _participation(db: Session, bound: BoundScope) -> _Participation:
    """The held sessions in scope summed by circle and by month (_participation_sql), the same
    sessions' ratings and answers, and each circle's members and presenters."""
    statement, sums = _participation_sql(_dialect(db), bound.shape)
    width = 3 + sums
    circles: list[CircleSuccess] = []
    months: list[tuple[Any, ...]] = []
    rated_months: list[RatingGroup] = []
    for row in all_rows(db, statement, bound.values):
        # Whole numbers as they come: every sum is cast to one in SQL (_participation_sql).
        with_ratings, n, rating_sum, *rest = row[width:]
        if row[0] is None:
            months.append(tuple(row[:width]))
            if with_ratings:
                rated_months.append((0, str(row[1]), n, rating_sum, tuple(rest[:5])))
            continue
        attendees, responders, members, presented, name = rest[5:10]  # (SQLite's: its order)
        circles.append(
            CircleSuccess(
                circle_id=row[0],
                circle=name,
                sessions=row[2],
                expected=row[3],
                attended=row[4],
                members=members,
                presenters=presented,
                ratings=n,
                rating_sum=rating_sum,
                attendees=attendees,
                responders=responders,
            )
        )
    return _Participation(circles, months, rated_months)


@kept
def _participation_sql(dialect: str, shape: ScopeShape) -> tuple[Any, int]:
    """_participation's statement, and how many sums of expected people each row has.

    From each held session's figures as the store keeps them in one row (table session_figures,
    migration 0260): its turnout (as session_turnout sums it, migration 0200: the people it
    expected, by effective RSVP and how it went), its ratings and its answers (as
    session_feedback and session_responses count them, migration 0100), summed by circle and
    month in one pass over the period's sessions: not from every member and attendance row of
    the period again, nor from the dozen rows per session session_expected holds (summing those
    back into one per session was a third of the Organisation screen's data; PostgreSQL hashed
    the whole table to join them). Those sums are added up by circle and by month in the
    database (SQLite by circle and month first, then each; PostgreSQL both in one pass): the
    report needs no more, and reading the few thousand circle-and-month rows
    (300 circles over two years on the large demo) and adding them up in Python took longer
    than the statement itself took the server.

    Each circle's row also counts its members (member_counts) and presenters
    (presented_while_members), from the same held sessions, selected once for all three: in a
    statement of their own they were selected twice more, the period's test per time zone run
    on each (the success report's statements over the large demo's last 3 months, in turns:
    68 ms of SQLite's processor time then, 51 now; 58 ms of PostgreSQL's server, 54).

    Each circle's row comes with its name, the rows in the circle table's order (by name, then
    id): the names were a statement of their own, a round trip more to the server while
    Organisation waits for its figures."""
    f = SessionFigures
    held = held_sessions(shape)
    turnout = [col(f.expected), col(f.came)]
    for answer in Rsvp:
        turnout += [getattr(f, f"rsvp_{answer.value}"), getattr(f, f"came_{answer.value}")]
    turnout.append(col(f.missed_yes))
    ratings = (f.ratings, f.rating_sum, f.rated_1, f.rated_2, f.rated_3, f.rated_4, f.rated_5)
    counted: list[Any] = [*turnout, *ratings, f.attendees, f.responders]
    # The held sessions, read three times below and made once (both backends keep a CTE read
    # more than once), from session_figures (migration 0260: each session's circle, start and
    # status beside its turnout, ratings and answers), by its index on the start. Found in
    # circle_session and each joined to its turnout, ratings and answers, PostgreSQL (which
    # cannot tell how few sessions a period holds) read and hashed the whole of each of the three
    # tables, some 30,000 rows each for the large demo's 2,651 sessions of the last three months.
    # PostgreSQL keeps their figures in the CTE; SQLite keeps it narrow (the members' and the
    # presenters' subqueries read it too) and looks each session's figures up by its key where
    # it sums them (with the figures in the CTE, its statement took 4-5% more processor time
    # over 3 months and over all time, the same over 12, in turns). A session has a row of
    # ratings when it has a rating: "rated" counts those.
    rated: Any = sa.case((col(f.ratings) > 0, 1))
    keys: tuple[Any, ...] = (
        col(f.session_id).label("id"),
        col(f.circle_id).label("circle_id"),
        col(f.starts_at).label("starts_at"),
    )
    source: Any
    if dialect == "postgresql":
        sessions = (
            select_columns(
                *keys, rated.label("rated"), *(c.label(f"counted_{n}") for n, c in enumerate(counted))
            )
            .where(*held_sessions(shape, figures=True))
            .cte("held_in_scope")
        )
        rated, counted = sessions.c.rated, [sessions.c[f"counted_{n}"] for n in range(len(counted))]
        source = sessions
    else:
        sessions = select_columns(*keys).where(*held_sessions(shape, figures=True)).cte("held_in_scope")
        source = sa.join(sessions, f, col(f.session_id) == sessions.c.id)
    month = reports.month_of(dialect, sessions.c.starts_at).label("month")

    def total(column: Any) -> Any:
        # Whole numbers from the database (PostgreSQL sums bigints as numeric): the rows are
        # used as they come.
        return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)

    figures = (
        sa.func.count().label("sessions"),
        *(total(c).label(f"turnout_{n}") for n, c in enumerate(counted[: len(turnout)])),
        sa.func.count(rated).label("with_ratings"),
        *(total(c).label(f"feedback_{n}") for n, c in enumerate(counted[len(turnout) :])),
    )
    presenters = presented_while_members(held, sessions)
    # Each counted on its own: the presenters are all members, so joining each member to
    # whether they presented (member_presented_for, ten thousand pairs on the large demo) only
    # to sum it was a fifth of the statement.
    per_circle = member_counts(sessions, shape)
    presented = (
        select(presenters.c.circle_id, sa.func.count(sa.distinct(presenters.c.person_id)).label("presented"))
        .group_by(presenters.c.circle_id)
        .subquery()
    )
    # Its own name in the statement: the circle table in the time zones' tests (held_sessions)
    # stays theirs, not correlated with this one.
    named = sa.alias(table_of(Circle), "named")
    in_order = (sa.func.lower(named.c.name), named.c.id)
    if dialect == "postgresql":
        # By circle and by month in one pass over the sessions (GROUPING SETS): summed by circle
        # and month first and those sums added up again twice, the circle-and-month rows were
        # kept in a CTE (read twice) and sorted on the month's text (the statement over the
        # large demo's last 3 months, in turns: 63 ms of the server's processor time, 58 now).
        # A month's row has no circle, so it finds no members, presenters or name: its last
        # three columns are 0, 0 and null, unread (and it comes after the circles).
        sets = (
            select_columns(sessions.c.circle_id, month, *figures)
            .select_from(source)
            .group_by(sa.func.grouping_sets(sessions.c.circle_id, month))
            .subquery()
        )
        statement = (
            select_columns(
                *sets.c,
                sa.func.coalesce(per_circle.c.members, 0),
                sa.func.coalesce(presented.c.presented, 0),
                named.c.name,
            )
            .select_from(sets)
            .join(per_circle, per_circle.c.circle_id == sets.c.circle_id, isouter=True)
            .join(presented, presented.c.circle_id == sets.c.circle_id, isouter=True)
            .join(named, named.c.id == sets.c.circle_id, isouter=True)
            .order_by(*in_order)
        )
        return statement, len(turnout)
    groups = (
        select_columns(sessions.c.circle_id, month, *figures)
        .select_from(source)
        .group_by(sessions.c.circle_id, month)
        .cte("circle_months")
    )
    sums = [total(c) for c in list(groups.c)[2:]]
    by_circle = (
        select_columns(groups.c.circle_id, *(column.label(f"sum_{n}") for n, column in enumerate(sums)))
        .group_by(groups.c.circle_id)
        .subquery()
    )
    circle_rows = (
        select_columns(
            by_circle.c.circle_id.label("circle_id"),
            sa.null(),
            *list(by_circle.c)[1:],
            sa.func.coalesce(per_circle.c.members, 0),
            sa.func.coalesce(presented.c.presented, 0),
            named.c.name,
            # SQLite orders a UNION by its columns alone.
            in_order[0].label("in_order"),
        )
        .select_from(by_circle)
        .join(per_circle, per_circle.c.circle_id == by_circle.c.circle_id, isouter=True)
        .join(presented, presented.c.circle_id == by_circle.c.circle_id, isouter=True)
        .join(named, named.c.id == by_circle.c.circle_id)
    )
    by_month = select_columns(
        sa.null(), groups.c.month, *sums, sa.null(), sa.null(), sa.null(), sa.null()
    ).group_by(groups.c.month)
    rows = sa.union_all(circle_rows, by_month)
    return rows.order_by(sa.literal_column("in_order"), sa.literal_column("circle_id")), len(turnout)


def circle_table(db: Session, scope: Scope) -> list[CircleSuccess]:
    """One row per circle with held sessions in scope: participation, presenters, satisfaction."""
    bound = bind_scope(db, scope)
    return _participation(db, bound).circles


# -- mentoring ---------------------------------------------------------------------------------


def _period_days(db: Session, scope: Scope) -> tuple[date | None, date]:
    """The period's first and last day for records kept as dates (pairs, meetings): at most today,
    the latest today on Earth (a meeting logged in Sydney this morning is dated UTC's tomorrow)."""
    today = latest_today(db)
    return scope.since, min(scope.until, today) if scope.until is not None else today


def mentoring(db: Session, scope: Scope, *, programme_id: int | None = None) -> Mentoring:
    """Pairs active, meetings held against planned, and completion, per programme, in the period.

    Held and planned are counted over the same pairs, each pair's held at most its planned:
    the meetings a pair logged were counted whatever their day and whichever pair, the planned
    ones on the cadence's days of the pairs active, so a period that held a pair's meeting but
    not the cadence day it was for (a meeting moved a day, a pair meeting weekly on a
    fortnightly cadence) read more held than planned ('992 of 949'). ``programme_id``: that
    programme's alone (its report), not every programme's read to show one."""
    first, last = _period_days(db, scope)
    sql = _mentoring_sql(first is not None, programme_id is not None)
    values = {"first_day": first, "last_day": last, "programme_id": programme_id}
    counts = all_rows(db, sql.counts, values)
    planned: dict[int, int] = {}
    held: dict[int, int] = {}
    met_all: dict[int, int] = {}
    for pid, kind, cadence, programme_ends, started, ended, met, n in all_rows(db, sql.spans, values):
        end = min(d for d in (ended, programme_ends, last) if d is not None)
        of_kind = ProgrammeKind(kind)
        each = meetings_planned(of_kind, cadence, started, end, first, last)
        planned[pid] = planned.get(pid, 0) + n * each
        held[pid] = held.get(pid, 0) + n * min(met, each)
        # A round pair's "met" is its round's one meeting, whenever its round began.
        met_all[pid] = met_all.get(pid, 0) + n * (min(met, each) if of_kind.has_rounds else met)
    return Mentoring(
        [
            ProgrammeEngagement(
                programme_id=pid,
                programme=name,
                kind=ProgrammeKind(kind).value,
                pairs_active=int(active),
                meetings_held=held.get(pid, 0),
                meetings_planned=planned.get(pid, 0),
                completed=int(done),
                ended_early=int(early),
                meetings_met=met_all.get(pid, 0),
            )
            for pid, name, kind, active, done, early in counts
        ]
    )


class _MentoringSQL(NamedTuple):
    # Two statements, where there were five (the meetings logged, the round pairs that said they
    # met and the programmes' cadences each a statement of its own): each a round trip more to
    # the server while Organisation waits for its figures.
    # Per programme: pairs active, completed and ended early in the period.
    counts: Any
    # Per programme (its kind, cadence and last day), start, end and meetings held: the pairs
    # active in the period, counted by the three, so each pair's held is set against its own
    # planned (what the cadence planned depends on the start and end alone).
    spans: Any


@kept
def _mentoring_sql(from_first: bool, one_programme: bool) -> _MentoringSQL:
    """mentoring's statements, for a period up to ``last_day`` (and from ``first_day``), of
    every programme or ``programme_id``'s."""
    p, pair, meeting = Programme, ProgrammePair, PairMeeting
    which: list[sa.ColumnElement[bool]] = [col(p.id) == sa.bindparam("programme_id")] if one_programme else []
    first: sa.BindParameter[date] = sa.bindparam("first_day")
    last: sa.BindParameter[date] = sa.bindparam("last_day")
    alive: list[sa.ColumnElement[bool]] = [col(pair.started_on) <= last]
    if from_first:
        alive.append(sa.or_(col(pair.ended_on).is_(None), col(pair.ended_on) >= first))
    ended_in: list[sa.ColumnElement[bool]] = [col(pair.ended_on).is_not(None), col(pair.ended_on) <= last]
    if from_first:
        ended_in.append(col(pair.ended_on) >= first)
    counts = (
        select_columns(
            col(p.id).label("id"),
            col(p.name).label("name"),
            col(p.kind).label("kind"),
            sa.func.coalesce(sa.func.sum(one_if(sa.and_(*alive))), 0).label("active"),
            sa.func.coalesce(
                sa.func.sum(one_if(sa.and_(*ended_in, col(pair.status) == PairStatus.COMPLETED))), 0
            ).label("completed"),
            sa.func.coalesce(
                sa.func.sum(one_if(sa.and_(*ended_in, col(pair.status) == PairStatus.ENDED_EARLY))), 0
            ).label("ended_early"),
        )
        .select_from(p)
        .join(pair, col(pair.programme_id) == p.id, isouter=True)
        .where(*which)
        .group_by(col(p.id), col(p.name), col(p.kind))
        .order_by(sa.func.lower(col(p.name)))
    )
    held_on: list[sa.ColumnElement[bool]] = [col(meeting.held_on) <= last]
    if from_first:
        held_on.append(col(meeting.held_on) >= first)
    logged = (
        select(col(meeting.pair_id).label("pair_id"), sa.func.count(col(meeting.id)).label("n"))
        .where(*held_on)
        .group_by(col(meeting.pair_id))
        .subquery()
    )
    # A buddy or coffee round plans one meeting, in the period its round began: a pair of one
    # held it if it logged a meeting, whenever, or answered yes to "did you meet?" (the
    # mentorship's rule), counted in that same period. Other pairs: the meetings they logged in
    # the period.
    rounds = [k for k in ProgrammeKind if k.has_rounds]
    logged_any = sa.exists(select(meeting.id).where(meeting.pair_id == pair.id))
    met_once = sa.or_(col(pair.met).is_(True), logged_any)
    met = sa.case(
        (col(p.kind).in_(rounds), sa.case((met_once, 1), else_=0)),
        else_=sa.func.coalesce(logged.c.n, 0),
    ).label("met")
    # Pairs of one intake share their dates: the cadence is expanded once per distinct span,
    # each span's programme looked up once (joined before grouping, once per pair).
    intakes = (
        select_columns(
            col(pair.programme_id).label("programme_id"),
            col(pair.started_on).label("started_on"),
            col(pair.ended_on).label("ended_on"),
            met,
            sa.func.count().label("pairs"),
        )
        .select_from(pair)
        .join(p, col(p.id) == pair.programme_id)
        .join(logged, logged.c.pair_id == pair.id, isouter=True)
        .where(*alive, *which)
        .group_by(col(pair.programme_id), col(pair.started_on), col(pair.ended_on), met)
        .subquery()
    )
    spans = select_columns(
        intakes.c.programme_id,
        col(p.kind),
        col(p.cadence),
        col(p.ends_on),
        intakes.c.started_on,
        intakes.c.ended_on,
        intakes.c.met,
        intakes.c.pairs,
    ).join(p, col(p.id) == intakes.c.programme_id)
    return _MentoringSQL(counts, spans)


# -- the whole report --------------------------------------------------------------------------


def success_report(db: Session, scope: Scope) -> SuccessReport:
    """Every success figure for a circle (or all) over a period, in six statements (the
    sessions under way and the time zones in use, the sums by circle and month with the
    circles' names, retention, and mentoring's two): the totals add up from the per-circle rows, which
    count exactly as the report's own figures do (tests/test_success.py checks both against
    hand-worked values)."""
    bound = bind_scope(db, scope)  # the store's clock and the period's time zones, read once
    circle_name = circle_records.get_circle(db, scope.circle_id).name if scope.circle_id is not None else None
    counts = _participation(db, bound)
    monthly = counts.monthly()
    table = counts.circles
    one, two, three, four, five = counts.distribution()
    return SuccessReport(
        scope=scope,
        circle_name=circle_name,
        participation=monthly,
        participation_trend=participation_trend(monthly),
        conversion=counts.conversion(),
        no_shows=counts.no_shows(),
        retention=_retention(db, bound, RETENTION_MONTHS),
        presenters=reports.PresenterDiversity(
            members=sum(c.members for c in table), presented=sum(c.presenters for c in table)
        ),
        satisfaction=Satisfaction(
            ratings=sum(c.ratings for c in table),
            rating_sum=sum(c.rating_sum for c in table),
            attendees=sum(c.attendees for c in table),
            responders=sum(c.responders for c in table),
            distribution=(one, two, three, four, five),
        ),
        satisfaction_trend=_ratings_trend(counts.rated_months),
        mentoring=mentoring(db, scope) if scope.circle_id is None else None,
        circles=table,
    )


__all__ = [
    "circle_table",
    "mentoring",
    "participation_trend",
    "presenters_by_team",
    "retention_after_months",
    "satisfaction",
    "satisfaction_by_session",
    "success_report",
]

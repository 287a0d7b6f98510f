"""When a session counts as held, once, as SQL text: every report, figure and export of
attendance counts the sessions this rule keeps.

A session counts as *held* once it has happened:

- it is not cancelled, and it has started by the store's clock, and
- it has **ended** (its start plus its length at or before the clock), or its **attendance
  has been taken**: someone has a check-in for it (present, late, excused or absent; an RSVP
  alone is an answer, not attendance), or it was recorded as held (``circles rotation hold``
  marks it so; checking people in does not).

Not from its first minute: a session under way whose check-in is still to come would count
as held with nobody there (on the first morning of a month the Organisation figures read that
month's participation 0 %, and its trend some 60 points down).

Asked in two steps, so that the statements that count sessions keep their shape and their
plans: first the few sessions *pending* (``pending``: started since ``settled``, the clock less
the longest session there is, and not held by the rule above), a look at the last day's
sessions by their start; then each statement keeps the sessions not cancelled, started, and
not pending (``held``), ``starts_at <= now`` being the range the planner reads them by. Asked
in each statement instead, the look at the check-ins is a subquery that PostgreSQL's planner
charges once per row of an outer query (the success report's retention, per membership: an
estimate 30 times as high, which had the statement compiled by JIT, 0.2 to 0.3 s).

Plain text, no SQLAlchemy: the whole store's attendance CSV runs it before the store's modules
load (exports/attendance_lines.py, exports/attendance_copy.py), and participation.py puts it
into every statement of the store, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from circles.validate import MAX_MINUTES

# No session is longer (validate.minutes refuses a longer one).
LONGEST_SESSION = timedelta(minutes=MAX_MINUTES)
# SQLite keeps instants as naive UTC text (models/types.py); bounds compare with it as text.
STORED_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def settled(now: datetime) -> datetime:
    """The instant before which every session that started has ended."""
    return now - LONGEST_SESSION


def pending(dialect: str, *, now: str, settled: str) -> str:
    """SQL on ``dialect`` ('sqlite' or 'postgresql'): the ids of the sessions started by ``now``
    that are not held yet (under way, not recorded held, nobody checked in). ``now`` and
    ``settled`` (``settled(now)``): SQL, parameters or literals."""
    if dialect == "postgresql":
        ends = "pending.starts_at + make_interval(mins => pending.minutes)"
    else:
        # Whole seconds moved by the minutes, the stored fraction put back: text that compares
        # with stored and bound instants as text.
        shifted = "datetime(pending.starts_at, '+' || pending.minutes || ' minutes')"
        ends = f"{shifted} || substr(pending.starts_at, 20)"
    return (
        "SELECT pending.id FROM circle_session AS pending"
        f" WHERE pending.starts_at > {settled} AND pending.starts_at <= {now}"
        f" AND {ends} > {now} AND pending.status != 'held'"
        " AND NOT EXISTS (SELECT 1 FROM attendance AS taken"
        " WHERE taken.session_id = pending.id AND taken.attended IS NOT NULL)"
    )


def pending_value(dialect: str, ids: Iterable[int]) -> str:
    """The ids ``pending`` found, as the one value ``held`` takes: an array on PostgreSQL, a
    JSON list on SQLite."""
    listed = ",".join(str(int(i)) for i in ids)
    return f"{{{listed}}}" if dialect == "postgresql" else f"[{listed}]"


def held(
    dialect: str,
    *,
    now: str,
    pending: str | None,
    settled: str | None = None,
    starts_at: str = "circle_session.starts_at",
    status: str = "circle_session.status",
    session_id: str = "circle_session.id",
) -> str:
    """SQL on ``dialect``: the session whose columns are named ``starts_at``, ``status`` and
    ``session_id`` counts as held by the instant ``now`` (SQL), ``pending`` (SQL) being the
    pending_value of what ``pending`` found by then, None when it found none, and ``settled``
    (SQL, given with ``pending``) the instant ``settled(now)`` it looked from."""
    happened = f"{status} != 'cancelled' AND {starts_at} <= {now}"
    if pending is None:
        return happened
    if settled is None:
        raise ValueError("the pending sessions come with the instant they were looked for from")
    if dialect == "postgresql":
        not_pending = f"{session_id} <> ALL (CAST({pending} AS integer[]))"
    else:
        not_pending = f"{session_id} NOT IN (SELECT value FROM json_each({pending}))"
    # Every session started before ``settled`` has ended: it passes on one comparison of its
    # start, and only the last day's are looked up among the pending (for every session of
    # every membership the success report asks about, the lookup was a fifth of its time).
    return f"{happened} AND ({starts_at} <= {settled} OR {not_pending})"


def held_by(dialect: str, now: datetime, ids: Callable[[str], Iterable[int]]) -> str:
    """SQL: the sessions of the whole store held by ``now``, its values written in (the whole
    store's export; participation.in_scope with no circle and no days). ``ids``: the ids a
    query (SQL text) finds, on the export's connection."""
    at, since = _instant(dialect, now), _instant(dialect, settled(now))
    found = list(ids(pending(dialect, now=at, settled=since)))
    if not found:
        return held(dialect, now=at, pending=None)
    return held(dialect, now=at, pending=f"'{pending_value(dialect, found)}'", settled=since)


def _instant(dialect: str, when: datetime) -> str:
    """SQL: ``when`` as a literal that compares with a stored instant on ``dialect``."""
    if dialect == "postgresql":
        return f"'{when.astimezone(UTC).isoformat()}'"
    return f"'{when.astimezone(UTC).strftime(STORED_INSTANT)}'"

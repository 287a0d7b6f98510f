"""Each session's figures in one row: its circle, start and status beside its turnout, ratings and
answers, copied by triggers from circle_session and the summaries that count them.

The Organisation screen sums its period's held sessions by circle and month: it found them in
circle_session and joined each one's turnout, ratings and answers (session_turnout,
session_feedback, session_responses: migrations 0100 and 0200). PostgreSQL cannot tell how few
sessions a period holds, so it read and hashed the whole of each of the three tables (some
30,000 rows each on the large demo) for the 2,651 sessions of the last three months. Reading
session_figures alone by its index on the start, the statement takes 37 ms of the server's
processor time where it took 59 (over 12 months 123 where 191, over all time 214 where 322; the
same rows, in turns). SQLite looked each up by its key and takes a little less now (46 ms where
49 over 3 months), by an index on circle and start as circle_session has.

Copied, not counted: each row of the three summaries is already kept right by its own triggers
(whole recounts, or sums by their deltas); the triggers here copy the columns of the row that
changed into its session's row here, and only those, so two writers changing different
summaries of one session never write over each other's columns. A session's row is made when
the session is (every session has one, with zeros where a summary has no row) and goes with it;
its circle, start and status follow the session's. On PostgreSQL each write reaches here after
the advisory lock of its session's circle (migration 0170) that its summaries already take.
The triggers are named summary_*, so a bulk load that turns the summaries off turns these off
with them and fills the table after the others (models/summaries.py).

Revision ID: 0260
Revises: 0250
Create Date: 2026-12-02 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0260"
down_revision: str | None = "0250"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION = ("circle_id", "starts_at", "status")
# Each summary, and the columns it brings (named here as there).
SOURCES = {
    "session_turnout": (
        "expected",
        *("came", "rsvp_yes", "came_yes", "rsvp_maybe", "came_maybe", "rsvp_no", "came_no"),
        *("rsvp_none", "came_none", "missed_yes"),
    ),
    "session_feedback": ("ratings", "rating_sum", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5"),
    "session_responses": ("attendees", "responders"),
}
COUNTS = tuple(c for columns in SOURCES.values() for c in columns)
ALIASES = {"session_turnout": "t", "session_feedback": "f", "session_responses": "r"}

# Copied into models/summaries.py (FIGURES), not imported: a migration stays as it was written.
FILL = (
    f"INSERT INTO session_figures (session_id, {', '.join(SESSION)}, {', '.join(COUNTS)})\n"
    f"SELECT s.id, s.circle_id, s.starts_at, s.status, "
    + ", ".join(f"coalesce({ALIASES[t]}.{c}, 0)" for t, columns in SOURCES.items() for c in columns)
    + "\nFROM circle_session s\n"
    + "".join(f"LEFT JOIN {t} {a} ON {a}.session_id = s.id\n" for t, a in ALIASES.items())
)


def _session_upsert() -> str:
    """The session NEW's circle, start and status, its row made (zeros) if it has none yet."""
    return (
        f"INSERT INTO session_figures (session_id, {', '.join(SESSION)}, {', '.join(COUNTS)}) "
        f"VALUES (NEW.id, NEW.circle_id, NEW.starts_at, NEW.status, {', '.join('0' for _ in COUNTS)}) "
        "ON CONFLICT (session_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in SESSION)
    )


def _put(table: str) -> str:
    """The summary row NEW of ``table``: its columns into its session's row (made with zeros for
    the others if the session has none yet; none if the session is gone)."""
    own = SOURCES[table]
    values = ", ".join(f"NEW.{c}" if c in own else "0" for c in COUNTS)
    return (
        f"INSERT INTO session_figures (session_id, {', '.join(SESSION)}, {', '.join(COUNTS)}) "
        f"SELECT s.id, s.circle_id, s.starts_at, s.status, {values} "
        "FROM circle_session s WHERE s.id = NEW.session_id "
        "ON CONFLICT (session_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in own)
    )


def _set(table: str) -> str:
    """The summary row of ``table`` changed in place (OLD and NEW of one session): its columns
    set in its session's row. The one write per row that most changes make (session_turnout is
    kept by its deltas, a row's update for each expected person a membership's change touches),
    so a plain update of the row by its key, not the upsert ``_put`` makes."""
    own = SOURCES[table]
    return (
        f"UPDATE session_figures SET {', '.join(f'{c} = NEW.{c}' for c in own)} "
        "WHERE session_id = NEW.session_id"
    )


def _take(table: str) -> str:
    """The summary row OLD of ``table`` gone: its columns in its session's row back to zero."""
    zeros = ", ".join(f"{c} = 0" for c in SOURCES[table])
    return f"UPDATE session_figures SET {zeros} WHERE session_id = OLD.session_id"


_GONE = "DELETE FROM session_figures WHERE session_id = OLD.id"
_SAME = "OLD.session_id = NEW.session_id"
_SESSION_EVENTS = "UPDATE OF " + ", ".join(SESSION)

# SQLite: for each row. (name, event, table, statements, when)
SQLITE_TRIGGERS = [
    ("summary_figures_session_insert", "INSERT", "circle_session", [_session_upsert()], "true"),
    ("summary_figures_session_update", _SESSION_EVENTS, "circle_session", [_session_upsert()], "true"),
    ("summary_figures_session_delete", "DELETE", "circle_session", [_GONE], "true"),
]
for _table in SOURCES:
    _short = _table.removeprefix("session_")
    SQLITE_TRIGGERS += [
        (f"summary_figures_{_short}_insert", "INSERT", _table, [_put(_table)], "true"),
        (f"summary_figures_{_short}_update", "UPDATE", _table, [_set(_table)], _SAME),
        (f"summary_figures_{_short}_moved", "UPDATE", _table, [_take(_table), _put(_table)], f"NOT ({_SAME})"),
        (f"summary_figures_{_short}_delete", "DELETE", _table, [_take(_table)], "true"),
    ]


def _postgres_function(table: str) -> str:
    if table == "circle_session":
        steps = f"IF TG_OP = 'DELETE' THEN\n    {_GONE};\nELSE\n    {_session_upsert()};\nEND IF;"
    else:
        steps = (
            f"IF TG_OP = 'UPDATE' AND {_SAME} THEN\n    {_set(table)};\nRETURN NULL;\nEND IF;\n"
            f"IF TG_OP <> 'INSERT' THEN\n    {_take(table)};\nEND IF;\n"
            f"IF TG_OP <> 'DELETE' THEN\n    {_put(table)};\nEND IF;"
        )
    return (
        f"CREATE FUNCTION circles_summary_figures_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{steps}\nRETURN NULL;\nEND\n$$"
    )


# PostgreSQL: for each row too (the summaries' own statement triggers write them a row at a time
# per session). table -> its events.
POSTGRES_TRIGGERS = {
    "circle_session": f"INSERT OR DELETE OR {_SESSION_EVENTS}",
    **{table: "INSERT OR DELETE OR UPDATE" for table in SOURCES},
}


def upgrade() -> None:
    op.create_table(
        "session_figures",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_figures")),
    )
    # By start (PostgreSQL reads a period's sessions by it) and by circle and start (SQLite looks
    # each time zone's circles up by it, as it does circle_session's: by start alone it took 5-15%
    # longer than through circle_session's index, over 3 and 12 months).
    op.create_index(op.f("ix_session_figures_starts_at"), "session_figures", ["starts_at"], unique=False)
    op.create_index("ix_session_figures_circle_starts", "session_figures", ["circle_id", "starts_at"], unique=False)
    # The triggers first: on PostgreSQL each takes a lock on its table that keeps writes out
    # until this migration commits, so none lands between the fill and the triggers.
    if op.get_bind().dialect.name == "postgresql":
        for table, events in POSTGRES_TRIGGERS.items():
            op.execute(_postgres_function(table))
            op.execute(
                f"CREATE TRIGGER summary_figures_{table} AFTER {events} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION circles_summary_figures_{table}()"
            )
    else:
        for name, event, table, statements, when in SQLITE_TRIGGERS:
            body = "".join(f"    {s};\n" for s in statements)
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW WHEN {when}\nBEGIN\n{body}END"
            )
    op.execute(FILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE session_figures")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS summary_figures_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS circles_summary_figures_{table}()")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_session_figures_circle_starts", table_name="session_figures")
    op.drop_index(op.f("ix_session_figures_starts_at"), table_name="session_figures")
    op.drop_table("session_figures")

"""Each session's turnout in one row: the people it expected by effective RSVP, and of them who
came (and the yes who missed), summed from session_expected by triggers on it.

The Organisation screen sums the people its period's sessions expected by answer and outcome:
session_expected keeps them as up to twelve rows per session (migration 0100), which the report
turned back into one row per session with eleven conditional sums, a third of the screen's data
on SQLite (thirty thousand rows for the last three months of the large demo); PostgreSQL, which
cannot tell how many sessions a period holds, hashed all of the store's rows to join them.
session_turnout holds the same sums, one row per session.

It is kept from session_expected alone, so it holds what session_expected holds by
construction: each row written to session_expected adds its people to its session's sums, each
row removed takes them away (per row on SQLite, per statement on PostgreSQL). A sum kept by its
deltas needs no lock of its own: two writers' changes to one session's row wait for each other
and add up. The triggers are named summary_*, so a bulk load that turns the summaries off turns
these off with them and fills the table with the others (models/summaries.py).

Revision ID: 0200
Revises: 0190
Create Date: 2026-11-30 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | None = "0190"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWERS = ("yes", "maybe", "no", "none")
COLUMNS = (
    "expected",
    "came",
    *(f"{kind}_{answer}" for answer in ANSWERS for kind in ("rsvp", "came")),
    "missed_yes",
)


def _sums() -> str:
    """The session's sums from its session_expected rows, in COLUMNS' order."""

    def people(*conditions: str) -> str:
        return f"sum(CASE WHEN {' AND '.join(conditions)} THEN people ELSE 0 END)"

    sums = ["sum(people)", people("how = 'came'")]
    for answer in ANSWERS:
        sums += [people(f"answer = '{answer}'"), people(f"answer = '{answer}'", "how = 'came'")]
    sums.append(people("answer = 'yes'", "how = 'missed'"))
    return ", ".join(sums)


# Copied into models/summaries.py (TURNOUT), not imported: a migration stays as it was written.
FILL = (
    f"INSERT INTO session_turnout (session_id, {', '.join(COLUMNS)})\n"
    f"SELECT session_id, {_sums()}\nFROM session_expected{{which}}\nGROUP BY session_id"
)


def _row_terms(row: str) -> list[str]:
    """One session_expected row ``row`` (NEW or OLD) as what it adds to each of COLUMNS."""

    def people(*conditions: str) -> str:
        return f"CASE WHEN {' AND '.join(f'{row}.{c}' for c in conditions)} THEN {row}.people ELSE 0 END"

    terms = [f"{row}.people", people("how = 'came'")]
    for answer in ANSWERS:
        terms += [people(f"answer = '{answer}'"), people(f"answer = '{answer}'", "how = 'came'")]
    terms.append(people("answer = 'yes'", "how = 'missed'"))
    return terms


# The sums are kept by adding what each row brings and taking away what it took, never by
# adding a session up again: a membership's change rewrites every row of its circle's sessions,
# and a recount per row made a join or a leave take 1.6 to 1.8 times as long on SQLite. A sum
# kept by its deltas is exact whatever the order two writers' rows arrive in. A session whose
# last row goes has no row here, as the fill leaves it (every session_expected row counts at
# least one person).
_UPSERT = (
    f"INSERT INTO session_turnout (session_id, {', '.join(COLUMNS)})\n"
    "{rows}\n"
    "ON CONFLICT (session_id) DO UPDATE SET "
    + ", ".join(f"{c} = session_turnout.{c} + excluded.{c}" for c in COLUMNS)
)
_EMPTIED = "DELETE FROM session_turnout WHERE expected = 0 AND session_id {which}"


def _sqlite_add(row: str) -> str:
    columns = ", ".join(_row_terms(row))
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
    return _UPSERT.format(rows=f"SELECT {row}.session_id, {columns} WHERE true") + ";\n"


def _sqlite_take(row: str) -> str:
    taken = ", ".join(f"{c} = {c} - ({term})" for term, c in zip(_row_terms(row), COLUMNS, strict=True))
    return (
        f"UPDATE session_turnout SET {taken} WHERE session_id = {row}.session_id;\n"
        + _EMPTIED.format(which=f"= {row}.session_id")
        + ";\n"
    )


# SQLite: for each row.
SQLITE_TRIGGERS = {
    "summary_turnout_insert": ("INSERT", _sqlite_add("NEW")),
    "summary_turnout_delete": ("DELETE", _sqlite_take("OLD")),
    "summary_turnout_update": ("UPDATE", _sqlite_take("OLD") + _sqlite_add("NEW")),
}

# PostgreSQL: once per statement, the rows it touched summed per session (a membership's change
# rewrites its circle's every session in one statement).
TOUCHED = f"SELECT session_id, {_sums()} FROM touched GROUP BY session_id"
POSTGRES_FUNCTIONS = {
    "circles_summary_turnout_add": _UPSERT.format(rows=TOUCHED),
    "circles_summary_turnout_take": (
        "UPDATE session_turnout SET "
        + ", ".join(f"{c} = session_turnout.{c} - gone.{c}" for c in COLUMNS)
        + f"\nFROM ({TOUCHED}) AS gone (session_id, {', '.join(COLUMNS)})\n"
        + "WHERE session_turnout.session_id = gone.session_id;\n"
        + _EMPTIED.format(which="IN (SELECT session_id FROM touched)")
    ),
}
POSTGRES_TRIGGERS = {
    "summary_turnout_insert": ("circles_summary_turnout_add", "AFTER INSERT", "NEW"),
    "summary_turnout_delete": ("circles_summary_turnout_take", "AFTER DELETE", "OLD"),
    # An update takes its old rows away and adds its new ones: a function reads one table.
    "summary_turnout_update_old": ("circles_summary_turnout_take", "AFTER UPDATE", "OLD"),
    "summary_turnout_update_new": ("circles_summary_turnout_add", "AFTER UPDATE", "NEW"),
}


def upgrade() -> None:
    op.create_table(
        "session_turnout",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COLUMNS),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_turnout")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # no write may land between the fill and the triggers that keep it from then on
        op.execute("LOCK TABLE session_expected IN SHARE ROW EXCLUSIVE MODE")
    op.execute(FILL.format(which=""))
    if postgres:
        op.execute("ANALYZE session_turnout")
        for function, body in POSTGRES_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{body};\nRETURN NULL;\nEND\n$$"
            )
        for name, (function, when, side) in POSTGRES_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} ON session_expected REFERENCING {side} TABLE AS touched "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        return
    for name, (event, body) in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON session_expected FOR EACH ROW\nBEGIN\n{body}END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON session_expected")
        for function in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("session_turnout")

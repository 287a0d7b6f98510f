"""Each session's turnout in one row: the people it expected by effective RSVP, and of them who
came (and the yes who missed), summed from session_expected by triggers on it.

The Organisation screen sums the people its period's sessions expected by answer and outcome:
session_expected keeps them as up to twelve rows per session (migration 0100), which the report
turned back into one row per session with eleven conditional sums, a third of the screen's data
on SQLite (thirty thousand rows for the last three months of the large demo); PostgreSQL, which
cannot tell how many sessions a period holds, hashed all of the store's rows to join them.
session_turnout holds the same sums, one row per session.

It is kept from session_expected alone, so it holds what session_expected holds by
construction: after each statement that writes session_expected (each row on SQLite), the
sessions it touched are summed again from their rows there. Every write to session_expected is
already one of 0100's recounts, under its circle's lock on PostgreSQL, so this adds no lock of
its own. The triggers are named summary_*, so a bulk load that turns the summaries off turns
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


def _recount(session: str) -> str:
    return (
        f"DELETE FROM session_turnout WHERE session_id = {session};\n"
        + FILL.format(which=f" WHERE session_id = {session}")
        + ";\n"
    )


SQLITE_TRIGGERS = {
    "summary_turnout_insert": ("INSERT", _recount("NEW.session_id")),
    "summary_turnout_delete": ("DELETE", _recount("OLD.session_id")),
    "summary_turnout_update": ("UPDATE", _recount("OLD.session_id") + _recount("NEW.session_id")),
}

# PostgreSQL: once per statement, over the sessions it touched (a membership's change rewrites
# its circle's every session in one statement).
TOUCHED = "SELECT session_id FROM touched"
POSTGRES_FUNCTION = f"""
CREATE FUNCTION circles_summary_turnout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM session_turnout WHERE session_id IN ({TOUCHED});
    {FILL.format(which=f" WHERE session_id IN ({TOUCHED})")};
    RETURN NULL;
END
$$;
"""
POSTGRES_TRIGGERS = {
    "summary_turnout_insert": "AFTER INSERT ON session_expected REFERENCING NEW TABLE AS touched",
    "summary_turnout_delete": "AFTER DELETE ON session_expected REFERENCING OLD TABLE AS touched",
    # An update rewrites the sessions of its old rows and of its new ones alike: the function
    # reads one table, so each side has its trigger.
    "summary_turnout_update_old": "AFTER UPDATE ON session_expected REFERENCING OLD TABLE AS touched",
    "summary_turnout_update_new": "AFTER UPDATE ON session_expected REFERENCING NEW TABLE AS touched",
}


def upgrade() -> None:
    op.create_table(
        "session_turnout",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COLUMNS),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_turnout")),
    )
    op.execute(FILL.format(which=""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE session_turnout")
        op.execute(POSTGRES_FUNCTION)
        for name, when in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION circles_summary_turnout()")
        return
    for name, (event, body) in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON session_expected FOR EACH ROW\nBEGIN\n{body}END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON session_expected")
        op.execute("DROP FUNCTION IF EXISTS circles_summary_turnout()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("session_turnout")

"""The People filter's search by part of a name, address or team, from trigram indexes on
PostgreSQL when the store may have them.

A search matches `%text%` anywhere in a name, an address or a team, which no ordinary index
can answer: PostgreSQL read every person for it (on the huge demo, 100,000 people, 85 to 110 ms
of each key typed in the filter, and as much again for its count). pg_trgm's GIN indexes find
the people whose text holds the typed text's trigrams: a search of three letters or more that
few people match reads those alone (a fraction of a millisecond), and the planner still reads
the table when the text is too short to have a trigram or most people match it.

pg_trgm ships with PostgreSQL (contrib; Debian's postgresql package has it) and is a trusted
extension, which the database's owner may create; an organisation's store may still refuse it
(another role owns the database, or the extension is not installed). Then the upgrade says so
in a log line and goes on: the search reads every person as before and finds the same people.
SQLite has no such index: it keeps reading every person. The models do not declare these
indexes (a store may lack them): models/search_schema.py leaves them out of the comparisons.

Revision ID: 0220
Revises: 0210
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0220"
down_revision: str | None = "0210"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("circles.migrations")

# Each on the expression circles/services/people.py's search compares: names and teams
# lower-cased, addresses as stored (lower-cased already).
INDEXES = {
    "ix_person_name_trigrams": "lower(name)",
    "ix_person_email_trigrams": "email",
    "ix_person_team_trigrams": "lower(team)",
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        # In a savepoint: a refusal leaves the upgrade's transaction as it was.
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, expression in INDEXES.items():
                bind.exec_driver_sql(f"CREATE INDEX {name} ON person USING gin ({expression} gin_trgm_ops)")
    except sa.exc.DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        log.warning(
            "The People filter's trigram indexes (pg_trgm) were not made (%s): a search reads "
            "every person, as before.",
            reason,
        )
        return
    log.info("The People filter's trigram indexes were made (pg_trgm).")
    # The planner weighs an expression index by its values' statistics, gathered by ANALYZE.
    bind.exec_driver_sql("ANALYZE person")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    # The extension stays: another store or program in the database may use it.

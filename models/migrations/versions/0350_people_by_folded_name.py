"""Each person's name and team as people look for them and order them: any case, no accents.

The People filter compared lower(name), which on SQLite folds ASCII letters alone and on
either backend keeps accents: "jose" found nobody called José, "emile" no Émile, and the
directory (ordered by lower(name)) filed Émile, Øystein and İlker after Zoë on SQLite. Neither
database folds accents without an extension a store may not have, so the people service writes
the folded name and team beside them (circles.folding.folded, the rule check-in's filter and
the Circles list's use; copied here) and the directory's order, its index and the filter read those.

This migration folds the people already there, moves the directory's index (0210) to the
folded name and, where the People filter's trigram indexes were made (0220, PostgreSQL with
pg_trgm), makes them again on the folded name and team.

Revision ID: 0350
Revises: 0300
Create Date: 2026-12-04 15:10:00
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0350"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The trigram indexes of 0220 that compared lower-cased text, and the column each now reads.
TRIGRAMS = {
    "ix_person_name_trigrams": ("lower(name)", "name_folded"),
    "ix_person_team_trigrams": ("lower(team)", "team_folded"),
}
# People folded per statement: a store of 100,000 is read and written in a few seconds.
BATCH = 5000


def folded(text: str) -> str:
    """circles.folding.folded_words as it was when this migration was written, copied (as 0002b
    does its rules) so that the migration keeps doing what it did if the rule changes later."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _fold_everyone(bind: sa.Connection) -> None:
    people = bind.exec_driver_sql("SELECT id, name, team FROM person ORDER BY id").all()
    person = sa.table("person", sa.column("id"), sa.column("name_folded"), sa.column("team_folded"))
    change = (
        sa.update(person)
        .where(person.c.id == sa.bindparam("person_id"))
        .values(name_folded=sa.bindparam("name_key"), team_folded=sa.bindparam("team_key"))
    )
    for start in range(0, len(people), BATCH):
        bind.execute(
            change,
            [
                {"person_id": pid, "name_key": folded(name), "team_key": None if team is None else folded(team)}
                for pid, name, team in people[start : start + BATCH]
            ],
        )


def _trigram_indexes(bind: sa.Connection) -> set[str]:
    rows = bind.exec_driver_sql(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'person' AND schemaname = current_schema()"
    )
    return {r[0] for r in rows} & set(TRIGRAMS)


def _make_trigrams_on(bind: sa.Connection, which: int) -> None:
    """The trigram indexes 0220 made, made again on the expressions in place ``which`` of
    TRIGRAMS (0: as 0220 made them; 1: on the folded columns)."""
    if bind.dialect.name != "postgresql":
        return
    for name in _trigram_indexes(bind):
        bind.exec_driver_sql(f"DROP INDEX {name}")
        bind.exec_driver_sql(f"CREATE INDEX {name} ON person USING gin ({TRIGRAMS[name][which]} gin_trgm_ops)")


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("person", sa.Column("name_folded", sa.String(480), nullable=False, server_default=""))
    op.add_column("person", sa.Column("team_folded", sa.String(320), nullable=True))
    _fold_everyone(bind)
    op.drop_index("ix_person_name_lower", table_name="person")
    op.create_index("ix_person_name_folded", "person", ["name_folded", "id"])
    _make_trigrams_on(bind, 1)
    if bind.dialect.name == "postgresql":
        # The planner weighs the new indexes by the columns' statistics, gathered by ANALYZE.
        bind.exec_driver_sql("ANALYZE person")


def downgrade() -> None:
    bind = op.get_bind()
    _make_trigrams_on(bind, 0)
    op.drop_index("ix_person_name_folded", table_name="person")
    op.create_index("ix_person_name_lower", "person", [sa.text("lower(name)"), sa.text("id")])
    # In place, not by batch mode's copy of the table, which the tables referring to person
    # and the triggers naming it make fail on SQLite (as 0250 found).
    for column in ("team_folded", "name_folded"):
        op.execute(f"ALTER TABLE person DROP COLUMN {column}")

"""Each person's name and team as people look for them and order them: any case, no accents.

The People filter compared lower(name), which on SQLite folds ASCII letters alone and on
either backend keeps accents: "jose" found nobody called José, "emile" no Émile, and the
directory (ordered by lower(name)) filed Émile, Øystein and İlker after Zoë on SQLite. Neither
database folds accents without an extension a store may not have, so the people service writes
the folded name and team beside them (circles.folding.folded, the rule check-in's filter and
the Circles list's use; copied here) and the directory's order, its index and the filter read those.

This migration folds the people already there, moves the directory's index (0210) to the
folded name and, where the People filter's trigram indexes were made (0220, PostgreSQL with
pg_trgm), makes them again on the folded name and team. The fold now also writes letters of
their own plainly ('Łukasz' is "lukasz", 'Søren' "soren"), and topics are known by the same
fold: their keys are made again, two topics that become one merged.

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
# What is tagged with a topic: each table, and its column naming the tagged thing.
TAGGED = (("session_topic", "session_id"), ("agenda_item_topic", "agenda_item_id"))
# People folded per statement: a store of 100,000 is read and written in a few seconds.
BATCH = 5000


# circles.folding's rule as it was when this migration was written, copied (as 0002b copies
# its rules) so that the migration keeps doing what it did if the rule changes later.
OWN_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ŧ": "t"}
    | {"\u0131": "i"}  # dotless i (Turkish), written as its code: it reads as an i
)


def folded(text: str) -> str:
    """circles.folding.folded_words: any case, no accents, OWN_LETTERS written plainly, blanks
    collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(OWN_LETTERS)
    return " ".join(plain.split())


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


def _topics_known_again(bind: sa.Connection) -> None:
    """Topics are known by their key, the same fold (circles.folding.topic_key): a key made
    before OWN_LETTERS ('łódź') is made again ('lodz'). Where another topic has that key
    already (someone tagged 'Lodz' too), the two are one topic from now on: what the newer
    tagged (sessions, agenda items) is tagged with the older, and the newer goes."""
    topics = bind.exec_driver_sql("SELECT id, name, key FROM topic ORDER BY id").all()
    owner = {key: tid for tid, _name, key in topics}
    for tid, name, key in topics:
        again = folded(name)
        if again == key:
            continue
        kept = owner.get(again)
        if kept is None:
            bind.execute(sa.text("UPDATE topic SET key = :key WHERE id = :id"), {"key": again, "id": tid})
            del owner[key]
            owner[again] = tid
            continue
        for table, tagged in TAGGED:
            bind.execute(
                sa.text(
                    f"INSERT INTO {table} ({tagged}, topic_id) SELECT {tagged}, :kept FROM {table} "
                    f"WHERE topic_id = :gone AND {tagged} NOT IN "
                    f"(SELECT {tagged} FROM {table} WHERE topic_id = :kept)"
                ),
                {"kept": kept, "gone": tid},
            )
            bind.execute(sa.text(f"DELETE FROM {table} WHERE topic_id = :gone"), {"gone": tid})
        bind.execute(sa.text("DELETE FROM topic WHERE id = :gone"), {"gone": tid})
        del owner[key]


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
    _topics_known_again(bind)
    op.drop_index("ix_person_name_lower", table_name="person")
    op.create_index("ix_person_name_folded", "person", ["name_folded", "id"])
    _make_trigrams_on(bind, 1)
    if bind.dialect.name == "postgresql":
        # The planner weighs the new indexes by the columns' statistics, gathered by ANALYZE.
        bind.exec_driver_sql("ANALYZE person")


def downgrade() -> None:
    # Topics keep their keys and merges: an older circles folds the same names its way, and
    # finds a topic of these letters by its name alone (nothing is lost, a tag may be made twice).
    bind = op.get_bind()
    _make_trigrams_on(bind, 0)
    op.drop_index("ix_person_name_folded", table_name="person")
    op.create_index("ix_person_name_lower", "person", [sa.text("lower(name)"), sa.text("id")])
    # In place, not by batch mode's copy of the table, which the tables referring to person
    # and the triggers naming it make fail on SQLite (as 0250 found).
    for column in ("team_folded", "name_folded"):
        op.execute(f"ALTER TABLE person DROP COLUMN {column}")

"""What the full-text index is made of beside the tables in models/tables.py, on each backend.

Migration 0030 builds it: on SQLite an FTS5 table (external content: it reads the text from
search_doc) kept in step by triggers on search_doc; on PostgreSQL a generated tsvector column
on search_doc with a GIN index. Triggers on every source table (circle, person, session,
agenda item, material, takeaway, topics; feedback answers since 0050) write search_doc in the
same transaction as the change. The models do not declare these objects (they differ per
backend), so the schema comparisons (Alembic's autogenerate, tests/test_migrations.py) leave them out through
``include_object``; tests/test_search.py checks they exist.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "search_fts"  # SQLite: FTS5 over search_doc (and its shadow tables search_fts_*)
VECTOR_COLUMN = "search_vector"  # PostgreSQL: the generated tsvector of search_doc
VECTOR_INDEX = "ix_search_doc_search_vector"
WORDS_FUNCTION = "circles_search_words"  # PostgreSQL: the text as the index splits and folds it

# Accented letters folded to their base letter, as SQLite's FTS5 tokenizer (unicode61 with
# remove_diacritics 2) folds them: PostgreSQL's index folds exactly these with translate(),
# which needs no extension (unaccent is not installed everywhere) and is immutable, so the
# tsvector can be a generated column. Letters outside this table compare as they are. Since
# migration 0130, text that is all ASCII skips the fold (nothing in it to fold) and turns its
# punctuation into spaces with replace(): the same words at a tenth of the cost.
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭ"
    "ĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǦǧǨǩǪǫ"
    "ǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ"
)
FOLD_TO = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiii"
    "iiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaggkkoooo"
    "jggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyy"
)
# ASCII punctuation becomes a space in PostgreSQL's copy of the text, so its parser sees the
# words FTS5 sees: without this it keeps "ana@example.org", "/home/ana/slides.pdf" or
# "e-mail" whole, and a search for "slides" would find the file on SQLite only.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

assert len(FOLD_FROM) == len(FOLD_TO)


# PostgreSQL only, made by a migration and not declared by the models: on SQLite, which keeps
# no statistics, the planner took the first where it slowed a query down (migration 0190); the
# People filter's trigram indexes are made only where the store may create pg_trgm (0220).
POSTGRES_INDEXES = (
    "ix_membership_circle_joined",
    "ix_person_name_trigrams",
    "ix_person_email_trigrams",
    "ix_person_team_trigrams",
)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic's comparisons: leave out the index objects the models do not declare."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    if type_ == "index" and name in POSTGRES_INDEXES:
        return False
    return not (name in (VECTOR_COLUMN, VECTOR_INDEX) and type_ in ("column", "index"))

"""PostgreSQL's search words cost a fifth of what they did: text that is all ASCII (nearly all
of it) skips the accent fold, which has nothing to fold there, and its punctuation becomes
spaces by one replace() per mark instead of translate().

circles_search_words (migration 0030) feeds search_doc's generated tsvector: translate() over
the fold table's 250 accented letters and the 32 ASCII punctuation marks looks every character
up in that list one by one, which took most of the time of writing a document (340 s of the
huge demo's build). The new body gives the same text for every input: in UTF-8, a text whose
length in bytes is its length in characters holds only ASCII, and every letter the fold table
folds is outside ASCII, so there translate() changes only the punctuation, to spaces, as the
replace() calls do (a space is not one of the marks, so no replace() sees another's output).
Any other text goes through the same translate() as before. In another server encoding the
byte count says nothing of that, so the body stays as it was.

The function is replaced in place: the stored vectors are what the new body gives, so nothing
is written again. SQLite's index (FTS5) is not touched.

Self-contained on purpose: the fold table is copied from 0030, not imported.

Revision ID: 0130
Revises: 0100
Create Date: 2026-11-30 07:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0130"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

# What the proof above stands on.
assert len(FOLD_FROM) == len(FOLD_TO) and not any(c.isascii() for c in FOLD_FROM)
assert PUNCTUATION.isascii() and " " not in PUNCTUATION


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _function(body: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION circles_search_words(value text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {body} $$"
    )


FOLDED = f"translate($1, {_literal(FOLD_FROM + PUNCTUATION)}, {_literal(FOLD_TO + ' ' * len(PUNCTUATION))})"


def _spaced() -> str:
    text = "$1"
    for mark in PUNCTUATION:
        text = f"replace({text}, {_literal(mark)}, ' ')"
    return text


BEFORE = _function(FOLDED)
AFTER = _function(f"CASE WHEN octet_length($1) = length($1) THEN {_spaced()} ELSE {FOLDED} END")


def _utf8() -> bool:
    conn = op.get_bind()
    return (
        conn.dialect.name == "postgresql" and conn.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"
    )


def _execute(sql: str) -> None:
    op.get_bind().exec_driver_sql(sql.replace("%", "%%"))  # psycopg reads % as a placeholder


def upgrade() -> None:
    if _utf8():
        _execute(AFTER)


def downgrade() -> None:
    if _utf8():
        _execute(BEFORE)

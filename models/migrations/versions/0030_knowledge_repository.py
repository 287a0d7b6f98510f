"""The knowledge repository: materials, takeaways and topics per session, and one full-text
index over circles, people, sessions (title, notes), agenda items and their presenters,
materials, takeaways and topics.

search_doc holds one row per searchable thing, written by triggers on each source table in
the same transaction as the change (so a saved note is found at once). The index reads it:
SQLite, an FTS5 table with search_doc as its external content, kept in step by triggers on
search_doc; PostgreSQL, a generated tsvector column with a GIN index. The SQL that builds a
document is written once below and wrapped per backend (a trigger body on SQLite, a plpgsql
trigger function on PostgreSQL).

Self-contained on purpose: the fold table and the document queries are copied here, not
imported, so this revision builds the same thing whatever later versions change.

Revision ID: 0030
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0020"
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

DOC_COLUMNS = "kind, ref_id, session_id, circle_id, title, body, tags"

# What each kind of document says, for the rows WHERE {where} picks; {agg} joins topic names.
DOCUMENTS = {
    "circle": (
        "SELECT 'circle', c.id, NULL, c.id, c.name, c.description, replace(c.kind, '-', ' ') "
        "FROM circle c WHERE {where}"
    ),
    "person": "SELECT 'person', p.id, NULL, NULL, p.name, '', '' FROM person p WHERE {where}",
    "session": (
        "SELECT 'session', s.id, s.id, s.circle_id, s.title, s.notes, "
        "c.name || ' ' || coalesce(p.name, '') || ' ' || coalesce((SELECT {agg}(t.name, ' ') "
        "FROM session_topic x JOIN topic t ON t.id = x.topic_id WHERE x.session_id = s.id), '') "
        "FROM circle_session s JOIN circle c ON c.id = s.circle_id "
        "LEFT JOIN person p ON p.id = s.presenter_id WHERE {where}"
    ),
    "agenda_item": (
        "SELECT 'agenda_item', i.id, i.session_id, s.circle_id, i.title, '', "
        "coalesce(p.name, '') || ' ' || coalesce((SELECT {agg}(t.name, ' ') "
        "FROM agenda_item_topic x JOIN topic t ON t.id = x.topic_id WHERE x.agenda_item_id = i.id), '') "
        "FROM agenda_item i JOIN circle_session s ON s.id = i.session_id "
        "LEFT JOIN person p ON p.id = i.presenter_id WHERE {where}"
    ),
    "material": (
        "SELECT 'material', m.id, m.session_id, s.circle_id, m.title, coalesce(m.url, m.path, ''), m.kind "
        "FROM material m JOIN circle_session s ON s.id = m.session_id WHERE {where}"
    ),
    "takeaway": (
        "SELECT 'takeaway', t.id, t.session_id, s.circle_id, '', t.text, '' "
        "FROM takeaway t JOIN circle_session s ON s.id = t.session_id WHERE {where}"
    ),
}

# Rewrite a document only when what it says changed: each rewrite is a delete and an insert
# in the index.
_CHANGED = " OR ".join(
    [f"search_doc.{c} <> excluded.{c}" for c in ("title", "body", "tags")]
    + [f"coalesce(search_doc.{c}, 0) <> coalesce(excluded.{c}, 0)" for c in ("session_id", "circle_id")]
)


def _refresh(kind: str, where: str) -> str:
    """Write (or rewrite) the documents of ``kind`` for the rows ``where`` picks."""
    return (
        f"INSERT INTO search_doc ({DOC_COLUMNS}) {DOCUMENTS[kind]} "
        "ON CONFLICT (kind, ref_id) DO UPDATE SET session_id = excluded.session_id, "
        "circle_id = excluded.circle_id, title = excluded.title, body = excluded.body, tags = excluded.tags "
        f"WHERE {_CHANGED}"
    ).replace("{where}", where)


def _forget(kind: str) -> str:
    return f"DELETE FROM search_doc WHERE kind = '{kind}' AND ref_id = OLD.id"


def _children_moved(kind: str, alias: str) -> str:
    # A session moved to another circle (nothing does that today): its parts' documents follow.
    return _refresh(kind, f"{alias}.session_id = NEW.id AND NEW.circle_id <> OLD.circle_id")


# (trigger name, table, event, statements): every change to a source, as its documents see it.
TRIGGERS: list[tuple[str, str, str, list[str]]] = [
    ("search_circle_insert", "circle", "INSERT", [_refresh("circle", "c.id = NEW.id")]),
    (
        "search_circle_update",
        "circle",
        "UPDATE OF name, description, kind",
        [
            _refresh("circle", "c.id = NEW.id"),
            _refresh("session", "s.circle_id = NEW.id AND NEW.name <> OLD.name"),
        ],
    ),
    ("search_circle_delete", "circle", "DELETE", [_forget("circle")]),
    ("search_person_insert", "person", "INSERT", [_refresh("person", "p.id = NEW.id")]),
    (
        "search_person_update",
        "person",
        "UPDATE OF name",
        [
            _refresh("person", "p.id = NEW.id"),
            _refresh("session", "s.presenter_id = NEW.id"),
            _refresh("agenda_item", "i.presenter_id = NEW.id"),
        ],
    ),
    ("search_person_delete", "person", "DELETE", [_forget("person")]),
    ("search_session_insert", "circle_session", "INSERT", [_refresh("session", "s.id = NEW.id")]),
    (
        "search_session_update",
        "circle_session",
        "UPDATE OF title, notes, presenter_id, circle_id",
        [
            _refresh("session", "s.id = NEW.id"),
            _children_moved("agenda_item", "i"),
            _children_moved("material", "m"),
            _children_moved("takeaway", "t"),
        ],
    ),
    ("search_session_delete", "circle_session", "DELETE", [_forget("session")]),
    ("search_agenda_item_insert", "agenda_item", "INSERT", [_refresh("agenda_item", "i.id = NEW.id")]),
    (
        "search_agenda_item_update",
        "agenda_item",
        "UPDATE OF title, presenter_id, session_id",
        [_refresh("agenda_item", "i.id = NEW.id")],
    ),
    ("search_agenda_item_delete", "agenda_item", "DELETE", [_forget("agenda_item")]),
    ("search_material_insert", "material", "INSERT", [_refresh("material", "m.id = NEW.id")]),
    (
        "search_material_update",
        "material",
        "UPDATE OF title, url, path, kind, session_id",
        [_refresh("material", "m.id = NEW.id")],
    ),
    ("search_material_delete", "material", "DELETE", [_forget("material")]),
    ("search_takeaway_insert", "takeaway", "INSERT", [_refresh("takeaway", "t.id = NEW.id")]),
    (
        "search_takeaway_update",
        "takeaway",
        "UPDATE OF text, session_id",
        [_refresh("takeaway", "t.id = NEW.id")],
    ),
    ("search_takeaway_delete", "takeaway", "DELETE", [_forget("takeaway")]),
    (
        "search_session_topic_insert",
        "session_topic",
        "INSERT",
        [_refresh("session", "s.id = NEW.session_id")],
    ),
    (
        "search_session_topic_delete",
        "session_topic",
        "DELETE",
        [_refresh("session", "s.id = OLD.session_id")],
    ),
    (
        "search_agenda_item_topic_insert",
        "agenda_item_topic",
        "INSERT",
        [_refresh("agenda_item", "i.id = NEW.agenda_item_id")],
    ),
    (
        "search_agenda_item_topic_delete",
        "agenda_item_topic",
        "DELETE",
        [_refresh("agenda_item", "i.id = OLD.agenda_item_id")],
    ),
    (
        "search_topic_update",
        "topic",
        "UPDATE OF name",
        [
            _refresh("session", "s.id IN (SELECT session_id FROM session_topic WHERE topic_id = NEW.id)"),
            _refresh(
                "agenda_item",
                "i.id IN (SELECT agenda_item_id FROM agenda_item_topic WHERE topic_id = NEW.id)",
            ),
        ],
    ),
]

# SQLite: FTS5 reads its text from search_doc (external content) and is told of every change.
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, content='search_doc', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    # bm25 weights per column: a title outweighs tags (topics, presenters, circle), which outweigh text.
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0, 2.0)')",
    "CREATE TRIGGER search_doc_insert AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, title, body, tags) VALUES (NEW.id, NEW.title, NEW.body, NEW.tags); END",
    "CREATE TRIGGER search_doc_delete AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, tags) "
    "VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.tags); END",
    "CREATE TRIGGER search_doc_update AFTER UPDATE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, tags) "
    "VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.tags); "
    "INSERT INTO search_fts(rowid, title, body, tags) VALUES (NEW.id, NEW.title, NEW.body, NEW.tags); END",
]

# PostgreSQL: the text as FTS5 sees it (accents folded, punctuation a space), then a weighted
# tsvector: title A, tags B, text C.
POSTGRES_INDEX = [
    "CREATE FUNCTION circles_search_words(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT translate($1, {from_}, {to}) $$",
    "ALTER TABLE search_doc ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, circles_search_words(title)), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, circles_search_words(tags)), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, circles_search_words(body)), 'C')) STORED",
    "CREATE INDEX ix_search_doc_search_vector ON search_doc USING gin (search_vector)",
]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _execute(sql: str) -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        sql = sql.replace("%", "%%")  # psycopg reads % as a placeholder
    conn.exec_driver_sql(sql)


def _sqlite_has_fts5() -> bool:
    try:
        probe = sqlite3.connect(":memory:")
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        probe.close()
    except sqlite3.OperationalError:
        return False
    return True


def _create_tables() -> None:
    op.create_table(
        "material",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "slides",
                "recording",
                "reading",
                "code",
                "other",
                name="material_kind",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(url IS NULL) <> (path IS NULL)", name=op.f("ck_material_link_or_file")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["circle_session.id"],
            name=op.f("fk_material_session_id_circle_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material")),
    )
    op.create_index(op.f("ix_material_session_id"), "material", ["session_id"], unique=False)
    op.create_table(
        "takeaway",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["circle_session.id"],
            name=op.f("fk_takeaway_session_id_circle_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takeaway")),
    )
    op.create_index(op.f("ix_takeaway_session_id"), "takeaway", ["session_id"], unique=False)
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("key", name=op.f("uq_topic_key")),
    )
    op.create_table(
        "session_topic",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["circle_session.id"],
            name=op.f("fk_session_topic_session_id_circle_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_session_topic_topic_id_topic"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "topic_id", name=op.f("pk_session_topic")),
    )
    op.create_index(op.f("ix_session_topic_topic_id"), "session_topic", ["topic_id"], unique=False)
    op.create_table(
        "agenda_item_topic",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_agenda_item_topic_agenda_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_agenda_item_topic_topic_id_topic"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agenda_item_id", "topic_id", name=op.f("pk_agenda_item_topic")),
    )
    op.create_index(op.f("ix_agenda_item_topic_topic_id"), "agenda_item_topic", ["topic_id"], unique=False)
    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("circle_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_doc")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_doc_kind_ref_id")),
    )
    op.create_index(op.f("ix_search_doc_session_id"), "search_doc", ["session_id"], unique=False)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite" and not _sqlite_has_fts5():
        raise RuntimeError(
            "the SQLite library this Python uses was built without FTS5, which search needs; "
            "use a Python whose sqlite3 has it (python.org, uv and most Linux builds do)"
        )
    _create_tables()
    if dialect == "sqlite":
        for statement in SQLITE_INDEX:
            _execute(statement)
    else:
        for statement in POSTGRES_INDEX:
            _execute(statement.format(from_=_literal(FOLD_FROM + PUNCTUATION), to=_literal(FOLD_TO + " " * 32)))
    agg = "group_concat" if dialect == "sqlite" else "string_agg"
    # Everything already in the store, indexed once (the index triggers on search_doc take it in).
    for kind, select in DOCUMENTS.items():
        _execute(f"INSERT INTO search_doc ({DOC_COLUMNS}) " + select.format(where="true", agg=agg))
    for name, table, event, statements in TRIGGERS:
        body = "; ".join(s.replace("{agg}", agg) for s in statements)
        if dialect == "sqlite":
            _execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
        else:
            _execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            _execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, _event, _statements in TRIGGERS:
        _execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else f" ON {table}"))
        if dialect == "postgresql":
            _execute(f"DROP FUNCTION IF EXISTS {name}()")
    if dialect == "sqlite":
        for name in ("search_doc_insert", "search_doc_delete", "search_doc_update"):
            _execute(f"DROP TRIGGER IF EXISTS {name}")
        _execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index(op.f("ix_search_doc_session_id"), table_name="search_doc")
    op.drop_table("search_doc")
    if dialect == "postgresql":
        _execute("DROP FUNCTION IF EXISTS circles_search_words(text)")
    op.drop_index(op.f("ix_agenda_item_topic_topic_id"), table_name="agenda_item_topic")
    op.drop_table("agenda_item_topic")
    op.drop_index(op.f("ix_session_topic_topic_id"), table_name="session_topic")
    op.drop_table("session_topic")
    op.drop_table("topic")
    op.drop_index(op.f("ix_takeaway_session_id"), table_name="takeaway")
    op.drop_table("takeaway")
    op.drop_index(op.f("ix_material_session_id"), table_name="material")
    op.drop_table("material")

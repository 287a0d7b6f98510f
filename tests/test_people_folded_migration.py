"""Migration 0350 (each person's name and team folded beside them) from the revision before it on
SQLite and PostgreSQL: the people already there are folded and filed in the order people read
names, the directory's index moves to the folded name, the People filter's trigram indexes
(where 0220 made them) read the folded columns, and the downgrade puts everything back."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import URL

from models.engine import create_store_engine, sqlite_file
from models.store_file import claim_sqlite_file
from tests.test_migrations import _migrate_to

PEOPLE = [
    ("Zoë  Ng", None), ("Émile Zola", "Écriture"), ("Ana Lima", "Platform"), ("İlker Demir", None),
    ("Łukasz Wójcik", "Øresund"),
]  # fmt: skip
# Topics as 0300 keyed them (Łódź's ł kept), and a session and an agenda item tagged with each.
TOPICS = [(1, "Lodz meetups", "lodz meetups"), (2, "Łódź meetups", "łodz meetups"), (3, "Ærø", "ærø")]


def _indexes(engine: sa.Engine) -> dict[str, str]:
    """The person table's indexes, each with its definition."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name, coalesce(sql, '') FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = 'person'"
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'person'"
            )
        return {name: definition for name, definition in rows}


def _columns(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("person")}


def _tagged(conn: sa.Connection) -> None:
    """TOPICS, each tagging a session of its own and that session's agenda item; the session
    tagged Lodz is tagged Łódź too (one tag each, after the merge)."""
    conn.exec_driver_sql(
        "INSERT INTO circle (id, name, kind, description, timezone, default_minutes, reminder_minutes, "
        "archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES (1, 'Rust Lunch', "
        "'learning-circle', '', 'Europe/Berlin', 60, 15, false, 'series-1', 0, 1, "
        "'2026-01-01 00:00:00+00:00')"
    )
    for tid, name, key in TOPICS:
        conn.execute(
            sa.text("INSERT INTO topic (id, name, key) VALUES (:id, :name, :key)"),
            {"id": tid, "name": name, "key": key},
        )
        conn.execute(
            sa.text(
                "INSERT INTO circle_session (id, circle_id, starts_at, planned_starts_at, minutes, title, "
                "status, ics_uid, ics_sequence, notes, version, created_at) "
                "VALUES (:id, 1, :at, :at, 60, 'Talk', 'scheduled', :uid, 0, '', 1, :at)"
            ),
            {"id": tid, "at": f"2026-02-0{tid} 12:00:00+00:00", "uid": f"s{tid}"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO agenda_item (id, session_id, position, title, is_presentation, version) "
                "VALUES (:id, :id, 1, 'Item', false, 1)"
            ),
            {"id": tid},
        )
        for table, tagged in (("session_topic", "session_id"), ("agenda_item_topic", "agenda_item_id")):
            conn.execute(sa.text(f"INSERT INTO {table} ({tagged}, topic_id) VALUES (:id, :id)"), {"id": tid})
    for table, tagged in (("session_topic", "session_id"), ("agenda_item_topic", "agenda_item_id")):
        conn.exec_driver_sql(f"INSERT INTO {table} ({tagged}, topic_id) VALUES (1, 2)")


def test_0350_folds_the_people_already_there_and_files_them_as_people_read_names(store_url: URL) -> None:
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, "0300")
    with engine.begin() as conn:
        for n, (name, team) in enumerate(PEOPLE):
            conn.execute(
                sa.text(
                    "INSERT INTO person (name, email, team, is_guest, active, version, created_at) VALUES "
                    "(:name, :email, :team, false, true, 1, '2026-01-01 00:00:00+00:00')"
                ),
                {"name": name, "email": f"p{n}@example.org", "team": team},
            )
        _tagged(conn)
    trigrams_before = {n: d for n, d in _indexes(engine).items() if "trigrams" in n}
    # (tests/test_people_search_trigrams.py finds them made on the test server.)
    assert bool(trigrams_before) == (engine.dialect.name == "postgresql")

    _migrate_to(engine, "0350")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, name_folded, team_folded FROM person ORDER BY name_folded, id"
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Ana Lima", "ana lima", "platform"),
        ("Émile Zola", "emile zola", "ecriture"),
        ("İlker Demir", "ilker demir", None),
        ("Łukasz Wójcik", "lukasz wojcik", "oresund"),
        ("Zoë  Ng", "zoe ng", None),
    ]
    # Topics are known by the same fold: Łódź's key is Lodz's, the two are one (the older,
    # with both tags), Ærø's key is made again.
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id, name, key FROM topic ORDER BY id").all() == [
            (1, "Lodz meetups", "lodz meetups"),
            (3, "Ærø", "aero"),
        ]
        for table in ("session_topic", "agenda_item_topic"):
            tags = conn.exec_driver_sql(
                f"SELECT topic_id, count(*) FROM {table} GROUP BY topic_id ORDER BY 1"
            )
            assert tags.all() == [(1, 2), (3, 1)], table
    indexes = _indexes(engine)
    assert "ix_person_name_folded" in indexes and "ix_person_name_lower" not in indexes
    # Where 0220 could make the trigram indexes (PostgreSQL with pg_trgm), they read the
    # folded name and team now; the address's is as it was.
    assert set(trigrams_before) <= set(indexes)
    for name in trigrams_before:
        if "email" in name:
            assert indexes[name] == trigrams_before[name]
        else:
            assert "_folded" in indexes[name] and "lower(" not in indexes[name], indexes[name]

    _migrate_to(engine, "0300", down=True)
    assert not {"name_folded", "team_folded"} & _columns(engine)
    indexes = _indexes(engine)
    assert "ix_person_name_lower" in indexes and "ix_person_name_folded" not in indexes
    assert {n: d for n, d in indexes.items() if "trigrams" in n} == trigrams_before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one() == len(PEOPLE)
    engine.dispose()

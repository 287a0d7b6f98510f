"""Migration 0050 (what people learned, in the search index) from the revision before it, on
SQLite and PostgreSQL: lines written before the upgrade are found after it, without their
authors, the triggers keep them in step from then on, and the downgrade takes it all away."""

from __future__ import annotations

from alembic.script import ScriptDirectory

import models.migrate as migrate
from circles.services import search
from models.engine import create_store_engine, sqlite_file
from models.store import Store
from models.store_file import claim_sqlite_file
from tests.test_migrations import _migrate_to


def _found(store: Store, text: str) -> list[tuple[str, int, str]]:
    with store.read() as db:
        return [(h.kind, h.id, h.snippet) for h in search.search(db, text)]


def test_0050_finds_the_lines_learned_before_it_without_their_authors(store_url, clock):
    before = ScriptDirectory.from_config(migrate._config()).get_revision("0050").down_revision
    assert before == "0040"
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    _migrate_to(engine, before)
    with engine.begin() as conn:
        for name in ("Ana Quill", "Zed Quux"):
            conn.exec_driver_sql(
                "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
                f"('{name}', '{name.split()[0].lower()}@example.org', false, true, 1,"
                " '2026-01-01 00:00:00+00:00')"
            )
        conn.exec_driver_sql(
            "INSERT INTO circle (name, kind, description, timezone, default_minutes, reminder_minutes,"
            " facilitator_id, archived, ics_series_uid, ics_series_sequence, version, created_at) VALUES"
            " ('Rust Lunch', 'learning-circle', '', 'Europe/Berlin', 60, 15,"
            " (SELECT min(id) FROM person), false, 'series-1', 0, 1, '2026-01-01 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO circle_session (circle_id, starts_at, minutes, title, status, ics_uid,"
            " ics_sequence, planned_starts_at, notes, version, created_at) VALUES ((SELECT id FROM circle),"
            " '2026-03-10 11:00:00+00:00', 60, 'Ownership', 'held', 'session-1', 0,"
            " '2026-03-10 11:00:00+00:00', '', 1, '2026-01-01 00:00:00+00:00')"
        )
        session = conn.exec_driver_sql("SELECT id FROM circle_session").scalar_one()
        ana = "(SELECT id FROM person WHERE name = 'Ana Quill')"
        for answer_id, person, line in [
            ("0a", ana, "Lifetimes are about borrows"),
            ("0b", "NULL", "Zanzibar quokkas borrow nothing"),  # anonymous
            ("0c", "NULL", ""),
        ]:
            conn.exec_driver_sql(
                "INSERT INTO feedback_answer (id, session_id, person_id, rating, learned, for_presenter) "
                f"VALUES ('{answer_id}', {session}, {person}, 4, '{line}', '')"
            )
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == "0040"
    (hit,) = _found(store, "borrow*")
    assert hit == ("learned", session, "Lifetimes are about borrows · Zanzibar quokkas borrow nothing")
    assert _found(store, "zanzibar") == [hit]
    assert _found(store, "quill") == [("person", 1, "Ana Quill")]  # not the line she wrote
    # From now on the triggers keep it: a new line is found, a removed one is not.
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO feedback_answer (id, session_id, person_id, rating, learned, for_presenter) "
            f"VALUES ('0d', {session}, NULL, 5, 'Traits compose', '')"
        )
        conn.exec_driver_sql("DELETE FROM feedback_answer WHERE id = '0b'")
    assert [k for k, *_ in _found(store, "traits")] == ["learned"]
    assert _found(store, "zanzibar") == []

    _migrate_to(store.engine, before, down=True)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM search_doc WHERE kind = 'learned'").scalar() == 0
    with store.engine.begin() as conn:  # and no trigger is left to write one
        conn.exec_driver_sql(
            "INSERT INTO feedback_answer (id, session_id, person_id, rating, learned, for_presenter) "
            f"VALUES ('0e', {session}, NULL, 5, 'Macros hygiene', '')"
        )
        assert conn.exec_driver_sql("SELECT count(*) FROM search_doc WHERE kind = 'learned'").scalar() == 0
    store.close()

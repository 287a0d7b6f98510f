"""The huge demo's builder, run at a tiny size through the same code (COPY on PostgreSQL,
executemany on SQLite, the search index filled once at the end) on both backends."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from circles.demo import SIZES, build_demo
from circles.services import people, rotation, search, sessions
from models.search_schema import VECTOR_INDEX
from models.store import Store
from tests.conftest import FixedClock

# The huge shape (index filled afterwards, circles past the topic and office pairs), tiny.
TINY = dataclasses.replace(
    SIZES["huge"], people=400, circles=305, members=(3, 5), weeks_past=3, weeks_ahead=3,
    programmes=(3, 5, 2, 2, 6, 8),
)  # fmt: skip
DOC = "SELECT kind, ref_id, session_id, circle_id, title, body, tags FROM search_doc ORDER BY kind, ref_id"


def _scalar(store: Store, sql: str) -> object:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def test_the_huge_builder_makes_a_whole_consistent_store(store: Store, clock: FixedClock) -> None:
    summary = build_demo(store, size=TINY)
    assert summary.people == 400 + _scalar(store, "SELECT count(*) FROM person WHERE is_guest")  # type: ignore[operator]
    assert summary.circles == 305
    assert _scalar(store, "SELECT count(DISTINCT lower(name)) FROM circle") == 305
    assert summary.attendance == _scalar(store, "SELECT count(*) FROM attendance") > 0
    # Every attendance row points at a real session and person (the bulk path skips nothing).
    orphans = (
        "SELECT count(*) FROM attendance a LEFT JOIN circle_session s ON s.id = a.session_id "
        "LEFT JOIN person p ON p.id = a.person_id WHERE s.id IS NULL OR p.id IS NULL"
    )
    assert _scalar(store, orphans) == 0
    assert _scalar(store, "SELECT count(*) FROM feedback_answer") > 0
    assert _scalar(store, "SELECT count(*) FROM pair_member") > 0
    with store.read() as db:
        # The rotation's state is the one it keeps: upcoming presenters as its preview names them.
        for circle_id in (1, 150, 305):
            rows = [r for r in rotation.preview(db, circle_id, count=5) if r.session is not None]
            assert rows
            for r in rows:
                assert sessions.get_session(db, r.session.id).presenter_id == r.presenter_id
        # The index was filled after the rows: the demo's notes and talks are found.
        hits = search.search(db, "lessons from production")
        assert hits
    # After the bulk writes, new rows get fresh ids and the triggers index them again.
    with store.write() as db:
        new = people.add_person(db, name="Zebedee Quill", email="zebedee@example.org")
    assert new.id > 400
    with store.read() as db:
        assert [(h.kind, h.id) for h in search.search(db, "Zebedee")] == [("person", new.id)]


def test_the_index_filled_afterwards_is_the_one_the_triggers_write(store: Store, clock: FixedClock) -> None:
    """The documents the huge path writes at the end equal those written row by row, and the
    triggers work again afterwards."""
    small = dataclasses.replace(TINY, circles=4, people=60)
    build_demo(store, size=small)
    row_by_row = Store.open(make_url("sqlite://"), clock=FixedClock(clock()))
    build_demo(row_by_row, size=dataclasses.replace(small, index_afterwards=False))
    with store.engine.connect() as a, row_by_row.engine.connect() as b:
        assert [tuple(r) for r in a.exec_driver_sql(DOC)] == [tuple(r) for r in b.exec_driver_sql(DOC)]
        if a.dialect.name == "sqlite":
            a.exec_driver_sql("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    with store.write() as db:
        db.execute(sa.text("UPDATE circle SET name = 'Zanzibar Guild' WHERE id = 2"))
    with store.read() as db:
        assert ("circle", 2) in [(h.kind, h.id) for h in search.search(db, "Zanzibar")]


def test_a_search_trigger_the_fill_does_not_know_stops_it() -> None:
    """A migration that adds a kind of search document must teach the fill after the rows how
    to write it: an insert trigger the fill neither writes from nor knows to skip stops it, where
    a huge store would otherwise lack those documents (as it lacked what people learned)."""
    from circles.demo_index import index_afterwards

    store = Store.open(make_url("sqlite://"))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER search_badge_insert AFTER INSERT ON person BEGIN SELECT NEW.id; END"
        )
        with pytest.raises(RuntimeError, match="search_badge_insert"), index_afterwards(conn):
            pass


# -- What the fast load turns off comes back, built or failed, on each backend ------------------

SCHEMA = {
    "triggers": "SELECT c.relname || '.' || t.tgname || ':' || t.tgenabled::text FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal",
    "constraints": "SELECT conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace",
    "indexes": "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()",
}


def _schema(store: Store) -> dict[str, list[str]]:
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT type, name, coalesce(sql, '') FROM sqlite_master")
            return {"sqlite_master": sorted(" ".join(row) for row in rows)}
        return {what: sorted(conn.exec_driver_sql(sql).scalars()) for what, sql in SCHEMA.items()}


@pytest.fixture
def postgres_store(postgres_url: URL, clock: FixedClock) -> Iterator[Store]:
    s = Store.open(postgres_url, clock=clock)
    yield s
    s.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_after_a_build_on_postgresql_the_change_triggers_keys_and_indexes_are_all_back(
    postgres_store: Store,
) -> None:
    """The change notifications are off, and the bulk tables' keys and indexes dropped, only
    while the demo writes: afterwards the schema is the migrated one, to the letter."""
    before = _schema(postgres_store)
    assert any(".circles_change_attendance_insert:O" in t for t in before["triggers"])
    assert any(VECTOR_INDEX in i and "gin" in i for i in before["indexes"])
    build_demo(postgres_store, size=dataclasses.replace(TINY, circles=6, people=60))
    assert _schema(postgres_store) == before
    # The planner has statistics for the rows the demo wrote before any screen opens.
    analysed = "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s"
    for table in ("attendance", "person", "search_doc"):
        assert _scalar(postgres_store, analysed.replace("%s", f"'{table}'")), table


@pytest.mark.slow
@pytest.mark.postgres
def test_a_demo_that_fails_on_postgresql_leaves_the_change_triggers_on(
    postgres_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that stops half-way, its triggers off and its keys dropped, is rolled back whole:
    the store is empty and its schema the migrated one, change notifications on."""
    from circles import demo

    before = _schema(postgres_store)
    real = demo._Builder._circle_life
    built: list[int] = []

    def fail_on_the_third(self: Any, circle: dict[str, Any], *args: Any) -> None:
        if len(built) == 2:
            raise RuntimeError("the machine ran out of something")
        built.append(circle["id"])
        real(self, circle, *args)

    monkeypatch.setattr(demo._Builder, "_circle_life", fail_on_the_third)
    with pytest.raises(RuntimeError, match="ran out"):
        build_demo(postgres_store, size=dataclasses.replace(TINY, circles=6, people=60))
    assert built == [1, 2]
    assert _schema(postgres_store) == before
    assert _scalar(postgres_store, "SELECT count(*) FROM attendance") == 0
    # And the store takes the demo afterwards.
    monkeypatch.setattr(demo._Builder, "_circle_life", real)
    build_demo(postgres_store, size=dataclasses.replace(TINY, circles=6, people=60))
    assert _schema(postgres_store) == before


@pytest.mark.postgres
def test_keys_and_indexes_stay_while_triggers_that_read_the_tables_still_run(postgres_store: Store) -> None:
    """The large demo keeps its search triggers on while it writes: a learned line's trigger
    gathers the session's answers, and with feedback_answer's indexes dropped under it each
    insert read the whole table (the large demo's feedback took over ten minutes on PostgreSQL)."""
    from circles.demo_index import index_afterwards
    from circles.demo_postgres import keys_and_indexes_after, quiet_changes
    from models.summaries import counted_afterwards

    indexes = (
        "SELECT count(*) FROM pg_index WHERE indrelid = 'feedback_answer'::regclass AND NOT indisprimary"
    )
    with postgres_store.engine.begin() as conn, quiet_changes(conn):
        kept = conn.exec_driver_sql(indexes).scalar_one()
        assert kept > 0
        with keys_and_indexes_after(conn, ["feedback_answer"]):
            assert conn.exec_driver_sql(indexes).scalar_one() == kept  # the search triggers run
        # As the demo does: the search index and the summaries (models/summaries.py) filled after.
        with (
            index_afterwards(conn),
            counted_afterwards(conn),
            keys_and_indexes_after(conn, ["feedback_answer"]),
        ):
            assert conn.exec_driver_sql(indexes).scalar_one() == 0  # nothing runs that reads them
        assert conn.exec_driver_sql(indexes).scalar_one() == kept


# -- SQLite: the bulk tables' indexes are made after their rows, and back whatever happens --------


def _sqlite_indexes(conn: Any, table: str) -> list[str]:
    sql = f"SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = '{table}'"
    return sorted(conn.exec_driver_sql(sql).scalars())


def test_the_huge_demo_on_sqlite_writes_its_rows_before_their_indexes(
    memory_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index out of insert order took each of ten million rows at a random page, read back
    through a growing write-ahead log: the huge SQLite build was still going after an hour. While
    the circles' rows go in, attendance has no index by person (nor the other bulk tables theirs);
    afterwards the schema is the migrated one, to the letter, and the page cache as it was."""
    from circles import demo

    before = _schema(memory_store)
    with memory_store.engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        assert _sqlite_indexes(conn, "attendance") == ["ix_attendance_person_id"]
    real = demo._Builder._circle_life
    seen: list[list[str]] = []

    def watched(self: Any, *args: Any) -> None:
        seen.append(_sqlite_indexes(self.conn, "attendance"))
        real(self, *args)

    monkeypatch.setattr(demo._Builder, "_circle_life", watched)
    build_demo(memory_store, size=dataclasses.replace(TINY, circles=6, people=60))
    assert seen and all(found == [] for found in seen)
    assert _schema(memory_store) == before
    with memory_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == cache


def test_a_huge_demo_that_fails_on_sqlite_leaves_every_index(
    memory_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from circles import demo

    before = _schema(memory_store)
    real = demo._Builder._circle_life

    def fail_on_the_third(self: Any, circle: dict[str, Any], *args: Any) -> None:
        if circle["id"] == 3:
            raise RuntimeError("the machine ran out of something")
        real(self, circle, *args)

    monkeypatch.setattr(demo._Builder, "_circle_life", fail_on_the_third)
    with pytest.raises(RuntimeError, match="ran out"):
        build_demo(memory_store, size=dataclasses.replace(TINY, circles=6, people=60))
    assert _schema(memory_store) == before
    assert _scalar(memory_store, "SELECT count(*) FROM attendance") == 0


def test_on_sqlite_the_indexes_stay_while_the_search_triggers_run(memory_store: Store) -> None:
    """The large demo keeps its search triggers on while it writes, and they read the bulk
    tables by their indexes: those stay (the summaries' triggers are off in every demo)."""
    from circles.demo_index import index_afterwards
    from circles.demo_postgres import keys_and_indexes_after
    from models.summaries import counted_afterwards

    with memory_store.engine.begin() as conn:
        kept = _sqlite_indexes(conn, "feedback_answer")
        assert kept
        with keys_and_indexes_after(conn, ["feedback_answer"]):
            assert _sqlite_indexes(conn, "feedback_answer") == kept
        with counted_afterwards(conn), keys_and_indexes_after(conn, ["feedback_answer"]):
            assert _sqlite_indexes(conn, "feedback_answer") == kept  # the search triggers still run
        with (
            counted_afterwards(conn),
            index_afterwards(conn),
            keys_and_indexes_after(conn, ["feedback_answer"]),
        ):
            assert _sqlite_indexes(conn, "feedback_answer") == []
        assert _sqlite_indexes(conn, "feedback_answer") == kept


def test_on_sqlite_tables_no_running_trigger_reads_load_without_their_indexes(
    memory_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The large demo keeps its search triggers on while the circles' rows go in; they read
    sessions and agenda items (those keep their indexes), never attendance or memberships,
    which load without theirs. Afterwards the schema is the migrated one, the cache as it was."""
    from circles import demo

    before = _schema(memory_store)
    with memory_store.engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        kept = _sqlite_indexes(conn, "circle_session")
    real = demo._Builder._circle_life
    seen: list[tuple[list[str], list[str], list[str]]] = []

    def watched(self: Any, *args: Any) -> None:
        found = (
            _sqlite_indexes(self.conn, "attendance"),
            _sqlite_indexes(self.conn, "membership"),
            _sqlite_indexes(self.conn, "circle_session"),
        )
        seen.append(found)
        real(self, *args)

    monkeypatch.setattr(demo._Builder, "_circle_life", watched)
    build_demo(memory_store, size=dataclasses.replace(TINY, circles=6, people=60, index_afterwards=False))
    assert seen and all(found == ([], [], kept) for found in seen)
    assert _schema(memory_store) == before
    with memory_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == cache


@pytest.mark.postgres
def test_on_postgresql_tables_no_running_trigger_reads_load_without_their_keys(postgres_store: Store) -> None:
    """As the large demo writes (search triggers on, the summaries' off): attendance, which no
    search trigger reads, loses its foreign keys and indexes until its rows are in, while
    feedback_answer, whose lines they gather by session, keeps everything."""
    from circles.demo_postgres import keys_and_indexes_after, quiet_changes
    from models.summaries import counted_afterwards

    def extra(conn: Any, table: str) -> int:
        return conn.exec_driver_sql(
            f"SELECT (SELECT count(*) FROM pg_index WHERE indrelid = '{table}'::regclass "
            "AND NOT indisprimary)"
            f" + (SELECT count(*) FROM pg_constraint WHERE conrelid = '{table}'::regclass AND contype = 'f')"
        ).scalar_one()

    before = _schema(postgres_store)
    with postgres_store.engine.begin() as conn, quiet_changes(conn), counted_afterwards(conn):
        kept = {t: extra(conn, t) for t in ("attendance", "feedback_answer")}
        assert all(kept.values())
        with keys_and_indexes_after(conn, ["attendance", "feedback_answer"]):
            assert extra(conn, "attendance") == 0
            assert extra(conn, "feedback_answer") == kept["feedback_answer"]
        assert {t: extra(conn, t) for t in kept} == kept
    assert _schema(postgres_store) == before

"""A session's agenda is a total order the database keeps: one item per place, whatever
two facilitators do at once, and a store whose agendas repeated places is renumbered."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

import models.migrate as migrate
from circles.services import agenda
from models.store import Store
from tests import factories, forked

REPO = Path(__file__).resolve().parent.parent


def _places(store: Store, session_id: int) -> list[tuple[int, str]]:
    with store.read() as db:
        return [(i.position, i.title) for i in agenda.list_items(db, session_id)]


def test_the_store_refuses_two_items_at_one_place(store):
    c = factories.circle(store)
    s = factories.session(store, c, "2026-03-10 12:00")
    with store.write() as db:
        agenda.add_item(db, session_id=s.id, title="Check-in")
    with pytest.raises(IntegrityError), store.write() as db:
        db.execute(
            sa.text(
                "INSERT INTO agenda_item (session_id, position, title, is_presentation, version) "
                "VALUES (:s, 1, 'Talk', false, 1)"
            ),
            {"s": s.id},
        )


def test_moving_and_deleting_keep_the_places_one_to_n(store):
    c = factories.circle(store)
    s = factories.session(store, c, "2026-03-10 12:00")
    with store.write() as db:
        items = [agenda.add_item(db, session_id=s.id, title=t) for t in "ABCDE"]
    with store.write() as db:
        agenda.move_item(db, items[4], to_position=1)  # E A B C D
    with store.write() as db:
        agenda.move_item(db, agenda.get_item(db, items[0].id), to_position=5)  # E B C D A
    with store.write() as db:
        agenda.move_item(db, agenda.get_item(db, items[3].id), to_position=2)  # E D B C A
    with store.write() as db:
        agenda.delete_item(db, agenda.get_item(db, items[1].id))  # E D C A
    assert _places(store, s.id) == [(1, "E"), (2, "D"), (3, "C"), (4, "A")]
    with store.write() as db:
        assert agenda.add_item(db, session_id=s.id, title="F").position == 5


def test_the_upgrade_renumbers_repeated_places_and_keeps_their_order(store, store_url, clock):
    """A store written before the constraint, by two writers at once: Talk and Q&A both 2."""
    c = factories.circle(store)
    crowded = factories.session(store, c, "2026-03-10 12:00")
    gappy = factories.session(store, c, "2026-03-17 12:00")
    with store.write() as db:
        for title in ("Check-in", "Talk", "Q&A", "Wrap-up"):
            agenda.add_item(db, session_id=crowded.id, title=title)
        for title in ("One", "Two"):
            agenda.add_item(db, session_id=gappy.id, title=title)
    cfg = migrate._config()
    # Back to the first schema, and to what it allowed; with foreign keys off on SQLite, as
    # migrate.py runs migrations (a batch copy's drop would otherwise act on the references).
    with store.engine.connect() as conn, migrate.foreign_keys_deferred(conn), conn.begin():
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        conn.execute(sa.text("UPDATE agenda_item SET position = 2 WHERE title = 'Q&A'"))
        conn.execute(sa.text("UPDATE agenda_item SET position = 3 WHERE title = 'Wrap-up'"))
        conn.execute(sa.text("UPDATE agenda_item SET position = 5 WHERE title = 'Two'"))
    store.close()
    upgraded = Store.open(store_url, clock=clock)
    assert _places(upgraded, crowded.id) == [(1, "Check-in"), (2, "Talk"), (3, "Q&A"), (4, "Wrap-up")]
    assert _places(upgraded, gappy.id) == [(1, "One"), (5, "Two")]  # no repeat: left as it was
    upgraded.close()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


def test_two_facilitators_adding_at_once_both_get_a_place(postgres_url, clock):
    """Interleaved by hand on PostgreSQL: A adds an item and has not committed when B adds
    one. Today's main gave both place 1 (each read max(position) = 0)."""
    store = Store.open(postgres_url, clock=clock)
    c = factories.circle(store)
    s = factories.session(store, c, "2026-03-10 12:00")
    watcher = sa.create_engine(postgres_url)
    b_pid: list[int] = []
    b_failed: list[BaseException] = []

    def b_adds() -> None:
        try:
            with store.write() as db:
                b_pid.append(db.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
                agenda.add_item(db, session_id=s.id, title="B's item")
        except BaseException as exc:
            b_failed.append(exc)

    def b_waits_on_a_lock() -> bool:
        with watcher.connect() as conn:
            waiting = conn.execute(
                sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": b_pid[0]}
            ).scalar()
        return waiting == "Lock"

    with store.write() as a:
        agenda.add_item(a, session_id=s.id, title="A's item")
        b = threading.Thread(target=b_adds)
        b.start()
        _wait_for(lambda: bool(b_pid), "B began")
        # B now waits for A (the fix), or has gone ahead and finished (the race).
        _wait_for(lambda: not b.is_alive() or b_waits_on_a_lock(), "B waited for A or finished")
    b.join(timeout=60)
    watcher.dispose()
    assert not b_failed, b_failed
    assert _places(store, s.id) == [(1, "A's item"), (2, "B's item")]
    store.close()


@pytest.mark.slow
def test_many_writers_adding_to_one_agenda_leave_one_item_per_place(store, store_url):
    """The issue's repro, many times over: several processes append to one agenda at once."""
    writers, each = (8, 12) if store_url.get_backend_name() == "postgresql" else (4, 12)
    c = factories.circle(store)
    s = factories.session(store, c, "2026-03-10 12:00")
    url = store_url.render_as_string(hide_password=False)
    procs = [
        forked.start(
            "tests.agenda_writer",
            [url, str(w), str(s.id), str(each)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.strip().endswith(f"{each} items")
    places = _places(store, s.id)
    assert [p for p, _ in places] == list(range(1, writers * each + 1))
    assert {t for _, t in places} == {f"worker {w} item {n}" for w in range(writers) for n in range(each)}
    # Each writer's items keep the order it added them in.
    for w in range(writers):
        mine = [t for _, t in places if t.startswith(f"worker {w} ")]
        assert mine == [f"worker {w} item {n}" for n in range(each)]

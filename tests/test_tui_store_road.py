"""The one road from a screen to the store (screens/work.py): a bug is told as a bug, with its
traceback in the user's log; a store that is locked or gone is told as the store's; neither is
dressed up as the other."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import models.engine
import models.store
from circles import error_log
from circles.app import CirclesApp
from circles.services import people
from models.engine import create_store_engine, sqlite_url
from models.store import Store
from screens.demo_loader import DemoLoader
from screens.home import HomeScreen
from screens.textual_internals import notifications
from screens.work import ask_db, run_db
from tests import factories
from tests.tui_support import settle, until

SIZE = (100, 30)
NOT_YOUR_DATA = "Something went wrong in circles (not your data): details in "


def _a_job_with_a_bug(db: object) -> None:
    return {"present": 1}["presnt"]  # a typo, as bugs go


def _a_query_with_a_bug(db: object) -> None:
    db.execute(sa.text("SELEC 1"))  # type: ignore[attr-defined]  (SQLite calls this an OperationalError)


def _told(app: CirclesApp) -> list[str]:
    return [n.message for n in notifications(app)]


@pytest.mark.parametrize("job", [_a_job_with_a_bug, _a_query_with_a_bug], ids=["python", "sql"])
async def test_a_bug_in_a_job_says_so_and_its_traceback_goes_to_the_log(memory_store, job):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        run_db(app.screen, job)
        await settle(app, pilot)
        (told,) = _told(app)
    log = error_log.log_file()
    assert told == NOT_YOUR_DATA + str(log)
    assert "store" not in told.lower()
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and job.__name__ in text
    assert ("KeyError: 'presnt'" if job is _a_job_with_a_bug else "SELEC") in text
    # Tracebacks can quote a person's data: the log is the user's alone.
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


async def test_a_screen_callback_that_fails_is_told_as_a_bug(memory_store):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        run_db(app.screen, lambda db: "loaded", lambda _: _a_job_with_a_bug(None))
        await settle(app, pilot)
        assert _told(app) == [NOT_YOUR_DATA + str(error_log.log_file())]
    assert "_a_job_with_a_bug" in error_log.log_file().read_text(encoding="utf-8")


async def test_the_palette_search_tells_a_bug_and_finds_nothing(memory_store):
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert await ask_db(app, _a_job_with_a_bug, failed=[]) == []
        await pilot.pause()
        assert _told(app) == [NOT_YOUR_DATA + str(error_log.log_file())]


async def test_a_cancelled_job_that_stops_itself_tells_nobody(memory_store):
    started, go, ended = threading.Event(), threading.Event(), threading.Event()

    def job(db: object) -> None:
        started.set()
        go.wait(10)
        try:
            raise RuntimeError("stopped: the dialog was closed")  # as the attendance export stops
        finally:
            ended.set()

    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        worker = run_db(app.screen, job, group="stoppable")
        await until(pilot, started.is_set)
        worker.cancel()
        go.set()
        await until(pilot, ended.is_set)
        await settle(app, pilot)
        assert _told(app) == []
    assert not error_log.log_file().exists()


async def test_a_locked_store_is_told_as_the_stores_and_nothing_is_saved(tmp_path, clock, monkeypatch):
    # Another program holds the write lock past every wait (here 50 ms, and no pause between tries).
    monkeypatch.setattr(models.engine, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(models.store.random, "uniform", lambda _a, _b: 0.0)
    path = tmp_path / "circles.db"
    store = Store.open(sqlite_url(path), clock=clock)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    app = CirclesApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            add = lambda db: people.add_person(db, name="Ana Lima", email="ana@example.org")  # noqa: E731
            run_db(app.screen, add, write=True)
            await settle(app, pilot)
            (told,) = _told(app)
    finally:
        holder.rollback()
        holder.close()
    assert told == (
        "The store did not answer (database is locked). Nothing was changed; try again in a moment."
    )
    assert not error_log.log_file().exists()
    with store.read() as db:
        assert people.count_people(db) == 0
    store.close()


async def test_a_store_that_went_away_is_told_as_the_stores(clock):
    # A PostgreSQL server that is not there (nothing listens on port 1): every unit of work fails.
    nowhere = make_url("postgresql+psycopg://circles@127.0.0.1:1/circles")
    gone = Store(create_store_engine(nowhere), clock=clock)
    app = CirclesApp(gone)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        told = _told(app)
    assert told and all(t.startswith("The store did not answer (connection") for t in told), told
    assert all("Something went wrong" not in t for t in told)
    assert not error_log.log_file().exists()
    gone.close()


async def test_the_demo_loads_through_the_road_and_refuses_a_store_with_data(memory_store):
    results: list[bool | None] = []
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(DemoLoader(), results.append)
        await until(pilot, lambda: results == [True])
        with memory_store.read() as db:
            assert people.count_people(db) > 0
        app.push_screen(DemoLoader(), results.append)
        await until(pilot, lambda: len(results) == 2 and bool(_told(app)))
        assert results == [True, False]
        (told,) = _told(app)
        assert "demo data goes into an empty store only" in told


def test_the_log_is_made_only_when_there_is_something_to_write(tmp_path: Path):
    path = error_log.log_file()
    assert path.is_relative_to(tmp_path)  # conftest points XDG_STATE_HOME at the test's folder
    assert not path.parent.exists()
    try:
        raise ValueError("a bug")
    except ValueError as exc:
        assert error_log.record(exc) == path
    assert "ValueError: a bug" in path.read_text(encoding="utf-8")


def test_a_sql_mistake_is_not_the_stores_but_a_lock_is(tmp_path, clock, monkeypatch):
    """The classification itself, without a screen (circles/store_access.py)."""
    from circles.errors import StoreUnavailable
    from circles.store_access import run

    monkeypatch.setattr(models.engine, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(models.store.random, "uniform", lambda _a, _b: 0.0)
    path = tmp_path / "circles.db"
    store = Store.open(sqlite_url(path), clock=clock)
    factories.person(store, "Ana Lima")
    with pytest.raises(sa.exc.OperationalError, match="syntax error"):
        run(store, _a_query_with_a_bug)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreUnavailable, match="database is locked"):
            run(store, lambda db: people.add_person(db, name="Bo Chen", email="bo@example.org"), write=True)
        assert run(store, people.count_people) == 1  # readers are not held up by a writer (WAL)
    finally:
        holder.rollback()
        holder.close()
    store.close()


async def test_a_result_replaced_while_it_waits_for_the_screen_is_not_shown(memory_store, monkeypatch):
    """A read's answer waiting for the UI thread when a newer read replaced it was shown
    anyway: its worker looked whether it was stale only before handing it over."""
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        handing_over = threading.Event()
        hand_over = app.call_from_thread

        def noted(callback, *args, **kwargs):  # type: ignore[no-untyped-def]
            handing_over.set()
            return hand_over(callback, *args, **kwargs)

        monkeypatch.setattr(app, "call_from_thread", noted)
        shown: list[str] = []
        started, go = threading.Event(), threading.Event()

        def old(db: object) -> str:
            started.set()
            go.wait(10)
            return "old"

        run_db(app.screen, old, shown.append, group="answer")
        await until(pilot, started.is_set)
        # The UI thread is busy (here: waiting) while the old answer is handed over to it...
        go.set()
        assert handing_over.wait(10)
        # ...and a newer read replaces it before the UI thread takes the old one.
        run_db(app.screen, lambda db: "new", shown.append, group="answer")
        await settle(app, pilot)
        assert shown == ["new"]

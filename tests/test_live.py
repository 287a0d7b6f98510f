"""Live screens: two apps on one store, on SQLite and PostgreSQL; what one (or the CLI's services)
changes shows on the other within a bounded wait, with its cursor, filter and typed notes kept;
an app's own writes are not taken for someone else's; the watcher's connection ends with the app;
behind PgBouncer in transaction mode the app polls instead of listening."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from textual.widgets import DataTable, Input, TextArea

import circles.app
from circles.app import CirclesApp
from circles.live import Change, ChangeWatcher, PostgresWatcher
from circles.services import agenda, attendance
from models.engine import sqlite_url
from models.enums import Attended
from models.store import Store
from models.summaries import FILLS
from screens.checkin import CheckInScreen
from screens.form_screen import FormScreen
from screens.live import current_key
from screens.session import SessionScreen
from screens.tabs import Tabs
from tests import factories
from tests.test_pgbouncer import pgbouncer  # noqa: F401  (the fixture: a real PgBouncer, transaction mode)
from tests.tui_support import rows, settle, type_text, until

SIZE = (100, 30)
NAMES = ["Ada", "Ben", "Cleo", "Dara", "Eli", "Fay", "Gus", "Hana"]


def _circle(store: Store) -> tuple[int, int]:
    c = factories.circle(store, "Rust Lunch")
    for name in NAMES:
        factories.member(store, c, factories.person(store, f"{name} Member", f"{name.lower()}@example.org"))
    s = factories.session(store, c, "2026-03-03 12:00", title="Ownership")
    return c.id, s.id


@pytest.fixture
def other_store(store: Store, clock) -> Iterator[Store]:
    """A second Store on the same database: another app's pool, as another process would have."""
    s = Store.open(store.url, clock=clock)
    yield s
    s.close()


@pytest.fixture
def third_store(store: Store, clock) -> Iterator[Store]:
    s = Store.open(store.url, clock=clock)
    yield s
    s.close()


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[Change]]:
    """Every change each app was told of (by id(app)), recorded on the way to its screens."""
    seen: dict[int, list[Change]] = {}
    original = circles.app.tell_screens

    def record(app, changes):
        seen.setdefault(id(app), []).extend(changes)
        original(app, changes)

    monkeypatch.setattr(circles.app, "tell_screens", record)
    return seen


def _watching(app: CirclesApp) -> bool:
    return app.change_watcher is not None and app.change_watcher.ready.is_set()


def _started(watcher: ChangeWatcher | None) -> ChangeWatcher:
    assert watcher is not None
    watcher.start()
    assert watcher.ready.wait(10)
    return watcher


def _mark(screen: CheckInScreen, name: str) -> str:
    table = screen.query_one("#roster", DataTable)
    found = [r for r in rows(table) if r[0] == name]
    return found[0][3] if found else ""


async def test_a_check_in_on_one_app_shows_on_the_other_keeping_cursor_and_filter(
    store: Store, other_store: Store, third_store: Store, told: dict[int, list[Change]]
) -> None:
    """``store`` is the CLI's; the apps each have their own pool, as separate processes would."""
    _, session_id = _circle(store)
    door, watcher = CirclesApp(third_store), CirclesApp(other_store)
    async with door.run_test(size=SIZE) as at_door, watcher.run_test(size=SIZE) as watching:
        for app, pilot in ((door, at_door), (watcher, watching)):
            await settle(app, pilot)
            app.push_screen(CheckInScreen(session_id))
            await settle(app, pilot)
            await until(pilot, lambda app=app: _watching(app))
        seen = watcher.screen
        assert isinstance(seen, CheckInScreen)
        table = seen.query_one("#roster", DataTable)
        await type_text(watching, "member")  # a filter being typed (every name has it)
        await watching.press("down", "down", "down")
        before = current_key(table)
        assert before is not None and before != str(seen.roster[0].person_id)

        await at_door.press("space")  # the first on the list (Ada) is here
        await until(watching, lambda: _mark(seen, "Ada Member").startswith("✔"))

        assert current_key(table) == before
        assert seen.filter_text == "member"
        # The door's app wrote it: it showed its own mark already, it is not told of it again.
        with store.read() as db:
            marks = {e.name: e.attended for e in attendance.roster(db, session_id)}
        assert marks["Ada Member"] is Attended.PRESENT
        # Someone else now (the CLI's services, on a pool of their own): the door's app is told.
        ben = next(e.person_id for e in seen.roster if e.name == "Ben Member")
        with store.write() as db:
            attendance.check_in(db, session_id=session_id, person_id=ben, attended=Attended.LATE)
        door_screen = door.screen
        assert isinstance(door_screen, CheckInScreen)
        await until(at_door, lambda: "late" in _mark(door_screen, "Ben Member"))
        door_told = told.get(id(door), [])
        assert door_told, "the door's app was never told of Ben"
        if store.url.get_backend_name() == "postgresql":
            # Each notification names who; none names Ada, whom this app checked in itself.
            people = {c.ids.get("person") for c in door_told if c.table == "attendance"}
            assert ben in people
            ada = next(e.person_id for e in seen.roster if e.name == "Ada Member")
            assert ada not in people
        else:
            # SQLite says only "something changed": once for Ben, not once more for Ada before.
            assert len(door_told) == 1


async def test_the_session_keeps_its_cursor_tab_and_typed_notes_when_the_agenda_changes(
    store: Store, other_store: Store
) -> None:
    _, session_id = _circle(store)
    with store.write() as db:
        items = [agenda.add_item(db, session_id=session_id, title=t) for t in ("Welcome", "Talk", "Wrap-up")]
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(session_id)
        await settle(app, pilot)
        await until(pilot, lambda: _watching(app))
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        table = screen.query_one("#agenda", DataTable)
        await pilot.press("down")  # on "Talk"
        assert current_key(table) == str(items[1].id)
        await pilot.press("n")
        await type_text(pilot, "half written")
        notes = screen.query_one("#notes", TextArea)

        with store.write() as db:  # someone else takes "Welcome" off the agenda
            agenda.delete_item(db, agenda.get_item(db, items[0].id))
        await until(pilot, lambda: [r[1] for r in rows(table)] == ["Talk", "Wrap-up"])

        assert current_key(table) == str(items[1].id)  # still on "Talk", now the first row
        assert notes.text.endswith("half written")
        assert screen.focused is notes
        assert screen.query_one("#session-tabs", Tabs).active == "agenda-tab"


def _listeners(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query LIKE 'LISTEN%%'"
            ).scalar_one()
        )


def _watchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "circles-change-watcher"]


async def test_the_watchers_connection_ends_with_the_app(store: Store, other_store: Store) -> None:
    app = CirclesApp(other_store)
    postgres = store.url.get_backend_name() == "postgresql"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(_watchers()) == 1
        if postgres:
            await until(pilot, lambda: _listeners(store) == 1)
    assert _watchers() == []
    if postgres:
        # The connection is closed; the server's process for it ends a moment later.
        deadline = time.monotonic() + 10
        while _listeners(store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _listeners(store) == 0


def test_a_screen_looks_again_only_for_what_it_shows() -> None:
    change = Change.parse("attendance circle=3 session=12 person=7")
    assert change == Change("attendance", {"circle": 3, "session": 12, "person": 7})
    assert change.touches({"attendance"}, session=12, circle=3)
    assert not change.touches({"attendance"}, session=13, circle=3)  # another session of the circle
    assert change.touches({"attendance"}, circle=3)  # the circle's screen
    assert not change.touches({"agenda_item"}, session=12)  # not a table the screen shows
    assert Change.parse("membership circle=3 person=9").touches({"membership"}, session=12, circle=3)
    assert Change.parse("attendance").touches({"attendance"}, session=12)  # a bulk change: any row
    assert Change().touches({"person"}, circle=1)  # SQLite, polling: something, we cannot say what


def _seen(changes: queue.Queue[list[Change]]) -> list[Change]:
    return changes.get(timeout=10)


@pytest.mark.postgres
def test_postgres_tells_the_ids_of_a_change_and_not_this_apps_own(postgres_url: URL, clock) -> None:
    direct, other = Store.open(postgres_url, clock=clock), Store.open(postgres_url, clock=clock)
    try:
        c_id, s_id = _circle(other)
        changes: queue.Queue[list[Change]] = queue.Queue()
        watcher = ChangeWatcher.for_store(direct, changes.put, {})
        assert isinstance(watcher, PostgresWatcher)
        _started(watcher)
        try:
            with direct.write() as db:  # this app's own: not told
                agenda.add_item(db, session_id=s_id, title="Own")
            with other.write() as db:
                agenda.add_item(db, session_id=s_id, title="Theirs")
            assert _seen(changes) == [Change("agenda_item", {"circle": c_id, "session": s_id})]
        finally:
            watcher.stop()
    finally:
        direct.close()
        other.close()


# Written only by triggers of tables that notify themselves: the search index's, and those that
# keep the summaries of migration 0100 (models/summaries.py; screens show their sources).
NOT_NOTIFYING = {"search_doc", *FILLS}


@pytest.mark.postgres
def test_every_table_a_screen_may_show_notifies_on_postgresql(postgres_url: URL) -> None:
    """A table without the triggers is one whose changes no screen on PostgreSQL ever hears of
    (0070 left out invites sent, replies, the rotation's history, topics, do-not-pair lists): a
    new table must get them in its migration, or be named above with the reason."""
    from sqlmodel import SQLModel

    store = Store.open(postgres_url)
    try:
        with store.engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'circles\\_change\\_%%' GROUP BY c.relname"
            ).all()
    finally:
        store.close()
    assert dict(found) == {t: 3 for t in SQLModel.metadata.tables if t not in NOT_NOTIFYING}


@pytest.mark.postgres
def test_postgres_tells_of_invites_sent_elsewhere(postgres_url: URL, clock) -> None:
    from datetime import UTC, datetime

    from models.enums import InviteMethod, SendOutcome, SendReason
    from models.tables import InviteSend

    direct, other = Store.open(postgres_url, clock=clock), Store.open(postgres_url, clock=clock)
    try:
        c_id, s_id = _circle(other)
        ana = factories.person(other, "Ana", "ana@example.org")
        changes: queue.Queue[list[Change]] = queue.Queue()
        watcher = ChangeWatcher.for_store(direct, changes.put, {})
        _started(watcher)
        try:
            with other.write() as db:
                db.add(
                    InviteSend(
                        session_id=s_id,
                        person_id=ana.id,
                        email="ana@example.org",
                        uid="u1",
                        sequence=0,
                        method=InviteMethod.REQUEST,
                        reason=SendReason.NEW,
                        fingerprint="f",
                        outcome=SendOutcome.SENT,
                        sent_at=datetime(2026, 3, 1, tzinfo=UTC),
                    )
                )
            # The circle's "invites not sent yet" line stayed as it was on every other app.
            assert _seen(changes) == [
                Change("invite_send", {"circle": c_id, "session": s_id, "person": ana.id})
            ]
        finally:
            watcher.stop()
    finally:
        direct.close()
        other.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_behind_pgbouncer_in_transaction_mode_the_app_polls_or_listens_on_a_direct_url(
    pgbouncer: URL,  # noqa: F811
    postgres_url: URL,
    clock,
) -> None:
    through = pgbouncer.set(database=postgres_url.database).update_query_dict({"prepare_threshold": "none"})
    other = Store.open(postgres_url, clock=clock)
    app_store = Store.open(through, clock=clock)
    try:
        _, s_id = _circle(other)
        direct = postgres_url.render_as_string(hide_password=False)
        for environ, polling in (({}, True), ({"CIRCLES_LISTEN_URL": direct}, False)):
            changes: queue.Queue[list[Change]] = queue.Queue()
            watcher = ChangeWatcher.for_store(app_store, changes.put, environ)
            assert isinstance(watcher, PostgresWatcher)
            _started(watcher)
            try:
                if polling:
                    # This app's own write, told to the watcher as run_db does: not someone else's.
                    with app_store.write() as db:
                        agenda.add_item(db, session_id=s_id, title="Own")
                    watcher.own_write_committed()
                with other.write() as db:
                    agenda.add_item(db, session_id=s_id, title="Theirs")
                found = _seen(changes)
                assert watcher.polling is polling
                # Polling cannot say what changed; listening on the direct URL can.
                assert found == [Change()] if polling else [c.table for c in found] == ["agenda_item"]
                assert changes.empty()
            finally:
                watcher.stop()
    finally:
        app_store.close()
        other.close()


def test_sqlite_polls_data_version_and_takes_its_own_write_as_its_own(tmp_path: Path, clock) -> None:
    store_url = sqlite_url(tmp_path / "circles.db")
    app_store, other = Store.open(store_url, clock=clock), Store.open(store_url, clock=clock)
    try:
        _, s_id = _circle(other)
        changes: queue.Queue[list[Change]] = queue.Queue()
        watcher = _started(ChangeWatcher.for_store(app_store, changes.put, {}))
        try:
            with other.write() as db:
                agenda.add_item(db, session_id=s_id, title="Theirs")
            assert _seen(changes) == [Change()]
            with app_store.write() as db:
                agenda.add_item(db, session_id=s_id, title="Own")
            watcher.own_write_committed()
            with other.write() as db:
                agenda.add_item(db, session_id=s_id, title="Theirs again")
            assert _seen(changes) == [Change()]
            assert changes.empty()
        finally:
            watcher.stop()
    finally:
        app_store.close()
        other.close()


def test_an_in_memory_store_is_not_watched(memory_store: Store) -> None:
    assert ChangeWatcher.for_store(memory_store, lambda _: None, {}) is None


def _triggers(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'circles_change_%%'"
            ).scalar_one()
        )


def test_0070_adds_the_notifying_triggers_on_postgresql_and_nothing_on_sqlite(store_url: URL) -> None:
    """From the revision before it and back: PostgreSQL gets (and loses) the triggers, and a
    change notifies; SQLite's schema is the same before and after."""
    from alembic.script import ScriptDirectory

    import models.migrate as migrate
    from models.engine import create_store_engine, sqlite_file
    from models.store_file import claim_sqlite_file
    from tests.test_migrations import _migrate_to

    before = ScriptDirectory.from_config(migrate._config()).get_revision("0070").down_revision
    assert isinstance(before, str)
    if (path := sqlite_file(store_url)) is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = create_store_engine(store_url)
    postgres = engine.dialect.name == "postgresql"

    def schema() -> set[tuple[str, str]]:
        with engine.connect() as conn:
            if postgres:
                return {("trigger", str(n)) for (n,) in conn.exec_driver_sql("SELECT tgname FROM pg_trigger")}
            return {(str(t), str(n)) for t, n in conn.exec_driver_sql("SELECT type, name FROM sqlite_master")}

    try:
        _migrate_to(engine, before)
        was = schema()
        _migrate_to(engine, "0070")
        if not postgres:
            assert schema() == was
        else:
            assert _triggers(engine) == 3 * 24
            import psycopg

            plain = store_url.set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(plain, autocommit=True) as listener:
                listener.execute("LISTEN circles_changes")
                with engine.begin() as conn:
                    conn.exec_driver_sql(
                        "INSERT INTO person (name, is_guest, active, version, created_at) "
                        "VALUES ('Ana', false, true, 1, now())"
                    )
                got = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
            assert got and got[0].startswith("person person=")
        _migrate_to(engine, before, down=True)
        assert schema() == was
        if postgres:
            assert _triggers(engine) == 0
    finally:
        engine.dispose()


async def test_a_form_open_over_the_session_stays_as_typed_while_the_session_looks_again(
    store: Store, other_store: Store
) -> None:
    _, session_id = _circle(store)
    with store.write() as db:
        agenda.add_item(db, session_id=session_id, title="Welcome")
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_session(session_id)
        await settle(app, pilot)
        await until(pilot, lambda: _watching(app))
        session = app.screen
        assert isinstance(session, SessionScreen)
        await pilot.press("a")  # the agenda item form
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        await type_text(pilot, "Lightning talk")
        typed = form.focused
        assert isinstance(typed, Input) and typed.value == "Lightning talk"

        with store.write() as db:  # meanwhile, someone else adds an item
            agenda.add_item(db, session_id=session_id, title="Theirs")
        table = session.query_one("#agenda", DataTable)
        await until(pilot, lambda: [r[1] for r in rows(table)] == ["Welcome", "Theirs"])

        assert app.screen is form and form.focused is typed and typed.value == "Lightning talk"


async def test_the_people_list_keeps_its_filter_and_cursor_when_someone_is_added(
    store: Store, other_store: Store
) -> None:
    from circles.services import people
    from screens.people import PeopleScreen

    _circle(store)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(PeopleScreen())
        await settle(app, pilot)
        await until(pilot, lambda: _watching(app))
        screen = app.screen
        table = screen.query_one("#people", DataTable)
        filter_input = screen.query_one("#filter", Input)
        filter_input.focus()
        await type_text(pilot, "member")
        await settle(app, pilot)
        table.move_cursor(row=3)
        on = current_key(table)

        with store.write() as db:  # sorts first: every row below it moves down one
            people.add_person(db, name="Aaron Member", email="aaron@example.org")
        await until(pilot, lambda: rows(table)[0][0] == "Aaron Member")

        assert current_key(table) == on and table.cursor_row == 4
        assert filter_input.value == "member" and screen.focused is filter_input


def _sixty_people(store: Store) -> None:
    from circles.services import people

    with store.write() as db:
        for i in range(60):
            people.add_person(db, name=f"Person {i:02}", email=f"p{i}@example.org")


async def _watched_people(app: CirclesApp, pilot: Any) -> DataTable:
    """The People directory open on ``app``, its table focused, once the app watches the store."""
    from screens.people import PeopleScreen

    await settle(app, pilot)
    app.push_screen(PeopleScreen())
    await settle(app, pilot)
    await until(pilot, lambda: _watching(app))
    table = app.screen.query_one("#people", DataTable)
    table.focus()
    return table


async def test_a_long_list_keeps_its_scroll_when_a_row_comes_in_above(
    store: Store, other_store: Store
) -> None:
    """The highlighted person stays where they were on screen: the rows above move, not the view."""
    from circles.services import people

    _sixty_people(store)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        table = await _watched_people(app, pilot)
        await pilot.press(*["down"] * 40, *["up"] * 8)  # away from the edges of the view
        await settle(app, pilot)
        on, scrolled = current_key(table), table.scroll_y
        assert scrolled > 0

        with store.write() as db:
            people.add_person(db, name="Aaron First", email="aaron@example.org")
        await until(pilot, lambda: rows(table)[0][0] == "Aaron First" and table.scroll_y == scrolled + 1)
        assert current_key(table) == on


async def test_a_list_seen_from_its_top_shows_a_row_that_comes_in_above(
    store: Store, other_store: Store
) -> None:
    """At the top of the list the newcomer shows: the view stays at the top and the highlighted
    person moves down one line (the view followed them, and the new first row was out of sight
    above: a facilitator watching People never saw the walk-in just added at the door)."""
    from circles.services import people

    _sixty_people(store)
    app = CirclesApp(other_store)
    async with app.run_test(size=SIZE) as pilot:
        table = await _watched_people(app, pilot)
        await pilot.press("down", "down")
        await settle(app, pilot)
        on = current_key(table)
        assert table.scroll_y == 0 and table.cursor_row == 2

        with store.write() as db:
            people.add_person(db, name="Aaron First", email="aaron@example.org")
        await until(pilot, lambda: rows(table)[0][0] == "Aaron First")
        await settle(app, pilot)
        assert table.scroll_y == 0 and current_key(table) == on and table.cursor_row == 3

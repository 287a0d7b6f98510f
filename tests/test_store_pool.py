"""Each app holds few PostgreSQL connections (one kept, three more for a burst) and says the
store is busy when all are in use; `?prepare_threshold=none` in the URL makes psycopg prepare
nothing, as PgBouncer in transaction mode needs (tests/test_pgbouncer.py runs it there)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import URL
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

import models.engine
from circles.cli import main
from models.engine import POOL_OVERFLOW, POOL_SIZE, StoreLocationError, resolve_url
from models.store import Store

pytestmark = pytest.mark.postgres


def test_an_app_keeps_one_connection_and_borrows_at_most_three_more(postgres_url, monkeypatch) -> None:
    monkeypatch.setattr(models.engine, "POOL_TIMEOUT_SECONDS", 0.2)
    store = Store.open(postgres_url)
    try:
        with ExitStack() as held:
            for _ in range(POOL_SIZE + POOL_OVERFLOW):
                held.enter_context(store.engine.connect()).exec_driver_sql("SELECT 1")
            with pytest.raises(PoolTimeoutError) as busy, store.read() as db:
                db.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]
            said = store.explain(busy.value)
            assert "is busy" in said and "try again" in said
            assert postgres_url.database in said
        with store.read() as db:  # all given back: one kept, the rest closed
            assert db.exec(sa.text("SELECT 1")).scalar() == 1  # type: ignore[call-overload]
        assert store.engine.pool.checkedin() == POOL_SIZE
    finally:
        store.close()
    assert POOL_SIZE + POOL_OVERFLOW <= 4  # fifty apps stay within PostgreSQL's default 100


def test_prepare_threshold_none_in_the_url_reaches_psycopg(postgres_url) -> None:
    plain = Store.open(postgres_url.difference_update_query(["prepare_threshold"]))  # as psycopg has it
    tuned = Store.open(_with_threshold(postgres_url, "none"))
    try:
        with plain.engine.connect() as conn:
            assert conn.connection.dbapi_connection.prepare_threshold == 5  # type: ignore[union-attr]
        with tuned.engine.connect() as conn:
            assert conn.connection.dbapi_connection.prepare_threshold is None  # type: ignore[union-attr]
            for _ in range(10):  # psycopg would prepare this from the sixth time on
                conn.exec_driver_sql("SELECT count(*) FROM person")
    finally:
        plain.close()
        tuned.close()


def test_the_cli_takes_prepare_threshold_in_the_url_and_refuses_a_bad_one(postgres_url) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["--db", _text(_with_threshold(postgres_url, "none")), "person", "list"])
    assert good.exit_code == 0, good.output
    bad = runner.invoke(main, ["--db", _text(_with_threshold(postgres_url, "sometimes")), "person", "list"])
    assert bad.exit_code == 1
    assert "prepare_threshold='sometimes'" in bad.output and "prepare_threshold=none" in bad.output
    assert postgres_url.password not in bad.output.replace(postgres_url.username or "", "")


def _with_threshold(url: URL, value: str) -> URL:
    return resolve_url(_text(url.update_query_dict({"prepare_threshold": value})))


def _text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@pytest.mark.parametrize("value", ["maybe", "\u00b2", "-1"])  # '²' is a digit to str.isdigit(), not to int()
def test_a_bad_prepare_threshold_is_refused_before_connecting(value: str) -> None:
    with pytest.raises(StoreLocationError, match="prepare_threshold"):
        models.engine.create_store_engine(
            resolve_url(f"postgresql://ana:pw@127.0.0.1:1/x?prepare_threshold={value}")
        )


def _backend_pid(store: Store) -> int:
    with store.read() as db:
        return int(db.exec(sa.text("SELECT pg_backend_pid()")).scalar())  # type: ignore[call-overload]


def test_a_connection_the_server_dropped_while_idle_is_replaced_unseen(postgres_url, monkeypatch) -> None:
    monkeypatch.setattr(models.engine, "PING_AFTER_IDLE_SECONDS", 0.0)  # every kept connection has idled
    store = Store.open(postgres_url)
    try:
        dropped = _backend_pid(store)
        admin = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
        with admin.connect() as other:  # an administrator, a restart, an idle timeout
            other.exec_driver_sql(f"SELECT pg_terminate_backend({dropped})")
        admin.dispose()
        # Without a ping the kept connection was lent as it was, and the read failed.
        assert _backend_pid(store) != dropped
    finally:
        store.close()


def test_a_connection_used_a_moment_ago_is_lent_without_a_round_trip(postgres_url, monkeypatch) -> None:
    store = Store.open(postgres_url)
    pings: list[object] = []
    real_ping = store.engine.dialect.do_ping
    monkeypatch.setattr(store.engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    try:
        for _ in range(3):
            _backend_pid(store)
        assert pings == []  # a ping before each unit of work doubled a search's round trips
        monkeypatch.setattr(models.engine, "PING_AFTER_IDLE_SECONDS", 0.0)
        _backend_pid(store)
        assert len(pings) == 1
    finally:
        store.close()


def test_the_apps_connections_compile_nothing_by_jit(postgres_url) -> None:
    """PostgreSQL's JIT compiled the store's costlier statements for longer than it saved (on
    the huge demo, 5.2 s for Organisation's retention over all time): every connection the app
    makes has it off, new ones and those given back and lent again."""
    store = Store.open(postgres_url)
    try:
        for _ in range(2):
            with store.read() as db:
                assert db.connection().exec_driver_sql("SHOW jit").scalar_one() == "off"
        with ExitStack() as held:  # the kept connection and the borrowed ones alike
            found = {
                held.enter_context(store.engine.connect()).exec_driver_sql("SHOW jit").scalar_one()
                for _ in range(POOL_SIZE + POOL_OVERFLOW)
            }
        assert found == {"off"}
    finally:
        store.close()

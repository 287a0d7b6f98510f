"""The benchmarks' private PostgreSQL cluster outlives a new migration: the cluster of the
schema head before is renamed and upgraded in place, its demo kept, not built again (over an
hour for the huge demo)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory

import models.migrate as migrate
from bench import postgres_server
from bench.common import SIZE
from models.engine import create_store_engine, resolve_url
from models.schema import SCHEMA_HEAD
from tests.test_migrations import _migrate_to


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    try:
        postgres_server.server_programs()
    except SystemExit:
        pytest.skip("no PostgreSQL server programs")
    # Not under pytest's tmp_path: run as root, the server runs as postgres, which must reach it.
    folder = Path(tempfile.mkdtemp(prefix="circles-bench-cache-"))
    os.chmod(folder, 0o755)
    monkeypatch.setattr(postgres_server, "CACHE", folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _no_demo_again(server: postgres_server.Server) -> None:
    raise AssertionError("the demo was loaded again, into a new cluster")


def test_the_cluster_of_the_head_before_is_upgraded_and_keeps_its_store(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ScriptDirectory.from_config(migrate._config()).get_revision(SCHEMA_HEAD).down_revision
    assert isinstance(before, str)
    older = cache / f"postgres-{SIZE}-{before}"
    server = postgres_server.Server(older)
    server.initdb()
    try:
        admin = server.start()
        with psycopg.connect(admin.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {postgres_server.DATABASE}")
        engine = create_store_engine(resolve_url(admin))
        _migrate_to(engine, before)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO person (name, email, is_guest, active, version, created_at) VALUES "
                "('Ana Quill', 'ana@example.org', false, true, 1, '2026-01-01 00:00:00+00:00')"
            )
        engine.dispose()
    finally:
        server.stop()

    monkeypatch.setattr(postgres_server, "_load_demo", _no_demo_again)
    with postgres_server.large_demo_server() as url, psycopg.connect(url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]
        assert conn.execute("SELECT name FROM person").fetchall() == [("Ana Quill",)]
    assert not older.exists()
    assert postgres_server.cluster_folder().is_dir()

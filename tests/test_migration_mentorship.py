"""The mentorship migrations upgrade a store at the previous head with every row intact, on
SQLite and PostgreSQL, and their downgrades take exactly their own tables and columns away again:
0010 (programmes, pairs, meetings) and 0011 (archiving, kept locks and rejections)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

import models.migrate as migrate
from circles.services import people, programmes
from models.store import Store

MENTORSHIP_TABLES = {
    "programme",
    "programme_participant",
    "programme_avoid",
    "programme_round",
    "programme_pair",
    "pair_member",
    "pair_meeting",
    "pair_goal",
}


def _previous() -> str:
    """The revision 0010 is chained on (main's head when it was merged)."""
    down = ScriptDirectory.from_config(migrate._config()).get_revision("0010").down_revision
    assert isinstance(down, str)
    return down


def _tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def test_upgrading_from_the_previous_head_keeps_rows_and_adds_programmes(store_url, clock):
    engine = sa.create_engine(store_url)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, _previous())
    assert not MENTORSHIP_TABLES & _tables(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO person (name, email, team, is_guest, active, version, created_at) "
                "VALUES ('Ana', 'ana@example.org', 'Data', false, true, 1, :at)"
            ),
            {"at": clock()},
        )
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == _previous()
    assert _tables(store.engine) >= MENTORSHIP_TABLES
    with store.write() as db:
        ana = people.find_person(db, "ana@example.org")
        assert (ana.name, ana.team) == ("Ana", "Data")
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", starts_on=date(2026, 3, 1))
        programmes.join(db, p.id, ana.id, role="mentor")

    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, _previous())
    assert not MENTORSHIP_TABLES & _tables(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM person")).scalars().all() == ["Ana"]
    store.close()


def test_0011_adds_archiving_and_kept_decisions_to_a_0010_store_with_every_row_intact(store_url, clock):
    engine = sa.create_engine(store_url)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
        conn.execute(
            sa.text(
                "INSERT INTO programme (name, kind, meeting_minutes, group_size, allow_same_team, "
                "version, created_at) VALUES ('Mentors', 'mentoring', 30, 2, false, 1, :at)"
            ),
            {"at": clock()},
        )
    assert "proposal_decision" not in _tables(engine)
    engine.dispose()

    store = Store.open(store_url, clock=clock)
    assert store.upgraded is not None and store.upgraded.from_revision == "0010"
    assert "proposal_decision" in _tables(store.engine)
    with store.write() as db:
        (summary,) = programmes.list_programmes(db)
        assert summary.programme.name == "Mentors" and summary.programme.archived_at is None
        programmes.archive(db, summary.programme.id)
        assert programmes.list_programmes(db) == []

    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    assert "proposal_decision" not in _tables(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM programme")).scalars().all() == ["Mentors"]
        # The case-insensitive unique name survives SQLite copying the table to drop a column.
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(
                sa.text(
                    "INSERT INTO programme (name, kind, meeting_minutes, group_size, allow_same_team, "
                    "version, created_at) VALUES ('MENTORS', 'mentoring', 30, 2, false, 1, :at)"
                ),
                {"at": clock()},
            )
    store.close()

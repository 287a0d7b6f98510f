"""The mentorship migration (0010) upgrades a store at the previous head with every row intact,
on SQLite and PostgreSQL, and its downgrade takes exactly its own tables away again."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

import models.migrate as migrate
from circles.services import people, programmes
from models.engine import sqlite_file
from models.store import Store
from models.store_file import claim_sqlite_file

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
# Whatever it is chained on when branches merge.
PREVIOUS = ScriptDirectory.from_config(migrate._config()).get_revision("0010").down_revision


def _tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def test_upgrading_from_the_previous_head_keeps_rows_and_adds_programmes(store_url, clock):
    path = sqlite_file(store_url)
    if path is not None:
        claim_sqlite_file(path, create_folder=True)
    engine = sa.create_engine(store_url)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, PREVIOUS)
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
    assert store.upgraded is not None and store.upgraded.from_revision == PREVIOUS
    assert _tables(store.engine) >= MENTORSHIP_TABLES
    with store.write() as db:
        ana = people.find_person(db, "ana@example.org")
        assert (ana.name, ana.team) == ("Ana", "Data")
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", starts_on=date(2026, 3, 1))
        programmes.join(db, p.id, ana.id, role="mentor")

    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, PREVIOUS)
    assert not MENTORSHIP_TABLES & _tables(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM person")).scalars().all() == ["Ana"]
    store.close()

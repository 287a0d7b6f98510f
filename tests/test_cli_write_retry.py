"""The command line's writes are tried again when the store cancels one for crossing another
(PostgreSQL's deadlock), as the app's are: the facilitator sees their change made, once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from circles.services import attendance
from models.store import Store
from tests import factories
from tests.test_summary_locks import _wait_for_waiters

REPO = Path(__file__).resolve().parent.parent


def _deadlocks(conn: sa.Connection) -> int:
    found = conn.exec_driver_sql(
        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
    ).scalar_one()
    conn.rollback()
    return int(found)


@pytest.mark.slow
def test_a_command_cancelled_by_a_deadlock_is_run_again_and_both_changes_are_kept(
    store: Store, tmp_path: Path
) -> None:
    """A facilitator imports two newcomers from the command line, Cleo for Rust Lunch and then
    Dan for Go Lunch, while a colleague's unit of work in the app has answered for Ana in Go
    Lunch and goes on to answer for Ben in Rust Lunch. The import holds Rust Lunch's lock and
    waits for Go Lunch's; the colleague holds Go Lunch's and waits for Rust Lunch's: PostgreSQL
    cancels the import ("deadlock detected"). It used to end there, exit status 1, "the store
    stayed busy"; now it runs again once the colleague has committed, and says so once."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    ana, ben = factories.person(store, "Ana Lima"), factories.person(store, "Ben Okafor")
    rust, go = factories.circle(store, "Rust Lunch"), factories.circle(store, "Go Lunch")
    in_rust = factories.session(store, rust, "2026-04-07 12:00")
    in_go = factories.session(store, go, "2026-04-08 12:00")
    newcomers = tmp_path / "newcomers.csv"
    newcomers.write_text(
        "name,email,team,circle\n"
        "Cleo Park,cleo@example.org,Data,Rust Lunch\n"
        "Dan Roe,dan@example.org,Web,Go Lunch\n"
    )
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CIRCLES_DATABASE_URL", None)
    url = store.url.render_as_string(hide_password=False)

    with store.engine.connect() as colleague, store.engine.connect() as watch:
        before = _deadlocks(watch)
        colleague.begin()
        # PostgreSQL looks for a deadlock in the transaction that has waited deadlock_timeout:
        # the colleague waits far longer, so the import (which waits first) is the one cancelled.
        colleague.exec_driver_sql("SET LOCAL deadlock_timeout = '60s'")
        db = Session(bind=colleague, info={"clock": store.clock, "writes": True})
        attendance.set_rsvp(db, session_id=in_go.id, person_id=ana.id, rsvp="yes")  # Go Lunch's lock
        db.flush()
        command = subprocess.Popen(
            [sys.executable, "-m", "circles", "--db", url, "import", "people", str(newcomers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=REPO,
        )
        try:
            _wait_for_waiters(watch, 1, lambda: command.poll() is None)  # the import holds Rust Lunch's
            attendance.set_rsvp(db, session_id=in_rust.id, person_id=ben.id, rsvp="yes")  # waits for it
            db.flush()  # the import was cancelled, so this went on
            colleague.commit()
            out, err = command.communicate(timeout=120)
        finally:
            if command.poll() is None:
                command.kill()
                command.communicate()
        assert _deadlocks(watch) == before + 1  # they did cross: this was not a quiet run
    assert command.returncode == 0, err
    assert out == "Imported 2 new people (0 already known), 2 joined circles.\n"  # once, after the commit
    assert "Traceback" not in err and "busy" not in err, err
    with store.engine.connect() as conn:
        rsvps = set(conn.exec_driver_sql("SELECT session_id, person_id, rsvp FROM attendance").all())
        joined = set(
            conn.exec_driver_sql(
                "SELECT c.name, p.email FROM membership m JOIN circle c ON c.id = m.circle_id"
                " JOIN person p ON p.id = m.person_id"
            ).all()
        )
    assert rsvps == {(in_go.id, ana.id, "yes"), (in_rust.id, ben.id, "yes")}
    assert joined == {("Rust Lunch", "cleo@example.org"), ("Go Lunch", "dan@example.org")}

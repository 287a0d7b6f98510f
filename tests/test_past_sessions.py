"""A session is scheduled to happen: a new one that has already ended is refused, and one
that took place is recorded as held (its presenter recorded as holding a session does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result

from circles.cli import main
from circles.errors import InvalidInput, NotAllowed
from circles.services import rotation, sessions
from models.enums import SessionStatus
from tests import factories


def test_a_new_session_in_the_past_is_refused_unless_recorded_as_held(store, clock):
    """Today's main stored it as scheduled, for ever: nobody holds a session in the past."""
    c = factories.circle(store)
    a, b = factories.person(store, "Ana"), factories.person(store, "Bo")
    for p in (a, b):
        factories.member(store, c, p)
    past = datetime(2026, 2, 24, 11, tzinfo=UTC)  # the clock reads 3 March
    with store.write() as db, pytest.raises(InvalidInput) as caught:
        sessions.add_session(db, circle_id=c.id, starts_at=past)
    assert str(caught.value) == (
        "start '2026-02-24 12:00' is in the past; pick a later time, or record it as a session that was held."
    )
    with store.write() as db:
        recorded = rotation.add_held_session(db, circle_id=c.id, starts_at=past)
    # The same as scheduling it then and marking it held: the rotation records its presenter.
    with store.write() as db, factories.scheduled_ahead(db, past):
        twin = sessions.add_session(db, circle_id=c.id, starts_at=past + timedelta(hours=1))
    with store.write() as db:
        twin = rotation.hold_session(db, sessions.get_session(db, twin.id))
    assert recorded.status is SessionStatus.HELD
    assert (recorded.presenter_id, recorded.presenter_source) == (twin.presenter_id, twin.presenter_source)


def test_a_held_session_has_taken_place_and_one_under_way_is_still_scheduled(store, clock):
    c = factories.circle(store)
    with store.write() as db, pytest.raises(InvalidInput, match="has not come yet"):
        rotation.add_held_session(db, circle_id=c.id, starts_at=clock() + timedelta(days=1))
    with store.write() as db:
        under_way = sessions.add_session(db, circle_id=c.id, starts_at=clock() - timedelta(minutes=10))
    assert under_way.status is SessionStatus.SCHEDULED
    # Holding a scheduled one waits for it as well: held ahead, its presenter's turn was taken.
    tomorrow = factories.session(store, c, "2026-03-04 12:00")
    with (
        store.write() as db,
        pytest.raises(NotAllowed, match=r"^The session .* has not started yet: it is marked"),
    ):
        rotation.hold_session(db, tomorrow)
    clock.advance(days=1, hours=3)  # 13:00 in Berlin, an hour into it
    with store.write() as db:
        assert rotation.hold_session(db, tomorrow).status is SessionStatus.HELD


def test_a_scheduled_session_is_not_moved_into_the_past_but_a_held_one_may_be_corrected(store, clock):
    c = factories.circle(store)
    s = factories.session(store, c, "2026-03-10 12:00")
    with store.write() as db, pytest.raises(InvalidInput, match="is in the past; mark it held first"):
        sessions.move_session(db, s, starts_at=clock() - timedelta(days=1))
    with store.write() as db:
        s = sessions.update_session(db, s, title="Still to come")  # an edit that keeps the time is fine
    clock.advance(days=8)
    with store.write() as db:
        held = rotation.hold_session(db, s)
    with store.write() as db:
        moved = sessions.move_session(db, held, starts_at=held.starts_at + timedelta(hours=1))
    assert moved.status is SessionStatus.HELD


def test_cli_records_a_past_session_with_held(tmp_path):
    db = str(tmp_path / "circles.db")
    runner = CliRunner()

    def cli(*args: str) -> Result:
        return runner.invoke(main, ["--db", db, *args])

    assert cli("circle", "add", "Rust Lunch", "--kind", "workshop", "--tz", "Europe/Berlin").exit_code == 0
    refused = cli("session", "add", "1", "--at", "2026-01-06 12:00")  # the CLI's clock is the real one
    assert refused.exit_code == 1
    assert refused.stderr == (
        "circles: --at '2026-01-06 12:00' is in the past; pick a later time, "
        "or record it as a session that was held.\n"
    )
    recorded = cli("session", "add", "1", "--at", "2026-01-06 12:00", "--held", "--title", "Kick-off")
    assert recorded.exit_code == 0, recorded.output
    assert "Recorded session 1 as held: Rust Lunch, Tue 06 Jan 2026 12:00" in recorded.stdout
    assert '"status": "held"' in cli("session", "list", "1", "--json").stdout
    # Moved into the past, the refusal names the flag the new start was typed with.
    assert cli("session", "add", "1", "--at", "2037-01-06 12:00").exit_code == 0
    moved = cli("session", "move", "2", "--to", "2026-01-06 12:00")
    assert moved.exit_code == 1
    assert moved.stderr.startswith("circles: --to '2026-01-06 12:00' is in the past; "), moved.stderr

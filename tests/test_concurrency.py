"""Many facilitators on one store: concurrent writers lose nothing and see no lock errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from circles.services import circle_records, members, people
from tests import factories, forked

REPO = Path(__file__).resolve().parent.parent
RECORDS_PER_WRITER = 100  # each writes an RSVP and a check-in per record: 200 writes


def _writers(store_url) -> int:
    return 16 if store_url.get_backend_name() == "postgresql" else 8


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(store, store_url):
    writers = _writers(store_url)
    c = factories.circle(store)
    sessions = [factories.session(store, c, f"2026-07-{day:02d} 12:00") for day in (7, 14, 21, 28)]
    with store.write() as db:
        everyone = [
            people.add_person(db, name=f"Member {i}", email=f"m{i}@example.org")
            for i in range(writers * RECORDS_PER_WRITER // len(sessions))
        ]
        for p in everyone:
            members.add_member(db, circle_id=c.id, person_id=p.id)
    # Each writer takes its own people, and every writer hits every session at once.
    ids = [p.id for p in everyone]
    per_writer = [
        [ids[(w * RECORDS_PER_WRITER + n) // len(sessions) % len(ids)] for n in range(RECORDS_PER_WRITER)]
        for w in range(writers)
    ]
    url = store_url.render_as_string(hide_password=False)
    procs = [
        forked.start(
            "tests.concurrent_writer",
            [url, str(w), ",".join(str(s.id) for s in sessions), ",".join(str(p) for p in per_writer[w])],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err.lower() and "serializ" not in err.lower()
        assert out.strip().endswith(f"{2 * RECORDS_PER_WRITER} writes")

    expected = {
        (sessions[n % len(sessions)].id, person)
        for w in range(writers)
        for n, person in enumerate(per_writer[w])
    }
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT session_id, person_id, rsvp, attended FROM attendance")).all()
    assert {(s, p) for s, p, _, _ in rows} == expected
    assert all((r, a) == ("yes", "present") for _, _, r, a in rows)
    with store.read() as db:
        assert circle_records.get_circle(db, c.id).name == "Rust Lunch"


def test_a_busy_store_is_tried_again_and_a_real_error_is_not(memory_store):
    from sqlalchemy.exc import OperationalError

    calls = []

    def job(db, fail_with: str):  # type: ignore[no-untyped-def]
        calls.append(fail_with)
        if len(calls) == 1:
            raise OperationalError("INSERT ...", {}, Exception(fail_with))
        return people.add_person(db, name="Ana", email=f"ana{len(calls)}@example.org")

    assert memory_store.write_retrying(lambda db: job(db, "database is locked")).email == "ana2@example.org"
    calls.clear()
    with pytest.raises(OperationalError, match="no such table"):
        memory_store.write_retrying(lambda db: job(db, "no such table: nowhere"))
    assert calls == ["no such table: nowhere"]

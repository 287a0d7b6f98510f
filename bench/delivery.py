"""Benchmark: e-mailing a circle of 30 members x 20 sessions (600 messages over one connection)
to a local SMTP sink (aiosmtpd on 127.0.0.1, in a process of its own as a real server is), against
plain smtplib sending 600 ready-made messages of the same size to the same sink; and reading an
mbox of 10,000 messages with one RSVP reply in it, against the standard library's mailbox just
reading every message. Targets: under 10 s each.

    uv run python bench/delivery.py [--runs 3] [--backend sqlite|postgresql]

With `--backend postgresql` the circle's store is a new database on the server the large demo is
on (dropped at the end); the baselines read no store and are the same on both.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import add_backend, median_seconds, report, throwaway_store


def _circle(store: object, members: int, weeks: int) -> tuple[int, list[str]]:
    from circles.services import circle_records, people, sessions
    from circles.services import members as membership

    with store.write() as db:  # type: ignore[attr-defined]
        ana = people.add_person(db, name="Ana López", email="ana@example.org")
        c = circle_records.add_circle(
            db, name="Rust Lunch", kind="lunch-and-learn", timezone="Europe/Berlin", facilitator_id=ana.id
        )
        for n in range(members):
            p = people.add_person(db, name=f"Member {n:02d}", email=f"member{n:02d}@example.org")
            membership.add_member(db, circle_id=c.id, person_id=p.id, in_rotation=False)
        start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=11, minute=0, second=0, microsecond=0)
        uids = [
            sessions.add_session(
                db, circle_id=c.id, starts_at=start + timedelta(weeks=w), title=f"Talk {w + 1}"
            ).ics_uid
            for w in range(weeks)
        ]
        return c.id, uids


@contextmanager
def sink_process() -> Iterator[int]:
    """aiosmtpd's own command line with its Sink handler (it keeps nothing), on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the SMTP sink did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    add_backend(parser)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="circles-bench-delivery-"))
    with throwaway_store(args.backend, folder, "delivery") as url:
        measure(url, folder, args.runs)


def measure(url, folder: Path, runs: int) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import delete

    from circles.delivery.mail import build_message
    from circles.delivery.replies import scan
    from circles.delivery.send import send_plan
    from circles.delivery.settings import smtp_from_url
    from circles.services import delivery, replies
    from models.store import Store
    from models.tables import InviteReply, InviteSend
    from tests.reply_makers import as_email, plain_email, reply_icalendar, write_mbox

    store = Store.open(url)
    circle_id, uids = _circle(store, members=30, weeks=20)
    with store.read() as db:
        plan_sample = delivery.plan_circle(db, circle_id)

    with sink_process() as port:
        settings = smtp_from_url(f"smtp://127.0.0.1:{port}")
        sent = 0

        def ours() -> None:
            nonlocal sent
            with store.write() as db:
                db.exec(delete(InviteSend))  # type: ignore[call-overload]
            with store.read() as db:
                plan = delivery.plan_circle(db, circle_id)
            sent = sum(1 for r in send_plan(store, plan, settings) if r.sent)

        ours_s = median_seconds(ours, runs)
        assert sent == 600, sent
        sample = build_message(
            plan_sample.circle, plan_sample.organizer, plan_sample.outgoing[0], dtstamp=datetime.now(UTC)
        ).as_bytes()

        def baseline() -> None:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for _ in range(600):
                    smtp.sendmail("ana@example.org", ["member00@example.org"], sample)

        base_s = median_seconds(baseline, runs)
    report(
        "send 600 invites (30 x 20)",
        f"{ours_s:.2f} s ({600 / ours_s:.0f} msg/s)",
        f"smtplib, 600 ready messages {base_s:.2f} s",
        ours_s / base_s,
        "under 10 s",
    )

    messages = [plain_email(n) for n in range(10_000)]
    messages[5_000] = as_email(reply_icalendar(uids[3], [("member07@example.org", "ACCEPTED")]))
    box = write_mbox(folder / "Inbox", messages)
    applied = 0

    def read_replies() -> None:
        nonlocal applied
        with store.write() as db:
            db.exec(delete(InviteReply))  # type: ignore[call-overload]
        found = scan([box])
        with store.write() as db:
            applied = sum(1 for r in replies.apply_replies(db, found.replies) if r.outcome.value == "applied")

    import_s = median_seconds(read_replies, runs)
    assert applied == 1, applied

    def read_only() -> None:
        import mailbox

        mb = mailbox.mbox(box, create=False)
        for key in mb.iterkeys():
            mb.get_bytes(key)
        mb.close()

    plain_s = median_seconds(read_only, runs)
    report(
        "import replies, mbox of 10,000",
        f"{import_s:.2f} s",
        f"mailbox reading every message {plain_s:.2f} s",
        import_s / plain_s,
        "under 10 s",
    )
    store.close()


if __name__ == "__main__":
    main()

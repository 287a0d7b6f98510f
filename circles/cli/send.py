"""circles send invites: e-mail a session's or a circle's invites, only what changed since the last send."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from circles.cli.common import GIVEN, RECORD_ID, print_json, reading, state
from circles.cli.flags import Group
from circles.words import count

if TYPE_CHECKING:
    from circles.delivery.model import Outgoing, SendPlan, SendResult

_VERB = {True: "sent", False: "FAILED"}


@click.group(cls=Group)
def send() -> None:
    """Send invites by e-mail."""


@send.command("invites")
@click.option("--session", "session_id", type=RECORD_ID, metavar="ID", help="Send one session's invite.")
@click.option(
    "--circle", "circle_ref", type=GIVEN, metavar="CIRCLE", help="Send the circle's upcoming sessions."
)
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write the messages into DIR as .eml files instead of sending them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was sent (or would be) as JSON.")
def invites(session_id: int | None, circle_ref: str | None, dry_run: Path | None, as_json: bool) -> None:
    """E-mail invites (iTIP REQUEST) and cancellations (CANCEL), one message per person and session.

    Only what changed since the last send goes: new people and sessions, moved or changed
    sessions (SEQUENCE higher), cancelled ones, and a cancellation to whoever is no longer invited.
    A message the server refused goes again next time; the others are not sent twice.
    """
    from circles.delivery.send import send_plan, write_dry_run
    from circles.delivery.settings import load_settings
    from circles.services import circle_records, delivery

    if (session_id is None) == (circle_ref is None):
        raise click.UsageError("Give exactly one of --session ID or --circle CIRCLE.")
    with reading() as db:
        if session_id is not None:
            plan = delivery.plan_session(db, session_id)
        else:
            plan = delivery.plan_circle(db, circle_records.find_circle(db, circle_ref or "").id)
    store = state().store()
    if dry_run is not None:
        settings = load_settings()
        sender = settings.smtp.sender if settings.smtp else None
        paths = write_dry_run(store, plan, dry_run, sender=sender)
        if as_json:
            print_json([_row(o, "would send", str(p)) for o, p in zip(plan.outgoing, paths, strict=True)])
            return
        for out, path in zip(plan.outgoing, paths, strict=True):
            click.echo(f"would send {_line(out)}  -> {path.name}")
        click.echo(_summary(plan, f"Wrote {count(len(paths), 'message')} to {dry_run}"))
        return
    if not plan.outgoing:
        if as_json:
            print_json([])
        else:
            click.echo(_summary(plan, "Nothing to send"))
        return
    smtp = load_settings().require_smtp()
    results = send_plan(store, plan, smtp, progress=None if as_json else _echo)
    failed = [r for r in results if not r.sent and not r.taken]
    taken = sum(1 for r in results if r.taken)
    if as_json:
        print_json([_row(r.outgoing, _outcome(r), r.detail) for r in results])
    else:
        sent = len(results) - len(failed) - taken
        tail = f"; {taken} sent by another send made at the same time" if taken else ""
        tail += f"; {len(failed)} not sent (they go again next time)" if failed else ""
        click.echo(_summary(plan, f"Sent {sent} of {len(results)} through {smtp.describe()}{tail}"))
    if failed or any(not r.logged for r in results):
        raise SystemExit(1)


def _line(out: Outgoing) -> str:
    a, s = out.attendee, out.session
    return f"{out.what} (SEQUENCE {s.ics_sequence}) for {s.label} to {a.name} <{a.email}>"


def _outcome(result: SendResult) -> str:
    return "sent" if result.sent else "taken" if result.taken else "failed"


def _echo(result: SendResult, n: int, total: int) -> None:
    verb = "skipped" if result.taken else _VERB[result.sent]
    line = f"[{n}/{total}] {verb} {_line(result.outgoing)}"
    if result.detail:
        line += f": {result.detail}"
    click.echo(line, err=not (result.sent or result.taken) or not result.logged)


def _summary(plan: SendPlan, head: str) -> str:
    if plan.outgoing:
        parts = [f"{head} ({plan.summary}; {plan.up_to_date} already up to date)."]
    else:
        parts = [f"{head}: {plan.up_to_date} already up to date."]
    if plan.without_address:
        names = ", ".join(plan.without_address[:5]) + (" ..." if len(plan.without_address) > 5 else "")
        parts.append(f"No e-mail address, so not invited: {names}.")
    return " ".join(parts)


def _row(out: Outgoing, outcome: str, detail: str) -> dict[str, object]:
    s, a = out.session, out.attendee
    return {
        "session_id": s.id,
        "uid": s.ics_uid,
        "sequence": s.ics_sequence,
        "method": out.method.value,
        "reason": out.reason.value,
        "person_id": a.person_id,
        "name": a.name,
        "email": a.email,
        "outcome": outcome,
        "detail": detail,
    }

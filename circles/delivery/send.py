"""Sending a plan: one SMTP connection, one message per person and session, and one send-log row
written as the server answers each message, so the log says exactly what was sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from circles.delivery.mail import build_message, message_bytes, wire_address
from circles.delivery.model import Outgoing, SendPlan, SendResult
from circles.delivery.settings import SmtpSettings
from circles.delivery.smtp import Mailer, RecipientRefused, SmtpError
from circles.errors import CirclesError, InvalidInput
from circles.exports.atomic import write_file
from circles.ics.names import slug
from models.enums import InviteMethod
from models.folders import make_private_folder
from models.store import Store

Progress = Callable[[SendResult, int, int], None]


def send_plan(
    store: Store,
    plan: SendPlan,
    settings: SmtpSettings,
    *,
    progress: Progress | None = None,
) -> list[SendResult]:
    """Send every message of ``plan``. SmtpError if the server cannot be reached or refuses the
    login (nothing was sent); otherwise each message's result, in order."""
    if not plan.outgoing:
        return []
    results: list[SendResult] = []
    total = len(plan.outgoing)
    envelope_from = wire_address(settings.sender or plan.organizer.email)

    def done(result: SendResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result, len(results), total)

    # The sessions whose invite this send has noted as gone (at their SEQUENCE and presenter):
    # noted once each, not again with every person's message.
    told: set[tuple[int, int, int | None]] = set()
    mailer = Mailer(settings)
    mailer.open()
    reconnected = False
    try:
        for n, out in enumerate(plan.outgoing):
            message = build_message(
                plan.circle, plan.organizer, out, dtstamp=store.clock(), sender=settings.sender
            )
            try:
                claimed = _claim(store, out)
            except Exception as exc:  # the store went away: nothing more can be logged, so none goes
                for rest in plan.outgoing[n:]:
                    done(SendResult(rest, False, f"not sent: {_log_failure(exc)}", logged=False))
                break
            if claimed is None:
                done(SendResult(out, False, TAKEN, taken=True))
                continue
            try:
                mailer.send(message, sender=envelope_from, recipient=wire_address(out.attendee.email))
            except RecipientRefused as exc:
                done(_logged(store, out, claimed, sent=False, detail=f"refused: {exc}"))
                continue
            except SmtpError as exc:
                # The server may have taken it before the line dropped: it goes again next time
                # (same UID and SEQUENCE, so a calendar that has it just updates it).
                done(_logged(store, out, claimed, sent=False, detail=str(exc)))
                if not reconnected:
                    reconnected = True
                    try:
                        mailer.close()
                        mailer.open()
                        continue
                    except CirclesError as again:
                        exc = SmtpError(str(again))
                for rest in plan.outgoing[n + 1 :]:
                    done(SendResult(rest, False, f"not sent: {exc}", logged=False))
                break
            except BaseException:
                # Stopped (Ctrl-C) while the server had it: not a claim still in flight, which
                # would hold the message back from the next send for CLAIM_LIFETIME.
                _logged(store, out, claimed, sent=False, detail=STOPPED)
                raise
            result = _logged(store, out, claimed, sent=True, told=told)
            done(result)
            if not result.logged:
                for rest in plan.outgoing[n + 1 :]:
                    done(SendResult(rest, False, "not sent: the send log could not be written", logged=False))
                break
    finally:
        mailer.close()
    return results


# Two sends at once (a co-facilitator's, the app's and a script's) planned the same messages
# and each sent them all: everyone got every invite twice.
TAKEN = "not sent by this send: another send of these invites, made at the same time, took it"


STOPPED = "the send was stopped before the server answered; it goes again next time"


def _claim(store: Store, out: Outgoing) -> int | None:
    from circles.services import delivery

    return store.write_retrying(lambda db: delivery.claim(db, out))


def _log_failure(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"the send log could not be written: {first}"


def _logged(
    store: Store,
    out: Outgoing,
    claimed: int,
    *,
    sent: bool,
    detail: str = "",
    told: set[tuple[int, int, int | None]] | None = None,
) -> SendResult:
    from circles.services import delivery

    s = out.session
    invite = (s.id, s.ics_sequence, s.presenter_id)
    noted = told is not None and invite in told
    try:
        store.write_retrying(
            lambda db: delivery.record(db, claimed, out, sent=sent, detail=detail, noted=noted)
        )
    except Exception as exc:  # the store went away: say so, and say the message went
        said = "sent, but" if sent else "failed, and"
        return SendResult(out, sent, f"{said} {_log_failure(exc)}", logged=False)
    if told is not None and sent and out.method is InviteMethod.REQUEST:
        told.add(invite)
    return SendResult(out, sent, detail)


def eml_name(out: Outgoing) -> str:
    """'003-2026-03-17-bo-ng-request.eml': in plan order, readable in a file list."""
    who = slug(out.attendee.name) or f"person-{out.attendee.person_id}"
    return f"{out.number:03d}-{out.session.local_day.isoformat()}-{who}-{out.method.value.lower()}.eml"


def write_dry_run(store: Store, plan: SendPlan, folder: Path, *, sender: str | None = None) -> list[Path]:
    """The exact messages a send would hand the server, as .eml files in ``folder`` (made if it is
    not there, refused if it holds anything: a dry run never replaces a file)."""
    target = folder.expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise InvalidInput("--dry-run", str(folder), "is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise InvalidInput("--dry-run", str(folder), "is a folder that is not empty; give a new or empty one")
    if not target.parent.is_dir():
        raise InvalidInput("--dry-run", str(folder), f"is in a folder that does not exist ({target.parent})")
    make_private_folder(target)
    written = []
    for out in plan.outgoing:
        message = build_message(plan.circle, plan.organizer, out, dtstamp=store.clock(), sender=sender)
        data = message_bytes(message, out.attendee.email)
        written.append(write_file(target / eml_name(out), data, field="--dry-run"))
    return written

"""Keeping a shared CalDAV calendar in step with a circle: each change put with its precondition,
each answer recorded as it comes, so a re-run puts only what is still to do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from circles.delivery.caldav import Answer, CalDavClient, CalDavError, same_event
from circles.services.caldav_publish import CaldavItem, CaldavPlan
from models.store import Store


@dataclass(frozen=True, slots=True)
class PutResult:
    item: CaldavItem
    done: bool
    detail: str = ""


def publish_plan(
    store: Store,
    plan: CaldavPlan,
    dav: CalDavClient,
    *,
    progress: Callable[[PutResult], None] | None = None,
) -> list[PutResult]:
    results: list[PutResult] = []

    def done(result: PutResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    todo = plan.to_put
    for n, item in enumerate(todo):
        try:
            answer = dav.put(item.href, item.body, etag=item.etag)
        except CalDavError as exc:
            done(PutResult(item, False, str(exc)))
            for rest in todo[n + 1 :]:
                done(PutResult(rest, False, "not tried: the server did not answer"))
            break
        if answer.status == 412:
            adopted = _ours_already(dav, item)
            if adopted is not None:
                # Our last PUT arrived but its answer was lost (a timeout, a dropped line): the
                # server holds this very version. Without this, every later run met our own copy
                # as "someone's" and the session never moved on the calendar again.
                _record(store, plan, item, adopted.etag)
                done(PutResult(item, True, "already there (the answer to the last try was lost)"))
                continue
            what = (
                "there is already an event at this address on the server"
                if item.etag is None
                else "it was changed on the server since the last publish"
            )
            done(PutResult(item, False, f"412: {what}; not overwritten"))
            continue
        if not answer.ok:
            done(
                PutResult(
                    item, False, f"{answer.status} {answer.reason}".strip() + ": not published; run again"
                )
            )
            continue
        _record(store, plan, item, answer.etag)
        done(PutResult(item, True, f"{answer.status}"))
    return results


def _ours_already(dav: CalDavClient, item: CaldavItem) -> Answer | None:
    """The server's copy (its ETag) when it is the very event we mean to put, else None."""
    try:
        found = dav.get(item.href)
    except CalDavError:
        return None
    if found is None or not same_event(item.body, found[0]):
        return None
    return Answer(200, found[1])


def _record(store: Store, plan: CaldavPlan, item: CaldavItem, etag: str | None) -> None:
    from sqlmodel import Session

    from circles.services import caldav_publish

    def work(db: Session) -> None:
        caldav_publish.record_put(db, plan, item, etag)

    store.write_retrying(work)

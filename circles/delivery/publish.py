"""Keeping a shared CalDAV calendar in step with a circle: each change put with its precondition,
each answer recorded as it comes, so a re-run puts only what is still to do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from circles.delivery.caldav import CalDavClient, CalDavError, same_event
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
            done(_not_ours_to_put(store, plan, dav, item))
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


def _not_ours_to_put(store: Store, plan: CaldavPlan, dav: CalDavClient, item: CaldavItem) -> PutResult:
    """A 412: the server's copy is not the version we last put. It may be ours after all (the
    answer to our last PUT was lost), or someone changed or deleted it there: said as it is."""
    try:
        theirs = dav.get(item.href)
    except CalDavError:
        theirs = None
        gone = False  # unknown: said as a change
    else:
        gone = theirs is None
    if theirs is not None and same_event(item.body, theirs[0]):
        # Our last PUT arrived but its answer was lost (a timeout, a dropped line): the server
        # holds this very version. Without this, every later run met our own copy as
        # "someone's" and the session never moved on the calendar again.
        _record(store, plan, item, theirs[1])
        return PutResult(item, True, "already there (the answer to the last try was lost)")
    if item.etag is None:
        return PutResult(
            item, False, "412: there is already an event at this address on the server; not overwritten"
        )
    if gone:
        return PutResult(
            item, False, "412: it was deleted on the server since the last publish; not put back"
        )
    return PutResult(item, False, "412: it was changed on the server since the last publish; not overwritten")


def _record(store: Store, plan: CaldavPlan, item: CaldavItem, etag: str | None) -> None:
    from sqlmodel import Session

    from circles.services import caldav_publish

    def work(db: Session) -> None:
        caldav_publish.record_put(db, plan, item, etag)

    store.write_retrying(work)

"""Database work off the UI thread: one unit of work per call, its result handed back to the screen."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from circles.errors import CirclesError

T = TypeVar("T")


def show_error(node: DOMNode, error: CirclesError) -> None:
    # Messages quote what people typed ("[Guest] Ana"), so they are shown as plain text:
    # escape() leaves tags such as [Guest] alone and Rich would swallow them.
    node.app.notify(str(error), title="Not done", severity="error", timeout=8, markup=False)


def run_db(
    node: DOMNode,
    job: Callable[[Any], T],
    done: Callable[[T], object] | None = None,
    *,
    write: bool = False,
    failed: Callable[[CirclesError], object] | None = None,
    group: str = "load",
    exclusive: bool = True,
    whole_store: bool = False,
) -> Worker[None]:
    """Run ``job(db)`` in a thread inside ``store.read()`` (or ``.write()``), then ``done(result)``
    on the UI thread. A domain error, or a store that did not answer, goes to ``failed`` (default:
    a notification), never a traceback.

    An exclusive worker replaced by a newer one in the same group drops its result, so a
    filter typed quickly shows only the answer to the last keystroke.

    ``whole_store`` hands ``job`` the store itself, for work that commits step by step (a send
    writes one log row per message the server takes, never holding a transaction across it).
    """
    app = node.app
    # The collector waits while the data is fetched and drawn (screens/heap.py: CollectorHold).
    collector = getattr(app, "collector", None)
    if collector is not None:
        collector.hold()

    def work() -> None:
        worker = get_current_worker()
        try:
            store = app.store  # type: ignore[attr-defined]  (in the worker: it may wait while the store opens)
            if whole_store:
                result = job(store)
            elif write:
                # A store busy past its timeout (another facilitator's long save) is tried again:
                # the failed attempt was rolled back whole, so running the job again is safe.
                result = store.write_retrying(job)
            else:
                with store.read() as db:
                    result = job(db)
        except CirclesError as exc:
            _back(worker, failed or (lambda e: show_error(node, e)), exc)
            return
        except Exception as exc:  # the store went away or stayed locked: say so, keep the app alive
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            # To ``failed`` too: a screen that showed work as pending must learn it was not saved.
            _back(
                worker,
                failed or (lambda e: show_error(node, e)),
                CirclesError(f"The store did not answer: {first}"),
            )
            return
        if done is not None:
            _back(worker, _shown(done), result)

    def _shown(callback: Callable[[T], object]) -> Callable[[T], None]:
        def show(value: T) -> None:
            if collector is not None and node.is_attached:
                collector.hold()
            callback(value)

        return show

    def _back(worker: Worker[None], callback: Callable[[Any], object], value: Any) -> None:
        if worker.is_cancelled:
            return
        # RuntimeError: the app closed while the work ran; nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            app.call_from_thread(callback, value)

    return node.run_worker(work, thread=True, exclusive=exclusive, group=group, exit_on_error=False)

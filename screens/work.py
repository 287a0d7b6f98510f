"""Database work off the UI thread, the one road from a screen to the store: one unit of work per
call, its result handed back to the screen, and every failure told for what it is."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from textual.app import App
from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from circles.errors import CirclesError, InternalError
from screens.textual_internals import forget_worker_in_this_thread
from screens.typed_app import circles_app

if TYPE_CHECKING:
    from circles.store_access import Db, UnitOfWork
    from models.store import Store

T = TypeVar("T")


def show_error(node: DOMNode | App[Any], error: CirclesError) -> None:
    # Messages quote what people typed ("[Guest] Ana"), so they are shown as plain text:
    # escape() leaves tags such as [Guest] alone and Rich would swallow them.
    app = node if isinstance(node, App) else node.app
    app.notify(error.in_app, title="Not done", severity="error", timeout=8, markup=False)


@overload
def in_store(
    app: App[Any],
    job: Callable[[Db], T],
    *,
    write: bool = False,
    around_unit: Literal[False] = False,
    whole_store: Literal[False] = False,
    committed: Callable[[Db], object] | None = None,
) -> T: ...
@overload
def in_store(
    app: App[Any],
    job: Callable[[UnitOfWork], T],
    *,
    write: bool = False,
    around_unit: Literal[True],
    whole_store: Literal[False] = False,
    committed: Callable[[Db], object] | None = None,
) -> T: ...
@overload
def in_store(
    app: App[Any],
    job: Callable[[Store], T],
    *,
    write: bool = False,
    around_unit: Literal[False] = False,
    whole_store: Literal[True],
    committed: Callable[[Db], object] | None = None,
) -> T: ...
def in_store(
    app: App[Any],
    job: Callable[[Any], T],
    *,
    write: bool = False,
    around_unit: bool = False,
    whole_store: bool = False,
    committed: Callable[[Db], object] | None = None,
) -> T:
    """``job(db)`` in one unit of work on the app's store, in the calling thread (a worker's,
    never the UI's: ``app.store`` waits while the store opens). Raises the domain's errors,
    ``StoreUnavailable`` when the store itself failed, and anything else (a bug) as it is.
    With ``around_unit``, ``job`` is given the store's write unit of work to open itself; with
    ``whole_store``, the store itself."""
    from circles import store_access  # loads SQLAlchemy's errors: never on the UI thread

    store = circles_app(app).store
    if whole_store:
        return store_access.run_with_store(store, job)
    if around_unit:
        return store_access.run_around_unit(store, job)
    return store_access.run(store, job, write=write, committed=committed)


def internal_error(exc: BaseException) -> InternalError:
    """A bug, logged with its traceback, as the error a screen shows: never as the store's."""
    from circles import error_log

    log = error_log.record(exc, doing="running a screen's database work")
    return InternalError(exc, str(log) if log is not None else None)


@overload
def run_db(
    node: DOMNode,
    job: Callable[[Db], T],
    done: Callable[[T], object] | None = None,
    *,
    write: bool = False,
    failed: Callable[[CirclesError], object] | None = None,
    group: str = "load",
    exclusive: bool = True,
    around_unit: Literal[False] = False,
    whole_store: Literal[False] = False,
) -> Worker[None]: ...
@overload
def run_db(
    node: DOMNode,
    job: Callable[[UnitOfWork], T],
    done: Callable[[T], object] | None = None,
    *,
    write: bool = False,
    failed: Callable[[CirclesError], object] | None = None,
    group: str = "load",
    exclusive: bool = True,
    around_unit: Literal[True],
    whole_store: Literal[False] = False,
) -> Worker[None]: ...
@overload
def run_db(
    node: DOMNode,
    job: Callable[[Store], T],
    done: Callable[[T], object] | None = None,
    *,
    write: bool = False,
    failed: Callable[[CirclesError], object] | None = None,
    group: str = "load",
    exclusive: bool = True,
    around_unit: Literal[False] = False,
    whole_store: Literal[True],
) -> Worker[None]: ...
def run_db(
    node: DOMNode,
    job: Callable[[Any], T],
    done: Callable[[T], object] | None = None,
    *,
    write: bool = False,
    failed: Callable[[CirclesError], object] | None = None,
    group: str = "load",
    exclusive: bool = True,
    around_unit: bool = False,
    whole_store: bool = False,
) -> Worker[None]:
    """Run ``job(db)`` in a thread inside ``store.read()`` (or, with ``write``, a write tried
    again while the store is briefly busy, so ``job`` must be safe to run again), then
    ``done(result)`` on the UI thread. Any failure goes to ``failed`` (default: a notification),
    never a traceback: a domain error as it is, the store's own failure as ``StoreUnavailable``,
    and a bug as ``InternalError``, whose traceback is in the log the message names.

    With ``around_unit``, ``job`` is given the store's write unit of work (``store.write``) to
    open itself, for work that must span it: files written whole before the store change they
    announce commits, and put in place after it. ``job`` may report progress with
    ``node.app.call_from_thread`` and stop early when ``get_current_worker().is_cancelled``.
    With ``whole_store``, ``job`` is given the store itself, for work that commits step by step
    as it goes (a send writes each message's log row as the server takes it).

    An exclusive worker replaced by a newer one in the same group drops its result, so a
    filter typed quickly shows only the answer to the last keystroke. A ``write`` is never
    dropped: it runs, in the order asked, whatever replaced its worker (see WriteLane); only
    its result may be, and a failure is always told.
    """
    return _run_in_turn(
        node,
        [(job, done, failed)],
        write=write,
        group=group,
        exclusive=exclusive,
        around_unit=around_unit,
        whole_store=whole_store,
    )


# A read for read_in_turn: the job, what to do with its result, what to do if it failed.
Read = tuple[
    "Callable[[Db], Any]", "Callable[[Any], object] | None", "Callable[[CirclesError], object] | None"
]


def read_in_turn(
    node: DOMNode, reads: Sequence[Read], *, group: str = "load", exclusive: bool = True
) -> Worker[None]:
    """Several reads a screen wants at once, as ``run_db`` runs one, but one after another in
    one worker, each in its own unit of work and each result handed back as soon as it is in
    (a read that fails is told to its own ``failed`` and the next still runs).

    Side by side they would each want a connection: on PostgreSQL an app keeps one
    (models/engine.py), so every read beyond the first opened a connection and closed it
    again, a few milliseconds of the client's and a server process started for each, where
    the reads a screen pairs with its main one (a delivery line) take a millisecond or two."""
    return _run_in_turn(node, reads, group=group, exclusive=exclusive)


class WriteLane:
    """An app's writes, run one at a time in the order they were asked, each to its end.

    A write ran in its screen's worker, and a worker is cancelled by a newer one in its group
    (exclusive, so a filter typed fast shows only the last answer), or when its screen closes,
    before or while it waits for a thread: keys typed fast (a reject, a move, a lock) stored the
    lock and silently dropped the reject. Here no worker's fate reaches the write itself; and
    one thread means two writes never race each other, so the later one always lands last.

    Work given the store's unit of work or the store itself (``around_unit``, ``whole_store``:
    an .ics export, a send) runs outside the lane, in its own worker's thread: it takes seconds
    (files written, a mail server's replies) and every write queued behind it, a rating typed,
    would wait that long; it stops early when its dialog cancels its worker, which it can see
    only from that worker's thread (``get_current_worker``); and it is asked for once, from a
    dialog, not typed in a burst. The store's write lock keeps its commits and the lane's apart."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="circles-write")
        self._last: Future[None] | None = None

    def add(self, write: Callable[[], None]) -> Future[None]:
        """Queue ``write`` behind those asked before it; the future is done when it is. Call on
        the UI thread."""
        self._last = self._thread.submit(write)
        return self._last

    def wait_for_queued(self) -> Callable[[], None]:
        """A wait, for a worker's thread, until the writes asked so far are done: a read asked
        after a write shows it. Call on the UI thread, where the order of asking is."""
        last = self._last
        if last is None or last.done():
            return lambda: None

        def wait() -> None:
            wait_for_futures([last])

        return wait


# The name of the worker that stands for a write in its screen's group (tests wait for it).
WRITE_STAND_IN = "write in the lane"

_lanes: weakref.WeakKeyDictionary[App[Any], WriteLane] = weakref.WeakKeyDictionary()


def write_lane(app: App[Any]) -> WriteLane:
    """The app's own lane (made on first use, on the UI thread; it goes with the app)."""
    lane = _lanes.get(app)
    if lane is None:
        lane = _lanes[app] = WriteLane()
    return lane


def _run_in_turn(
    node: DOMNode,
    steps: Sequence[Read],
    *,
    write: bool = False,
    group: str,
    exclusive: bool,
    around_unit: bool = False,
    whole_store: bool = False,
) -> Worker[None]:
    app = node.app
    # The collector waits while the data is fetched and drawn (screens/heap.py: CollectorHold).
    collector = getattr(app, "collector", None)
    if collector is not None:
        collector.hold()

    lane = _lanes.get(app)
    writes_before = lane.wait_for_queued() if lane is not None else (lambda: None)

    def work() -> None:
        try:
            worker = get_current_worker()
            writes_before()
            for job, done, failed in steps:
                if worker.is_cancelled:
                    return
                _step(worker, job, done, failed or (lambda e: show_error(node, e)))
        finally:
            # Textual names the running worker in the pool thread's own context and leaves it
            # there: an idle thread would keep the last worker, and through it its screen,
            # alive after the screen closed.
            forget_worker_in_this_thread()

    def _step(
        worker: Worker[None],
        job: Callable[[Any], Any],
        done: Callable[[Any], object] | None,
        tell: Callable[[CirclesError], object],
    ) -> None:
        try:
            told = lambda db: _tell_presenter_changes(worker, db)  # noqa: E731
            if whole_store:
                result = in_store(app, job, whole_store=True)
            elif around_unit:
                result = in_store(app, job, around_unit=True, committed=told)
            else:
                result = in_store(app, job, write=write, committed=told)
            own_write = getattr(app, "own_write_committed", None)  # (a test's host app has none)
            if own_write is not None and (write or around_unit or whole_store):
                # Before the screen loads what it wrote: that change is this app's own.
                own_write()
        except CirclesError as exc:
            _failed(worker, tell, exc)
            return
        except Exception as exc:
            if worker.is_cancelled and not write:
                return  # the job stopped itself because it was cancelled: nobody is waiting
            _failed(worker, tell, internal_error(exc))
            return
        if done is not None:
            _back(worker, _shown(done), result)

    def _tell_presenter_changes(worker: Worker[None], db: Db) -> None:
        from circles.services import upkeep  # in the worker: it loads the store's modules

        changes = upkeep.presenter_changes(db)
        if changes:
            text = upkeep.describe(changes)
            _back(
                worker,
                lambda t: app.notify(
                    t, title="Invites out of date", severity="warning", timeout=15, markup=False
                ),
                text,
                drop_if_stale=not write,  # what a write changed is news, whatever replaced its worker
            )

    def _shown(callback: Callable[[T], object]) -> Callable[[T], None]:
        def show(value: T) -> None:
            if collector is not None and node.is_attached:
                collector.hold()
            callback(value)

        return show

    def _failed(worker: Worker[None], tell: Callable[[CirclesError], object], error: CirclesError) -> None:
        if write and worker.is_cancelled:
            # A write that failed is told even when its screen moved on: the screen's own
            # `failed` would show what is now stale, so the plain message.
            _back(worker, lambda e: show_error(app, e), error, drop_if_stale=False)
        else:
            _back(worker, tell, error)

    def _back(
        worker: Worker[None], callback: Callable[[Any], object], value: Any, *, drop_if_stale: bool = True
    ) -> None:
        if drop_if_stale and worker.is_cancelled:
            return

        def on_ui_thread(value: Any) -> None:
            # Looked at again where the result is shown: a newer worker may have replaced this
            # one while the result waited for the UI thread.
            if drop_if_stale and worker.is_cancelled:
                return
            callback(value)

        try:
            app.call_from_thread(on_ui_thread, value)
        except Exception as exc:
            if not app.is_running:
                return  # the app closed while the work ran; nobody is left to tell
            # The screen's own callback failed (it runs on the UI thread, but its error comes
            # back here): a bug, told once; the screen's `failed` may be what failed.
            error = internal_error(exc)
            with contextlib.suppress(Exception):  # the app is closing; the log has it
                app.call_from_thread(show_error, node, error)

    if not write:
        return node.run_worker(work, thread=True, exclusive=exclusive, group=group, exit_on_error=False)

    # The worker stands for the write in its group until the write is done, so that a newer
    # one replacing it makes its result stale (and a read it replaces, the read's); the write
    # itself runs in the app's lane. It awaits the write on the UI thread's loop, holding no
    # thread: Textual's workers share a few, and writes typed in a burst (ratings) waiting in
    # the lane each held one, which work that does not wait for the writes then lacked.
    queued: list[Future[None]] = []

    async def stand_in() -> None:
        # Shielded: cancelling the worker must never cancel the write still queued.
        await asyncio.shield(asyncio.wrap_future(queued[0]))

    handle: Worker[None] = node.run_worker(
        stand_in, name=WRITE_STAND_IN, exclusive=exclusive, group=group, exit_on_error=False
    )

    def write_in_turn() -> None:
        for job, done, failed in steps:
            _step(handle, job, done, failed or (lambda e: show_error(node, e)))

    # Before the stand-in first runs: it starts on the loop's next turn, after this returns.
    queued.append(write_lane(app).add(write_in_turn))
    return handle


async def ask_db(app: App[Any], job: Callable[[Db], T], *, failed: T) -> T:
    """For code that awaits its answer on the UI thread (the command palette's search):
    ``job(db)`` in a thread inside ``store.read()``; a failure is told as ``run_db`` tells it,
    and the answer is then ``failed``."""
    try:
        return await asyncio.to_thread(in_store, app, job)
    except CirclesError as exc:
        show_error(app, exc)
    except Exception as exc:
        show_error(app, internal_error(exc))
    return failed


# Longest a result waits for its widgets, and how often the wait looks whether its screen was
# closed meanwhile (its worker is then cancelled): the wait holds the read's connection.
MOUNT_WAIT_SECONDS = 10.0
MOUNT_POLL_SECONDS = 0.05


class MountGate:
    """For a screen that asks for its data in compose, before its widgets are built (the query
    then runs while they are styled and laid out): ``after(job)`` wraps the job given to
    ``run_db`` so that its result waits in the worker until the screen's on_mount opens the
    gate, and is handed over, as every result is, once there is somewhere to show it. Once
    open (a reload), nothing waits."""

    def __init__(self) -> None:
        self._open = threading.Event()

    def open(self) -> None:
        self._open.set()

    def after(self, job: Callable[[Db], T]) -> Callable[[Db], T]:
        def gated(db: Db) -> T:
            result = job(db)
            worker = get_current_worker()  # in the worker's thread, never the UI's
            for _ in range(int(MOUNT_WAIT_SECONDS / MOUNT_POLL_SECONDS)):
                if self._open.wait(MOUNT_POLL_SECONDS) or worker.is_cancelled:
                    break
            return result

        return gated

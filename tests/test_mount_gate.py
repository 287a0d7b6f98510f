"""screens/work.py's MountGate: a screen that asks for its data as it is built is handed the
result only once its widgets are mounted, however fast the read; and a screen closed before
that lets the read's connection go at once, rather than after the longest wait."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import WorkerState

import screens.work
from circles.app import CirclesApp
from models.store import Store
from screens.work import MountGate, run_db
from tests.tui_support import settle, until

SIZE = (80, 24)
WAIT = 10  # seconds: only reached when something is stuck, which fails the test


class _NotedEvent(threading.Event):
    """A gate's event that notes when a worker first waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waited_on = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waited_on.set()
        return super().wait(timeout)


def _either(first: threading.Event, second: threading.Event) -> None:
    for _ in range(WAIT * 100):
        if first.wait(0.01) or second.is_set():
            return
    raise AssertionError("neither happened")


class _MountedLate(Static):
    """A widget whose mounting ends only once the screen's read is done and its result is
    either waiting at the gate or already handed over: the read surely finishes first."""

    async def on_mount(self) -> None:
        screen = self.screen
        assert isinstance(screen, AsksAsItIsBuilt)
        waiting = screen.gate_event.waited_on
        await asyncio.to_thread(_either, waiting, screen.handed_over)


class AsksAsItIsBuilt(Screen[None]):
    """Asks for its data in compose and opens the gate in on_mount, as the Recognition screen
    does when it is pushed without them; one of its widgets is slow to mount."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = MountGate()
        # Watched, to know the result waits there (a test's look inside the gate).
        self.gate_event = self.gate._open = _NotedEvent()
        self.mounted = False
        self.handed: list[tuple[str, bool]] = []  # (the result, whether on_mount had run)
        self.handed_over = threading.Event()

    def compose(self) -> ComposeResult:
        run_db(self, self.gate.after(_read), self.show)
        yield _MountedLate("Loading…", id="result", markup=False)

    def on_mount(self) -> None:
        self.mounted = True
        self.gate.open()

    def show(self, value: str) -> None:
        self.handed.append((value, self.mounted))
        self.handed_over.set()
        self.query_one("#result", Static).update(value)


def _read(db: object) -> str:
    return str(db.execute(sa.text("SELECT 'forty-two'")).scalar_one())  # type: ignore[attr-defined]


async def test_a_read_that_finishes_before_the_widgets_are_mounted_is_handed_over_after(store: Store) -> None:
    app = CirclesApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = AsksAsItIsBuilt()
        await app.push_screen(screen)
        await until(pilot, lambda: bool(screen.handed))
        await settle(app, pilot)
        assert screen.handed == [("forty-two", True)]
        assert str(screen.query_one("#result", Static).render()) == "forty-two"


async def test_a_cancelled_worker_stops_waiting_and_gives_its_connection_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen closed before it was mounted never opens its gate: its worker is cancelled, and
    the read's connection, held while the result waits, goes back to the pool then, not after
    the longest wait (made an hour here, so only the cancellation can end it)."""
    monkeypatch.setattr(screens.work, "MOUNT_WAIT_SECONDS", 3600.0)
    pool = store.engine.pool
    assert isinstance(pool, sa.QueuePool), pool  # a file or a server: connections are counted
    gate = MountGate()  # never opened, as by a screen closed before its on_mount
    read_done = threading.Event()

    def read(db: object) -> int:
        value = int(db.execute(sa.text("SELECT 1")).scalar_one())  # type: ignore[attr-defined]
        read_done.set()
        return value

    handed: list[int] = []
    app = CirclesApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            idle = pool.checkedout()
            worker = run_db(app.screen, gate.after(read), handed.append, group="gated")
            await until(pilot, read_done.is_set)
            assert pool.checkedout() == idle + 1  # the result waits, in its unit of work
            worker.cancel()
            await until(pilot, lambda: worker.state is WorkerState.CANCELLED and pool.checkedout() == idle)
            await until(pilot, lambda: not any(w.is_running for w in app.workers if w.group == "gated"))
            assert handed == []  # nobody is left to show it to
    finally:
        gate.open()  # were the wait not to end, its thread goes on no longer than the test

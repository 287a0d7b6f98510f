"""An app that quits while its store is still opening ends at once: nothing waits on for the
store (it held the process half a minute after its tab had closed, SIGTERM or not)."""

from __future__ import annotations

import threading

from circles.app import CirclesApp
from circles.errors import CirclesError
from tests import factories
from tests.tui_support import until


async def test_quitting_while_the_store_opens_lets_go_of_whoever_waits_for_it(memory_store, clock):
    from circles.services.home import load_home
    from screens.home import HomeScreen

    factories.session(memory_store, factories.circle(memory_store, "Rust Lunch"), "2026-03-04 12:00")
    with memory_store.read() as db:
        first = load_home(db, clock())
    opened = threading.Event()

    def open_slowly():
        opened.wait(60)  # a far server, a long upgrade: still opening when the tab closes
        return memory_store

    waited: list[object] = []
    app = CirclesApp(open_store=open_slowly, first_glance=lambda: first)
    try:
        async with app.run_test(size=(100, 30)) as pilot:

            def listed() -> bool:
                found = app.screen.query("#upcoming") if isinstance(app.screen, HomeScreen) else []
                return bool(found) and found[0].row_count > 0

            await until(pilot, listed)
            await pilot.pause()
            # A worker (Home's own reload, a key pressed at once) waits in app.store meanwhile.
            waiter = threading.Thread(target=lambda: waited.append(_store_or_error(app)))
            waiter.start()
            app.exit()
        waiter.join(10)  # the store waits 30 s for a store that does not come
        assert not waiter.is_alive(), "a worker still waits for the store after the app quit"
        assert isinstance(waited[0], CirclesError)
    finally:
        opened.set()


def _store_or_error(app: CirclesApp) -> object:
    try:
        return app.store
    except CirclesError as exc:
        return exc

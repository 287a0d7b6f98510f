"""One app process per browser tab: started in a process group of its own, with the store's
setting in its environment (never on its command line), and ended with every process in its
group when the tab closes or the server stops."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from asyncio.subprocess import PIPE, Process
from collections.abc import Awaitable, Callable, Mapping, Sequence

from textual_serve.download_manager import DownloadManager

from circles.serve import upstream

# How long an app has to quit by itself once its tab is gone (it closes its store, and a save
# under way finishes), then how long after SIGTERM to its group before SIGKILL.
QUIT_SECONDS = 5.0
TERM_SECONDS = 3.0
# Textual's web driver, starting focused (screens/web_driver.py says why); named, not
# imported, so the server never loads the app's driver.
APP_DRIVER = "screens.web_driver:FocusedWebDriver"


def app_command() -> list[str]:
    """The app process: circles itself, through circles.serve.child (which ends it with the server)."""
    return [sys.executable, "-m", "circles.serve.child"]


class AppProcess(upstream.AppService):
    """textual-serve's AppService, started without a shell in a process group of its own."""

    def __init__(
        self,
        command: Sequence[str],
        environment: Mapping[str, str],
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[None]],
        download_manager: DownloadManager,
        quit_seconds: float = QUIT_SECONDS,
        term_seconds: float = TERM_SECONDS,
    ) -> None:
        super().__init__(
            " ".join(command),
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,
            download_manager=download_manager,
        )
        self.argv = list(command)
        self.environment = dict(environment)
        self.quit_seconds = quit_seconds
        self.term_seconds = term_seconds
        self.pid: int | None = None
        self._stopping: asyncio.Task[None] | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        environment = upstream.app_environment(self, width, height) | self.environment
        environment["TEXTUAL_DRIVER"] = APP_DRIVER
        process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=PIPE,
            stdout=PIPE,
            stderr=PIPE,
            env=environment,
            # Its own session, so its own process group: the group is what gets signalled, and
            # Ctrl+C in the server's terminal reaches the server alone, which then ends each app.
            start_new_session=True,
        )
        upstream.adopt_process(self, process)
        self.pid = process.pid
        return process

    async def stop(self) -> None:
        """End the app: ask it to quit, then SIGTERM its group, then SIGKILL. Safe to call twice
        (the tab closing and the server stopping at once), and not cut short by a cancellation."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        process = upstream.process_of(self)
        if process is None:
            return
        quitting = asyncio.ensure_future(super().stop())  # the quit message, then its output read to the end
        if not await _ended(process, self.quit_seconds):
            _signal_group(process.pid, signal.SIGTERM)
            if not await _ended(process, self.term_seconds):
                _signal_group(process.pid, signal.SIGKILL)
                await process.wait()
        # Whatever the app started and left in its group goes too.
        _signal_group(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            await quitting


async def _ended(process: Process, seconds: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _signal_group(group: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)

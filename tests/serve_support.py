"""Helpers for the `circles serve` tests: a server in a thread or a process, a websocket client,
and waiting for processes to end."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from circles.serve.server import CirclesServer

FAKE_APP = Path(__file__).resolve().parent / "serve_fake_app.py"
REPO = Path(__file__).resolve().parent.parent


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "the condition") -> None:
    """Wait for ``condition`` (polling); fail naming ``what`` if it is still false after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout:.0f} s")
        time.sleep(0.05)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, dead but not yet reaped, counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def group_alive(group: int) -> bool:
    """Whether any live process is left in process group ``group``."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            return True
    return False


class ServerInThread:
    """A CirclesServer on a free port, run in a thread of this test process."""

    def __init__(self, mode: str = "polite", **options: Any) -> None:
        self.said: list[str] = []
        options.setdefault("environment", {"CIRCLES_DATABASE_URL": "postgresql://ana:s3cret@db/circles"})
        self.server = CirclesServer(
            port=0, command=[sys.executable, str(FAKE_APP), mode], say=self.said.append, **options
        )
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.run()), daemon=True)

    @property
    def entry_url(self) -> str:
        return self.server.access.entry_url

    @property
    def base(self) -> str:
        return self.server.public_url

    @property
    def token(self) -> str:
        return self.server.access.token

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.server.stop()
        self.thread.join(60)
        assert not self.thread.is_alive(), "the server did not stop"


@contextmanager
def server_in_thread(mode: str = "polite", **options: Any) -> Iterator[ServerInThread]:
    running = ServerInThread(mode, **options)
    running.thread.start()
    assert running.server.listening.wait(60), "the server did not start"
    try:
        yield running
    finally:
        running.stop()


def pids_said(said: list[str]) -> list[int]:
    return [int(m.group(1)) for line in said if (m := re.search(r"Tab opened: app process (\d+)", line))]


async def read_until(ws: aiohttp.ClientWebSocketResponse, pattern: str, timeout: float = 60.0) -> str:
    """The text the app sent until ``pattern`` (a regex) shows in it."""
    seen = ""
    async with asyncio.timeout(timeout):
        while not re.search(pattern, seen):
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data.decode("utf-8", "replace")
            elif message.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                raise AssertionError(f"the websocket closed before {pattern!r}; got {seen[-300:]!r}")
    return seen


@contextmanager
def circles_serve(
    db: str, *extra: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`circles --db DB serve --port 0` in a process of its own; yields it and the printed address."""
    process = subprocess.Popen(
        [sys.executable, "-m", "circles", "--db", db, "serve", "--port", "0", *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = ""
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Open "):
            url = line.split()[1]
            break
    if not url:
        process.kill()
        raise AssertionError("circles serve printed no address:\n" + "".join(lines))
    printed = lines
    reader = threading.Thread(target=lambda: printed.extend(process.stdout or []), daemon=True)
    reader.start()
    process.printed = printed  # type: ignore[attr-defined]
    try:
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def base_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

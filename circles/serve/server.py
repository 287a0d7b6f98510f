"""The web server behind `circles serve`: textual-serve's, run with the access checks of
circles/serve/access.py, a cap on app processes, and every app process ended when its tab
closes or the server stops."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from aiohttp import WSCloseCode, web
from aiohttp.web_log import AccessLogger

from circles.errors import InvalidInput
from circles.serve import upstream
from circles.serve.access import Access, is_wildcard_host
from circles.serve.apps import QUIT_SECONDS, TERM_SECONDS, AppProcess, app_command
from circles.words import count

TEMPLATES = Path(__file__).resolve().parent / "templates"
# circles' own files for the page (beside textual-serve's /static/).
OWN_STATIC = Path(__file__).resolve().parent / "static"
# Each app is a Python process of about 100 MB holding up to four database connections
# (models/engine.py): eight is under a gigabyte and 32 connections, and a facilitator rarely
# needs more than one tab. --max-apps changes it.
DEFAULT_MAX_APPS = 8
# A tab whose connection died without closing (a laptop lid shut) is noticed within this.
HEARTBEAT_SECONDS = 15.0

Say = Callable[[str], None]


class CirclesServer(upstream.Server):
    def __init__(
        self,
        *,
        environment: Mapping[str, str],
        host: str = "127.0.0.1",
        port: int = 8000,
        public_url: str | None = None,
        max_apps: int = DEFAULT_MAX_APPS,
        command: Sequence[str] | None = None,
        say: Say = print,
        quit_seconds: float = QUIT_SECONDS,
        term_seconds: float = TERM_SECONDS,
    ) -> None:
        """``environment``: what each app process gets besides the server's own environment
        (the store's setting). ``command`` replaces the app process, for tests."""
        self.app_command = list(command) if command is not None else app_command()
        super().__init__(
            " ".join(self.app_command), host=host, port=port, title="circles", templates_path=TEMPLATES
        )
        self.given_public_url = public_url
        self.environment = dict(environment)
        self.max_apps = max_apps
        self.say = say
        self.quit_seconds = quit_seconds
        self.term_seconds = term_seconds
        self.access = Access()
        self.apps: set[AppProcess] = set()
        self.websockets: set[web.WebSocketResponse] = set()
        self.listening = threading.Event()  # set once the port is bound and the address known
        self.stopping = False  # the server is ending every tab
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its banner here; we print the address once the port is bound."""

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: one app process, ended when the tab closes (the access checks ran before)."""
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
        await websocket.prepare(request)
        if len(self.apps) >= self.max_apps:
            await _tell_tab(
                websocket,
                f"circles serve: {_tabs(self.max_apps)} open already, the most this server "
                "runs at once (--max-apps). Close one, then reload this page.",
            )
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too many tabs")
            return websocket

        async def close_tab() -> None:  # the app said goodbye (it quit from its own keys)
            await websocket.close()

        app = AppProcess(
            self.app_command,
            self.environment | browser_zone(request),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close_tab,
            download_manager=self.download_manager,
            quit_seconds=self.quit_seconds,
            term_seconds=self.term_seconds,
        )
        self.apps.add(app)
        self.websockets.add(websocket)
        try:
            await app.start(_size(request, "width", 80), _size(request, "height", 24))
            self.say(f"Tab opened: app process {app.pid} ({len(self.apps)} of {self.max_apps} running).")
            await upstream.relay_browser_messages(self, websocket, app)
        finally:
            await app.stop()
            self.apps.discard(app)
            self.websockets.discard(websocket)
            with contextlib.suppress(Exception):
                # "Going away" tells the page the server stopped: no "Start again" can help.
                await websocket.close(code=WSCloseCode.GOING_AWAY if self.stopping else WSCloseCode.OK)
            if app.pid is not None:
                self.say(f"Tab closed: app process {app.pid} ended ({len(self.apps)} running).")
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        await self.end_every_tab()

    async def end_every_tab(self) -> None:
        """Every app process ended, and every tab told the server stopped (before aiohttp's own
        shutdown drops the connections, which a tab cannot tell from a network that failed)."""
        self.stopping = True
        if self.apps:
            self.say(f"Ending {count(len(self.apps), 'app process', 'app processes')}.")
        for websocket in list(self.websockets):
            with contextlib.suppress(Exception):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
        await asyncio.gather(*(a.stop() for a in list(self.apps)), return_exceptions=True)

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C, SIGTERM or SIGHUP; every app process has ended when this returns."""
        asyncio.run(self.run(handle_signals=True))

    def stop(self) -> None:
        """Stop serving, from any thread (tests)."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    async def run(self, *, handle_signals: bool = False) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        web_app = await upstream.make_web_app(self)
        web_app.middlewares.append(self.access.middleware)
        web_app.router.add_static("/circles-static/", OWN_STATIC)
        runner = web.AppRunner(
            web_app, access_log_class=QuietAccessLog, handle_signals=False, shutdown_timeout=10
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as refused:
                raise bind_refusal(self.host, self.port, refused) from None
            port = int(runner.addresses[0][1])
            self.port = port
            canonical = self.given_public_url is None
            self.public_url = self.given_public_url or f"http://{_url_host(self.host)}:{port}"
            self.public_url = self.public_url.rstrip("/")
            self.access.serve_at(self.public_url, port=port, canonical=canonical)
            if handle_signals:
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    self._loop.add_signal_handler(signum, self._stop.set)
            self.say(f"Open {self.access.entry_url}")
            self.say("(this address lets a browser in: keep it to yourself; Ctrl+C stops the server)")
            self.listening.set()
            await self._stop.wait()
            self.say("Stopping.")
            await self.end_every_tab()
        finally:
            await runner.cleanup()  # on_shutdown ends every app process


def bind_refusal(host: str, port: int, error: OSError) -> InvalidInput:
    """Why the server could not listen on host:port, naming the flag to change (aiohttp's own
    words name neither: "error while attempting to bind on address ('127.0.0.1', 8000)")."""
    if error.errno == errno.EADDRINUSE:
        return InvalidInput(
            "--port",
            port,
            f"is in use on {host} (by another program, or another circles serve): "
            "choose another, or 0 for a free one",
        )
    if error.errno == errno.EACCES:
        return InvalidInput("--port", port, "needs administrator rights: choose one from 1024 up, or 0")
    if error.errno == errno.EADDRNOTAVAIL:
        return InvalidInput("--host", host, "is not an address of this machine")
    if isinstance(error, socket.gaierror):
        return InvalidInput("--host", host, "is not a name this machine can look up")
    return InvalidInput(
        "--host", f"{host}:{port}", f"cannot be listened on ({(error.strerror or str(error)).lower()})"
    )


class QuietAccessLog(AccessLogger):
    """The access log without query strings: the first request carries the token."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info('%s "%s %s" %s', request.remote, request.method, request.path, response.status)


def _tabs(count: int) -> str:
    return "1 tab is" if count == 1 else f"{count} tabs are"


def _url_host(host: str) -> str:
    if is_wildcard_host(host):
        raise ValueError("a wildcard address needs a public URL")
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


# The browser's time zone, as the page (static/zone.js) says it in a cookie: not a secret.
ZONE_COOKIE = "circles_zone"


def browser_zone(request: web.Request) -> dict[str, str]:
    """The tab's app runs on the clock of the browser's machine (TZ), where the facilitator is:
    on a server elsewhere, "today", a new circle's zone and a file's date were the server's."""
    from circles.zones import is_zone

    name = request.cookies.get(ZONE_COOKIE, "")
    return {"TZ": name} if is_zone(name) else {}  # not a path, a folder or empty: is_zone says


def _size(request: web.Request, name: str, default: int) -> int:
    try:
        return max(10, min(1000, int(request.query.get(name, default))))
    except ValueError:
        return default


async def _tell_tab(websocket: web.WebSocketResponse, text: str) -> None:
    """A line on the tab's terminal, where a person looks (textual.js shows binary frames)."""
    with contextlib.suppress(Exception):
        await websocket.send_bytes(f"\r\n  {text}\r\n".encode())

"""Every place `circles serve` reaches past textual-serve's public API, each with the reason.

pyproject.toml bounds textual-serve to the minor these were read against (1.1); the canary,
tests/test_serve_upstream.py, fails naming the internal when an upgrade moves or changes one.
To raise the bound: install the new textual-serve, run that test, re-read each reason below
against its source (server.py, app_service.py, templates/app_index.html), and drop what it
now does itself. Nothing else in circles/serve touches a textual-serve name starting with "_".
"""

from __future__ import annotations

from asyncio.subprocess import Process
from pathlib import Path

import textual_serve
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

__all__ = [
    "FONT_FILES",
    "SCRIPT_FILES",
    "STATIC_FOLDER",
    "TEMPLATE_CONTEXT",
    "TEMPLATE_NAME",
    "AppService",
    "Server",
    "adopt_process",
    "app_environment",
    "make_web_app",
    "process_of",
    "relay_browser_messages",
]

# --- The page ---------------------------------------------------------------------------------
#
# Server.handle_index renders the template named here, from the folder given as templates_path,
# with these keys. Ours (circles/serve/templates) replaces textual-serve's, which loads its
# font from fonts.googleapis.com: a request to an outside host on every visit. The font files
# themselves ship in textual-serve's static folder, which ours names in an @font-face instead.
TEMPLATE_NAME = "app_index.html"
TEMPLATE_CONTEXT = ("font_size", "app_websocket_url", "config", "application")
STATIC_FOLDER = Path(textual_serve.__file__).resolve().parent / "static"
FONT_FILES = ("fonts/RobotoMono-VariableFont_wght.ttf", "fonts/RobotoMono-Italic-VariableFont_wght.ttf")
SCRIPT_FILES = ("js/textual.js", "css/xterm.css")


# --- The web application ----------------------------------------------------------------------
#
# Server.serve() builds its aiohttp application in _make_app and runs it itself, with no way
# in for a middleware (the token and the Origin check), an access log that leaves the token
# out, or the port actually bound (port 0, for tests). We run the application it makes.
async def make_web_app(server: Server) -> web.Application:
    return await server._make_app()


# --- Messages from the browser -----------------------------------------------------------------
#
# Server.handle_websocket makes a plain AppService (a shell command, in the server's own
# process group, never signalled) and has no cap: ours makes its own AppService and relays the
# browser's messages (keys, resizes, focus, pings) with textual-serve's own loop.
async def relay_browser_messages(server: Server, websocket: web.WebSocketResponse, app: AppService) -> None:
    await server._process_messages(websocket, app)


# --- The app process ---------------------------------------------------------------------------
#
# AppService._open_app_process starts the app with create_subprocess_shell: a shell between
# the server and the app, in the server's process group, so a signal to the shell never
# reaches the app, and nothing can end what the app itself started. Ours starts the app
# directly, in a process group of its own, and hands the process back through the two
# attributes run() and send_bytes() read. _build_environment sets the variables the app's
# web driver needs (TEXTUAL_DRIVER, the size, the colours); ours adds the store's setting.
def app_environment(app: AppService, width: int, height: int) -> dict[str, str]:
    return app._build_environment(width=width, height=height)


def adopt_process(app: AppService, process: Process) -> None:
    assert process.stdin is not None
    app._process = process
    app._stdin = process.stdin


def process_of(app: AppService) -> Process | None:
    return app._process

"""`circles serve` in a real browser: Debian's Chromium, driven by Playwright (never a browser of
its own). The page reaches Home, keys reach the app, a circle opens, nothing is asked of another
host; no token, 401; a foreign Origin, 403; a closed tab leaves no app process behind."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.serve_support import (
    REPO,
    base_of,
    circles_serve,
    group_alive,
    pids_said,
    process_alive,
    token_of,
    wait_until,
)
from tests.tool_support import require_tool

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.slow

# textual.js keeps its xterm.js Terminal as `this.terminal` on an object the page never shares.
# Before the page's scripts run, a setter on that name notes every Terminal assigned to it, so
# the test reads the very buffer the browser draws from, line by line.
CATCH_TERMINAL = """
(() => {
  window.__circlesTerminals = [];
  Object.defineProperty(Object.prototype, 'terminal', {
    configurable: true,
    set(value) {
      Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && value.buffer.active) window.__circlesTerminals.push(value);
    },
  });
})();
"""
READ_SCREEN = """() => {
  const t = window.__circlesTerminals[0];
  if (!t) return null;
  const buffer = t.buffer.active, lines = [];
  for (let y = 0; y < t.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : '');
  }
  return lines.join('\\n');
}"""


@pytest.fixture(scope="module")
def playwright_api() -> Iterator[Any]:
    require_tool(None if CHROMIUM.exists() else "Chromium is not installed (apt-get install chromium)")
    require_tool(None if find_spec("playwright") else "Playwright is not installed (uv sync)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("serve") / "circles.db")
    subprocess.run(
        [sys.executable, "-m", "circles", "--db", db, "demo"], cwd=REPO, check=True, capture_output=True
    )
    return db


@pytest.fixture(scope="module")
def served(demo_db: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with circles_serve(demo_db) as running:
        yield running


# Not the server's: the tab's app takes the browser's zone (circles/serve/static/zone.js).
BROWSER_ZONE = "Pacific/Auckland"


@pytest.fixture
def browser(playwright_api: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile, 120 x 36 cells or so."""
    context = playwright_api.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 800},
        timezone_id=BROWSER_ZONE,
    )
    try:
        yield context
    finally:
        context.close()


def _screen_until(page: Any, condition: Callable[[str], bool], what: str, timeout: float = 90.0) -> str:
    """The terminal's text once ``condition`` holds for it."""
    seen: list[str] = [""]

    def holds() -> bool:
        seen[0] = page.evaluate(READ_SCREEN) or ""
        return condition(seen[0])

    try:
        wait_until(holds, timeout, what)
    except AssertionError as failed:
        raise AssertionError(f"{failed}; the page shows:\n{seen[0]}") from None
    return seen[0]


def test_a_browser_reaches_home_types_keys_and_opens_a_circle(
    served: tuple[subprocess.Popen[str], str], browser: Any, tmp_path: Path
) -> None:
    process, url = served
    base = base_of(url)
    page = browser.new_page()
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.add_init_script(CATCH_TERMINAL)
    page.goto(url)
    assert page.url == base + "/"  # the token has left the address bar (and the history)
    home = _screen_until(page, lambda s: "Coming up" in s, "Home")
    assert "Home" in home.splitlines()[0]
    # No click first: the page focuses the terminal itself, so the app shows its keys and takes them.
    _screen_until(page, lambda s: "Circles" in s.splitlines()[-1], "Home's keys in the footer")
    page.keyboard.press("c")
    circles = _screen_until(page, lambda s: "Rust Lunch" in s and "Filter" in s, "the circles list")
    first_row = next(line for line in circles.splitlines() if "Rust Lunch" in line or "Guild" in line)
    page.keyboard.press("Enter")
    names = ("Rust Lunch", "Frontend Guild", "Security", "Data Science", "Leadership")
    # The footer's keys come before the circle's data: wait for its name too.
    _screen_until(
        page, lambda s: "Add member" in s and any(n in s for n in names), "a circle's screen with its name"
    )
    page.screenshot(path=str(tmp_path / "circle.png"))
    assert first_row
    pid = pids_said(process.printed)[-1]  # type: ignore[attr-defined]
    assert process_alive(pid)
    assert f"TZ={BROWSER_ZONE}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    page.close()
    wait_until(lambda: not group_alive(pid), what="the closed tab's app process to end")
    assert not process_alive(pid)
    # Everything the page asked for came from the server itself.
    assert requests and all(r.startswith(base + "/") for r in requests), requests
    assert not [c for c in console if "Content Security Policy" in c or "Refused to" in c], console


def test_without_the_token_the_browser_gets_401(
    served: tuple[subprocess.Popen[str], str], browser: Any
) -> None:
    _, url = served
    page = browser.new_page()
    response = page.goto(base_of(url) + "/")
    assert response is not None and response.status == 401
    assert "open the address 'circles serve' printed" in page.content()
    wrong = page.goto(base_of(url) + "/?token=not-the-token")
    assert wrong is not None and wrong.status == 401


def test_a_foreign_origin_is_refused_on_the_websocket(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    before = len(pids_said(process.printed))  # type: ignore[attr-defined]
    ws_url = base_of(url).replace("http", "ws", 1) + "/ws?token=" + token_of(url)

    async def status(origin: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(ws_url, headers={"Origin": origin}):
                    return 101
            except aiohttp.WSServerHandshakeError as refused:
                return refused.status

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as other:
        assert other.submit(asyncio.run, status("http://evil.example")).result() == 403
    assert len(pids_said(process.printed)) == before  # type: ignore[attr-defined]


def test_a_tab_whose_server_stopped_says_so_instead_of_offering_to_start_again(
    demo_db: str, browser: Any
) -> None:
    """Ctrl+C on the server: the tab said "This tab's circles has ended. Start again", and
    Start again led to the browser's "can't reach this page"."""
    import signal

    with circles_serve(demo_db) as (process, url):
        page = browser.new_page()
        page.add_init_script(CATCH_TERMINAL)
        page.goto(url)
        _screen_until(page, lambda s: "Coming up" in s, "Home")
        process.send_signal(signal.SIGINT)
        process.wait(60)
    page.wait_for_selector("text=The circles server stopped.", state="visible", timeout=60_000)
    assert page.is_visible("text=open the new address it prints")
    assert not page.is_visible("text=Start again")

    page = browser.new_page()  # a tab whose app quits (q) still offers to start again
    with circles_serve(demo_db) as (_, url):
        page.add_init_script(CATCH_TERMINAL)
        page.goto(url)
        _screen_until(page, lambda s: "Circles" in s.splitlines()[-1], "Home's keys in the footer")
        page.keyboard.press("q")
        page.wait_for_selector("text=Start again", state="visible", timeout=60_000)
        assert not page.is_visible("text=The circles server stopped.")

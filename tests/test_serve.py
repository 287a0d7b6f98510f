"""`circles serve` lets in only the browser that opened its printed address, only from its own
pages, asks nothing of another host, and ends every app process with its tab or with itself.
A stand-in app (tests/serve_fake_app.py) keeps these fast; tests/test_serve_browser.py runs
the real app in Chromium."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from circles.cli import main
from circles.serve.access import is_local_host, origin_of
from tests.serve_support import (
    group_alive,
    pids_said,
    process_alive,
    read_until,
    server_in_thread,
    wait_until,
)


def _browser() -> aiohttp.ClientSession:
    """A client that keeps cookies as a browser does (aiohttp's own refuses them from an IP address)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _get(url: str, **kwargs: object) -> tuple[int, dict[str, str], str]:
    async with _browser() as session, session.get(url, allow_redirects=False, **kwargs) as r:  # type: ignore[arg-type]
        return r.status, dict(r.headers), await r.text()


async def _cookie_jar_after_entry(session: aiohttp.ClientSession, entry_url: str) -> None:
    async with session.get(entry_url, allow_redirects=False) as response:
        assert response.status == 303


def test_without_the_token_or_its_cookie_every_request_is_refused() -> None:
    with server_in_thread() as served:
        base = served.base

        async def check() -> None:
            for path in ("/", "/ws", "/static/js/textual.js", "/static/css/xterm.css", "/download/abc"):
                status, _, body = await _get(base + path)
                assert status == 401, path
                assert "open the address 'circles serve' printed" in body
            status, _, _ = await _get(base + "/?token=" + "x" * 43)
            assert status == 401
            status, _, _ = await _get(base + "/", cookies={served.server.access.cookie_name: served.token})
            assert status == 401  # the token is not the cookie

        asyncio.run(check())
        assert pids_said(served.said) == []


def test_the_token_becomes_an_http_only_strict_cookie_and_leaves_the_address() -> None:
    with server_in_thread() as served:

        async def check() -> None:
            status, headers, _ = await _get(served.entry_url + "&fontsize=20")
            assert status == 303
            assert headers["Location"] == "/?fontsize=20"
            cookie = headers["Set-Cookie"]
            assert cookie.startswith(served.server.access.cookie_name + "=")
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
            assert served.token not in cookie
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                async with session.get(served.base + "/") as page:
                    assert page.status == 200
                    assert 'class="textual-terminal"' in await page.text()
                    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
                    assert page.headers["Referrer-Policy"] == "no-referrer"
                async with session.get(served.base + "/static/js/textual.js") as script:
                    assert script.status == 200
                async with session.get(served.base + "/static/") as listing:
                    assert listing.status == 404  # no folder listings

        asyncio.run(check())


def test_another_name_for_the_same_server_is_sent_to_the_printed_one() -> None:
    """localhost for 127.0.0.1: the cookie and the Origin check would not match there."""
    with server_in_thread() as served:
        port = served.server.port
        status, headers, _ = asyncio.run(
            _get(served.entry_url, headers={"Host": f"localhost:{port}"})  # type: ignore[arg-type]
        )
        assert status == 307
        assert headers["Location"] == served.entry_url


def test_the_websocket_accepts_only_the_served_origin() -> None:
    with server_in_thread() as served:
        port = served.server.port
        ws_url = served.base.replace("http", "ws", 1) + "/ws"

        async def status_for(origin: str | None) -> int:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                headers = {} if origin is None else {"Origin": origin}
                try:
                    async with session.ws_connect(ws_url, headers=headers) as ws:
                        await read_until(ws, "fake app pid=")
                        return 101
                except aiohttp.WSServerHandshakeError as refused:
                    return refused.status

        async def check() -> None:
            for foreign in (
                "http://evil.example",
                f"http://localhost:{port}",  # the same server under another name
                f"https://127.0.0.1:{port}",
                f"http://127.0.0.1:{port + 1}",
                "null",
                None,
            ):
                assert await status_for(foreign) == 403, foreign
            assert pids_said(served.said) == []
            assert await status_for(f"http://127.0.0.1:{port}") == 101

        asyncio.run(check())
        assert len(pids_said(served.said)) == 1


def test_the_page_asks_nothing_of_another_host() -> None:
    """The page, its script and its styles name no other host (textual-serve's own page loads
    its font from fonts.googleapis.com); the browser test watches the requests themselves."""
    with server_in_thread() as served:

        async def fetch_all() -> dict[str, str]:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                texts: dict[str, str] = {}
                async with session.get(served.base + "/") as page:
                    texts["/"] = await page.text()
                for link in re.findall(r'(?:src|href)="([^"]+)"', texts["/"]) + re.findall(
                    r'url\("([^"]+)"\)', texts["/"]
                ):
                    if link.startswith("data:"):  # inline (the favicon refused), asks nothing of anyone
                        continue
                    async with session.get(link if "://" in link else served.base + link) as r:
                        assert r.status == 200, link
                        if r.content_type.startswith(("text/", "application/javascript")):
                            texts[link] = await r.text()
                return texts

        texts = asyncio.run(fetch_all())
        assert any(k.endswith("textual.js") for k in texts) and any(k.endswith("xterm.css") for k in texts)
        assert any("RobotoMono" in k for k in re.findall(r'url\("([^"]+)"\)', texts["/"]))
        for name, text in texts.items():
            if name.endswith(".css"):
                text = re.sub(
                    r"/\*.*?\*/", "", text, flags=re.S
                )  # licence comments name their authors' sites
            if name == "/":
                text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
            hosts = {origin_of(u) for u in re.findall(r"""(?:https?|wss?)://[^\s"'<>)]+""", text)}
            served_origins = {
                served.server.access.origin,
                served.server.access.origin.replace("http", "ws", 1),
            }
            assert hosts <= served_origins, f"{name} names {sorted(hosts - served_origins)}"


def test_a_closed_tab_ends_its_app_and_everything_the_app_started() -> None:
    with server_in_thread("family") as served:

        async def one_tab() -> tuple[int, int]:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                async with session.ws_connect(
                    served.base.replace("http", "ws", 1) + "/ws",
                    headers={"Origin": served.server.access.origin},
                ) as ws:
                    said = await read_until(ws, r"child=\d+")
                    await ws.send_json(["stdin", "j"])
                    await read_until(ws, "key:j")
                    found = re.search(r"pid=(\d+) child=(\d+)", said)
                    assert found
                    return int(found.group(1)), int(found.group(2))

        pid, child = asyncio.run(one_tab())
        wait_until(
            lambda: not process_alive(pid) and not process_alive(child), what="the app and its child to end"
        )
        assert not group_alive(pid)
        wait_until(lambda: any("Tab closed" in line for line in served.said), what="the server to note it")


def test_stopping_with_a_tab_open_says_how_many_apps_it_ends_in_words() -> None:
    """'Ending 1 app process(es).' (walk22): counts are said as the rest of circles says them."""
    with server_in_thread("family") as served:

        async def stop_with_a_tab_open() -> None:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                async with session.ws_connect(
                    served.base.replace("http", "ws", 1) + "/ws",
                    headers={"Origin": served.server.access.origin},
                ) as ws:
                    await read_until(ws, r"child=\d+")
                    await asyncio.to_thread(served.stop)

        asyncio.run(stop_with_a_tab_open())
    assert "Ending 1 app process." in served.said


def test_an_app_that_ignores_quit_and_sigterm_is_killed_with_its_group() -> None:
    with server_in_thread("stubborn", quit_seconds=0.2, term_seconds=0.2) as served:

        async def one_tab() -> int:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                async with session.ws_connect(
                    served.base.replace("http", "ws", 1) + "/ws",
                    headers={"Origin": served.server.access.origin},
                ) as ws:
                    said = await read_until(ws, r"pid=\d+")
                    return int(re.search(r"pid=(\d+)", said).group(1))  # type: ignore[union-attr]

        pid = asyncio.run(one_tab())
        wait_until(lambda: not group_alive(pid), what="the stubborn app's group to be killed")


def test_stopping_the_server_ends_every_app() -> None:
    pids: list[int] = []
    with server_in_thread() as served:

        async def tabs() -> None:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                url = served.base.replace("http", "ws", 1) + "/ws"
                origin = {"Origin": served.server.access.origin}
                async with (
                    session.ws_connect(url, headers=origin) as one,
                    session.ws_connect(url, headers=origin) as two,
                ):
                    for ws in (one, two):
                        said = await read_until(ws, r"pid=\d+")
                        pids.append(int(re.search(r"pid=(\d+)", said).group(1)))  # type: ignore[union-attr]
                    # Stop the server with both tabs open; they learn it from the closing websocket.
                    await asyncio.to_thread(served.stop)
                    assert (await one.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

        asyncio.run(tabs())
    assert len(pids) == 2
    assert not any(process_alive(p) or group_alive(p) for p in pids)


def test_more_tabs_than_max_apps_are_told_so_and_start_nothing() -> None:
    with server_in_thread(max_apps=1) as served:

        async def check() -> None:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                url = served.base.replace("http", "ws", 1) + "/ws"
                origin = {"Origin": served.server.access.origin}
                async with session.ws_connect(url, headers=origin) as first:
                    await read_until(first, r"pid=\d+")
                    async with session.ws_connect(url, headers=origin) as second:
                        message = await second.receive()
                        assert b"1 tab is open already" in message.data and b"--max-apps" in message.data
                        closing = await second.receive()
                        assert closing.type == aiohttp.WSMsgType.CLOSE
                        assert closing.data == aiohttp.WSCloseCode.TRY_AGAIN_LATER
                # The first tab closed: once its app has ended, there is room again.
                await asyncio.to_thread(
                    wait_until, lambda: not served.server.apps, 60, "the first app to end"
                )
                async with session.ws_connect(url, headers=origin) as third:
                    await read_until(third, r"pid=\d+")

        asyncio.run(check())
        wait_until(lambda: len(served.server.apps) == 0, what="every app to end")
        assert len(pids_said(served.said)) == 2


def test_the_store_reaches_the_app_through_its_environment_not_its_command_line() -> None:
    url = "postgresql://ana:s3cret@db.internal/circles"
    with server_in_thread(environment={"CIRCLES_DATABASE_URL": url}) as served:

        async def check() -> None:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                async with session.ws_connect(
                    served.base.replace("http", "ws", 1) + "/ws",
                    headers={"Origin": served.server.access.origin},
                ) as ws:
                    said = await read_until(ws, r"store=\S+")
                    pid = int(re.search(r"pid=(\d+)", said).group(1))  # type: ignore[union-attr]
                    assert f"store={url}" in said
                    command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
                    assert b"s3cret" not in command_line

        asyncio.run(check())
    assert not any("s3cret" in line for line in served.said)


@pytest.mark.parametrize(
    ("cookie", "zone"),
    [("Australia/Sydney", "Australia/Sydney"), ("Mars/Base", None), ("/etc/passwd", None), ("", None)],
)
def test_the_tabs_app_runs_on_the_browsers_clock(cookie: str, zone: str | None) -> None:
    # On a server in another zone, "today" and a new circle's zone were the server's.
    with server_in_thread() as served:

        async def check() -> str:
            async with _browser() as session:
                await _cookie_jar_after_entry(session, served.entry_url)
                session.cookie_jar.update_cookies({"circles_zone": cookie})
                async with session.ws_connect(
                    served.base.replace("http", "ws", 1) + "/ws",
                    headers={"Origin": served.server.access.origin},
                ) as ws:
                    return await read_until(ws, r"zone=\S*\r")

        said = asyncio.run(check())
    server_zone = os.environ.get("TZ", "")  # a cookie that names no zone leaves the server's
    assert re.search(r"zone=(\S*)\r", said).group(1) == (zone or server_zone)  # type: ignore[union-attr]


def test_an_app_ends_when_its_server_is_killed_outright(tmp_path: Path) -> None:
    """kill -9 leaves the server no chance to end its apps: the kernel does it (PR_SET_PDEATHSIG)."""
    code = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'from circles.serve.child import end_with_parent; "
        'import time; end_with_parent(); print("ready", flush=True); time.sleep(600)\'], stdout=sys.stdout)\n'
        "print(child.pid, flush=True)\n"
        "child.wait()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=Path.cwd())
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert parent.stdout.readline().strip() == "ready"
    parent.kill()
    parent.wait()
    wait_until(lambda: not process_alive(child), what="the child of a killed parent to end")


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("127.3.4.5", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
        ("circles.example.org", False),
    ],
)
def test_which_hosts_keep_the_server_to_this_machine(host: str, local: bool) -> None:
    assert is_local_host(host) is local


def test_a_non_local_bind_needs_allow_remote_and_a_wildcard_needs_a_public_url(tmp_path: Path) -> None:
    db = str(tmp_path / "circles.db")
    runner = CliRunner()
    refused = runner.invoke(main, ["--db", db, "serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 2
    assert "--allow-remote" in refused.output
    no_url = runner.invoke(main, ["--db", db, "serve", "--host", "0.0.0.0", "--allow-remote"])
    assert no_url.exit_code == 2
    assert "--public-url" in no_url.output
    bad_url = runner.invoke(main, ["--db", db, "serve", "--public-url", "ftp://x/y"])
    assert bad_url.exit_code == 2
    assert "--public-url" in bad_url.output
    assert not (tmp_path / "circles.db").exists()  # refused before the store was touched


def test_a_mistyped_host_or_a_port_in_use_is_one_line_naming_the_flag_and_the_value(tmp_path: Path) -> None:
    db = str(tmp_path / "circles.db")
    runner = CliRunner()
    for typo in ("999.1.1.1", ""):  # not "add --allow-remote": no address at all
        refused = runner.invoke(main, ["--db", db, "serve", "--host", typo])
        assert refused.exit_code == 2, refused.output
        assert f"Invalid value for '--host': {typo!r} is neither an address like 127.0.0.1" in refused.output
        assert "--allow-remote" not in refused.output
    with socket.socket() as taken:  # another program has the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        in_use = runner.invoke(main, ["--db", db, "serve", "--port", str(port)])
    assert in_use.exit_code == 1, in_use.output
    said = in_use.output.strip().splitlines()[-1]
    assert said.startswith(f"circles: --port {port} is in use on 127.0.0.1"), said
    assert "choose another, or 0 for a free one" in said
    # 192.0.2.1 is for documentation only (RFC 5737): never an address of this machine.
    elsewhere = runner.invoke(
        main, ["--db", db, "serve", "--host", "192.0.2.1", "--allow-remote", "--port", "0"]
    )
    assert elsewhere.exit_code == 1, elsewhere.output
    assert (
        elsewhere.output.strip().splitlines()[-1]
        == "circles: --host '192.0.2.1' is not an address of this machine."
    )


def test_origins_as_browsers_write_them() -> None:
    assert origin_of("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert origin_of("https://Circles.Example.org:443/") == "https://circles.example.org"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"


def test_the_server_module_loads_no_textual() -> None:
    """textual-serve's server runs no app itself: the web side stays free of Textual."""
    code = "import sys, circles.serve.server; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

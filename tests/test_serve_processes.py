"""The real app behind a real `circles serve`: it gets the store through its environment (a
password never on a command line), and ends when its server is stopped or killed outright."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from tests.serve_support import (
    REPO,
    base_of,
    circles_serve,
    group_alive,
    pids_said,
    read_until,
    token_of,
    wait_until,
)

pytestmark = pytest.mark.slow


async def _open_tab(url: str, wait_for: str = "Home") -> aiohttp.ClientWebSocketResponse:
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(
        base_of(url).replace("http", "ws", 1) + "/ws?token=" + token_of(url), headers={"Origin": base_of(url)}
    )
    await read_until(ws, wait_for, timeout=120)
    ws.session = session  # type: ignore[attr-defined]
    return ws


def _demo(tmp_path: Path) -> str:
    db = str(tmp_path / "circles.db")
    subprocess.run(
        [sys.executable, "-m", "circles", "--db", db, "demo"], cwd=REPO, check=True, capture_output=True
    )
    return db


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_no_app_outlives_its_server(tmp_path: Path, how: signal.Signals) -> None:
    with circles_serve(_demo(tmp_path)) as (server, url):

        async def tabs() -> list[aiohttp.ClientWebSocketResponse]:
            return [await _open_tab(url), await _open_tab(url)]

        loop = asyncio.new_event_loop()
        opened = loop.run_until_complete(tabs())
        wait_until(lambda: len(pids_said(server.printed)) == 2, what="both tabs' apps")  # type: ignore[attr-defined]
        pids = pids_said(server.printed)  # type: ignore[attr-defined]
        assert all(group_alive(p) for p in pids)
        server.send_signal(how)
        server.wait(60)
        wait_until(lambda: not any(group_alive(p) for p in pids), what="every app process to end")
        for ws in opened:
            loop.run_until_complete(ws.session.close())  # type: ignore[attr-defined]
        loop.close()


def test_a_postgresql_password_reaches_the_app_only_through_its_environment(
    postgres_databases, postgres_url
) -> None:  # type: ignore[no-untyped-def]
    # A role of its own, whose password appears nowhere else (the suite's is also its user name).
    role, password = f"serve_{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
    with postgres_databases.engine.connect() as admin:
        admin.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        admin.exec_driver_sql(f'ALTER DATABASE "{postgres_url.database}" OWNER TO {role}')
    url_text = postgres_url.set(username=role, password=password).render_as_string(hide_password=False)
    try:
        _check_password_stays_hidden(url_text, password)
    finally:
        postgres_databases.drop(postgres_url)
        with postgres_databases.engine.connect() as admin:
            admin.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")


def _check_password_stays_hidden(url_text: str, password: str) -> None:
    with circles_serve(url_text) as (server, url):

        async def tab() -> None:
            ws = await _open_tab(url)
            await ws.session.close()  # type: ignore[attr-defined]

        asyncio.run(tab())
        pid = pids_said(server.printed)[-1]  # type: ignore[attr-defined]
        printed = "".join(server.printed)  # type: ignore[attr-defined]
        assert password not in printed
        command_lines = [
            Path(f"/proc/{p.name}/cmdline").read_bytes()
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _in_group(int(p.name), pid)
        ]
        assert command_lines and not any(password.encode() in c for c in command_lines)


def _in_group(pid: int, group: int) -> bool:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2]) == group
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False

"""`python -m circles ARGS` for the tests, without paying its start-up each time.

The CLI's tests run each command in a process of its own, with real standard streams, exit
status, environment and folder: what a script calling `circles` meets. Started afresh, such a
process spends over a second importing SQLAlchemy, SQLModel and the tables before it reads its
arguments, and the suite runs several hundred of them. So each test process keeps one process
that has imported all of that once (the template, run as ``python -m tests.forked_cli FD``), and
each command is a fork of it: the same interpreter with its modules imported, given the
command's arguments, environment, folder and streams, which then runs `circles/__main__.py` as
``python -m circles`` does and ends as any interpreter ends (at-exit work, flushing, a traceback
and status 1 for an uncaught exception).

What a fork cannot take on falls back to a fresh interpreter: settings the interpreter reads as
it starts (``PYTHON*``, ``LANG``, ``LC_*``) that differ from the template's. Tests about the
start-up itself (tests/test_import_hygiene.py), signals and crashes start their own processes.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import locale
import os
import pickle
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = [sys.executable, "-m", "circles"]
_STATUS = struct.Struct("i")


def run(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdin: int | IO[Any] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
    capture_output: bool = False,
    text: bool = False,
    timeout: float | None = 120,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run([python, "-m", "circles", *args], ...)``, forked from the template.
    A standard stream is ``None`` (this process's), ``PIPE``, ``DEVNULL``, an open file or a
    descriptor, as there."""
    if capture_output:
        stdout = stderr = subprocess.PIPE
    env = dict(os.environ if env is None else env)
    template = _template()
    if not template.can_run(env):
        return subprocess.run(
            [*PYTHON, *args],
            env=env,
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            text=text,
            timeout=timeout,
        )
    with contextlib.ExitStack() as stack:
        ends: list[int] = []  # the child's stdin, stdout and stderr
        ours: list[int] = []  # those opened here, closed once the template has its copies
        pipes: dict[str, int] = {}  # stream -> the end read here
        for fd, (name, stream) in enumerate((("stdin", stdin), ("stdout", stdout), ("stderr", stderr))):
            if stream is None:
                ends.append(fd)
            elif stream == subprocess.PIPE and name != "stdin":
                pipes[name], write = os.pipe()
                stack.callback(os.close, pipes[name])
                ends.append(write)
                ours.append(write)
            elif stream == subprocess.DEVNULL:
                ends.append(os.open(os.devnull, os.O_RDONLY if name == "stdin" else os.O_WRONLY))
                ours.append(ends[-1])
            else:
                ends.append(stream if isinstance(stream, int) else stream.fileno())
        request = {"args": list(map(str, args)), "env": env, "cwd": os.fspath(cwd or os.getcwd())}
        status, read = template.fork(request, ends, ours, list(pipes.values()), timeout)
    decode = _text if text else bytes
    out, err = (decode(read[pipes[name]]) if name in pipes else None for name in ("stdout", "stderr"))
    return subprocess.CompletedProcess([*PYTHON, *args], status, out, err)


def _text(data: bytes) -> str:
    # As subprocess.run(text=True) decodes: the locale's encoding, universal newlines.
    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


# The settings a Python process reads as it starts: a fork keeps the template's.
def _startup_settings(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k == "LANG"}


class _Template:
    """The client's side: one request at a time, over a socket pair to the template."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.env = dict(os.environ)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.forked_cli", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            cwd=REPO,
            env=self.env,
        )
        theirs.close()
        self.socket = ours
        self.lock = threading.Lock()
        atexit.register(self.close)

    def can_run(self, env: Mapping[str, str]) -> bool:
        return self.process.poll() is None and _startup_settings(env) == _startup_settings(self.env)

    def fork(
        self,
        request: dict[str, Any],
        ends: list[int],
        ours: list[int],
        pipes: list[int],
        timeout: float | None,
    ) -> tuple[int, dict[int, bytes]]:
        """Run one command, read its pipes to their end: its exit status and what each said."""
        with self.lock:
            try:
                socket.send_fds(self.socket, [pickle.dumps(request)], ends)
            finally:
                for fd in ours:  # the child's are the only copies left: it ends, the pipes end
                    os.close(fd)
            (pid,) = _STATUS.unpack(self.socket.recv(_STATUS.size))
            try:
                read = _read_all(pipes, None if timeout is None else time.monotonic() + timeout)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.socket.recv(_STATUS.size)
                raise subprocess.TimeoutExpired([*PYTHON, *request["args"]], timeout or 0) from None
            (status,) = _STATUS.unpack(self.socket.recv(_STATUS.size))
            return status, read

    def close(self) -> None:
        self.socket.close()  # the template ends when its socket does
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def _read_all(pipes: list[int], deadline: float | None) -> dict[int, bytes]:
    read = {fd: bytearray() for fd in pipes}
    with selectors.DefaultSelector() as selector:
        for fd in pipes:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired([], 0)
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    read[key.fd] += chunk
                else:
                    selector.unregister(key.fd)
    return {fd: bytes(data) for fd, data in read.items()}


_templates: dict[int, _Template] = {}


def _template() -> _Template:
    # One per process (a test worker), made on first use; a fork of the worker makes its own.
    pid = os.getpid()
    if pid not in _templates or _templates[pid].process.poll() is not None:
        _templates[pid] = _Template()
    return _templates[pid]


# The template's side.


def _preload() -> None:
    """Import what the commands import: the CLI, every command's module, the services."""
    from circles.cli import COMMANDS

    for lazy in COMMANDS.values():
        importlib.import_module(lazy.target.split(":")[0])


def _serve(sock: socket.socket) -> dict[str, Any] | None:
    """Fork a child for each request; in the template, None once the client has gone. In a
    child, its request, its standard streams already in place."""
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(sock, 1 << 20, 3)
        except OSError:
            return None
        if not message:
            return None
        request = pickle.loads(message)
        pid = os.fork()
        if pid == 0:
            sock.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            for fd in set(fds) - {0, 1, 2}:
                os.close(fd)
            return request
        for fd in fds:
            os.close(fd)
        sock.send(_STATUS.pack(pid))
        _, status = os.waitpid(pid, 0)
        sock.send(_STATUS.pack(os.waitstatus_to_exitcode(status)))


def _become(request: dict[str, Any]) -> None:
    """Be ``python -m circles ARGS`` in ``cwd`` with ``env``."""
    import runpy

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()  # local time follows TZ as a new process's would
    sys.argv = ["-m", *request["args"]]  # run_module puts the module's file first
    runpy.run_module("circles", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _preload()
    # Kept out of every collection from now on: a child neither walks nor copies them, and
    # its interpreter's end takes a tenth of the time (gc's advice for a process that forks).
    gc.freeze()
    child = _serve(socket.socket(fileno=int(sys.argv[1])))
    if child is not None:
        _become(child)

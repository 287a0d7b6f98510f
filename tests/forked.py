"""`python -m circles ARGS` (and the tests' own worker modules) without paying start-up each time.

The CLI's tests run each command in a process of its own, with real standard streams, exit
status, environment and folder: what a script calling `circles` meets. Started afresh, such a
process spends over a second importing SQLAlchemy, SQLModel and the tables before it reads its
arguments, and the suite starts several hundred of them (commands, and workers that write
concurrently or are killed mid-save). So each test process keeps one process that has imported
all of that once (the template, run as ``python -m tests.forked FD``), and each command is a
fork of it: the same interpreter with its modules imported, given the command's arguments,
environment, folder and streams, which then runs the module as ``python -m`` does and ends as
any interpreter ends (at-exit work, flushing, a traceback and status 1 for an uncaught
exception).

What a fork cannot take on falls back to a fresh interpreter: settings the interpreter reads as
it starts (``PYTHON*``, ``LANG``, ``LC_*``) that differ from the template's. Tests about the
start-up itself (tests/test_import_hygiene.py) and signals start their own processes.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import pickle
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
Stream = int | IO[Any] | None


def run_circles(
    args: Sequence[str], *, capture_output: bool = False, timeout: float | None = 120, **streams: Any
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run([python, "-m", "circles", *args], ...)``, forked from the template; the
    other options (env, cwd, stdin, stdout, stderr, text) are :func:`start`'s."""
    if capture_output:
        streams |= {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = start("circles", args, **streams)
    with process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    return subprocess.CompletedProcess(process.args, process.wait(), out, err)


def start(
    module: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdin: Stream = None,
    stdout: Stream = None,
    stderr: Stream = None,
    text: bool = False,
) -> Child:
    """``subprocess.Popen([python, "-m", module, *args], ...)``, forked from the template.
    A standard stream is ``None`` (this process's), ``PIPE``, ``DEVNULL``, an open file or a
    descriptor, as there."""
    argv = [sys.executable, "-m", module, *map(str, args)]
    env = dict(os.environ if env is None else env)
    template = _template()
    if not template.can_run(env):
        return subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr, text=text)
    with contextlib.ExitStack() as ours:  # closed once the template has its copies
        ends: list[int] = []  # the child's stdin, stdout and stderr
        pipes: list[IO[Any] | None] = []  # the ends read here, as Popen's stdout and stderr
        for fd, stream in enumerate((stdin, stdout, stderr)):
            if stream is None:
                ends.append(fd)
            elif stream == subprocess.PIPE and fd > 0:
                read, write = os.pipe()
                ends.append(write)
                ours.callback(os.close, write)
                pipes.append(open(read, "r" if text else "rb", closefd=True))  # noqa: SIM115
                continue
            elif stream == subprocess.DEVNULL:
                ends.append(os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY))
                ours.callback(os.close, ends[-1])
            else:
                ends.append(stream if isinstance(stream, int) else stream.fileno())
            if fd > 0:
                pipes.append(None)
        request = {"module": module, "args": argv[3:], "env": env, "cwd": os.fspath(cwd or os.getcwd())}
        pid = template.fork(request, ends)
    return Process(template, pid, argv, *pipes)


class Process:
    """The part of :class:`subprocess.Popen` the tests use, for a forked child."""

    def __init__(
        self, template: _Template, pid: int, args: list[str], stdout: IO[Any] | None, stderr: IO[Any] | None
    ) -> None:
        self.template, self.pid, self.args = template, pid, args
        self.stdout, self.stderr = stdout, stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.template.ended(self.pid, timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self.template.ended(self.pid, timeout=timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[Any, Any]:
        """Read stdout and stderr to their end (each in a thread, as Popen does where it cannot
        select), then wait for the child."""
        deadline = None if timeout is None else time.monotonic() + timeout
        said: dict[int, Any] = {}
        readers = [
            threading.Thread(target=lambda i=i, f=f: said.__setitem__(i, f.read()), daemon=True)
            for i, f in enumerate((self.stdout, self.stderr))
            if f is not None and not f.closed
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(None if deadline is None else max(0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
        for f in (self.stdout, self.stderr):
            if f is not None:
                f.close()
        self.wait(None if deadline is None else max(0, deadline - time.monotonic()))
        return said.get(0), said.get(1)

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc: object) -> None:
        for f in (self.stdout, self.stderr):
            if f is not None:
                f.close()
        self.wait()


Child = Process | subprocess.Popen[Any]  # a fresh interpreter where a fork would not do


# The settings a Python process reads as it starts: a fork keeps the template's.
def _startup_settings(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k == "LANG"}


class _Template:
    """The client's side of the socket pair to the template: it says "started PID" when it has
    forked a request's child, and "ended PID STATUS" when a child ends, in any order."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.env = dict(os.environ)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.forked", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            cwd=REPO,
            env=self.env,
        )
        theirs.close()
        self.socket = ours
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}  # children ended, not yet asked about
        atexit.register(self.close)

    def can_run(self, env: Mapping[str, str]) -> bool:
        return self.process.poll() is None and _startup_settings(env) == _startup_settings(self.env)

    def fork(self, request: dict[str, Any], ends: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.socket, [pickle.dumps(request)], ends)
            while True:
                said = self._next(None)
                assert said is not None
                if said[0] == "started":
                    return int(said[1])

    def ended(self, pid: int, timeout: float | None) -> int | None:
        """The child's exit status once it has ended, waiting up to ``timeout``; else None."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            while pid not in self.statuses:
                if self._next(None if deadline is None else max(0.0, deadline - time.monotonic())) is None:
                    return None
            return self.statuses.pop(pid)

    def _next(self, timeout: float | None) -> tuple[Any, ...] | None:
        self.socket.settimeout(timeout)
        try:
            message = self.socket.recv(1 << 16)
        except (TimeoutError, BlockingIOError):
            return None
        said = pickle.loads(message)
        if said[0] == "ended":
            self.statuses[said[1]] = said[2]
        return tuple(said)

    def close(self) -> None:
        self.socket.close()  # the template ends when its socket does
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


_templates: dict[int, _Template] = {}


def _template() -> _Template:
    # One per process (a test worker), made on first use; a fork of the worker makes its own.
    pid = os.getpid()
    if pid not in _templates or _templates[pid].process.poll() is not None:
        _templates[pid] = _Template()
    return _templates[pid]


# The template's side.


def _preload() -> None:
    """Import what the commands and the workers import: the CLI, every command's module."""
    from circles.cli import COMMANDS

    for lazy in COMMANDS.values():
        importlib.import_module(lazy.target.split(":")[0])


def _serve(sock: socket.socket) -> dict[str, Any] | None:
    """Fork a child for each request and say when each ends; in the template, None once the
    client has gone. In a child, its request, its standard streams already in place."""
    children = selectors.DefaultSelector()
    children.register(sock, selectors.EVENT_READ)
    while True:
        for key, _ in children.select():
            if key.fileobj is not sock:  # a child's pidfd: it has ended
                children.unregister(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(key.data, 0)
                sock.send(pickle.dumps(("ended", key.data, os.waitstatus_to_exitcode(status))))
                continue
            try:
                message, fds, _flags, _address = socket.recv_fds(sock, 1 << 20, 3)
            except OSError:
                return None
            if not message:
                return None
            pid = os.fork()
            if pid == 0:
                for watched in list(children.get_map().values()):
                    if watched.fileobj is not sock:
                        os.close(watched.fd)
                children.close()
                sock.close()
                for target, fd in enumerate(fds):
                    os.dup2(fd, target)
                for fd in set(fds) - {0, 1, 2}:
                    os.close(fd)
                return pickle.loads(message)
            for fd in fds:
                os.close(fd)
            children.register(os.pidfd_open(pid), selectors.EVENT_READ, data=pid)
            sock.send(pickle.dumps(("started", pid)))


def _become(request: dict[str, Any]) -> None:
    """Be ``python -m MODULE ARGS`` in ``cwd`` with ``env``."""
    import runpy

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()  # local time follows TZ as a new process's would
    sys.argv = ["-m", *request["args"]]  # run_module puts the module's file first
    runpy.run_module(request["module"], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _preload()
    # Kept out of every collection from now on: a child neither walks nor copies them, and
    # its interpreter's end takes a tenth of the time (gc's advice for a process that forks).
    gc.freeze()
    child = _serve(socket.socket(fileno=int(sys.argv[1])))
    if child is not None:
        _become(child)

"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the e-mail tests and the send benchmark: it keeps
what it accepts, and can refuse a login, answer 4xx for one recipient, or drop the connection."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Sink:
    """What the server does, set by the test, and what it got."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    busy: set[str] = field(default_factory=set)  # RCPT answers 450 for these addresses
    drop_after: int | None = None  # close the connection when this many messages are in
    dropped: int = 0
    logins: list[str] = field(default_factory=list)  # users who logged in
    auth: tuple[str, str] | None = None  # the one user and password it accepts
    sessions: int = 0  # connections opened
    # When set, the first message's DATA waits for it (``held`` is set meanwhile): a message the
    # server is still taking, for a test to do something else in that moment.
    gate: threading.Event | None = None
    held: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received]


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.sink.busy:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        sink = self.sink
        gate, sink.gate = sink.gate, None
        if gate is not None:
            sink.held.set()
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 30)
        with sink.lock:
            if sink.drop_after is not None and len(sink.received) >= sink.drop_after:
                sink.drop_after = None  # once: the next connection works
                sink.dropped += 1
                drop = True
            else:
                drop = False
                content = envelope.original_content or b""
                sink.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
        if drop:
            assert server.transport is not None
            server.transport.close()
            return "421 4.3.0 closing"
        return "250 2.0.0 Message accepted"


class _Authenticator:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and self.sink.auth is not None:
            user, password = data.login.decode(), data.password.decode()
            if (user, password) == self.sink.auth:
                self.sink.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class _Controller(Controller):
    def __init__(self, sink: Sink, **kwargs: Any) -> None:
        self.sink = sink
        super().__init__(_Handler(sink), hostname="127.0.0.1", port=sink.port, **kwargs)

    def factory(self) -> SMTP:
        self.sink.sessions += 1
        return super().factory()


@contextmanager
def smtp_sink(*, auth: tuple[str, str] | None = None, smtputf8: bool = True) -> Iterator[Sink]:
    """An SMTP server on a free loopback port for the length of the block; ``smtputf8=False``:
    one that takes only ASCII addresses, as many still do."""
    sink = Sink(port=free_port(), auth=auth)
    extra: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
    if auth is not None:
        # Login over a plain loopback connection, as a local relay allows.
        extra |= {"authenticator": _Authenticator(sink), "auth_require_tls": False}
    controller = _Controller(sink, **extra)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()

"""Why a connection failed, in a person's words: the SMTP and the CalDAV messages say the same
thing for the same cause ('Connection refused', 'no answer in time'), whatever library raised it."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what led to it, outermost first. HTTP libraries wrap the socket's error two or
    three times (ConnectionError(MaxRetryError(NewConnectionError(ConnectionRefusedError)))), and
    keep it in ``__cause__``, ``__context__`` or a ``reason`` attribute."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        nested = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        if isinstance(reason, BaseException):
            current = reason
        elif current.__cause__ is not None:
            current = current.__cause__
        elif nested:
            current = nested[0]
        else:
            current = current.__context__


def reason(exc: BaseException) -> str:
    """One short line: the innermost cause a person can act on, never a library's object dump."""
    found = list(_causes(exc))
    for cause in reversed(found):  # the socket's own words, when there are some
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"its TLS certificate is not trusted ({cause.verify_message})"
        if isinstance(cause, socket.timeout | TimeoutError):
            return "no answer in time"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    # An OSError without strerror (a resolver's own gaierror) says it in its text.
    innermost = next((c for c in reversed(found) if isinstance(c, OSError)), found[-1])
    text = str(innermost).strip()
    return text.splitlines()[0][:160] if text else type(innermost).__name__

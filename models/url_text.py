"""Database URLs and errors as people see them: never a password, whatever shape the URL has.

Plain Python (no SQLAlchemy), so a message can be made safe before the database libraries
load, and by screens, which never import them.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus

HIDDEN = "***"

# Query parameters whose value is a secret (password=, sslpassword=, a token or key...).
SECRET_PARAMETER = re.compile(r"pass|pwd|secret|token|key|auth|cred", re.IGNORECASE)

# Settings the PostgreSQL driver reads a password from, besides the URL.
SECRET_ENVIRONMENT = ("PGPASSWORD",)

# Every secret seen in a URL this process was given, so a driver's message that repeats one
# (a host name holding the tail of a password with an unescaped '@') can still be cleaned.
_seen: set[str] = set()
_seen_lock = threading.Lock()


def url_secrets(text: str) -> set[str]:
    """Every part of a URL that is, or may be, a secret (see :func:`_secret_spans`), as typed
    and decoded."""
    found = {text[start:end] for start, end in _secret_spans(text)}
    return {form for secret in found for form in (secret, unquote(secret), unquote_plus(secret)) if form}


def _secret_spans(text: str) -> list[tuple[int, int]]:
    """Where the secrets of a URL may be, under every reading of it.

    A password ends at the first '@' for SQLAlchemy and libpq, while whoever typed
    ``user:p@ss@host`` meant the last: each candidate is kept. So are the values of
    secret-looking query parameters, wherever a '?' could start the query.
    """
    scheme, sep, rest = text.partition("://")
    if not sep:
        return []
    offset = len(scheme) + len(sep)
    spans: list[tuple[int, int]] = []
    colon = rest.find(":")
    for at, char in enumerate(rest):
        if char == "@" and 0 <= colon < at:
            spans.append((offset + colon + 1, offset + at))
        elif char == "?":
            spans.extend(_query_spans(text, offset + at + 1))
    return [(start, end) for start, end in spans if end > start]


def _query_spans(text: str, start: int) -> list[tuple[int, int]]:
    """The values of secret-looking parameters in the query starting at ``start``. A part with
    no '=' after one is taken for the rest of its value: a password holding an unescaped '&'."""
    spans: list[list[int]] = []
    continued: list[int] | None = None
    position = start
    for part in re.split("[&;]", text[start:]):
        key, equals, _value = part.partition("=")
        if equals:
            continued = None
            if SECRET_PARAMETER.search(unquote_plus(key)):
                continued = [position + len(key) + 1, position + len(part)]
                spans.append(continued)
        elif continued is not None:
            continued[1] = position + len(part)
        position += len(part) + 1
    return [(begin, end) for begin, end in spans]


def at_in_secret_value(text: str) -> bool:
    """Whether the '@' that ends a URL's user part for SQLAlchemy and libpq (the first) may
    instead sit in a secret query value (``host:1/db?password=p@ss``): they would then show
    the rest of that value as the host."""
    at = text.find("@")
    if at < 0:
        return False
    return any(
        start <= at < end
        for question in (i for i, char in enumerate(text[:at]) if char == "?")
        for start, end in _query_spans(text, question + 1)
    )


def remember_secrets(text: str) -> None:
    """Note the secrets of a URL this process was given, for :func:`redact`."""
    found = url_secrets(text)
    with _seen_lock:
        _seen.update(found)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret replaced by ***: those given, those of the URLs this
    process was given, and a password set in the environment. For text that did not come from
    us (a driver's error message): our own renderings are built without secrets instead."""
    with _seen_lock:
        hidden = set(_seen)
    hidden.update(s for s in secrets if s)
    hidden.update(value for name in SECRET_ENVIRONMENT if (value := os.environ.get(name)))
    # Longest first, so a password is hidden whole before any shorter candidate inside it.
    for secret in sorted(hidden, key=len, reverse=True):
        text = re.sub(re.escape(secret), HIDDEN, text, flags=re.IGNORECASE)
    return text


def url_without_secrets(text: str) -> str:
    """A URL as written (parsed or not), with each part that may be a secret hidden in place."""
    shown: list[str] = []
    cursor = 0
    for start, end in sorted(_secret_spans(text)):
        if end <= cursor:
            continue
        shown.append(text[cursor : max(start, cursor)])
        if start >= cursor:
            shown.append(HIDDEN)
        cursor = end
    shown.append(text[cursor:])
    return "".join(shown)

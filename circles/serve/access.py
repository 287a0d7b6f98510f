"""Who may use a `circles serve`: whoever opened the address it printed (its token, exchanged for
a cookie), from a page it served itself (the websocket's Origin), on the address it printed."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from aiohttp import hdrs, web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TOKEN_PARAMETER = "token"
WEBSOCKET_PATH = "/ws"

NEEDS_TOKEN = (
    "circles serve: open the address 'circles serve' printed when it started: it carries the "
    "token that lets you in (a token from an earlier run no longer works).\n"
)


def is_local_host(host: str) -> bool:
    """Whether binding ``host`` keeps the server to this machine: a loopback address or name."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard_host(host: str) -> bool:
    """0.0.0.0 or ::, which name no address a browser can open."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def origin_of(url: str) -> str:
    """The origin a browser sends for pages at ``url``: scheme://host[:port], default port left out."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class Access:
    """The token in the printed address, the cookie it is exchanged for, and the Origin check."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(32)
        # The cookie is a secret of its own, so what stays in the browser is not what was printed.
        self._cookie_value = secrets.token_urlsafe(32)
        self.public_url = ""
        self.cookie_name = "circles"
        # Set when the printed address is made up from the bound host and port (no --public-url):
        # a visit on another name for the same server (localhost for 127.0.0.1) is sent there.
        self.canonical_host: str | None = None

    def serve_at(self, public_url: str, *, port: int, canonical: bool) -> None:
        self.public_url = public_url.rstrip("/")
        # Browsers send a cookie to every port of a host: one per port, so two servers on one
        # machine do not log each other out.
        self.cookie_name = f"circles_{port}"
        self.canonical_host = urlsplit(self.public_url).netloc.lower() if canonical else None

    @property
    def origin(self) -> str:
        return origin_of(self.public_url)

    @property
    def entry_url(self) -> str:
        """The address to print: it lets one browser in."""
        return f"{self.public_url}/?{urlencode({TOKEN_PARAMETER: self.token})}"

    def _has_token(self, request: web.Request) -> bool:
        return secrets.compare_digest(request.query.get(TOKEN_PARAMETER, ""), self.token)

    def _has_cookie(self, request: web.Request) -> bool:
        return secrets.compare_digest(request.cookies.get(self.cookie_name, ""), self._cookie_value)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if (
            self.canonical_host is not None
            and request.path == "/"
            and request.host.lower() != self.canonical_host
        ):
            # Same server, other name: the cookie and the Origin check go with the printed one.
            return web.Response(status=307, headers={hdrs.LOCATION: f"{self.public_url}{request.path_qs}"})
        token = self._has_token(request)
        if not (token or self._has_cookie(request)):
            return _refused(401, NEEDS_TOKEN)
        if request.path == WEBSOCKET_PATH:
            origin = request.headers.get(hdrs.ORIGIN, "")
            if origin != self.origin:
                # A page from another site (or no page at all) may not drive the app, even in a
                # browser that holds the cookie.
                return _refused(
                    403,
                    f"circles serve: a connection from {origin[:80]!r} is refused; "
                    f"only pages from {self.origin} may connect.\n",
                )
        if token and request.path == "/" and request.method == hdrs.METH_GET:
            return self._exchange(request)
        if request.path.startswith(("/static/", "/circles-static/")) and request.path.endswith("/"):
            raise web.HTTPNotFound()  # textual-serve lists its static folders; we do not
        response = await handler(request)
        if not response.prepared:
            _harden(response, self.origin)
            if not request.path.startswith(("/static/", "/circles-static/")):
                response.headers.setdefault(hdrs.CACHE_CONTROL, "no-store")
        return response

    def _exchange(self, request: web.Request) -> web.StreamResponse:
        """The token for a cookie, and off to the same address without it, so the token leaves
        the address bar and the history."""
        rest = {k: v for k, v in request.query.items() if k != TOKEN_PARAMETER}
        response = web.Response(
            status=303, headers={hdrs.LOCATION: "/" + (f"?{urlencode(rest)}" if rest else "")}
        )
        response.set_cookie(
            self.cookie_name,
            self._cookie_value,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.public_url.startswith("https://"),
        )
        _harden(response, self.origin)
        response.headers[hdrs.CACHE_CONTROL] = "no-store"
        return response


def _refused(status: int, text: str) -> web.StreamResponse:
    return web.Response(status=status, text=text, headers={hdrs.CACHE_CONTROL: "no-store"})


def _harden(response: web.StreamResponse, origin: str) -> None:
    """The page may load and connect to its own server only (no font, script or beacon from
    anywhere else), may not be framed by another site, and sends no Referer."""
    websocket_origin = origin.replace("http", "ws", 1)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"connect-src 'self' {websocket_origin}; "
        "script-src 'self'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'; "
        "form-action 'self'",
    )
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")

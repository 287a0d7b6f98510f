"""Talking to a CalDAV server: finding the calendar (the caldav library, only there), and plain
conditional HTTP for the events, so nobody's edit on the server is overwritten unseen.

Why not the caldav library's save(): it raises SEQUENCE on every save unless told not to, and on a
5xx it tries again with a copy it has "cleaned" through vobject; we need our exact bytes, one
attempt, and the server's answer (201, 204, 412, 5xx) to report as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from circles.delivery import network
from circles.delivery.settings import CaldavSettings, check_caldav_url, is_loopback, scrub
from circles.errors import CirclesError

_PROPFIND = b"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:displayname/></d:prop></d:propfind>"""


class CalDavError(CirclesError):
    """The server cannot be reached, refused the login, or is not a calendar: nothing more is put."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    etag: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class CalDavClient:
    """One HTTP session to one server: ``with CalDavClient(settings) as dav: dav.put(...)``."""

    def __init__(self, settings: CaldavSettings) -> None:
        check_caldav_url(settings.url, "caldav url")
        self.settings = settings
        self._secrets: list[str] = []
        self._session: Any = None
        self.password: str | None = None

    def __enter__(self) -> CalDavClient:
        import niquests

        session = niquests.Session()
        s = self.settings
        if s.user:
            if s.password is None:
                raise CalDavError(f"CalDAV {s.url}: a user ({s.user}) is set but no password source.")
            self.password = s.password.reveal()
            self._secrets = [self.password]
            session.auth = (s.user, self.password)
        self._session = session
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _request(self, method: str, url: str, body: bytes | None = None, **headers: str) -> Any:
        import niquests

        try:
            response = self._session.request(
                method, url, data=body, headers=headers, timeout=self.settings.timeout, allow_redirects=False
            )
        except niquests.exceptions.RequestException as exc:
            reason = scrub(network.reason(exc), self._secrets)
            raise CalDavError(f"CalDAV {_host(url)}: cannot connect: {reason[:160]}") from None
        if response.status_code in (401, 403):
            who = f" for {self.settings.user}" if self.settings.user else ""
            raise CalDavError(
                f"CalDAV {_host(url)}: the server refused the login{who} ({response.status_code})."
            )
        return response

    def is_calendar(self, url: str) -> tuple[bool, str | None]:
        """Whether ``url`` is a calendar collection, and its display name."""
        response = self._request(
            "PROPFIND", url, _PROPFIND, Depth="0", **{"Content-Type": "application/xml; charset=utf-8"}
        )
        if response.status_code == 404:
            raise CalDavError(f"CalDAV {url}: there is nothing at this address (404).")
        if response.status_code != 207:
            raise CalDavError(
                f"CalDAV {url}: PROPFIND answered {response.status_code} {response.reason or ''}".strip()
            )
        text = response.content.decode("utf-8", "replace")
        calendar = "calendar" in text.split("resourcetype", 1)[-1].split("resourcetype", 1)[0]
        name = None
        if "displayname>" in text:
            name = text.split("displayname>", 1)[1].split("<", 1)[0] or None
        return calendar, name

    def put(self, href: str, body: bytes, *, etag: str | None) -> Answer:
        """PUT an event: If-None-Match: * to create (never over someone's event), If-Match: its
        ETag to update (never over an edit made on the server since)."""
        condition = {"If-None-Match": "*"} if etag is None else {"If-Match": etag}
        response = self._request(
            "PUT", href, body, **{"Content-Type": "text/calendar; charset=utf-8"}, **condition
        )
        found = response.headers.get("ETag")
        if response.ok and not found:
            # A server that changed what it stored sends no ETag (RFC 4791 5.3.4): ask for it.
            found = self._request("GET", href).headers.get("ETag")
        return Answer(response.status_code, found, response.reason or "")

    def get(self, href: str) -> tuple[bytes, str | None] | None:
        """The event at ``href`` as the server has it, and its ETag (None: nothing there)."""
        response = self._request("GET", href)
        if not response.ok:
            return None
        return bytes(response.content or b""), response.headers.get("ETag")


def _shown_lines(ics: bytes) -> list[str] | None:
    """The events' content lines in one order, without DTSTAMP (each run stamps its own): two
    files with the same lines are one version of the session, however the server re-wrote it."""
    import icalendar

    try:
        events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    except ValueError:
        return None
    lines = [str(line) for event in events for line in event.content_lines()]
    return sorted(line for line in lines if line and not line.upper().startswith("DTSTAMP"))


def same_event(ours: bytes, theirs: bytes) -> bool:
    """Whether the server holds exactly the event we mean to put (DTSTAMP aside)."""
    shown = _shown_lines(ours)
    return bool(shown) and shown == _shown_lines(theirs)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def event_href(calendar_url: str, uid: str) -> str:
    """Where a session lives in the calendar: its UID, made safe for a path."""
    base = calendar_url if calendar_url.endswith("/") else calendar_url + "/"
    return urljoin(base, quote(uid, safe="@-_.") + ".ics")


def find_calendar(dav: CalDavClient) -> tuple[str, str | None]:
    """The calendar collection's URL and name: the URL itself if it is one, else the account's
    calendar named ``calendar`` (or its only one), found with the caldav library."""
    s = dav.settings
    url = s.url if s.url.endswith("/") else s.url + "/"
    is_calendar, name = dav.is_calendar(url)
    if is_calendar:
        return url, name
    from caldav.davclient import DAVClient

    try:
        with DAVClient(
            url=url,
            username=s.user,
            password=dav.password,
            timeout=int(s.timeout),
            require_tls=not is_loopback(urlsplit(url).hostname or ""),
        ) as client:
            principal = client.principal()  # type: ignore[no-untyped-call]  # caldav leaves it unannotated
            found = [(str(c.url), c.get_display_name()) for c in principal.calendars()]
    except Exception as exc:  # the caldav library raises its own family and niquests'
        reason = scrub(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, dav._secrets)
        raise CalDavError(f"CalDAV {url}: no calendar found there: {reason[:160]}") from None
    if s.calendar:
        named = [(u, n) for u, n in found if n == s.calendar]
        if not named:
            names = ", ".join(repr(n) for _, n in found) or "none"
            raise CalDavError(f"CalDAV {url}: no calendar named {s.calendar!r} (there are: {names}).")
        return named[0]
    if len(found) != 1:
        names = ", ".join(repr(n) for _, n in found) or "none"
        raise CalDavError(
            f'CalDAV {url}: {len(found)} calendars there ({names}); set calendar = "NAME" in [caldav].'
        )
    return found[0]


def check_caldav(settings: CaldavSettings) -> str:
    """What ``circles config check`` says of the CalDAV settings when they work."""
    with CalDavClient(settings) as dav:
        url, name = find_calendar(dav)
    shown = f" ({name})" if name else ""
    return f"CalDAV {url}: calendar found{shown}."

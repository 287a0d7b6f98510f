"""Delivery settings: the SMTP server and the CalDAV calendar, read from a TOML file in the user's
config folder (``circles config path``). Reading never creates anything; passwords come from an
environment variable or a command, and are fetched only when a connection needs them."""

from __future__ import annotations

import base64
import ipaddress
import os
import shlex
import stat
import subprocess
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from circles import validate
from circles.errors import CirclesError, InvalidInput
from models.url_text import url_without_secrets

CONFIG_ENV = "CIRCLES_CONFIG"
SMTP_URL_ENV = "CIRCLES_SMTP_URL"
# Long enough for a password manager that asks for its own passphrase in a window.
COMMAND_TIMEOUT = 30.0
CONNECT_TIMEOUT = 30.0


class SettingsError(CirclesError):
    """The settings file (or CIRCLES_SMTP_URL) is missing something or holds a wrong value."""


class TlsMode(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded before anything is said (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
    NONE = "none"  # only to this machine (127.0.0.1 or ::1): a local relay or a test sink

    @property
    def label(self) -> str:
        return {"starttls": "STARTTLS", "tls": "TLS", "none": "no TLS"}[self.value]


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the settings live: CIRCLES_CONFIG, else config.toml in the user's config folder."""
    environ = os.environ if environ is None else environ
    given = environ.get(CONFIG_ENV, "").strip()
    if given:
        return Path(given).expanduser().absolute()
    from platformdirs import user_config_path

    return user_config_path("circles", appauthor=False) / "config.toml"


def is_loopback(host: str) -> bool:
    """An address of this machine, written as one: a name could resolve anywhere."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Password:
    """Where a password comes from. The password itself is fetched by :meth:`reveal`, only when a
    connection needs it, and never kept in a message, a repr or a log."""

    section: str  # "smtp" or "caldav", for messages
    env: str | None = None
    command: tuple[str, ...] | None = None
    inline: str | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        if self.env is not None:
            return f"the environment variable {self.env}"
        if self.command is not None:
            return f"password_command ({self.command[0]})"
        return "the settings file"

    def reveal(self) -> str:
        if self.inline is not None:
            return self.inline
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise SettingsError(
                    f"[{self.section}] password_env: the environment variable {self.env} is not set."
                )
            return value
        assert self.command is not None
        return _run_password_command(self.section, self.command)


def _run_password_command(section: str, argv: tuple[str, ...]) -> str:
    what = f"[{section}] password_command ({argv[0]})"
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise SettingsError(f"{what}: no such program.") from None
    except PermissionError:
        raise SettingsError(f"{what}: the program may not be run (permission denied).") from None
    except subprocess.TimeoutExpired:
        raise SettingsError(f"{what}: gave no answer within {COMMAND_TIMEOUT:.0f} seconds.") from None
    except OSError as exc:
        raise SettingsError(f"{what}: could not be run: {exc.strerror or exc}.") from None
    if done.returncode != 0:
        # Only its error output is quoted: its standard output may hold the secret.
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = f": {said[0][:80]}" if said else ""
        raise SettingsError(f"{what}: failed with exit status {done.returncode}{reason}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if not lines or not lines[0]:
        raise SettingsError(f"{what}: printed nothing; its first line should be the password.")
    return lines[0]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` without any of ``secrets``, as typed or as SMTP's AUTH sends them (base64)."""
    for secret in secrets:
        if not secret:
            continue
        forms = {secret, base64.b64encode(secret.encode()).decode()}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "***")
    return text


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    tls: TlsMode
    user: str | None = None
    password: Password | None = None
    # The envelope sender and Sender: header when the account may not send as the facilitator.
    sender: str | None = None
    timeout: float = CONNECT_TIMEOUT
    origin: str = "config"  # "config" or CIRCLES_SMTP_URL, for messages

    def describe(self) -> str:
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.tls.label}){who}"


@dataclass(frozen=True, slots=True)
class CaldavSettings:
    url: str
    user: str | None = None
    password: Password | None = None
    # The calendar's display name, when ``url`` is the server (or the account) rather than the calendar.
    calendar: str | None = None
    timeout: float = CONNECT_TIMEOUT


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path
    exists: bool
    smtp: SmtpSettings | None = None
    caldav: CaldavSettings | None = None

    def require_smtp(self) -> SmtpSettings:
        if self.smtp is None:
            raise SettingsError(
                f"No SMTP server is set: add an [smtp] section to {self.path} "
                f"(see 'circles config path'), or set {SMTP_URL_ENV}."
            )
        return self.smtp

    def require_caldav(self, url: str | None = None) -> CaldavSettings:
        if url:
            base = self.caldav or CaldavSettings(url=url)
            return CaldavSettings(url, base.user, base.password, None, base.timeout)
        if self.caldav is None:
            raise SettingsError(
                f"No CalDAV calendar is set: add a [caldav] section to {self.path}, or give --url."
            )
        return self.caldav


_SMTP_KEYS = {
    "host",
    "port",
    "tls",
    "user",
    "sender",
    "timeout",
    "password_env",
    "password_command",
    "password",
    "password_in_file",
}
_CALDAV_KEYS = {
    "url",
    "user",
    "calendar",
    "timeout",
    "password_env",
    "password_command",
    "password",
    "password_in_file",
}


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in force: the file (if there is one), with CIRCLES_SMTP_URL over its [smtp]."""
    environ = os.environ if environ is None else environ
    path = path or config_path(environ)
    data: dict[str, Any] = {}
    exists = path.is_file()
    if exists:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    elif path.exists():
        raise SettingsError(f"{path}: is not a file.")
    # "me" is who you are in the store (circles/me.py), the one setting outside a section.
    unknown = sorted(set(data) - {"smtp", "caldav", "me"})
    if unknown:
        raise InvalidInput(f"{path.name}", unknown[0], "is not a section circles knows ([smtp], [caldav])")
    file = _File(path)
    smtp = _smtp(file, _section(file, data, "smtp", _SMTP_KEYS)) if "smtp" in data else None
    url = environ.get(SMTP_URL_ENV, "").strip()
    if url:
        smtp = smtp_from_url(url, sender=smtp.sender if smtp else None)
    caldav = _caldav(file, _section(file, data, "caldav", _CALDAV_KEYS)) if "caldav" in data else None
    return Settings(path, exists, smtp, caldav)


def email_set_up(environ: Mapping[str, str] | None = None) -> bool:
    """Whether invites could go by e-mail here: an SMTP server is set, or the settings cannot be
    read (sending would say why, which is worth knowing)."""
    try:
        return load_settings(environ=environ).smtp is not None
    except CirclesError:
        return True


@dataclass(frozen=True, slots=True)
class _File:
    path: Path

    def field(self, section: str, key: str) -> str:
        return f"{self.path.name} [{section}] {key}"


def _section(file: _File, data: dict[str, Any], name: str, keys: set[str]) -> dict[str, Any]:
    section = data[name]
    if not isinstance(section, dict):
        raise InvalidInput(f"{file.path.name} [{name}]", str(section), "must be a section ([{name}])")
    unknown = sorted(set(section) - keys)
    if unknown:
        raise InvalidInput(
            file.field(name, unknown[0]),
            unknown[0],
            f"is not a setting; known ones: {', '.join(sorted(keys))}",
        )
    return section


def _text(
    file: _File, section: str, values: dict[str, Any], key: str, *, required: bool = False
) -> str | None:
    value = values.get(key)
    if value is None:
        if required:
            raise SettingsError(f"{file.field(section, key)}: is required.")
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(file.field(section, key), str(value), "must be a non-empty text in quotes")
    if any(c in value for c in "\r\n\x00"):
        raise InvalidInput(file.field(section, key), value, "must be one line")
    return value.strip()


def _number(
    file: _File, section: str, values: dict[str, Any], key: str, low: float, high: float
) -> float | None:
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(file.field(section, key), str(value), f"must be a number from {low:g} to {high:g}")
    return float(value)


def _password(file: _File, section: str, values: dict[str, Any]) -> Password | None:
    given = [k for k in ("password_env", "password_command", "password") if k in values]
    if len(given) > 1:
        raise SettingsError(
            f"{file.path.name} [{section}]: give one of password_env, password_command or password, "
            f"not {' and '.join(given)}."
        )
    opted_in = values.get("password_in_file", False)
    if not isinstance(opted_in, bool):
        raise InvalidInput(file.field(section, "password_in_file"), str(opted_in), "must be true or false")
    if not given:
        return None
    key = given[0]
    if key == "password_env":
        name = _text(file, section, values, key)
        assert name is not None
        return Password(section, env=name)
    if key == "password_command":
        line = _text(file, section, values, key)
        assert line is not None
        try:
            argv = tuple(shlex.split(line))
        except ValueError as exc:
            raise InvalidInput(file.field(section, key), line, f"cannot be split into words: {exc}") from None
        if not argv:
            raise InvalidInput(file.field(section, key), line, "names no program")
        return Password(section, command=argv)
    # The password itself, in the file: only when the person insists, and only in a private file.
    secret = values["password"]
    if not opted_in:
        raise SettingsError(
            f"{file.field(section, 'password')}: a password written in the settings file is refused; "
            "use password_command (a password manager) or password_env, or add "
            "password_in_file = true if you really want it there."
        )
    if not isinstance(secret, str) or not secret:
        raise SettingsError(f"{file.field(section, 'password')}: must be a non-empty text in quotes.")
    mode = file.path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(
            f"{file.path}: holds a password but others may read it (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {shlex.quote(str(file.path))}"
        )
    return Password(section, inline=secret)


def _tls(file: _File, values: dict[str, Any], host: str) -> TlsMode:
    raw = values.get("tls", TlsMode.STARTTLS.value)
    try:
        mode = TlsMode(str(raw).strip().lower())
    except ValueError:
        raise InvalidInput(file.field("smtp", "tls"), str(raw), "must be starttls, tls or none") from None
    _refuse_plain(mode, host, file.field("smtp", "tls"))
    return mode


def _refuse_plain(mode: TlsMode, host: str, where: str) -> None:
    if mode is TlsMode.NONE and not is_loopback(host):
        raise InvalidInput(
            where,
            mode.value,
            f"is only allowed to 127.0.0.1 or ::1, not {host}: mail and passwords would cross the "
            "network in clear; use starttls or tls",
        )


def _sender(file: _File, values: dict[str, Any]) -> str | None:
    """The envelope sender, checked here: a typo went to the server as MAIL FROM, and came back
    as one refusal per invite."""
    sender = _text(file, "smtp", values, "sender")
    return validate.email(sender, file.field("smtp", "sender")) if sender else None


def _smtp(file: _File, values: dict[str, Any]) -> SmtpSettings:
    host = _text(file, "smtp", values, "host", required=True)
    assert host is not None
    tls = _tls(file, values, host)
    default_port = {TlsMode.STARTTLS: 587, TlsMode.TLS: 465, TlsMode.NONE: 25}[tls]
    port = _number(file, "smtp", values, "port", 1, 65535)
    if port is not None and port != int(port):
        raise InvalidInput(file.field("smtp", "port"), str(port), "must be a whole number")
    timeout = _number(file, "smtp", values, "timeout", 1, 600)
    return SmtpSettings(
        host=host,
        port=int(port) if port is not None else default_port,
        tls=tls,
        user=_text(file, "smtp", values, "user"),
        password=_password(file, "smtp", values),
        sender=_sender(file, values),
        timeout=timeout or CONNECT_TIMEOUT,
    )


def _caldav(file: _File, values: dict[str, Any]) -> CaldavSettings:
    url = _text(file, "caldav", values, "url", required=True)
    assert url is not None
    check_caldav_url(url, file.field("caldav", "url"))
    timeout = _number(file, "caldav", values, "timeout", 1, 600)
    return CaldavSettings(
        url=url,
        user=_text(file, "caldav", values, "user"),
        password=_password(file, "caldav", values),
        calendar=_text(file, "caldav", values, "calendar"),
        timeout=timeout or CONNECT_TIMEOUT,
    )


def check_caldav_url(url: str, where: str = "--url") -> None:
    parts = validate.url_parts(url, where)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(where, url_without_secrets(url), "must be an http:// or https:// address")
    if parts.username or parts.password:
        raise InvalidInput(
            where, url_without_secrets(url), "must not hold a user or password; use user and password_command"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidInput(where, url, "must use https:// (http:// only to 127.0.0.1 or ::1)")


_URL_TLS = {"smtp": TlsMode.NONE, "smtp+tls": TlsMode.STARTTLS, "smtps": TlsMode.TLS}


def smtp_from_url(url: str, *, sender: str | None = None) -> SmtpSettings:
    """CIRCLES_SMTP_URL: smtp://HOST:PORT (no TLS: this machine only), smtp+tls:// (STARTTLS) or
    smtps:// (TLS), with an optional user[:password]@ (percent-encoded)."""
    parts = validate.url_parts(url, SMTP_URL_ENV)
    port = parts.port
    shown = url_without_secrets(url)
    tls = _URL_TLS.get(parts.scheme.lower())
    if tls is None:
        raise InvalidInput(SMTP_URL_ENV, shown, "must start with smtp://, smtp+tls:// or smtps://")
    if not parts.hostname:
        raise InvalidInput(SMTP_URL_ENV, shown, "names no host")
    _refuse_plain(tls, parts.hostname, SMTP_URL_ENV)
    default_port = {TlsMode.STARTTLS: 587, TlsMode.TLS: 465, TlsMode.NONE: 25}[tls]
    password = Password("smtp", inline=unquote(parts.password)) if parts.password else None
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        tls=tls,
        user=unquote(parts.username) if parts.username else None,
        password=password,
        sender=sender,
        origin=SMTP_URL_ENV,
    )


TEMPLATE = """\
# circles: where invites go. Passwords never belong in this file: give a command that prints
# the password (a password manager), or the name of an environment variable that holds it.

# Who you are in the store: Home lists your circles (circles whoami --set ADDRESS writes it).
# me = "ana@example.org"

[smtp]
host = "smtp.example.org"
port = 587
tls = "starttls"          # starttls (port 587), tls (port 465), or none (127.0.0.1 only)
user = "ana@example.org"
password_command = "pass show mail/smtp"
# password_env = "CIRCLES_SMTP_PASSWORD"
# sender = "circles@example.org"   # when this account may not send as the facilitator

# [caldav]
# url = "https://dav.example.org/calendars/ana/circles/"
# user = "ana"
# password_command = "pass show dav"
# calendar = "Circles"   # when url is the server rather than the calendar
"""

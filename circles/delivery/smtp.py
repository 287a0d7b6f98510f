"""Talking to the SMTP server: one connection for a whole send, and every failure as one line
that names the server and never the password."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from circles.delivery import network
from circles.delivery.settings import SmtpSettings, TlsMode, scrub
from circles.errors import CirclesError


class SmtpError(CirclesError):
    """The server could not be reached, refused the login, or went away: nothing more is sent."""


class RecipientRefused(CirclesError):
    """The server refused this one message (e.g. 450 mailbox busy); the others go on."""


def _said(exc: smtplib.SMTPResponseException) -> str:
    text = (
        exc.smtp_error.decode("utf-8", "replace")
        if isinstance(exc.smtp_error, bytes)
        else str(exc.smtp_error)
    )
    return f"{exc.smtp_code} {' '.join(text.split())}"[:160]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _said(exc)
    return network.reason(exc)


class Mailer:
    """An open, logged-in connection: ``with Mailer(settings) as m: m.send(...)``."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._secrets: list[str] = []

    def _fail(self, what: str, exc: BaseException) -> SmtpError:
        reason = scrub(_reason(exc), self._secrets)
        return SmtpError(f"SMTP {self.settings.host}:{self.settings.port}: {what}: {reason}")

    def __enter__(self) -> Mailer:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.tls is TlsMode.TLS:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise self._fail("cannot connect", exc) from None
        self._smtp = smtp
        try:
            smtp.ehlo()
            if s.tls is TlsMode.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise SmtpError(
                        f"SMTP {s.host}:{s.port}: the server does not offer STARTTLS; "
                        'use tls = "tls" (port 465) if it speaks TLS from the start.'
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
        except SmtpError:
            self.close()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise self._fail(
                "could not start TLS" if s.tls is TlsMode.STARTTLS else "did not greet", exc
            ) from None
        if s.user:
            self.login()

    def login(self) -> None:
        s, smtp = self.settings, self._smtp
        assert smtp is not None and s.user
        if s.password is None:
            self.close()
            raise SmtpError(
                f"SMTP {s.host}:{s.port}: a user ({s.user}) is set but no password: "
                "add password_command or password_env to [smtp]."
            )
        try:
            password = s.password.reveal()
        except CirclesError:
            self.close()
            raise
        self._secrets = [password]
        try:
            smtp.login(s.user, password)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise self._fail(f"the server refused the login for {s.user}", exc) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise self._fail("login failed", exc) from None

    def check(self) -> None:
        """Ask the server whether it is still listening (NOOP)."""
        assert self._smtp is not None
        try:
            code, _ = self._smtp.noop()
        except (OSError, smtplib.SMTPException) as exc:
            raise self._fail("stopped answering", exc) from None
        if code != 250:
            raise SmtpError(f"SMTP {self.settings.host}:{self.settings.port}: NOOP answered {code}")

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        """Hand one message to the server. RecipientRefused: this one was refused, go on;
        SmtpError: the connection is gone, stop."""
        if self._smtp is None:
            raise SmtpError(f"SMTP {self.settings.host}:{self.settings.port}: not connected")
        try:
            self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, said = exc.recipients.get(recipient, (0, b""))
            text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
            raise RecipientRefused(scrub(f"{code} {' '.join(text.split())}"[:160], self._secrets)) from None
        except smtplib.SMTPDataError as exc:
            raise RecipientRefused(scrub(_said(exc), self._secrets)) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise RecipientRefused(scrub(_reason(exc), self._secrets)) from None
        except smtplib.SMTPSenderRefused as exc:
            raise self._fail(f"refused the sender {sender}", exc) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None
            raise self._fail("the connection was lost", exc) from None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def check_smtp(settings: SmtpSettings) -> str:
    """Connect, start TLS, log in, NOOP: what ``circles config check`` says when it works."""
    with Mailer(settings) as mailer:
        mailer.check()
    logged = f", logged in as {settings.user}" if settings.user else ""
    return f"SMTP {settings.host}:{settings.port}: connected ({settings.tls.label}){logged}."

"""The one family of errors the services raise. Each message is a sentence a person can act on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class CirclesError(Exception):
    """Base of every domain error; ``str(err)`` is fit to show as it is."""

    def __init__(self, message: str, *, in_app: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The same sentence for a person in the app, when the way out differs there: the
        # command line's is a flag or a command, the app's a key or a field.
        self._in_app = in_app

    def __str__(self) -> str:
        return self.message

    @property
    def in_app(self) -> str:
        """The message as the app shows it."""
        return self._in_app or self.message


# How much of a value a message repeats: enough to recognise it, never a screenful.
SHOWN_CHARACTERS = 60


def shown(value: object) -> str:
    """A value a person gave, as a message quotes it: one line, at most ~60 characters.

    Text is quoted with repr(), so newlines, control and invisible characters show as
    escapes (a zero-width space reads \\u200b) instead of breaking the line or hiding.
    """
    if not isinstance(value, str):
        text = str(value)
        return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"
    quoted = repr(value)
    if len(quoted) > SHOWN_CHARACTERS + 2:
        quoted = quoted[: SHOWN_CHARACTERS + 1] + "…" + quoted[0]
    return quoted


class InvalidInput(CirclesError):
    """A value a person typed (or a file held) is not acceptable.

    The message is one sentence: the field, the value (shortened), then ``problem``,
    which reads as what is wrong with the value ("is not a date like 2026-03-17"):
    ``--from '17/03/2026' is not a date like 2026-03-17.`` An empty value is left out:
    ``name is required.`` ``detail`` is the same without the field, for a form that
    shows it beside the field.
    """

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        self.detail = sentence(problem if value in ("", None) else f"{shown(value)} {problem}")
        super().__init__(f"{field} {self.detail}")


def sentence(text: str) -> str:
    """A message's reason as a sentence: what it says, ending with a stop."""
    return text if text.endswith((".", "?", "!")) else text + "."


class NotFound(CirclesError):
    """The circle, person or session asked for does not exist."""


class AlreadyExists(CirclesError):
    """A unique name or e-mail address is taken. ``field``: the one it is ("name", "email"), so a
    form shows the refusal under that field instead of below the last one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Refusals(CirclesError):
    """Several values refused at once (each an InvalidInput or AlreadyExists), so a person
    fixes them all in one go instead of meeting the next on each try. Its message: theirs, a
    line each."""

    def __init__(self, problems: Sequence[InvalidInput | AlreadyExists]) -> None:
        super().__init__("\n".join(p.message for p in problems), in_app="\n".join(p.in_app for p in problems))
        self.problems = list(problems)


class Problems:
    """What a service refuses of the values it was given, gathered: each check runs through
    :meth:`check` (its refusal kept, None given), and :meth:`raise_any` raises the one found
    as it is, or several as Refusals."""

    def __init__(self) -> None:
        self.found: list[InvalidInput | AlreadyExists] = []

    def check(self, work: Callable[[], T]) -> T | None:
        try:
            return work()
        except (InvalidInput, AlreadyExists) as problem:
            self.found.append(problem)
            return None

    def add(self, problem: InvalidInput | AlreadyExists) -> None:
        self.found.append(problem)

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise Refusals(self.found)


class NotAllowed(CirclesError):
    """The action makes no sense in the current state (e.g. removing a non-member)."""


class Conflict(CirclesError):
    """Someone else saved this row since it was read; nothing was overwritten. ``said``: the
    message, where what happened and what to do are not an edit's (reload, change again)."""

    def __init__(self, what: str, changes: Sequence[str], *, said: str | None = None) -> None:
        detail = f" ({'; '.join(changes)})" if changes else ""
        super().__init__(
            said
            or f"Someone else changed {what} since you opened it{detail}. "
            "Nothing was saved: reload to see their version, then make your change again."
        )
        self.what = what
        self.changes = list(changes)


class StoreUnavailable(CirclesError):
    """The store itself failed the work: gone (server down, connection lost), locked past its
    wait, full or read-only. Nothing was changed; the same work can simply be tried again.
    Raised by ``circles.store_access`` from SQLAlchemy's errors, so screens can catch it
    without importing SQLAlchemy."""

    def __init__(self, reason: str, *, explained: str | None = None) -> None:
        # ``explained``: the store's own sentence when waiting will not help (a damaged file
        # says to restore a backup), instead of "try again".
        super().__init__(
            explained or f"The store did not answer ({reason}). Nothing was changed; try again in a moment."
        )
        self.reason = reason


class InternalError(CirclesError):
    """A bug in circles, not a problem with the person's data or the store. Its message says
    where the traceback was written (``circles.error_log``)."""

    def __init__(self, original: BaseException, log: str | None) -> None:
        where = f"details in {log}" if log else f"{type(original).__name__}: {original}"
        super().__init__(f"Something went wrong in circles (not your data): {where}")
        self.original = original
        self.log = log

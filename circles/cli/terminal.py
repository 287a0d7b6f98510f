"""The terminal's side of the command line: arguments read as UTF-8, output the terminal can
show, and standard output that fails (a full disk, a closed pipe) reported in one line.

Python decodes arguments with the locale's encoding; under a C/POSIX locale with UTF-8 mode
off that is ASCII, and "Zoë" arrives as 'Zo\\udcc3\\udcab' (bytes it could not decode, kept
as surrogates). Python's UTF-8 mode would read those bytes as UTF-8: so do we. A path
argument goes back to the system as the bytes that were typed (:class:`FilePath`).
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import click

_ESCAPED = range(0xDC80, 0xDD00)  # how surrogateescape keeps an undecodable byte
REPLACE = "circles.replace"


def app_can_run() -> bool:
    """Whether the app has a terminal: keys come from standard input, the screen is drawn on
    standard error (Textual's). Without one (cron, a script, '< /dev/null') it waited for keys
    that never came and never ended. ``circles serve``'s app processes are driven by the web
    driver Textual is told of in TEXTUAL_DRIVER, over pipes."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin is not None and sys.stdin.isatty() and sys.stderr is not None and sys.stderr.isatty()


def utf8_argument(value: str) -> str:
    """``value`` as UTF-8 mode would have decoded it; unchanged unless it holds escaped bytes
    that are valid UTF-8 (bytes that are not stay escaped, and a validator names them)."""
    if not any(ord(ch) in _ESCAPED for ch in value):
        return value
    try:
        return os.fsencode(value).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def utf8_arguments(args: Sequence[str]) -> list[str]:
    return [utf8_argument(a) for a in args]


def typed_path(value: str) -> str:
    """A path argument as the system names it: the bytes typed, even when the system's
    encoding (ASCII under a C locale) cannot spell the UTF-8 it was decoded as."""
    try:
        os.fsencode(value)
        return value
    except UnicodeEncodeError:
        return os.fsdecode(value.encode("utf-8", "surrogateescape"))


class FilePath(click.Path):
    """``click.Path`` for files a person names: a pathlib.Path of the bytes they typed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("path_type", Path)
        super().__init__(**kwargs)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            value = typed_path(value)
        if not self.dir_okay and os.path.isdir(value):
            # click's own refusal is a usage block with status 2; a folder named where a file
            # goes is the person's input, told in one line with status 1 like a missing file.
            from circles.file_errors import FileError

            field = max(param.opts, key=len) if isinstance(param, click.Option) else "file"
            raise FileError(field, value, "used", IsADirectoryError(errno.EISDIR, "is a folder"))
        return super().convert(value, param, ctx)


def field_name(param: click.Parameter | None) -> str:
    """How a message names a parameter: an option by its flag, an argument in words."""
    if param is None:
        return "value"
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    # An optional argument's brackets and a choice's bar are usage's, not its name:
    # [CIRCLE] is "circle", SESSION_ID|CIRCLE "session id or circle".
    words = (param.metavar or param.name or "value").strip("[].").replace("|", " or ")
    return words.lower().replace("_", " ")


# Text a person reads, written as Markdown: what a file of it may be called.
TEXT_KINDS = (".md", ".markdown", ".txt")


class OutputFile(FilePath):
    """The file an export writes (-o FILE, --xlsx FILE): '-' is standard output, as it is to most
    tools, and comes as None, which each command writes to standard output (a file really
    named '-' is './-'). One type, so no command writes a file called '-' any more.

    ``kinds``: the suffixes that say what is written (".ics"); a name that says another kind
    (invites.pdf) is refused, naming the flag (``refuse_another_kind``). ``written``: what the
    message calls the file. No kinds: the command decides from its own flags (``--format``)."""

    def __init__(self, *kinds: str, written: str = "") -> None:
        super().__init__(dir_okay=False, allow_dash=True)
        self.kinds = kinds
        self.written = written

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "-":
            return None
        path = super().convert(value, param, ctx)
        if self.kinds:
            from circles.exports.formats import refuse_another_kind

            refuse_another_kind(Path(path), self.kinds, field=field_name(param), written=self.written)
        return path


def binary_standard_output(field: str) -> BinaryIO:
    """Standard output for a binary file (XLSX): refused while it is a terminal, where the
    bytes would be noise, and taken when it goes to a file or a pipe."""
    if sys.stdout.isatty():
        from circles.errors import InvalidInput

        raise InvalidInput(
            field,
            "-",
            "is the terminal, and an XLSX file is binary: give a file name, or send the output "
            "to a file (> FILE.xlsx) or a pipe",
        )
    return sys.stdout.buffer


def _replace_keeping_escapes(exc: UnicodeError) -> tuple[str | bytes, int]:
    """'replace' for characters the encoding cannot spell, but the bytes the system gave
    (a file name, kept as surrogates) are written back as they came, like surrogateescape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start : exc.end]
    if all(ord(ch) in _ESCAPED for ch in chunk):
        return bytes(ord(ch) - 0xDC00 for ch in chunk), exc.end
    return "?" * len(chunk), exc.end


def show_what_the_terminal_can() -> None:
    """Output in an encoding other than UTF-8 (PYTHONIOENCODING=latin-1) replaces what it
    cannot spell with '?' instead of failing on the first 'Ł'; ASCII (a C locale with UTF-8
    mode off) becomes UTF-8, as in UTF-8 mode."""
    codecs.register_error(REPLACE, _replace_keeping_escapes)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding is None or reconfigure is None:
            continue
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            name = ""
        if name == "ascii":
            # A C or POSIX locale with UTF-8 mode off: write what UTF-8 mode (and click) would.
            reconfigure(encoding="utf-8", errors="surrogateescape")
        elif name != "utf-8":
            reconfigure(errors=REPLACE)


class StandardOutputError(OSError):
    """Standard output could not be written: a full disk behind ``> file``, /dev/full."""


class _StandardOutput(io.FileIO):
    """File descriptor 1, whose write failures say they are standard output's."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise  # the reader went away: click ends quietly
        except OSError as exc:
            raise StandardOutputError(exc.errno, exc.strerror) from None


def watch_standard_output() -> None:
    """Rebuild ``sys.stdout`` on :class:`_StandardOutput`, same encoding and buffering, so that a
    failure to write it is told apart from a failure to write a file. Only the process's own
    standard output is rebuilt (not one a test runner put in its place)."""
    old = sys.stdout
    if old is None or old is not sys.__stdout__ or not isinstance(old, io.TextIOWrapper):
        return
    try:
        old.flush()
        fd = old.fileno()
    except (OSError, ValueError):
        return
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_StandardOutput(fd, "wb", closefd=False)),
        encoding=old.encoding,
        errors=old.errors,
        line_buffering=old.line_buffering,
        write_through=old.write_through,
    )


def silence_standard_output() -> None:
    """Point standard output at the null device: what is still held for it goes nowhere
    instead of failing again, with a second message, when the program exits."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def is_closed_pipe(exc: OSError) -> bool:
    return exc.errno == errno.EPIPE

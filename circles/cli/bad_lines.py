"""An import's bad lines on the terminal: the first few, and every one of them in a file beside
the imported one, so a large file with a systematic mistake does not print thousands of lines."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from circles.services.imports import BadLine

SHOWN = 20  # enough to see the pattern of a mistake, few enough to read


def list_bad_lines(file: Path, bad: Sequence[BadLine]) -> None:
    """Each bad line as '<file>: line N: reason' on standard error; past SHOWN of them, the
    rest are counted and all are written to a new file next to ``file`` (or in the temporary
    folder, if that folder cannot be written), whose name is printed."""
    shown = bad if len(bad) <= SHOWN else bad[:SHOWN]
    for line in shown:
        click.echo(f"{file.name}: {line}", err=True)
    if len(shown) == len(bad):
        return
    report = _write_report(file, bad)
    rest = f"{file.name}: … and {len(bad) - SHOWN:,} more"
    if report is None:  # nowhere to write them: the terminal keeps them, nothing is lost
        for line in bad[SHOWN:]:
            click.echo(f"{file.name}: {line}", err=True)
        return
    click.echo(f"{rest}; all {len(bad):,} of them are in {report}", err=True)


def _write_report(file: Path, bad: Sequence[BadLine]) -> Path | None:
    text = "".join(f"{line}\n" for line in bad).encode("utf-8")
    for folder in (file.resolve().parent, Path(tempfile.gettempdir())):
        try:
            # A new file each time (never one the person has), named after the import.
            handle, name = tempfile.mkstemp(prefix=f"{file.stem}-bad-lines-", suffix=".txt", dir=folder)
        except OSError:
            continue
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(text)
        except OSError:
            Path(name).unlink(missing_ok=True)
            continue
        return Path(name)
    return None

"""What every CLI command shares: opening the store once, JSON and table output."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # the store's modules load only when a command opens it: start-up stays fast
    from sqlmodel import Session

    from circles.views import HomeData
    from models.store import Store

F = TypeVar("F", bound=Callable[..., Any])

# Ids are 64-bit in the store: a larger number is refused as a usage error naming the
# argument, rather than reaching the database and failing there.
RECORD_ID = click.IntRange(1, 2**63 - 1)


class CliState:
    """Carried on click's context: the --db value, and the store once something opens it."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            from models.engine import resolve_url
            from models.store import Store

            self._store = Store.open(resolve_url(self.db))
            if self._store.upgraded and self._store.upgraded.backup:
                click.echo(
                    f"Upgraded the store; the previous version was saved as {self._store.upgraded.backup}",
                    err=True,
                )
        return self._store

    def first_glance(self) -> Callable[[], HomeData | None] | None:
        """For the app: Home's data read straight from a SQLite file (circles/glance.py)."""
        from models.location import sqlite_file_setting

        path = sqlite_file_setting(self.db)
        if path is None:
            return None

        def glance() -> HomeData | None:
            from circles.glance import home_at_a_glance

            return home_at_a_glance(path, datetime.now(UTC))

        return glance


def state() -> CliState:
    return click.get_current_context().find_object(CliState)  # type: ignore[return-value]


@contextmanager
def reading() -> Iterator[Session]:
    with state().store().read() as db:
        yield db


@contextmanager
def writing() -> Iterator[Session]:
    with state().store().write() as db:
        yield db
    _tell_presenter_changes(db)


def _tell_presenter_changes(db: Session) -> None:
    """After the command's own output: sessions whose exported invite now names the wrong
    presenter (on stderr, so --json output stays a JSON document)."""
    from circles.services import upkeep

    changes = upkeep.presenter_changes(db)
    if changes:
        text = upkeep.describe(changes) + "\n(circles export ics --session ID, or --circle CIRCLE)"
        click.get_current_context().call_on_close(lambda: click.echo(text, err=True))


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")(f)


def plain(value: Any) -> Any:
    """A read model (or anything in it) as JSON-ready values with stable keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def print_json(items: Sequence[Any]) -> None:
    json.dump([plain(i) for i in items], sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str) -> None:
    """Aligned columns for people; scripts should use --json."""
    if not rows:
        click.echo(empty)
        return
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def done(message: str) -> None:
    click.echo(message)

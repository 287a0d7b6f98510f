"""What every CLI command shares: opening the store once, JSON and table output."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import click

from circles.cli import terminal
from circles.cli.terminal import field_name as field_name
from circles.words import count

if TYPE_CHECKING:  # the store's modules load only when a command opens it: start-up stays fast
    from sqlmodel import Session

    from circles.views import HomeData
    from models.store import Store

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class _Number(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A number typed on the command line, read by circles.validate like every other number:
    the digits 0-9 only. A bad one is bad input (one line naming it, exit status 1), as in
    the services, rather than click's usage error."""

    def __init__(self, name: str, read: Callable[[str | int, str], int]) -> None:
        self.name = name
        self._read = read

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        return self._read(value, field_name(param))


def _whole_number(value: str | int, field: str) -> int:
    from circles.validate import parse_int

    return parse_int(value, field)


def _record_id(value: str | int, field: str) -> int:
    from circles.validate import record_id

    return record_id(value, field)


class _Given(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """Text for an option whose absence means "all" (--circle: every circle; --since: from the
    start): a blank value, as an empty shell variable gives, is refused naming the flag, not
    taken as the option left out, which answered for every circle without a word."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from circles.errors import InvalidInput

        if isinstance(value, str) and not value.strip():
            flag = field_name(param)
            raise InvalidInput(flag, value, f"is blank; give one, or leave {flag} out")
        return str(value)


class _Cadence(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A cadence given as an argument. One that is blank is refused: the services take a blank
    cadence as none, as a form's emptied field says it, so a space typed by mistake (or an
    empty shell variable) removed a circle's cadence without a word, where the command line
    says that with --clear."""

    name = "cadence"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str) and not value.strip():
            from circles.errors import InvalidInput

            raise InvalidInput(
                "cadence",
                value,
                'is empty: give one such as "weekly on tue at 12:00", or --clear to remove it',
            )
        return str(value)


# Ids are 32-bit on PostgreSQL (validate.MAX_ID): a larger number is refused naming the
# argument, rather than reaching the database and failing there.
RECORD_ID = _Number("id", _record_id)
WHOLE_NUMBER = _Number("integer", _whole_number)
GIVEN = _Given()
CADENCE = _Cadence()


DB_HELP = "A SQLite file or a database URL (default: CIRCLES_DATABASE_URL, else your data folder)."
CREATE_HELP = (
    "Start a new store at --db's path if there is none, and make its folder "
    "(the default store is started on first use; a command that adds something starts one too)."
)


def given_store(db: str) -> str:
    """--db as the store's setting: a file's path goes back to the system as typed (whatever
    its bytes); a URL stays text. A blank one (an empty shell variable) is refused: it was
    taken as --db left out, and the default store was used, or started, without a word."""
    if not db.strip():
        from circles.errors import InvalidInput

        raise InvalidInput("--db", db, "is blank; give a SQLite file or a database URL, or leave --db out")
    return db if "://" in db else terminal.typed_path(db)


class CliState:
    """Carried on click's context: the --db value (a URL or a file), and the store once something opens it."""

    def __init__(self, store_url: str | None, *, create: bool = False) -> None:
        self.store_url = store_url
        self.create = create
        self._store: Store | None = None

    @property
    def may_create_folder(self) -> bool:
        """The default store's folder is made on first use; a folder named in --db or
        CIRCLES_DATABASE_URL only with --create, so a mistyped path is not a new, empty store."""
        from models.location import store_setting

        return self.create or not store_setting(self.store_url)

    def may_start(self, *, adds: bool) -> bool:
        """Whether a missing SQLite file may be started as a new store: by the app and by a
        command that ``adds`` something from nothing (a person, a circle, the demo), or with
        --create, or the default store. A command that only reads (or changes what is there)
        refuses it, so a mistyped --db is not taken for a store with nothing in it."""
        from models.location import store_setting

        return adds or self.create or not store_setting(self.store_url)

    def open_store(self, *, adds: bool = True) -> Store:
        """The store, opened (and upgraded) on first use; the app calls this in its worker
        (on a new store its Home says so and offers the demo)."""
        if self._store is None:
            from models.engine import resolve_url
            from models.store import Store

            self._store = Store.open(
                resolve_url(self.store_url),
                create_folder=self.may_create_folder,
                create_file=self.may_start(adds=adds),
            )
        return self._store

    def store(self, *, say_upgrade: bool = True, adds: bool = False) -> Store:
        """The store for a command, which says on stderr once that it started a new one, or
        where an upgrade saved the old version (unless the command says so itself:
        ``say_upgrade=False``). Only a command that ``adds`` something from nothing starts a
        new store at a path that was given (see ``may_start``)."""
        fresh = self._store is None
        store = self.open_store(adds=adds)
        if fresh:
            self._tell_opened(store, say_upgrade=say_upgrade)
        return store

    @contextmanager
    def starting(self) -> Iterator[Store]:
        """The store for work that adds something from nothing, which may start a new SQLite
        file. Then the line saying so comes once the work is done; if it is refused (bad
        input), the file is closed and removed again, so a refused command leaves no empty
        store behind for the next one to find."""
        if self._store is not None:
            yield self._store
            return
        from models.location import sqlite_file_setting
        from models.store_file import NewStoreFile

        path = sqlite_file_setting(self.store_url)
        new_file = NewStoreFile.noted(path) if path is not None else None
        store = self.open_store(adds=True)
        if new_file is None or not _started(store):  # a store that was there (or a server's): it stays
            self._tell_opened(store)
            yield store
            return
        try:
            yield store
        except BaseException:
            self._store = None
            store.close()
            new_file.remove()
            raise
        self._tell_opened(store)

    def _tell_opened(self, store: Store, *, say_upgrade: bool = True) -> None:
        upgraded = store.upgraded
        if upgraded is None:
            return
        if _started(store):
            click.echo(f"Started a new store at {store.display_url}.", err=True)
        elif say_upgrade and upgraded.backup is not None:
            click.echo(f"Upgraded the store; the previous version was saved as {upgraded.backup}", err=True)
        for note in upgraded.notes:  # what the upgrade changed in the data (models/migrate.py)
            click.echo(f"Upgrading the store: {note}", err=True)
        if upgraded.changed:
            warn_of_look_alikes(store)

    def explain(self, exc: BaseException) -> str:
        """A database error met by a command, as one line without a password."""
        from models.engine import safe_url_text
        from models.location import sqlite_file_setting, store_setting
        from models.store import explain_store_error

        if self._store is not None:
            return self._store.explain(exc)
        path = sqlite_file_setting(self.store_url)
        return explain_store_error(exc, str(path) if path else safe_url_text(store_setting(self.store_url)))

    def first_glance(self) -> Callable[[], HomeData | None] | None:
        """For the app: Home's data read straight from a SQLite file (circles/glance.py) or a
        PostgreSQL database (circles/glance_postgres.py)."""
        from models.location import sqlite_file_setting, store_setting

        path = sqlite_file_setting(self.store_url)
        if path is None:
            return postgres_glance(store_setting(self.store_url))

        def glance() -> HomeData | None:
            from circles.glance import home_at_a_glance

            return None if _named() else home_at_a_glance(path, datetime.now(UTC))

        return glance


def _started(store: Store) -> bool:
    """Whether opening the store started it: there was nothing in it before its first upgrade."""
    upgraded = store.upgraded
    return upgraded is not None and upgraded.changed and upgraded.from_revision is None


def postgres_glance(setting: str) -> Callable[[], HomeData | None]:
    """The first glance for a PostgreSQL URL (circles/glance_postgres.py); it says None for any
    other URL. Everything it needs is loaded in the app's worker, after the first frame."""

    def glance() -> HomeData | None:
        from circles.glance_postgres import home_at_a_glance, postgres_conninfo

        conninfo = postgres_conninfo(setting)
        return None if conninfo is None or _named() else home_at_a_glance(conninfo, datetime.now(UTC))

    return glance


def _named() -> bool:
    """Whether the settings say who you are: Home then lists your circles, which the first
    glance does not know how to pick, so it gives way to the store (Home waits for it)."""
    from circles.me import me_setting

    return me_setting() is not None


def warn_of_look_alikes(store: Store) -> None:
    """After an upgrade: say if the store holds people who look like one person by e-mail
    address (the upgrade leaves them for a person to sort out; see 'person duplicates')."""
    from circles.services.people import look_alikes

    with store.read() as db:
        groups = look_alikes(db)
    if groups:
        click.echo(look_alikes_said(sum(len(g.people) for g in groups), len(groups)), err=True)


def look_alikes_said(people: int, addresses: int) -> str:
    """'circles: 2 people share 1 e-mail address that differs ...', '4 people share 2 ... that differ'."""
    differ = "differs" if addresses == 1 else "differ"
    return (
        f"circles: {count(people, 'person', 'people')} share "
        f"{count(addresses, 'e-mail address', 'e-mail addresses')} that {differ} only in case, "
        "accents or invisible characters; nothing was merged: 'circles person duplicates' lists "
        f"{'it' if addresses == 1 else 'them'}."
    )


def state() -> CliState:
    found = click.get_current_context().find_object(CliState)
    if found is None:  # main() puts it on the context before any command runs
        raise RuntimeError("a circles command ran without the circles group")
    return found


@contextmanager
def reading() -> Iterator[Session]:
    with state().store().read() as db:
        yield db


def writing(work: Callable[[Session], T], *, attempts: int | None = None, adds: bool = False) -> T:
    """``work(db)`` in one write unit of work, committed whole; what it returns comes back.
    A command that ``adds`` something from nothing may start a new store (``CliState.may_start``),
    kept only if ``work`` commits (``CliState.starting``).

    A unit of work the store cancelled because another crossed it (PostgreSQL's deadlock or
    serialization failure, a SQLite store locked past its wait) was rolled back whole, so it is
    simply run again, a few times, after a short pause (``Store.write_retrying``), or at most
    ``attempts`` times; if the store stays busy, the command says so in one line. So ``work``
    must only read and change the store: what the command prints is said after the commit, from
    what ``work`` returned.
    """
    from circles import store_access

    cli = state()
    with cli.starting() if adds else nullcontext(cli.store()) as store:
        return store_access.write_unit(store, work, committed=_tell_presenter_changes, attempts=attempts)


def _tell_presenter_changes(db: Session) -> None:
    """After the command's own output: sessions whose exported invite now names the wrong
    presenter (on stderr, so --json output stays a JSON document)."""
    from circles.services import upkeep

    changes = upkeep.presenter_changes(db)
    if changes:
        text = upkeep.describe(changes) + (
            "\n(circles export ics --session ID, or --circle CIRCLE; by e-mail: circles send invites"
            " --circle CIRCLE; a shared calendar: circles publish caldav CIRCLE)"
        )
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

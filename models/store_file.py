"""What a SQLite file named as the store holds, found before anything writes to it: nothing yet
(it becomes a store), a circles store, or something else, which is refused and left untouched.

The engine's first connection already changes a file (it switches it to WAL), so the file is
read here first through a read-only connection of its own.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from models.backup import SQLITE_COMPANIONS
from models.engine import BUSY_TIMEOUT_MS, StoreOpenError
from models.folders import make_private_folder
from models.location import read_only_uri
from models.migrate import MigrationError, is_known_revision

# SQLite's words for a file that is not a database, or one whose pages are damaged.
UNREADABLE = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


class Holds(Enum):
    NOTHING = "nothing"  # an empty file, or a database without a table: it may become a store
    CIRCLES = "circles"  # a circles store, at a schema revision this version knows
    UNKNOWN_SCHEMA = "unknown schema"  # a revision this version does not know (a newer circles?)
    OTHER_TABLES = "other tables"  # another program's database
    UNREADABLE = "unreadable"  # not a SQLite database, or a damaged one


@dataclass(frozen=True, slots=True)
class Contents:
    holds: Holds
    detail: str = ""  # the revision, the other tables' names, or SQLite's reason


def sqlite_contents(path: Path) -> Contents:
    """What the existing file at ``path`` holds, read without changing it.

    A circles store is a database whose ``alembic_version`` holds one revision circles knows.
    A database with no table at all (or only an empty ``alembic_version``, as an interrupted
    first upgrade leaves it) holds nothing yet. Anything else belongs to someone else.
    Raises StoreOpenError when the file cannot be read at all (locked, no permission).
    """
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            names = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            }
            revisions = (
                [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in names
                else []
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", None) in UNREADABLE:
            return Contents(Holds.UNREADABLE, str(exc))
        raise StoreOpenError(f"Cannot read the store {path}: {exc}.") from None
    others = sorted(names - {"alembic_version"})
    if len(revisions) == 1 and isinstance(revisions[0], str):
        known = is_known_revision(revisions[0])
        return Contents(Holds.CIRCLES if known else Holds.UNKNOWN_SCHEMA, revisions[0])
    if not others and not revisions:
        return Contents(Holds.NOTHING)
    shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
    return Contents(Holds.OTHER_TABLES, shown or "alembic_version")


def claim_sqlite_file(path: Path, *, create_folder: bool, create_file: bool = True) -> None:
    """Make ``path`` ready for the engine, creating it (0600) if it does not exist.

    A path typed wrong must not start an empty store that looks like lost data: a missing
    file is refused unless ``create_file`` (work that only reads has nothing to put in a new
    store), and its folder must exist unless ``create_folder`` (then it is made, 0700). A
    file that exists must hold nothing yet or a circles store; otherwise it is refused, and
    left as it was.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not create_file:
            raise StoreOpenError(
                f"No store at {path}: check the path, or add --create to start a new, empty store there."
            ) from None
        _create(path, create_folder=create_folder)
        return
    except OSError as exc:
        raise StoreOpenError(f"Cannot open the store {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        raise StoreOpenError(
            f"Cannot open the store {path}: it is a folder; give a file in it, like {path / 'circles.db'}."
        )
    if not stat.S_ISREG(mode):
        raise StoreOpenError(f"Cannot open the store {path}: it is not a regular file.")
    contents = sqlite_contents(path)
    if contents.holds in (Holds.NOTHING, Holds.CIRCLES):
        return
    if contents.holds is Holds.UNKNOWN_SCHEMA:
        raise MigrationError(
            f"The store {path} was written by a newer version of circles (schema {contents.detail!r}), "
            "or by another program; nothing was changed. Upgrade circles to open it."
        )
    if contents.holds is Holds.OTHER_TABLES:
        raise StoreOpenError(
            f"Cannot open {path}: it is not a circles store (it holds the tables {contents.detail}); "
            "nothing was changed. Give another --db (a new file name starts a new store)."
        )
    raise StoreOpenError(
        f"Cannot open the store {path}: it is damaged, or not a SQLite database ({contents.detail}); "
        f"nothing was changed. If it is your store, put a backup back with "
        f"'circles --db {path} db restore BACKUP'; otherwise give another --db."
    )


def _create(path: Path, *, create_folder: bool) -> None:
    folder = path.parent
    try:
        if not folder.is_dir():
            if not create_folder:
                raise StoreOpenError(
                    f"Cannot open the store {path}: there is no folder {folder}. "
                    "Check the path, or add --create to start a new store there."
                )
            make_private_folder(folder, parents=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # made by someone else just now: look at it like any other file
        claim_sqlite_file(path, create_folder=False)
        return
    except OSError as exc:
        raise StoreOpenError(f"Cannot create the store {path}: {exc.strerror or exc}.") from None
    os.close(fd)


@dataclass(frozen=True, slots=True)
class NewStoreFile:
    """A SQLite file that is not there yet, noted before a command starts a store at it, with
    the folders above it that are not there either (--create makes them): if the command's
    work is refused, ``remove`` takes them away again, so nothing is left of a store that
    never held anything."""

    path: Path
    folders: tuple[Path, ...]  # nearest first

    @classmethod
    def noted(cls, path: Path) -> NewStoreFile | None:
        """``path`` as a file not there yet, or None when something is at it already."""
        if os.path.lexists(path):
            return None
        return cls(path, tuple(folder for folder in path.parents if not folder.exists()))

    def remove(self) -> None:
        """The file, the files SQLite made beside it, and the folders made for it (while
        empty); call it with the store closed."""
        for file in (self.path, *(Path(f"{self.path}{suffix}") for suffix in SQLITE_COMPANIONS)):
            file.unlink(missing_ok=True)
        for folder in self.folders:
            try:
                folder.rmdir()
            except OSError:  # something else was put in it meanwhile: it stays
                return

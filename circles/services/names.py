"""Finding a circle or a programme by the name a person typed: any case, any Unicode
composition, and when it names none, the one (or the few) they most likely meant; and whether
a new name is free."""

from __future__ import annotations

import difflib
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from circles.errors import NotFound, shown

# Names offered when what was typed is no name: more than this many holding it is no guess.
MEANT_AT_MOST = 3


def same_name_key(name: str) -> str:
    """What two names that read the same have in common: any case, any composition (names
    stored before circles composed them may still be decomposed)."""
    return unicodedata.normalize("NFC", name).casefold()


def taken_by(db: Session, table: Any, name: str, *, except_id: int | None = None) -> str | None:
    """The name of another row of ``table`` (a circle, a programme) that ``name`` would read the
    same as, or None when it is free. Two folds are asked, because the unique index on
    lower(name) is the store's: Python's (any case, any composition, which SQLite's ASCII-only
    lower() would let in twice) and the store's own lower(), which on PostgreSQL folds by the
    server's locale and can join names Python keeps apart ('İzmir' and 'Izmir' under C.UTF-8):
    missed here, the index would refuse the write with no word on which field or name."""
    folded = same_name_key(name)
    others = sa.select(col(table.id), col(table.name))
    if except_id is not None:
        others = others.where(col(table.id) != except_id)
    for _other_id, other_name in db.execute(others):
        if same_name_key(other_name) == folded:
            return str(other_name)
    if db.get_bind().dialect.name != "postgresql":
        return None  # SQLite's lower() folds ASCII alone: what it joins, Python's fold joined
    same_to_store = db.execute(others.where(sa.func.lower(col(table.name)) == sa.func.lower(name))).first()
    return None if same_to_store is None else str(same_to_store[1])


def id_named(db: Session, table: Any, typed: str, *, what: str, listed_by: str) -> int:
    """The id of the row of ``table`` (a circle, a programme) whose name reads as ``typed``.
    Names and ids only are read. None named so is a NotFound naming the ones meant: those whose
    name holds what was typed ("rust" for Rust Lunch), else the one spelled nearly like it,
    else the command ``listed_by`` that lists them all."""
    wanted = same_name_key(typed.strip())
    names = {
        same_name_key(name): (found_id, name)
        for found_id, name in db.execute(sa.select(col(table.id), col(table.name)))
    }
    if wanted in names:
        return int(names[wanted][0])
    holding = [key for key in names if wanted and wanted in key]
    meant = holding if holding else difflib.get_close_matches(wanted, names, n=1, cutoff=0.8)
    if 0 < len(meant) <= MEANT_AT_MOST:
        offered = " or ".join(f"{shown(names[key][1])} ({what} {names[key][0]})" for key in sorted(meant))
        hint = f"; did you mean {offered}?"
    else:
        hint = f"; '{listed_by}' shows them all."
    raise NotFound(f"There is no {what} named {shown(typed.strip())}{hint}")

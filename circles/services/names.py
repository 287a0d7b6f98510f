"""Finding a circle or a programme by the name a person typed: any case, any Unicode
composition, and when it names none, the one (or the few) they most likely meant."""

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

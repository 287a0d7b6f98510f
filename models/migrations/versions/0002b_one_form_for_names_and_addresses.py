"""People's names and e-mail addresses in one Unicode form; look-alike addresses are reported.

circles now stores names and addresses composed one way (NFC), without invisible
characters, and addresses in lower case. Rows written before keep what they were typed
with, so 'josé' typed composed and decomposed, or an address with a zero-width space in
it, can be two people who look like one. This brings every row to the new form where
that is safe:

- names and teams: composed, invisible characters dropped (names need not be unique);
- an address: composed, lower case, invisible characters dropped, when no other
  person's address becomes the same. Where two or more do, none of them is changed
  and nobody is merged: `circles person duplicates` lists them, and the CLI says so
  after an upgrade that leaves any (circles.services.people.look_alikes).

The rules are copied here rather than imported from circles.validate, so that this
migration keeps doing what it did when circles' own rules change later.

Revision ID: 0002b
Revises: 0002
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002b"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Characters that show nothing (zero-width joiner and non-joiner are spelling in some
# scripts, so names keep them).
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u3164\uffa0\u180e\u200b\u200e\u200f"
    "\u2060\u2061\u2062\u2063\u2064\ufeff"
)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

person = sa.table(
    "person",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("email", sa.String),
    sa.column("team", sa.String),
)


def _name(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    cleaned = unicodedata.normalize("NFC", "".join(c for c in value if c not in INVISIBLE)).strip()
    # A name made only of invisible characters, or one that composing would make longer
    # than its column (a few characters compose to two), stays as it was.
    return cleaned if cleaned and len(cleaned) <= limit else value


def _address(value: str) -> str:
    visible = "".join(
        c for c in value if c not in INVISIBLE and c not in BIDI_CONTROLS and unicodedata.category(c) != "Cf"
    )
    lowered = unicodedata.normalize("NFC", visible.strip()).lower()
    return unicodedata.normalize("NFC", lowered)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(person.c.id, person.c.name, person.c.email, person.c.team)).all()
    by_address: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.email is not None:  # guests may come without an address
            by_address[_address(row.email)].append(row.id)
    for row in rows:
        changes: dict[str, str | None] = {}
        if _name(row.name, 120) != row.name:
            changes["name"] = _name(row.name, 120)
        if _name(row.team, 80) != row.team:
            changes["team"] = _name(row.team, 80)
        address = _address(row.email) if row.email is not None else None
        # Alone at its address: no one else's row can hold it, so the unique index is safe.
        if address and address != row.email and len(address) <= 254 and len(by_address[address]) == 1:
            changes["email"] = address
        if changes:
            conn.execute(person.update().where(person.c.id == row.id).values(**changes))


def downgrade() -> None:
    pass  # the normalised forms are valid in the previous version too

"""Calendar UIDs: one made for a session, a circle's series or a pair, and kept for life.

Random, so that no two stores' events ever meet as one in somebody's calendar. The demo draws
them from its seeded random instead (:func:`drawn_from`), so the same seed makes the same store.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

# The unit of work's info key holding the random the demo draws its UIDs from.
_DRAWN_FROM = "uid_random"


def ics_uid(db: Session, kind: str) -> str:
    """A new UID for a ``kind`` ('session', 'series', 'pair') written in this unit of work."""
    rng: random.Random | None = db.info.get(_DRAWN_FROM)
    return uid_from(rng, kind) if rng is not None else f"{kind}-{uuid.uuid4()}@circles"


def uid_from(rng: random.Random, kind: str) -> str:
    """A UID drawn from ``rng``: a version-4 UUID as random as the seed behind it."""
    return f"{kind}-{uuid.UUID(int=rng.getrandbits(128), version=4)}@circles"


@contextmanager
def drawn_from(db: Session, rng: random.Random) -> Iterator[None]:
    """Inside this block the UIDs this unit of work makes are drawn from ``rng``."""
    db.info[_DRAWN_FROM] = rng
    try:
        yield
    finally:
        del db.info[_DRAWN_FROM]

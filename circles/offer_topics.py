"""A participant's offers and wants as matching reads them: comma-separated topics, each once,
compared in any case and without accents.

Apart from circles.matching, which loads numpy and scipy (most of a second): the services and
screens that only show or store these lists (a person's page, a programme's participants) do
not load them.
"""

from __future__ import annotations

import functools

from circles.folding import topic_key


@functools.lru_cache(maxsize=8192)
def split_topics(text: str) -> tuple[str, ...]:
    """'Rust, kubernetes ,, Go' -> ('Rust', 'kubernetes', 'Go'): each once, as first typed."""
    seen: set[str] = set()
    found = []
    for part in text.split(","):
        shown = " ".join(part.split())
        key = topic_key(shown)
        if key and key not in seen:
            seen.add(key)
            found.append(shown)
    return tuple(found)

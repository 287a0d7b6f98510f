"""Topics are free-text tags: a topic as it is typed and shown, and a list of them typed; two
spellings are one topic when their circles.folding.topic_key is."""

from __future__ import annotations

from circles import validate
from circles.errors import InvalidInput
from circles.folding import topic_key

MAX_LENGTH = 80
QUOTES = "\"'\u201c\u201d\u201e\u201f\u2018\u2019"


def clean_topic(text: str, field: str = "topic") -> str:
    """A topic as it is shown: blanks collapsed; refused if empty, too long or with control characters."""
    # Quotes around a topic are how it was typed, not part of it ('"memory safety"').
    shown = " ".join(validate.text(text, field, max_length=MAX_LENGTH * 4).split()).strip(QUOTES).strip()
    if not topic_key(shown):
        raise InvalidInput(field, text, "is empty; a topic is a word or a few, e.g. rust")
    if not any(c.isalnum() for c in shown):
        # Search and `circles experts` look for words: '!!!' would be a tag no one can find.
        raise InvalidInput(field, text, "has no letter or digit; a topic is a word or a few, e.g. rust")
    if len(shown) > MAX_LENGTH or len(topic_key(shown)) > MAX_LENGTH:
        raise InvalidInput(field, text, f"is {len(shown)} characters long; the limit is {MAX_LENGTH}")
    return shown


def split_topics(values: str | list[str] | tuple[str, ...]) -> list[str]:
    """'Rust, memory safety' (or several values) -> ['Rust', 'memory safety']: each once, as first typed."""
    parts = [values] if isinstance(values, str) else list(values)
    found: dict[str, str] = {}
    for part in parts:
        for piece in part.split(","):
            if piece.strip():
                shown = clean_topic(piece)
                found.setdefault(topic_key(shown), shown)
    return list(found.values())

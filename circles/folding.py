"""Text as people mean it when they look for it or tag with it: any case, any accent."""

from __future__ import annotations

import functools
import unicodedata

# Letters of their own rather than a letter with an accent, which Unicode's decomposition keeps
# as they are, written as a keyboard without them writes them: 'Łukasz' is typed "lukasz",
# 'Søren' "soren". Without this, "lukasz" found no Łukasz and the lists filed him after Zoë.
OWN_LETTERS = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",
        "ħ": "h",
        "ŧ": "t",
    }
)


def folded(text: str) -> str:
    """``text`` with no case and no accents: 'Zoë' is 'zoe', 'İzmir' is 'izmir' (its casefold is
    an 'i' and a combining dot), 'Straße' is 'strasse', 'Łódź' is 'lodz' (OWN_LETTERS). What
    the filters compare (check-in's, the Circles list's, People's through Person.name_folded),
    topics are known by, and file names are made of.

    Not search's: the search index folds as its engines do (circles.search_query.fold)."""
    if text.isascii():
        return text.lower()  # most names: no call per character
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(OWN_LETTERS)


def folded_words(text: str) -> str:
    """``text`` folded, its blanks collapsed to one space and trimmed: how names and topics are
    compared ('  Café  Culture' and 'cafe culture' are one; 'José  Álvarez' is 'jose alvarez')."""
    return " ".join(folded(text).split())


# How topics are compared, on sessions and in mentoring's offers and wants (kept: matching
# compares a programme's offers and wants often).
topic_key = functools.lru_cache(maxsize=65536)(folded_words)

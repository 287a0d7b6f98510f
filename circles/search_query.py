"""What a person types into search, turned into a query each database's full-text engine
takes safely: FTS5's MATCH syntax for SQLite, a tsquery for PostgreSQL.

The engines' own syntax (FTS5's NEAR, column filters, ^, parentheses; tsquery's & | ! <->)
never reaches them from the person: we split the text into words ourselves and quote every
one, so nothing typed can be an operator or a syntax error. What we understand:

- words: every word must be found (any case, accents ignored);
- "a phrase": the words next to each other, in that order (an unclosed quote runs to the end);
- word*: any word starting so (at least two letters before the star);
- -word, -"a phrase": leave out what has it (there must be something else to look for);
- while typing, the last word counts as its beginning (``typing=True``); a last word of one
  letter is left out until the next letter comes (it would match most of the index), and one
  of two letters alone is a whole word ("go", "ai") until the third comes: beside other words
  it is a beginning, but alone it matches a good part of the index, every one of which must
  be ranked ("pa" took 120 ms on the large demo, against 15 ms for "pag").

Punctuation between letters joins words into a phrase, as the index splits the text:
"e-mail" is the phrase "e mail", and "title:rust" the phrase "title rust".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from circles.errors import InvalidInput
from models.search_schema import FOLD_FROM, FOLD_TO

MAX_LENGTH = 500
MIN_PREFIX = 2  # a one-letter beginning matches most of the index: it is taken as a whole word
MIN_LONE_PREFIX = 3  # while typing, a beginning that is all there is to look for
_QUOTES = '"\u201c\u201d\u201e\u201f'
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False  # the last word is only a beginning
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    terms: tuple[Term, ...]

    def fts5(self, *, titles_only: bool = False) -> str:
        """For SQLite: each term a quoted string, which FTS5 reads as plain words (its tokenizer
        splits and folds them as it did the documents); nothing else in the expression.
        ``titles_only`` looks in the title column alone (our own column filter)."""
        include = " ".join(_fts5_term(t) for t in self.terms if not t.exclude)
        exclude = "".join(f" NOT {_fts5_term(t)}" for t in self.terms if t.exclude)
        expression = f"({include}){exclude}" if exclude else include
        return f"{{title}} : ({expression})" if titles_only else expression

    def tsquery(self, *, titles_only: bool = False) -> str:
        """For PostgreSQL's to_tsquery('simple', ...): each word folded as the index folds the
        documents, and quoted, joined with & (and), <-> (next to) and ! (not). Titles are the
        index's weight A, so ``titles_only`` marks each word :A."""
        weight = "A" if titles_only else ""
        parts = [("!" if t.exclude else "") + _ts_term(t, weight) for t in self.terms]
        return " & ".join(parts)

    def words(self) -> list[str]:
        """The words to look for (for highlighting outside the engines)."""
        return [w for t in self.terms if not t.exclude for w in t.words]


def _fts5_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    return quoted + " *" if term.prefix else quoted


def fold(word: str) -> str:
    """A word as PostgreSQL's index keeps it: accents folded as FTS5 folds them, lower case."""
    # Only letters beyond ASCII are folded: most words skip the translation, a dictionary
    # lookup per character.
    return word.lower() if word.isascii() else word.translate(_FOLD).lower()


def _ts_word(word: str) -> str:
    return "'" + fold(word).replace("'", "''") + "'"


def _ts_term(term: Term, weight: str = "") -> str:
    words = [_ts_word(w) + (f":{weight}" if weight else "") for w in term.words]
    if term.prefix:
        words[-1] += ":*" if not weight else "*"
    joined = " <-> ".join(words)
    return f"({joined})" if len(words) > 1 else joined


_RUNS = re.compile(r"[A-Za-z0-9]+|[^\x00-\x7f]+")


def _is_word_char(c: str) -> bool:
    # FTS5's unicode61 tokenizer keeps letters, numbers and private-use characters; marks
    # stay with their letter (the engines fold them away).
    return unicodedata.category(c)[0] in "LNM" or unicodedata.category(c) == "Co"


def word_spans(text: str) -> list[tuple[int, str]]:
    """Each word of ``text`` (as the index splits text) with where it starts."""
    found: list[tuple[int, str]] = []
    start = end = -1  # the word being read: text[start:end]
    # Runs of ASCII letters and digits are found by the regular expression engine (in ASCII
    # only they are word characters), the rest is looked at a character at a time.
    for run in _RUNS.finditer(text):
        for first, last in _word_parts(run):
            if first != end:  # not next to the word before: a new word
                if end > start:
                    found.append((start, text[start:end]))
                start = first
            end = last
    if end > start:
        found.append((start, text[start:end]))
    return found


def _word_parts(run: re.Match[str]) -> list[tuple[int, int]]:
    """The (start, end) of the word characters in a run of _RUNS."""
    if run.group().isascii():
        return [run.span()]
    parts: list[tuple[int, int]] = []
    offset = run.start()
    for i, c in enumerate(run.group(), start=offset):
        if _is_word_char(c):
            if parts and parts[-1][1] == i:
                parts[-1] = (parts[-1][0], i + 1)
            else:
                parts.append((i, i + 1))
    return parts


def _words(chunk: str) -> list[str]:
    return [w for _, w in word_spans(chunk)]


def _term(words: list[str], *, prefix: bool, exclude: bool) -> Term | None:
    if not words:
        return None
    # A beginning of one letter would match most of the index (and slowly): a whole word then.
    prefix = prefix and len(words[-1]) >= MIN_PREFIX
    return Term(tuple(words), prefix, exclude)


def _one_letter_last(text: str) -> bool:
    words = _words(text)
    return bool(words) and len(words[-1]) < MIN_PREFIX


def parse(text: str, *, typing: bool = False, field: str = "search") -> SearchQuery:
    """The query for ``text``, or InvalidInput naming what is wrong (nothing to look for, too long)."""
    if len(text) > MAX_LENGTH:
        raise InvalidInput(field, text, f"is {len(text)} characters long; the limit is {MAX_LENGTH}")
    cleaned = unicodedata.normalize("NFC", text)
    terms: list[Term | None] = []
    one_letter_star: list[bool] = []  # each term: a beginning of one letter asked for ('r*')
    i, n = 0, len(cleaned)
    last_open = False  # the text ends inside a word or an unclosed phrase: typing goes on there
    while i < n:
        c = cleaned[i]
        if c.isspace():
            i += 1
            last_open = False
            continue
        exclude = False
        while i < n and c == "-":
            exclude = True
            i += 1
            c = cleaned[i] if i < n else ""
        if c and c in _QUOTES:
            end = next((j for j in range(i + 1, n) if cleaned[j] in _QUOTES), n)
            phrase = cleaned[i + 1 : end]
            prefix = phrase.rstrip().endswith("*")
            terms.append(_term(_words(phrase), prefix=prefix, exclude=exclude))
            one_letter_star.append(prefix and _one_letter_last(phrase))
            last_open = end == n and not phrase[-1:].isspace()
            i = end + 1
            continue
        end = i
        while end < n and not cleaned[end].isspace() and cleaned[end] not in _QUOTES:
            end += 1
        chunk = cleaned[i:end]
        terms.append(_term(_words(chunk), prefix=chunk.endswith("*"), exclude=exclude))
        one_letter_star.append(chunk.endswith("*") and _one_letter_last(chunk))
        last_open = end == n
        i = end
    # 'r*' alone would be looked for as the word 'r': say why instead. Beside other words the
    # letter stays a whole word, as it always did.
    asked = [
        short for t, short in zip(terms, one_letter_star, strict=True) if t is not None and not t.exclude
    ]
    if asked and all(asked):
        raise InvalidInput(
            field, text, f"ends a word of one letter with *: a beginning needs at least {MIN_PREFIX} letters"
        )
    found = [t for t in terms if t is not None]
    if typing and last_open and found and terms[-1] is found[-1]:
        last = found.pop()
        alone = len(last.words) == 1 and not any(not t.exclude for t in found)
        if last.prefix:  # word* typed: asked for, given
            found.append(last)
        elif len(last.words[-1]) >= (MIN_LONE_PREFIX if alone else MIN_PREFIX):
            found.append(Term(last.words, True, last.exclude))
        elif len(last.words[-1]) >= MIN_PREFIX:
            found.append(Term(last.words, False, last.exclude))  # alone: "go", not go*
        elif len(last.words) > 1 or not found:
            # One letter typed so far says too little: look for the rest until the next one.
            found.append(Term(last.words[:-1] or last.words, False, last.exclude))
    unique = tuple(dict.fromkeys(found))
    if not unique:
        raise InvalidInput(field, text, "has no word to look for")
    if all(t.exclude for t in unique):
        raise InvalidInput(field, text, "only leaves words out; give a word to look for too")
    return SearchQuery(text, unique)

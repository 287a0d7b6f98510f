"""What people type, as the engines get it: quoted words only, never the engines' own syntax."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circles.errors import InvalidInput
from circles.search_query import Term, fold, parse, word_spans
from circles.services.search import _looked_for, mark_words, marked, marks_word_by_word


@pytest.mark.parametrize(
    ("text", "fts5", "tsquery"),
    [
        ("Rust lifetimes", '"Rust" "lifetimes"', "'rust' & 'lifetimes'"),
        ('"borrow checker" Müller', '"borrow checker" "Müller"', "('borrow' <-> 'checker') & 'muller'"),
        ("own* -unsafe", '("own" *) NOT "unsafe"', "'own':* & !'unsafe'"),
        ("e-mail", '"e mail"', "('e' <-> 'mail')"),
        ("title:rust", '"title rust"', "('title' <-> 'rust')"),
        ("NEAR(a b)", '"NEAR a" "b"', "('near' <-> 'a') & 'b'"),
        ('say "hi', '"say" "hi"', "'say' & 'hi'"),  # an unclosed quote runs to the end
        ("a* bo**", '"a" "bo" *', "'a' & 'bo':*"),  # one letter is too short a beginning
        ('it\'s "x""', '"it s" "x"', "('it' <-> 's') & 'x'"),
        ("rust rust RUST", '"rust" "RUST"', "'rust' & 'rust'"),
    ],
)
def test_each_engine_gets_quoted_words(text, fts5, tsquery):
    query = parse(text)
    assert query.fts5() == fts5
    assert query.tsquery() == tsquery


def test_while_typing_the_last_word_is_a_beginning_once_it_has_two_letters():
    assert parse("rust li", typing=True).terms == (Term(("rust",)), Term(("li",), prefix=True))
    assert parse("rust l", typing=True).terms == (Term(("rust",)),)  # l waits for its next letter
    assert parse("rust ", typing=True).terms == (Term(("rust",)),)  # a finished word
    assert parse('"borrow ch', typing=True).terms == (Term(("borrow", "ch"), prefix=True),)
    assert parse('"borrow c', typing=True).terms == (Term(("borrow",)),)
    assert parse('"borrow ch"', typing=True).terms == (Term(("borrow", "ch")),)
    assert parse("-rust ow", typing=True).terms == (Term(("rust",), exclude=True), Term(("ow",)))


def test_while_typing_two_letters_alone_are_a_whole_word_until_the_third():
    """Alone, a two-letter beginning matches much of the index, all of it ranked (slow while
    typing); a whole word ("go") is still found, and beside another word it is a beginning."""
    assert parse("pa", typing=True).terms == (Term(("pa",)),)
    assert parse("pag", typing=True).terms == (Term(("pag",), prefix=True),)
    assert parse("pa*", typing=True).terms == (Term(("pa",), prefix=True),)  # asked for: given
    assert parse('"pa', typing=True).terms == (Term(("pa",)),)
    assert parse('"go pa', typing=True).terms == (Term(("go", "pa"), prefix=True),)
    assert parse("rust pa", typing=True).terms == (Term(("rust",)), Term(("pa",), prefix=True))


def test_titles_only_is_our_own_column_filter():
    query = parse("memory safety")
    assert query.fts5(titles_only=True) == '{title} : ("memory" "safety")'
    assert query.tsquery(titles_only=True) == "'memory':A & 'safety':A"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "has no word to look for"),
        ('"*- ()', "has no word to look for"),
        ("-rust -go", "only leaves words out; give a word to look for too"),
        ("x" * 501, "is 501 characters long; the limit is 500"),
    ],
)
def test_what_cannot_be_searched_is_said_in_one_line(text, problem):
    with pytest.raises(InvalidInput) as caught:
        parse(text)
    said = str(caught.value)
    assert said.startswith("search ") and said.endswith(f"{problem}.")


def _words_one_character_at_a_time(text: str) -> list[tuple[int, str]]:
    """The index's rule, plainly: a word is a run of letters, numbers, marks and private-use
    characters (FTS5's unicode61 tokenizer)."""
    found: list[tuple[int, str]] = []
    start = None
    for i, c in enumerate(text + " "):
        if unicodedata.category(c)[0] in "LNM" or unicodedata.category(c) == "Co":
            start = i if start is None else start
        elif start is not None:
            found.append((start, text[start:i]))
            start = None
    return found


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab Z9_-'\"·…éÉ\u0301\ue000中文ü,.!\n\t")) | st.text())
def test_words_are_found_where_the_index_finds_them(text: str) -> None:
    # ASCII runs go through a regular expression, the rest a character at a time.
    assert word_spans(text) == _words_one_character_at_a_time(text)


def test_folding_lowers_and_takes_accents_off() -> None:
    assert [fold(w) for w in ("Kubernetes", "MÜLLER", "Émile", "x_Y")] == [
        "kubernetes",
        "muller",
        "emile",
        "x_y",
    ]


SNIPPET_PIECES = ["Retro", "retros", "RUST", "rust3", "a", "b", "k8s", " ", "-", "/", "'"]
SNIPPET_PIECES += [" · ", "…", "é", "ü"]  # beyond ASCII: between words, and in them


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(st.sampled_from(SNIPPET_PIECES)).map("".join),
    typed=st.sampled_from(["retro*", "rust", "a/b", "rust -retros", '"rust a"', "k8s ret*", "Müller ru*"]),
)
def test_ascii_snippets_are_marked_as_word_by_word(text: str, typed: str) -> None:
    # A snippet whose words are ASCII is marked by one regular expression (what is beyond ASCII
    # only separates its words, as PostgreSQL's " · "); any other, a word at a time.
    query = parse(typed)
    assert mark_words(text, query) == marks_word_by_word(text, *_looked_for(query))


@pytest.mark.parametrize(
    ("snippet", "text", "marks"),
    [
        ("plain", "plain", ()),
        ("a\x02b\x03c", "abc", ((1, 2),)),
        ("\x02\x03x", "x", ()),  # around nothing: no mark
        ("\x02ab", "ab", ()),  # a START without its STOP
        ("x\x03y", "xy", ()),
        ("\x02a\x02b\x03", "ab", ((1, 2),)),
        ("\x02a\x03\x03b\x02c\x03", "abc", ((0, 1), (2, 3))),
        ("l1\nl2 \x02w\x03", "l1 l2 w", ((6, 7),)),
        ("\x03\x02a\x03 \x02\x02b\x03\x02", "a b", ((0, 1), (2, 3))),
    ],
)
def test_a_snippet_s_marks_are_the_spans_between_start_and_stop(
    snippet: str, text: str, marks: tuple
) -> None:
    # What the engines' snippets hold, odd ones too: every START and STOP goes, each pair
    # around something marks it (one regular expression, where each piece was split and
    # partitioned: the same answers on 200,000 random snippets).
    assert marked(snippet) == (text, marks)


def test_a_beginning_of_one_letter_is_refused_with_the_reason():
    """'r*' was looked for as the word 'r', without a word about why."""
    for typing in (False, True):
        with pytest.raises(InvalidInput, match=r"a beginning needs at least 2 letters"):
            parse("r*", typing=typing)
        with pytest.raises(InvalidInput, match=r"a beginning needs at least 2 letters"):
            parse('-rust "b*"', typing=typing)
    assert parse("ru*").terms[0].prefix
    assert [t.words for t in parse("a* bo*").terms] == [("a",), ("bo",)]  # beside a word: a word

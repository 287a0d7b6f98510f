"""The digest's two renderings stay byte for byte what they were: a digest touching every
branch (held or not, with or without presenters, web links and files, markup in every field,
one circle or a topic) against the Markdown and HTML kept in tests/fixtures/digest/."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from circles.digest import Digest, DigestItem, DigestMaterial, DigestSession, to_html, to_markdown
from models.enums import MaterialKind

FIXTURES = Path(__file__).parent / "fixtures" / "digest"
ODD = "<b>*Bold*</b> & [link](x) `code` _under_ | pipe ~strike~ #tag!"


def _session(n: int, **changes: object) -> DigestSession:
    base: dict[str, object] = {
        "circle": f"Circle {n} {ODD}",
        "starts_at": datetime(2026, 3, n, 12, 30),
        "title": f"Talk {n}: {ODD}",
        "held": True,
        "presenters": ("Ana Lima", "Bo <Chen>"),
        "agenda": (
            DigestItem("Welcome", None, 5),
            DigestItem(f"The  borrow\nchecker {ODD}", "Bo <Chen>", 40),
            DigestItem("- Questions", "Ana", None),
            DigestItem("1. Wrap-up", None, None),
        ),
        "topics": ("Rust", f"Memory {ODD}"),
        "takeaways": (f"Moves are cheap {ODD}", "+ more\tthan one line\nhere", "> quoted"),
        "materials": (
            DigestMaterial(
                MaterialKind.READING, f"The book {ODD}", "https://doc.rust-lang.org/book/?a=1&b=<2>", None
            ),
            DigestMaterial(MaterialKind.SLIDES, "Grace's slides", None, "slides/grace/deck <1>.pdf"),
            DigestMaterial(MaterialKind.READING, f"Plain {ODD}", "https://example.org/a_b*c?x=1&y=(2)", None),
            DigestMaterial(MaterialKind.CODE, "An FTP site", "ftp://example.org/x", None),
            DigestMaterial(MaterialKind.OTHER, "Nothing", None, None),
            DigestMaterial(MaterialKind.RECORDING, "Recording", "HTTPS://example.org/a'b\"c", None),
        ),
        "came": 12,
        "said_yes": 14,
    }
    base.update(changes)
    return DigestSession(**base)  # type: ignore[arg-type]


SESSIONS = (
    _session(5),
    _session(12, held=False, presenters=(), came=0, said_yes=3, title=""),
    _session(19, said_yes=0, agenda=(), topics=(), takeaways=(), materials=()),
    _session(26, came=1, said_yes=1, presenters=("Solo",)),
)

DIGESTS = {
    "circle": Digest(
        title=f"Rust Lunch {ODD}",
        about=f"Lunch talks;\nask ana@example.org {ODD}",
        since=date(2026, 3, 1),
        until=date(2026, 3, 31),
        sessions=SESSIONS,
        by_topic=False,
    ),
    "topic": Digest(
        title="Topic: rust",
        about="",
        since=date(2026, 3, 1),
        until=date(2026, 3, 31),
        sessions=SESSIONS,
        by_topic=True,
    ),
    "empty": Digest(
        title="Quiet circle",
        about="",
        since=date(2025, 1, 1),
        until=date(2025, 1, 31),
        sessions=(),
        by_topic=False,
    ),
}


@pytest.mark.parametrize("name", sorted(DIGESTS))
@pytest.mark.parametrize(("render", "suffix"), [(to_markdown, "md"), (to_html, "html")])
def test_each_rendering_is_what_it_was(name, render, suffix):
    expected = (FIXTURES / f"{name}.{suffix}").read_text(encoding="utf-8")
    assert render(DIGESTS[name]) == expected


def _no_sessions(
    title: str, about: str = "", since: date = date(2026, 3, 1), until: date = date(2026, 3, 31)
) -> Digest:
    return Digest(title=title, about=about, since=since, until=until, sessions=(), by_topic=False)


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_a_digest_of_one_day_names_the_day_once(render):
    # This month's digest on its first day: "Tue 01 Dec 2026 to Tue 01 Dec 2026" said it twice.
    text = render(_no_sessions("Rust Lunch", since=date(2026, 12, 1), until=date(2026, 12, 1)))
    assert "Tue 01 Dec 2026" in text and " to Tue 01 Dec 2026" not in text


# Titles a facilitator types, each with what a Markdown reader might take for markup.
TYPED = (
    "Q&A",
    "Fish &amp; chips, &#123; and &copy;",
    "#hashtags and C#",
    "Wrap-up ##",
    "Hi! ![not an image](x.png)",
    "*bold* _under_ `code` <b>tag</b> [link](x) | pipe ~strike~ \\ backslash",
    "1. First",
    "- Dash",
    "> Quoted",
    "+ Plus",
)


def _read_back(markdown: str) -> list[tuple[str, set[str]]]:
    """Each heading's and paragraph's text as a CommonMark reader (with tables and
    strikethrough, as GitHub reads it) shows it, and the kinds of what it read there."""
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown)
    return [
        (
            "".join(child.content for child in token.children or ()),
            {child.type for child in token.children or ()},
        )
        for token in tokens
        if token.type == "inline"
    ]


@pytest.mark.parametrize("typed", TYPED)
def test_the_markdown_reads_back_as_typed(typed):
    title, _period, about, *_ = _read_back(to_markdown(_no_sessions(typed, about=typed)))
    assert title == about == (typed, {"text"})  # as typed, and no markup of any kind


def test_an_ampersand_is_escaped_only_where_it_starts_an_entity():
    # Every demo digest read "Q\\&A" to anyone opening the file as text.
    lines = to_markdown(_no_sessions("Q&A", about="&amp;")).splitlines()
    assert (lines[0], lines[4]) == ("# Q&A", "\\&amp;")  # the title, then the about line

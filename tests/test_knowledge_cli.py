"""The knowledge commands end to end, in a real subprocess, as the issue spells them."""

from __future__ import annotations

import pytest


def _one_line_error(result, *words: str) -> None:
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    for w in words:
        assert w in result.stderr


@pytest.mark.slow
def test_materials_takeaways_topics_search_experts_and_a_digest(cli, tmp_path):
    cli("person", "add", "Ana Lima", "--email", "ana@example.org")
    cli("circle", "add", "Rust Lunch", "--kind", "lunch-and-learn", "--tz", "Europe/Berlin")
    cli("session", "add", "Rust Lunch", "--at", "2026-01-13 12:00", "--title", "Ownership", "--held")
    cli("agenda", "add", "1", "The borrow checker", "--presenter", "ana@example.org")
    slides = tmp_path / "slides.key"
    slides.write_text("x")

    assert (
        "Added reading 1 to session 1: The Rust book."
        in cli("material", "add", "1", "https://doc.rust-lang.org/book/", "--title", "The Rust book").stdout
    )
    cli("material", "add", "1", str(slides), "--kind", "slides")
    _one_line_error(
        cli("material", "add", "1", "ftp://example.org/x", ok=False), "link 'ftp://example.org/x'"
    )
    _one_line_error(
        cli("material", "add", "1", "/no/such/file.pdf", ok=False),
        "file '/no/such/file.pdf'",
        "does not exist",
    )
    assert cli("material", "add", "1", "x", "--kind", "podcast", ok=False).returncode == 2
    listed = cli.json("material", "list", "1")
    assert [(m["kind"], m["title"], m["url"], m["path"]) for m in listed] == [
        ("reading", "The Rust book", "https://doc.rust-lang.org/book/", None),
        ("slides", "slides.key", None, str(slides)),
    ]

    cli("takeaway", "add", "1", "Moves are cheap; clones are explicit")
    assert [t["text"] for t in cli.json("takeaway", "list", "1")] == ["Moves are cheap; clones are explicit"]
    assert (
        "Topics of session 1: memory safety, Rust."
        in cli("topic", "add", "1", "Rust", "memory safety").stdout
    )
    assert (
        "Topics of agenda item 1: Lifetimes." in cli("topic", "add", "--agenda-item", "1", "Lifetimes").stdout
    )
    assert cli("topic", "add", "rust", ok=False).returncode == 2

    hits = cli.json("search", "clones")
    assert [(h["kind"], h["id"], h["title"]) for h in hits] == [
        ("takeaway", 1, "Moves are cheap; clones are explicit")
    ]
    assert {"kind", "id", "title", "snippet", "rank"} <= set(hits[0])
    assert [h["kind"] for h in cli.json("search", "lifetimes")] == ["agenda_item"]
    _one_line_error(cli("search", '"-*', ok=False), "search '\"-*' has no word to look for.")
    assert "Nothing found for 'zebra'." in cli("search", "zebra").stdout
    # Of several words, which found nothing; or that each did, only not together.
    assert (
        "Nothing found for 'clones zebra': nothing here has 'zebra'."
        in cli("search", "clones", "zebra").stdout
    )
    apart = "Nothing found for 'clones lifetimes': each word is found, but not all together"
    assert apart in cli("search", "clones", "lifetimes").stdout

    (expert,) = cli.json("experts", "RUST")
    assert (expert["name"], expert["talks"]) == ("Ana Lima", 1)
    assert expert["evidence"].startswith("1 talk on Rust, latest 13 Jan")

    page = tmp_path / "digest.html"
    out = cli(
        "digest",
        "Rust Lunch",
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-31",
        "--no-names",
        "-o",
        str(page),
    )
    assert f"Wrote 1 session to {page}." in out.stdout
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Ana Lima" not in html and "ana@example.org" not in html
    md = cli("digest", "--topic", "rust", "--since", "2026-01-01", "--until", "2026-01-31", "-o", "-").stdout
    assert md.startswith("# Topic: Rust") and "presented by Ana Lima" in md
    _one_line_error(
        cli("digest", "Rust Lunch", "--since", "2026-13-01", "-o", str(tmp_path / "x.md"), ok=False),
        "since '2026-13-01'",
    )
    _one_line_error(cli("digest", "Rust Lunch", "-o", str(page), ok=False), "already exists; pass --force")
    assert cli("digest", "-o", "x.md", ok=False).returncode == 2


@pytest.mark.parametrize("first", ["\u00b2", "Rust", "0"])
def test_topic_add_asks_for_a_session_id_first(cli, first):
    """'²' is a digit to str.isdigit() and not to int(): it ended in 'Something went wrong'."""
    result = cli("topic", "add", first, "Rust", ok=False)
    assert result.returncode == 2
    assert f"give a session id first (or --agenda-item ID), not {first!r}" in result.stderr

"""circles search QUERY, circles experts TOPIC: find what sessions taught, and who knows it."""

from __future__ import annotations

import sys

import click

from circles.cli.common import json_option, print_json, print_table, reading
from circles.cli.flags import Command


def _shown(text: str, marks: tuple[tuple[int, int], ...], styled: bool) -> str:
    """A snippet with its matched words in bold on a terminal (plain when piped)."""
    if not styled:
        return text
    out, last = [], 0
    for start, end in marks:
        out += [text[last:start], click.style(text[start:end], bold=True)]
        last = end
    return "".join([*out, text[last:]])


# Several words are one query (no quotes needed), and "-word" is a word to leave out, not an
# option of ours: an unknown option is handed to QUERY as it was typed.
@click.command(cls=Command, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@click.option(
    "--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="At most this many."
)
@json_option
def search(words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search circles, people, sessions and their notes, agenda items, materials, takeaways, topics
    and the lines people learned (feedback, without their authors).

    Every word must be found (any case, accents ignored); "a phrase" in quotes; word* for any
    word starting so; -word leaves out what has it.
    """
    typo = next((w for w in words if w.startswith("--")), None)
    if typo is not None:  # a mistyped option, not something to look for
        raise click.UsageError(f"No such option: {typo} (search takes --limit and --json).")
    query = " ".join(words)
    from circles.search_query import parse
    from circles.services import search as finder

    parse(query)  # a query with nothing to look for is refused before the store opens
    with reading() as db:
        hits = finder.search(db, query, limit=limit)
        nothing = "" if hits or as_json else finder.nothing_found(db, query)
    if as_json:
        print_json(hits)
        return
    styled = sys.stdout.isatty()
    rows = [
        (
            finder.KIND_LABELS[h.kind],
            h.id,
            h.title[:50],
            h.where,
            f"+{h.more}" if h.more else "",
            _shown(h.snippet, h.marks, styled),
        )
        for h in hits
    ]
    # "more": other things found in the same session (its materials, takeaways...), one row.
    print_table(["kind", "id", "title", "where", "more", "found"], rows, empty=nothing)


@click.command(cls=Command)
@click.argument("topic")
@click.option(
    "--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="At most this many."
)
@json_option
def experts(topic: str, limit: int, as_json: bool) -> None:
    """Who knows TOPIC: people ranked by their talks on it (recent ones count more), the
    takeaways those left and their offers to mentor on it, with the evidence."""
    from circles.services import experts as finder

    finder.require_topic(topic)
    with reading() as db:
        found = finder.find_experts(db, topic, limit=limit)
    if as_json:
        print_json(found)
        return
    rows = [(n, e.name, e.email or "", f"{e.score:.2f}", e.evidence) for n, e in enumerate(found, start=1)]
    nobody = f"Nobody has presented on {topic!r} or offers to mentor on it yet."
    print_table(["#", "name", "e-mail", "score", "evidence"], rows, empty=nobody)

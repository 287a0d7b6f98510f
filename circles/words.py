"""How counts are worded, the same on every screen and in the CLI: '1 member', '2 members'."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one: count(1, "member") is '1 member',
    count(3, "held session") '3 held sessions', count(2, "person", "people") '2 people'.
    Thousands are grouped (10,005 people)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"

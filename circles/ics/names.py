"""File names a person recognises: 'rust-lunch-2027-03-23.ics', 'rust-lunch-ana-lopez.ics'."""

from __future__ import annotations

import re
from datetime import date

from circles.folding import folded


def slug(text: str) -> str:
    """A file-name part: 'Ana López' -> 'ana-lopez'; letters of any script are kept."""
    return re.sub(r"[\W_]+", "-", folded(text)).strip("-")[:60].strip("-")


def session_stem(circle_name: str, day: date) -> str:
    return f"{slug(circle_name) or 'circle'}-{day.isoformat()}"


def circle_stem(circle_name: str, *, recurring: bool = False) -> str:
    return f"{slug(circle_name) or 'circle'}{'-series' if recurring else ''}"


def person_stem(base: str, person_name: str, person_id: int) -> str:
    return f"{base}-{slug(person_name) or f'person-{person_id}'}"


def pair_stem(programme_name: str, pair_id: int) -> str:
    return f"{slug(programme_name) or 'programme'}-pair-{pair_id}"

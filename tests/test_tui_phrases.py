"""A screen's summary line breaks between its phrases, never inside one ("RSVP 7" at the end
of a line and "yes" at the start of the next was seen at 80 columns and in a browser)."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from circles.app import CirclesApp
from screens.phrases import GAP, PhraseLine, broken
from screens.session import SessionScreen
from tests.delivery_world import make_world
from tests.tui_support import settle


def test_phrases_fill_a_line_and_break_between_them() -> None:
    phrases = [
        "Rust Lunch",
        "Tue 08 Dec 2026 12:00 (Europe/Berlin), 60 min",
        "scheduled",
        "RSVP 7 yes · 1 maybe",
    ]
    assert broken(phrases, 200) == GAP.join(phrases)
    assert broken(phrases, 60).splitlines() == [
        "Rust Lunch · Tue 08 Dec 2026 12:00 (Europe/Berlin), 60 min",
        "scheduled · RSVP 7 yes · 1 maybe",
    ]
    # A phrase wider than the line has one of its own (the widget folds it like any text).
    assert broken(["a", "x" * 30, "b"], 10).splitlines() == ["a", "x" * 30, "b"]


def drawn(widget: PhraseLine) -> list[str]:
    width, height = widget.size
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))]


@pytest.mark.parametrize("width", [50, 60, 80])
async def test_the_session_summary_keeps_each_phrase_on_one_line(memory_store, width: int) -> None:
    w = make_world(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        app.open_session(w.sessions[0].id)
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
        summary = app.screen.query_one("#session-summary", PhraseLine)
        phrases = str(summary.render()).split(GAP)
        lines = drawn(summary)
        assert len(lines) > 1, lines  # else this width tests nothing
        for line in lines:
            assert all(part in phrases for part in line.strip().split(GAP)), lines

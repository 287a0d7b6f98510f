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


async def test_lines_of_phrases_each_break_between_their_own() -> None:
    # A pair's summary: its people on the first line(s), since when on the next, why on the
    # last. At 80 columns "Lars Diaz (mentee)" ended a line and his address began the next.
    from textual.app import App, ComposeResult

    people = ["Hana Costa (mentor) <hana.costa@example.org>", "Lars Diaz (mentee) <lars.diaz@example.org>"]

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield PhraseLine("")

    app = One()
    async with app.run_test(size=(60, 10)) as pilot:
        line = app.query_one(PhraseLine)
        line.show_lines(people, ["Since 02 Sep 2026 (round 1)", "active", None, "6 meetings logged"])
        await pilot.pause()
        assert drawn(line) == [*people, "Since 02 Sep 2026 (round 1) · active · 6 meetings logged"]
        assert str(line.render()).splitlines()[0] == GAP.join(people)

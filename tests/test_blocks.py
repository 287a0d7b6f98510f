"""The Organisation screen's trends (screens/blocks.py): rendered once for a width and its blocks,
not once to learn the height and again to draw; drawn again for new blocks or another theme, and
laid out again only when the number of lines changes."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from screens.blocks import Block, Blocks

TREND: list[Block] = [
    ("Participation per month", [40.0, 60.0, 55.0], "2026-09 … 2026-11"),
    ("By circle", None, ""),
]


class Trends(App[None]):
    def compose(self) -> ComposeResult:
        yield Blocks(TREND)


async def test_the_blocks_are_rendered_once_and_again_only_when_they_change(monkeypatch) -> None:
    built: list[int] = []
    renderable = Blocks._draw

    def counted(self: Blocks, *args: Any) -> Any:
        built.append(1)
        return renderable(self, *args)

    monkeypatch.setattr(Blocks, "_draw", counted)
    app = Trends()
    async with app.run_test(size=(80, 20)) as pilot:
        blocks = app.query_one(Blocks)
        await pilot.pause()
        assert blocks.size.height == 7  # a heading, three sparkline lines, the axis; a space, a heading
        assert len(built) == 1
        lines = [blocks.render_line(y).text for y in range(blocks.size.height)]
        assert lines[0].startswith("Participation per month") and lines[4].startswith("2026-09")

        layouts: list[bool] = []
        refresh = Blocks.refresh
        monkeypatch.setattr(
            Blocks,
            "refresh",
            lambda self, *a, layout=False, **k: (
                layouts.append(layout) or refresh(self, *a, layout=layout, **k)
            ),
        )
        blocks.show(
            [("Participation per month", [70.0, 50.0, 65.0], "2026-09 … 2026-11"), ("By circle", None, "")]
        )
        await pilot.pause()
        assert layouts and not any(layouts) and blocks.size.height == 7
        layouts.clear()
        blocks.show([*blocks.blocks, ("RSVP to attendance", None, "yes 84%\nno 5%")])
        await pilot.pause()
        assert layouts[0] and blocks.size.height == 11

        built.clear()
        app.theme = "textual-light"
        await pilot.pause()
        assert len(built) == 1  # the colours of another theme


def test_a_sparkline_draws_the_cells_textual_s_sparkline_draws() -> None:
    """The sparkline is drawn by screens/blocks.py (once per column, a segment per run of one
    style), cell for cell as Textual's Sparkline renderable, which the trends used."""
    from rich.color import Color
    from rich.console import Console
    from rich.segment import Segment
    from rich.style import Style
    from textual.renderables.sparkline import Sparkline
    from textual.strip import Strip

    from screens.blocks import sparkline

    low, high, base = Color.parse("#203040"), Color.parse("#80c0ff"), Style(bgcolor="#101010")
    console = Console(width=200, file=None, color_system="truecolor", legacy_windows=False)

    def cells(segments: list[Segment]) -> list[tuple[str, Style]]:
        return [(ch, segment.style or Style()) for segment in segments for ch in segment.text]

    shapes = [
        [],
        [5.0],
        [1.0, 2.0],
        [3.0, 3.0, 3.0],
        [40.0, 60.0, 55.0, 0.0],
        [float(n % 7) for n in range(90)],
    ]
    for data in shapes:
        for width in (1, 7, 40, 118):
            for height in (1, 3, 4):
                theirs = console.render_lines(
                    Sparkline(data, width=None, height=height, min_color=low, max_color=high),
                    console.options.update(width=width, height=height),
                    pad=False,
                )
                # As the trends drew Textual's lines: in the widget's style, padded to the width.
                expected = [
                    cells(list(Strip(Segment.apply_style(line, base)).adjust_cell_length(width, base)))
                    for line in theirs
                ]
                ours = [cells(list(strip)) for strip in sparkline(data, width, height, low, high, base)]
                assert [[ch for ch, _ in line] for line in ours] == [
                    [ch for ch, _ in line] for line in expected
                ]
                assert ours == expected, (data, width, height)

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
    renderable = Blocks._renderable

    def counted(self: Blocks, *args: Any) -> Any:
        built.append(1)
        return renderable(self, *args)

    monkeypatch.setattr(Blocks, "_renderable", counted)
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

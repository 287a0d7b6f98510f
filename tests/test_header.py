"""The header at the top of every screen (screens/header.py), one widget drawn by itself, against
Textual's Header (four widgets) in the same app at the same size: the same picture, cell for cell
and colour for colour (the SVG a screenshot takes, which the snapshot tests compare), and the same
answers to the mouse."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header as TextualHeader
from textual.widgets import Tooltip

import screens
from screens.header import Header
from screens.table import shortened_in_middle
from tests.tui_support import screen_text, until

LONG = "Quarterly review of the mentoring programme for new facilitators in three regions"
TITLES = [("circles", ""), ("Rust Lunch", "Learning circle"), (LONG, "Mentoring · archived")]


class Titled(App[None]):
    def __init__(self, header: type[Widget], title: str, sub_title: str) -> None:
        super().__init__()
        self.header = header
        self.title = title
        self.sub_title = sub_title

    def compose(self) -> ComposeResult:
        yield self.header()


async def picture(
    header: type[Widget],
    size: tuple[int, int],
    title: str = "circles",
    sub_title: str = "",
    *,
    tall: bool = False,
    hover: tuple[int, int] | None = None,
) -> tuple[str, str, list[str]]:
    """What the terminal shows (text, then the screenshot's SVG) and the tooltips shown."""
    app = Titled(header, title, sub_title)
    async with app.run_test(size=size, tooltips=True) as pilot:
        await pilot.pause()
        if tall:
            app.query_one(header).toggle_class("-tall")
            await pilot.pause()
        if hover is not None:
            await pilot.hover(offset=hover)
            await pilot.pause(app.TOOLTIP_DELAY + 0.2)
        tooltips = [str(t.render()) for t in app.screen.query(Tooltip) if t.display]
        return screen_text(app), app.export_screenshot(simplify=True), tooltips


@pytest.mark.parametrize("tall", [False, True], ids=["one-line", "tall"])
@pytest.mark.parametrize("title, sub_title", TITLES, ids=["app-title", "sub-title", "long"])
@pytest.mark.parametrize("width", [120, 80, 40, 19, 14, 5])
async def test_the_line_is_textuals_cell_for_cell(width, title, sub_title, tall):
    # Widths 19 and under: a title of one cell, then none, then the clock's room over the icon.
    size = (width, 5)
    # Ours shortens a sub-title too long in its middle (its end says which): Textual's, given
    # the sub-title so shortened, draws the same line.
    room = width - 18 - len(title) - len(" — ")  # (less the icon's 8 cells and the clock's 10)
    if sub_title and len(sub_title) > room:
        sub_title_shown = shortened_in_middle(sub_title, room) or sub_title
    else:
        sub_title_shown = sub_title
    theirs = await picture(TextualHeader, size, title, sub_title_shown, tall=tall)
    ours = await picture(Header, size, title, sub_title, tall=tall)
    assert ours[0] == theirs[0]  # the text first: a readable difference
    assert ours[1] == theirs[1]  # then every colour (and how the line is split into runs)


async def test_a_long_title_is_centred_then_cut_with_an_ellipsis():
    text, _, _ = await picture(Header, (40, 3), LONG, "Mentoring")
    # 40 cells less the icon's 8 and the clock's 10: 22 for the title.
    assert text.splitlines()[0].rstrip() == " ⭘      Quarterly review of t…"
    text, _, _ = await picture(Header, (60, 3), "Rust Lunch", "Learning circle")
    before, title, after = text.splitlines()[0][8:50].partition("Rust Lunch — Learning circle")
    assert title and abs(len(before) - len(after)) <= 1


@pytest.mark.parametrize(
    "at, tall, tip",
    [((3, 0), False, True), ((7, 2), True, True), ((8, 0), False, False), ((40, 0), False, False)],
    ids=["icon", "icon-tall", "just-right-of-icon", "title"],
)
async def test_the_icon_is_lit_and_explained_under_the_mouse_as_textuals(at, tall, tip):
    theirs = await picture(TextualHeader, (80, 8), tall=tall, hover=at)
    ours = await picture(Header, (80, 8), tall=tall, hover=at)
    assert ours[1] == theirs[1]
    assert ours[2] == theirs[2] == (["Open the command palette"] if tip else [])


class Retitled(Screen[None]):
    """As the circle, session and person screens: the title comes with the data, after mounting."""

    def __init__(self, header: type[Widget]) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header()


async def retitled(header: type[Widget]) -> list[tuple[str, str]]:
    """The pictures as the screen opens, then as its title, its sub-title come and go."""
    app = Titled(header, "circles", "")
    screen = Retitled(header)
    pictures = []
    async with app.run_test(size=(80, 3)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        pictures.append((screen_text(app), app.export_screenshot(simplify=True)))
        came = [("title", "Rust Lunch"), ("sub_title", "Learning circle")]
        for name, value in [*came, ("sub_title", None), ("title", None)]:  # None: the app's again
            setattr(screen, name, value)
            await pilot.pause()
            pictures.append((screen_text(app), app.export_screenshot(simplify=True)))
    return pictures


async def test_a_screen_retitled_once_its_data_came_is_redrawn():
    ours = await retitled(Header)
    lines = [text.splitlines()[0].split() for text, _ in ours]
    assert lines == [
        ["⭘", "circles"],
        ["⭘", "Rust", "Lunch"],
        ["⭘", "Rust", "Lunch", "—", "Learning", "circle"],
        ["⭘", "Rust", "Lunch"],
        ["⭘", "circles"],
    ]
    assert ours == await retitled(TextualHeader)


async def test_clicking_the_icon_opens_the_command_palette_and_elsewhere_makes_it_tall():
    app = Titled(Header, "circles", "")
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        header = app.query_one(Header)
        await pilot.click(Header, offset=(40, 0))
        await pilot.pause()
        assert header.size.height == 3
        assert screen_text(app).splitlines()[0].strip() == "circles"  # the title stays on top
        assert screen_text(app).splitlines()[1].strip() == "⭘"  # the icon in the middle
        await pilot.click(Header, offset=(40, 2))
        await pilot.pause()
        assert header.size.height == 1
        await pilot.click(Header, offset=(2, 0))
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert header.size.height == 1  # the icon's click is the palette's only


def test_every_screen_draws_this_header_not_textuals():
    modules = [importlib.import_module(f"screens.{m.name}") for m in pkgutil.iter_modules(screens.__path__)]
    using = [m.__name__ for m in modules if getattr(m, "Header", None) is Header]
    assert len(using) >= 15
    assert not [m.__name__ for m in modules if getattr(m, "Header", None) is TextualHeader]

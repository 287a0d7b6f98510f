"""The key bar drawn as one widget (screens/footer.py) looks as Textual's Footer, one widget per
key, looked for the same keys, cell for cell and colour for colour, in the roomy and the compact
style and with keys dropped; and it does what those keys did: a press of the mouse on a key runs
it, on a disabled one rings the bell, the key under the mouse is highlighted and tells its
tooltip."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Footer as TextualFooter
from textual.widgets import Static

from screens.footer import Footer
from screens.textual_internals import screen_lines

KEYS = [
    Binding("question_mark", "help", "Help", tooltip="Every key on this screen"),
    Binding("escape", "back", "Back"),
    Binding("n", "new", "New circle", tooltip="Start a circle"),
    Binding("d", "demo", "Load demo data"),  # disabled: check_action says so
    Binding("p", "people", "People"),
]


class Keys(App[None]):
    """A screen with the keys ``shown`` of KEYS (``d`` disabled) over Textual's footer or ours."""

    BINDINGS = KEYS

    def __init__(self, shown: list[Binding] = KEYS, *, textual: bool = False, compact: bool = False) -> None:
        super().__init__()
        self.shown = {binding.action for binding in shown}
        self.textual = textual
        self.compact = compact
        self.ran: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Static("above")
        yield TextualFooter(compact=self.compact) if self.textual else Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {b.action for b in KEYS} and action not in self.shown:
            return False  # not in the footer at all
        return None if action == "demo" else True

    def bell(self) -> None:
        self.bells += 1

    def action_new(self) -> None:
        self.ran.append("new")

    def action_people(self) -> None:
        self.ran.append("people")


def cells(line: list[Segment]) -> list[tuple[str, Style]]:
    return [(char, segment.style or Style()) for segment in line for char in segment.text]


async def bottom_line(app: Keys, width: int, hover: int | None = None) -> list[Segment]:
    async with app.run_test(size=(width, 4)) as pilot:
        for _ in range(3):  # Textual's footer shows its keys a frame or two after the first
            await pilot.pause()
        if hover is not None:
            await pilot.hover(Static, offset=(0, 0))
            await pilot.hover("Footer", offset=(hover, 0))
            for _ in range(3):
                await pilot.pause()
        return screen_lines(app)[-1]


@pytest.mark.parametrize(
    ("width", "compact", "shown"),
    [
        (100, False, KEYS),  # roomy: every key padded
        (70, True, KEYS),  # compact: no room for the padding
        (44, True, KEYS[:3]),  # the last keys dropped: "d" and "p"
        (30, True, KEYS[:2]),  # Help and Back only
    ],
    ids=["roomy", "compact", "dropped", "essential"],
)
async def test_the_row_is_textuals_cell_for_cell(width: int, compact: bool, shown: list[Binding]) -> None:
    line = await bottom_line(Keys(), width)
    theirs = await bottom_line(Keys(shown, textual=True, compact=compact), width)
    assert cells(line) == cells(theirs)
    assert line == theirs  # in the same runs too: the same picture, down to the SVG
    assert "Help" in "".join(s.text for s in line)


@pytest.mark.parametrize("theme", ["textual-light", "ansi-dark", "nord", "solarized-light"])
async def test_the_row_is_textuals_in_other_themes(theme: str) -> None:
    lines = []
    for app in (Keys(), Keys(textual=True)):
        app.theme = theme
        lines.append(cells(await bottom_line(app, 100)))
    assert lines[0] == lines[1]


@pytest.mark.parametrize(
    ("width", "compact", "at"), [(100, False, 20), (70, True, 20), (100, False, 35), (100, False, 95)]
)
async def test_the_key_under_the_mouse_is_highlighted_as_textuals(width: int, compact: bool, at: int) -> None:
    """On "New circle", on the disabled "Load demo data" and on the command palette's key."""
    ours = await bottom_line(Keys(), width, hover=at)
    theirs = await bottom_line(Keys(textual=True, compact=compact), width, hover=at)
    assert cells(ours) == cells(theirs)
    plain = await bottom_line(Keys(), width)
    assert cells(ours) != cells(plain)


async def test_a_press_on_a_key_runs_it_and_on_a_disabled_one_rings_the_bell() -> None:
    app = Keys()
    async with app.run_test(size=(100, 4)) as pilot:
        await pilot.pause()
        text = "".join(s.text for s in screen_lines(app)[-1])
        await pilot.click(Footer, offset=(text.index("New circle"), 0))
        await pilot.click(Footer, offset=(text.index(" p ") + 1, 0))
        await pilot.pause()
        assert app.ran == ["new", "people"] and app.bells == 0
        await pilot.click(Footer, offset=(text.index("Load demo"), 0))
        await pilot.pause()
        assert app.bells == 1 and app.ran == ["new", "people"]
        await pilot.click(Footer, offset=(text.index("▏") - 2, 0))  # between the keys and the palette
        await pilot.pause()
        assert app.bells == 1 and app.ran == ["new", "people"]


async def test_a_press_on_the_palettes_key_opens_the_palette() -> None:
    app = Keys()
    async with app.run_test(size=(100, 4)) as pilot:
        await pilot.pause()
        await pilot.click(Footer, offset=(97, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_the_key_under_the_mouse_tells_its_tooltip() -> None:
    app = Keys()
    app.TOOLTIP_DELAY = 0.01
    async with app.run_test(size=(100, 4), tooltips=True) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        text = "".join(s.text for s in screen_lines(app)[-1])
        await pilot.hover(Footer, offset=(text.index("New circle"), 0))
        await pilot.pause(0.1)
        tooltip = app.screen.query_one("#textual-tooltip", Static)
        assert footer.tooltip == "Start a circle"
        # What Textual's tooltip shows (under Pilot it is hidden again at once, as it was over a
        # FooterKey: Pilot's hover is two moves).
        assert "Start a circle" in str(tooltip.render())
        await pilot.hover(Footer, offset=(text.index("Help"), 0))
        await pilot.pause(0.1)
        assert footer.tooltip == "Every key on this screen"
        assert "Every key" in str(tooltip.render())
        await pilot.hover(Footer, offset=(text.index("▏") - 2, 0))  # between keys: none
        await pilot.pause(0.1)
        assert footer.tooltip is None


async def test_the_keys_are_read_again_only_when_the_bindings_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hover draws the row again, from the keys already read; a change of bindings reads them."""
    fitted: list[int] = []
    fit = Footer._fit

    def counted(self: Footer, width: int):  # type: ignore[no-untyped-def]
        fitted.append(width)
        return fit(self, width)

    monkeypatch.setattr(Footer, "_fit", counted)
    app = Keys()
    async with app.run_test(size=(100, 4)) as pilot:
        await pilot.pause()
        read = len(fitted)
        for x in (20, 35, 50):
            await pilot.hover(Footer, offset=(x, 0))
            await pilot.pause()
        assert len(fitted) == read
        app.screen.refresh_bindings()
        await pilot.pause()
        assert len(fitted) == read + 1

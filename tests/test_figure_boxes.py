"""The figures' boxes (screens/figure_boxes.py): one widget for a dozen boxes, so what a box per
widget gave for free is tested here: Tab goes through the figures and then on, the arrows move
by box and by row, a click asks about the box clicked, and a value too long for its box wraps
in it (the row grows) rather than being cut."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Button, Static

from circles.success_views import RetentionAfter
from screens.figure_boxes import FigureBoxes, FigureName
from screens.organisation import retention_text

NAMES = [FigureName(f"f{n}", f"Figure {n}") for n in range(8)]  # a row of six, and two


class Boxes(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def compose(self) -> ComposeResult:
        yield Button("before", id="before")
        yield FigureBoxes(NAMES)
        yield Button("after", id="after")

    def on_figure_boxes_explain(self, event: FigureBoxes.Explain) -> None:
        self.asked.append(event.key)


def drawn(boxes: FigureBoxes) -> list[str]:
    return [s.text for s in boxes.render_lines(Region(0, 0, *boxes.outer_size))]


async def test_tab_goes_through_the_figures_then_on_and_back() -> None:
    app = Boxes()
    async with app.run_test(size=(120, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        await pilot.press("tab")  # from the first button
        assert app.focused is boxes and boxes.current == "f0"
        await pilot.press(*["tab"] * 7)
        assert app.focused is boxes and boxes.current == "f7"
        await pilot.press("tab")
        assert app.focused is app.query_one("#after")
        await pilot.press("shift+tab")
        assert app.focused is boxes and boxes.current == "f7"
        await pilot.press("up")  # a row up: the box above
        assert boxes.current == "f1"
        await pilot.press("left", "left")  # the first box: no further
        assert boxes.current == "f0"
        await pilot.press("shift+tab")
        assert app.focused is app.query_one("#before")


class InAPage(App[None]):
    """The boxes at the top of a page longer than the screen, as on Organisation."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield FigureBoxes(NAMES)
            yield Static("\n".join(f"line {n}" for n in range(40)))


async def test_an_arrow_with_no_box_to_go_to_scrolls_the_page() -> None:
    app = InAPage()
    async with app.run_test(size=(120, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        page = app.query_one(VerticalScroll)
        boxes.focus()
        await pilot.press("down")  # a row down: the box below
        assert boxes.current == "f6" and page.scroll_y == 0
        await pilot.press("down", "down")  # no row below: the page scrolls
        await pilot.pause()
        assert boxes.current == "f6" and page.scroll_y == 2
        await pilot.press("up")  # a row up: the page scrolls back to show it
        await pilot.pause()
        assert boxes.current == "f0" and page.scroll_y == 0
        page.scroll_to(y=3, animate=False, immediate=True)
        await pilot.press("up")  # no row above: the page scrolls
        await pilot.pause()
        assert boxes.current == "f0" and page.scroll_y == 2


async def test_the_page_scrolls_to_the_box_under_the_cursor() -> None:
    app = InAPage()
    async with app.run_test(size=(120, 8)) as pilot:  # two rows of boxes, five lines each
        boxes = app.query_one(FigureBoxes)
        page = app.query_one(VerticalScroll)
        boxes.focus()
        await pilot.pause()
        assert page.scroll_y == 0
        await pilot.press("down")  # the box below, whose row was below the screen
        await pilot.pause()
        assert boxes.current == "f6" and page.scroll_y == 2
        await pilot.press("up")
        await pilot.pause()
        assert boxes.current == "f0" and page.scroll_y == 0


class InAPageWithAButton(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield FigureBoxes(NAMES)
            yield Button("after", id="after")


async def test_shift_tab_back_to_the_boxes_shows_the_box_under_the_cursor() -> None:
    """Textual brings a widget that takes the focus into view from its top: coming back to the
    boxes on their last figure, its row below the screen, showed the first row and no cursor."""
    app = InAPageWithAButton()
    async with app.run_test(size=(120, 8)) as pilot:
        boxes = app.query_one(FigureBoxes)
        page = app.query_one(VerticalScroll)
        boxes.focus()
        await pilot.press(*["tab"] * 8)  # through the figures, on to the button
        await pilot.pause()
        assert app.focused is app.query_one("#after")
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is boxes and boxes.current == "f7"
        assert page.scroll_y == 2  # the second row in view, all five lines of it


async def test_question_mark_and_a_click_ask_about_the_box() -> None:
    app = Boxes()
    async with app.run_test(size=(120, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        boxes.focus()
        await pilot.press("right", "question_mark")
        assert app.asked == ["f1"]
        # The fourth box of the second row: the boxes are 19 cells wide and a space apart at 120
        # columns (a box's three lines, and its borders, a row).
        await pilot.click(FigureBoxes, offset=(1 * 20 + 5, 5 + 2))
        assert app.asked == ["f1", "f7"] and boxes.current == "f7"


async def test_a_long_value_wraps_in_its_box_and_the_row_grows() -> None:
    app = Boxes()
    async with app.run_test(size=(80, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        await pilot.pause()
        assert boxes.size.height == 10
        boxes.show({"f2": ("3m 80% 6m 75% 12m 60%", "1 of 2")})
        await pilot.pause()
        assert boxes.size.height == 11  # the first row a line higher, the second as it was
        lines = drawn(boxes)
        # 11 cells inside a box at 80 columns
        assert "│ 3m 80% 6m │" in lines[2] and "│75% 12m 60%│" in lines[3] and "1 of 2" in lines[4]
        assert all(len(line) == len(lines[0]) for line in lines)
        assert boxes.text("f2") == "Figure 2 ?\n3m 80% 6m 75% 12m 60%\n1 of 2"


async def test_a_value_joined_by_no_break_spaces_wraps_between_its_parts_only() -> None:
    # Organisation's retention at 80 columns read "3m 97% 6m" over "99%" (retention_text).
    app = Boxes()
    async with app.run_test(size=(80, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        await pilot.pause()
        boxes.show({"f2": retention_text([RetentionAfter(3, 165, 160), RetentionAfter(6, 158, 156)])})
        await pilot.pause()
        lines = [line.replace("\N{NO-BREAK SPACE}", " ") for line in drawn(boxes)]  # a space on screen
        assert "│  3m 97%   │" in lines[2] and "│  6m 99%   │" in lines[3], lines


class Padded(FigureBoxes):
    PADDING = 1


class PaddedBoxes(App[None]):
    def compose(self) -> ComposeResult:
        yield Padded([FigureName("came", "Attendances", "Came"), *NAMES[1:6]])


async def test_a_figure_is_said_with_the_name_its_box_shows() -> None:
    app = PaddedBoxes()
    async with app.run_test(size=(80, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        await pilot.pause()
        # 11 cells inside the first box's borders at 80 columns, 9 inside its padding as well:
        # "Attendances" does not fit, and its box says "Came".
        assert "│  Came ?   │" in drawn(boxes)[1]
        assert boxes.text("came").splitlines()[0] == "Came ?"


async def test_a_word_too_wide_for_its_box_takes_a_cell_from_a_box_that_can_spare_it() -> None:
    """At 71 columns each box is 11 cells wide, 9 inside: "programmes" was cut in two
    ("program" / "mes"). Its column takes a cell from one whose words are short."""
    app = Boxes()
    async with app.run_test(size=(71, 20)) as pilot:
        boxes = app.query_one(FigureBoxes)
        boxes.show({"f3": ("70", "4 programmes"), "f5": ("56%", "5 of 9")})
        await pilot.pause()
        lines = drawn(boxes)
        assert any("│programmes│" in line for line in lines)
        assert not any("│program" in line and "programmes" not in line for line in lines)
        assert all(len(line) == 71 for line in lines)  # the boxes still fill the row exactly
        assert boxes.text("f3") == "Figure 3 ?\n70\n4 programmes"

"""Opening the Organisation screen: drawn first with its figures and its list of circles (on a
slow store, shown with its list and laid out again only when the figures come), styled once,
its boxes not rewritten (nor the screen laid out again) before the figures come, its circles
table holding at first what its lines could show, and a period chosen while the first figures
are on their way is the one shown."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult

import screens.organisation
from circles.app import CirclesApp
from screens import opening
from screens.figure_boxes import FigureBoxes
from screens.organisation import OrganisationScreen
from screens.paged import AHEAD, PagedTable
from screens.textual_internals import on_each_frame, screen_text
from tests.test_tui_feedback import _held_session, _organisation
from tests.test_tui_opening import restyles
from tests.tui_support import settle, until

SIZE = (120, 40)


def _hold_first_figures(monkeypatch: Any) -> list[Callable[[], object]]:
    """The figures read before the screen is pushed arrive only when the caller lets them (it
    calls what the list holds), as on a slow store; the screen is shown without them first."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 0.01)
    held: list[Callable[[], object]] = []
    arrived = opening.ReadFirst._arrived

    def later(self: opening.ReadFirst, key: str, value: object) -> None:
        if key == "report":
            held.append(lambda: arrived(self, key, value))
        else:
            arrived(self, key, value)

    monkeypatch.setattr(opening.ReadFirst, "_arrived", later)
    return held


async def test_organisation_is_drawn_first_with_its_figures_and_its_circles(memory_store, clock, monkeypatch):
    """O on Home: every frame of the screen shows the figures and the list of circles. Pushed
    first and filled after, it drew six frames without them (empty boxes, the footer's keys, a
    layout each), and the processor they took was taken from the figures' read beside them."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)  # a loaded machine's reads may take their time
    circle, _, _ = _held_session(memory_store)
    app = CirclesApp(memory_store)
    drawn: list[tuple[bool, bool]] = []  # (figures shown, circles listed) in each frame

    def frame() -> None:
        screen = app.screen
        if isinstance(screen, OrganisationScreen):
            participation = screen.query_one(FigureBoxes).text("participation")
            drawn.append(("83%" in participation, screen.circles == [("Rust Lunch", circle.id)]))
            # As drawn, too: the figure in its box and the circle's row in the table (built while
            # the figures are read, a screen may hold rows its first frame does not show yet).
            text = screen_text(app)
            drawn.append(("83%" in text, "Rust Lunch" in text))

    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        assert drawn
        assert all(figures and circles for figures, circles in drawn), drawn


async def test_organisation_has_its_figures_focused_from_its_first_frame(memory_store, clock, monkeypatch):
    """The figures have the focus in every frame of the screen (? explains one at once). Left to
    Textual, its first two frames had the period's chooser focused (tinted, no box marked), and
    the focus moved to the figures only in the third: both choosers and the boxes drawn again."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    focused: list[str] = []

    def frame() -> None:
        if isinstance(app.screen, OrganisationScreen):
            focused.append(type(app.focused).__name__)

    on_each_frame(app, frame)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        assert focused
        assert set(focused) == {"FigureBoxes"}, focused


async def test_the_figures_boxes_keep_their_height_when_the_figures_come(memory_store, clock, monkeypatch):
    """The boxes are as high before the figures come as after (their name, then a line for the
    value and one for what it counts), so the figures coming lays nothing out again: a box made
    one line high, and rewritten three lines high, laid the whole screen out once more."""
    _held_session(memory_store)
    held = _hold_first_figures(monkeypatch)
    layouts: list[bool] = []
    refresh = FigureBoxes.refresh

    def counted(self: FigureBoxes, *args: Any, layout: bool = False, **kwargs: Any) -> Any:
        layouts.append(layout)
        return refresh(self, *args, layout=layout, **kwargs)

    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot, also=lambda: bool(held))
        await settle(app, pilot)
        boxes = app.screen.query_one(FigureBoxes)
        assert boxes.size.height == 10  # two rows of boxes: a border, three lines, a border
        monkeypatch.setattr(FigureBoxes, "refresh", counted)
        held.pop()()
        await settle(app, pilot)
        assert "83%" in boxes.text("participation")
        assert boxes.size.height == 10
        assert layouts and not any(layouts)


async def test_a_period_chosen_while_the_first_figures_are_read_is_the_one_shown(
    memory_store, clock, monkeypatch
):
    """The screen is shown before its figures (a slow store); 'this year' is chosen meanwhile and
    counted at once: the first figures, for the last 3 months, come after it and are not shown
    over it."""
    _held_session(memory_store)
    held = _hold_first_figures(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot, also=lambda: bool(held))
        screen = app.screen
        assert isinstance(screen, OrganisationScreen) and screen.report is None
        screen.query_one("#org-period").focus()
        await pilot.press("enter", "down", "enter")  # "This year", under "Last 3 months"
        await until(pilot, lambda: screen.report is not None)
        year = screen.report
        assert year is not None and year.scope.since == clock().date().replace(month=1, day=1)
        held.pop()()  # the first figures come now
        await settle(app, pilot)
        assert screen.report is year


async def test_organisation_is_styled_once_as_it_opens(memory_store, clock, monkeypatch):
    """Styled as it mounts, and not all again as it becomes current (screens/styled_once.py)."""
    _held_session(memory_store)
    restyled = restyles(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot)
        await settle(app, pilot)
        assert app.screen not in restyled


class _Circles(App[None]):
    """A table as Organisation's circles table: at most 14 lines high, filled before it is laid out."""

    def compose(self) -> ComposeResult:
        table = PagedTable(id="circles", cursor_type="row", first_screenful=True)
        table.styles.height = "auto"
        table.styles.max_height = 14
        yield table

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.add_columns("Circle")
        table.fill([(str(n), (f"Circle {n:02}",)) for n in range(300)])


async def test_a_table_of_a_few_lines_holds_at_first_what_they_could_show():
    """Organisation's circles table (every circle: 300 in the large demo) is 14 lines high at
    most: it took the terminal's height in rows (50 at 120x40), each cell measured before the
    first frame, or a page of 100 before that; now the 14 lines' and a few more, the rest as
    it is scrolled."""
    app = _Circles()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        assert table.size.height == 14
        assert (table.row_count, table.total) == (14 + AHEAD, 300)
        table.move_cursor(row=14 + 1)
        await pilot.pause()
        assert table.row_count > 14 + AHEAD


async def test_organisation_shown_before_its_figures_lists_its_circles(memory_store, clock, monkeypatch):
    """A slow store: the screen is shown before its figures, with its list of circles already
    (read first, a few milliseconds), so that only the figures' coming lays it out again; read
    after the figures, the list came after them and laid the screen out once more."""
    circle, _, _ = _held_session(memory_store)
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 0.01)
    reading, go = _figures_held(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot, also=lambda: reading.is_set())
        for _ in range(3):
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrganisationScreen)
        try:
            assert screen.report is None
            assert screen.circles == [("Rust Lunch", circle.id)]
        finally:
            go.set()
        await settle(app, pilot)
        assert screen.report is not None


async def test_organisation_is_built_while_its_figures_are_read(memory_store, clock, monkeypatch):
    """Once its list of circles is in, the screen is composed and mounted off the stack while its
    figures are read (the statements give up the interpreter while they run), and pushed, laid
    out and drawn once they are in, with them: built only after they came, its mounting added a
    third of the processor time between the figures and the first frame."""
    monkeypatch.setattr(opening, "WAIT_FOR_DATA", 60)
    circle, _, _ = _held_session(memory_store)
    reading, go = _figures_held(monkeypatch)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        home = app.screen
        await pilot.press("O")
        try:
            await until(pilot, lambda: reading.is_set() and _built(app) is not None)
            screen = _built(app)
            assert screen is not None and app.screen is home
            assert screen.circles == [("Rust Lunch", circle.id)] and screen.report is None
        finally:
            go.set()
        await until(pilot, lambda: app.screen is screen)
        await settle(app, pilot)
        assert "83%" in screen.query_one(FigureBoxes).text("participation")


def _figures_held(monkeypatch) -> tuple[threading.Event, threading.Event]:  # type: ignore[no-untyped-def]
    """Organisation's figures, read only once told: (set as their read starts, tells it to go on)."""
    reading, go = threading.Event(), threading.Event()
    load = screens.organisation.load_success

    def slow(*args: Any) -> Any:
        reading.set()
        go.wait(30)
        return load(*args)

    monkeypatch.setattr(screens.organisation, "load_success", slow)
    return reading, go


def _built(app: CirclesApp) -> OrganisationScreen | None:
    """The Organisation screen on its way (mounted, not yet pushed), if any."""
    screen = opening._ON_ITS_WAY.get(app)
    return screen if isinstance(screen, OrganisationScreen) and screen.is_mounted else None


async def test_shift_tab_from_the_figures_goes_to_the_circle_chooser(memory_store, clock):
    """The page under the choosers scrolls but is no Tab stop: it took the focus between the
    figures and the circle chooser, showing nothing focused."""
    _held_session(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await _organisation(app, pilot)
        screen = app.screen
        assert screen.focused is screen.query_one(FigureBoxes)
        await pilot.press("shift+tab")
        assert screen.focused is screen.query_one("#org-circle")
        await pilot.press("tab")
        assert screen.focused is screen.query_one(FigureBoxes)

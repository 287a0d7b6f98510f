"""The row of tabs drawn as one widget (screens/tabs.py) does what Textual's row of Tab widgets
did: the arrows move along it while it has the focus, a click on a label (or under it) brings
that tab forward, the tab forward is lit and underlined, a disabled tab is passed over, and
each change is announced once."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from screens.tabs import TabPane, TabRow, Tabs


class ThreeTabs(App[None]):
    def __init__(self, *, disabled: str = "") -> None:
        super().__init__()
        self.disabled = disabled
        self.activated: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("above")
        with Tabs(initial="one"):
            with TabPane("1 One", id="one"):
                yield DataTable(id="one-table")
            with TabPane("2 Two", id="two", disabled=self.disabled == "two"):
                yield DataTable(id="two-table")
            with TabPane("3 Three", id="three"):
                yield DataTable(id="three-table")

    @on(Tabs.TabActivated)
    def _seen(self, event: Tabs.TabActivated) -> None:
        self.activated.append(event.pane.id or "")


def _row_text(app: App[None]) -> list[str]:
    row = app.query_one(TabRow)
    return [strip.text for strip in row.render_lines(row.region.reset_offset)]


async def test_the_arrows_move_along_the_row_while_it_has_the_focus_and_go_round() -> None:
    app = ThreeTabs()
    async with app.run_test() as pilot:
        app.query_one(TabRow).focus()
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert app.query_one(Tabs).active == "two"
        assert app.query_one("#two").display and not app.query_one("#one").display
        await pilot.press("left", "left")
        await pilot.pause()
        assert app.query_one(Tabs).active == "three"  # round from the first to the last
        # Announced once at the start, as TabbedContent did, then once per move.
        assert app.activated == ["one", "two", "one", "three"]


async def test_the_arrows_pass_over_a_disabled_tab() -> None:
    app = ThreeTabs(disabled="two")
    async with app.run_test() as pilot:
        app.query_one(TabRow).focus()
        await pilot.press("right")
        await pilot.pause()
        assert app.query_one(Tabs).active == "three"


async def test_a_click_on_a_label_or_under_it_brings_that_tab_forward() -> None:
    app = ThreeTabs()
    async with app.run_test() as pilot:
        labels, _ = _row_text(app)
        assert labels.startswith(" 1 One  2 Two  3 Three ")
        await pilot.click(TabRow, offset=(labels.index("3 Three") + 2, 0))
        await pilot.pause()
        assert app.query_one(Tabs).active == "three"
        assert app.focused is app.query_one(TabRow)  # as a click on a Tab focused the row
        await pilot.click(TabRow, offset=(labels.index("2 Two"), 1))  # on the underline
        await pilot.pause()
        assert app.query_one(Tabs).active == "two"
        await pilot.click(TabRow, offset=(len(labels) - 1, 0))  # beyond the labels: nothing
        await pilot.pause()
        assert app.query_one(Tabs).active == "two"


async def test_a_click_on_a_disabled_label_does_nothing() -> None:
    app = ThreeTabs(disabled="two")
    async with app.run_test() as pilot:
        labels, _ = _row_text(app)
        await pilot.click(TabRow, offset=(labels.index("2 Two"), 0))
        await pilot.pause()
        assert app.query_one(Tabs).active == "one"


async def test_the_tab_forward_is_underlined_and_lit_in_the_cursor_colours_while_the_row_is_focused() -> None:
    app = ThreeTabs()
    async with app.run_test() as pilot:
        row = app.query_one(TabRow)
        row.focus()
        await pilot.press("right")
        await pilot.pause()
        labels, underline = row.render_lines(row.region.reset_offset)
        start = labels.text.index("2 Two")
        end = start + len("2 Two")
        lit = {s.style.color for s in underline.crop(start, end)}
        unlit = {s.style.color for s in underline.crop(end + 1, end + 5)}
        assert len(lit) == 1 and lit != unlit  # the bar is lit under "2 Two" only
        assert underline.crop(start, end).text == "━" * len("2 Two")
        cursor = row.get_component_styles("tab-row--active").background.rich_color
        assert {s.style.bgcolor for s in labels.crop(start - 1, end + 1)} == {cursor}
        app.query_one("#two-table").focus()
        await pilot.pause()
        labels, _ = row.render_lines(row.region.reset_offset)
        assert cursor not in {s.style.bgcolor for s in labels}  # only while the row has the focus


async def test_the_focus_going_into_a_hidden_tab_brings_it_forward() -> None:
    """As TabbedContent did: a search opening a session on a material focuses its row."""
    app = ThreeTabs()
    async with app.run_test() as pilot:
        app.query_one("#three-table").focus()
        await pilot.pause()
        assert app.query_one(Tabs).active == "three"
        assert app.activated[-1] == "three"


async def test_a_label_under_the_mouse_brightens() -> None:
    app = ThreeTabs()
    async with app.run_test() as pilot:
        labels, _ = _row_text(app)
        at = labels.index("3 Three")
        row = app.query_one(TabRow)
        before = row.render_lines(row.region.reset_offset)[0].crop(at, at + 1)
        await pilot.hover(TabRow, offset=(at, 0))
        await pilot.pause()
        after = row.render_lines(row.region.reset_offset)[0].crop(at, at + 1)
        assert [s.style.color for s in before] != [s.style.color for s in after]


async def test_a_row_wider_than_the_screen_shows_the_tab_forward() -> None:
    """As Textual's row scrolled to it: on a narrow terminal the last tab's label is in view."""
    app = ThreeTabs()
    async with app.run_test(size=(14, 10)) as pilot:
        app.query_one(TabRow).focus()
        await pilot.press("left")  # round to "3 Three", beyond 14 columns
        await pilot.pause()
        labels, underline = _row_text(app)
        assert "3 Three" in labels
        assert underline[labels.index("3 Three")] == "━"

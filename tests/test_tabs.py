"""Tabs brought forward stay forward (screens/tabs.py)."""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from screens.tabs import TabPane, Tabs


class TwoTabs(App[None]):
    """As the programme screen: a table with a scrolling note under it, and a tab built and
    focused when first brought forward, slowly (a loaded machine)."""

    def compose(self) -> ComposeResult:
        with Tabs(initial="proposals"):
            with TabPane("Proposals", id="proposals"):
                yield DataTable(id="proposal-table")
                yield VerticalScroll(Static("Not matched: …\n" * 40), id="notes")
            yield TabPane("Pairs", id="pairs")

    @on(Tabs.TabActivated)
    async def _built_and_focused(self) -> None:
        tabs = self.query_one(Tabs)
        pane = tabs.get_pane(tabs.active)
        await asyncio.sleep(0.05)
        if not pane.children:
            await pane.mount(DataTable(id="pair-table"))
        pane.query_one(DataTable).focus()


async def test_a_tab_brought_forward_is_not_taken_back_by_the_focus_it_hid():
    """The programme's Confirm brings Pairs forward; the hidden Proposals table's focus went to
    the note beside it, in the hidden tab, and the tabs went back to Proposals."""
    app = TwoTabs()
    async with app.run_test() as pilot:
        app.query_one("#proposal-table").focus()
        await pilot.pause()
        app.query_one(Tabs).bring_forward("pairs")
        for _ in range(20):
            await pilot.pause()
        assert app.query_one(Tabs).active == "pairs"
        assert app.focused is app.query_one("#pair-table")

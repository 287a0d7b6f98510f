"""The command palette's finder: any circle, person or session by name, searched in SQL."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:  # the services load with the store, after the first screen has painted
    from circles.services import lookups


EVERYTHING = "Notes, takeaways, materials, agenda items, topics, people and circles (/ from Home)"


class FindProvider(Provider):
    """Ctrl+P then a few letters: circles, people and sessions whose name holds them."""

    def _lookup(self, text: str) -> list[lookups.Found]:
        from circles.errors import CirclesError
        from circles.services import lookups

        try:
            store = self.app.store  # type: ignore[attr-defined]  (waits while it opens)
        except CirclesError:
            return []
        with store.read() as db:
            return lookups.search_everything(db, text, limit=6)

    def _open(self, found: lookups.Found) -> None:
        opener = {"circle": "open_circle", "person": "open_person", "session": "open_session"}[found.kind]
        getattr(self.app, opener)(found.id)

    def _search_everything(self, text: str = "") -> None:
        from screens.search import SearchScreen

        self.app.push_screen(SearchScreen(text))

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        # Names first (below); the full-text search over notes and takeaways is one step away.
        text = f"Search everything for {query.strip()!r}"
        yield Hit(0.05, text, partial(self._search_everything, query.strip()), text=text, help=EVERYTHING)
        # The palette calls us on its own task; the query runs in a thread so typing never waits on it.
        found = await asyncio.to_thread(self._lookup, query)
        matcher = self.matcher(query)
        for f in found:
            text = f"{f.kind.capitalize()}: {f.label}"
            score = matcher.match(text) or 0.1  # SQL already matched a substring; keep it
            yield Hit(score, matcher.highlight(text), partial(self._open, f), text=text, help=f.detail)

    async def discover(self) -> Hits:
        yield DiscoveryHit("Search everything", self._search_everything, help=EVERYTHING)
        found = await asyncio.to_thread(self._lookup, "")
        for f in found:
            if f.kind == "circle":
                yield DiscoveryHit(f"Circle: {f.label}", partial(self._open, f), help=f.detail)

"""The command palette's finder: any circle, person or session by name, searched in SQL."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.work import ask_db

if TYPE_CHECKING:  # the services load with the store, after the first screen has painted
    from circles.services import lookups


class FindProvider(Provider):
    """Ctrl+P then a few letters: circles, people and sessions whose name holds them."""

    async def _lookup(self, text: str) -> list[lookups.Found]:
        # In a thread on the one road to the store (screens/work.py), so typing never waits on it.
        def find(db: Any) -> list[lookups.Found]:
            from circles.services import lookups

            return lookups.search_everything(db, text, limit=6)

        return await ask_db(self.app, find, failed=[])

    def _open(self, found: lookups.Found) -> None:
        opener = {"circle": "open_circle", "person": "open_person", "session": "open_session"}[found.kind]
        getattr(self.app, opener)(found.id)

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        found = await self._lookup(query)
        matcher = self.matcher(query)
        for f in found:
            text = f"{f.kind.capitalize()}: {f.label}"
            score = matcher.match(text) or 0.1  # SQL already matched a substring; keep it
            yield Hit(score, matcher.highlight(text), partial(self._open, f), text=text, help=f.detail)

    async def discover(self) -> Hits:
        found = await self._lookup("")
        for f in found:
            if f.kind == "circle":
                yield DiscoveryHit(f"Circle: {f.label}", partial(self._open, f), help=f.detail)

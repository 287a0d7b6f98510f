"""The command palette's finder: any circle, person or session by name, searched in SQL."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:  # the services load with the store, after the first screen has painted
    from circles.services import lookups


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

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        # The palette calls us on its own task; the query runs in a thread so typing never waits on it.
        found = await asyncio.to_thread(self._lookup, query)
        matcher = self.matcher(query)
        for f in found:
            text = f"{f.kind.capitalize()}: {f.label}"
            score = matcher.match(text) or 0.1  # SQL already matched a substring; keep it
            yield Hit(score, matcher.highlight(text), partial(self._open, f), text=text, help=f.detail)

    async def discover(self) -> Hits:
        found = await asyncio.to_thread(self._lookup, "")
        for f in found:
            if f.kind == "circle":
                yield DiscoveryHit(f"Circle: {f.label}", partial(self._open, f), help=f.detail)


class ReportsProvider(Provider):
    """Ctrl+P: "Recognition" and "Organisation" open the screens of the same names."""

    PLACES = (
        ("Recognition", "Who to thank: talks, streaks, mentoring, thanks; the digest", "recognition"),
        ("Organisation figures", "Participation, satisfaction, retention, mentoring", "organisation"),
    )

    def _open(self, which: str) -> None:
        if which == "recognition":
            from screens.recognition import RecognitionScreen

            self.app.push_screen(RecognitionScreen())
        else:
            from screens.organisation import OrganisationScreen

            self.app.push_screen(OrganisationScreen())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, which in self.PLACES:
            score = matcher.match(title)
            if score:
                yield Hit(score, matcher.highlight(title), partial(self._open, which), help=help_text)

    async def discover(self) -> Hits:
        for title, help_text, which in self.PLACES:
            yield DiscoveryHit(title, partial(self._open, which), help=help_text)

"""Benchmark: what each key read costs the app for the keys read before it (screens/late_keys.py).

    uv run python bench/key_history.py [--keys 300] [--runs 5]

Each key the app reads is checked against keys handed out before it that may still be climbing
back from a widget the focus has left. The app here hands ``--keys`` keys to one place, moves
the focus to another, then reads as many again there: typed (each key handled before the next
is sent) and as a burst (all queued at once, as a paste or a browser tab delivers them). The
figure is wall and processor time per key, for the keys read after the focus moved, beside the
same keys read with no history (a fresh app, the baseline in the same run). Prints medians; a
figure, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from screens.late_keys import KeysFollowTheFocus


class Place(Widget, can_focus=True):
    """Somewhere keys are handed that uses none of them: they come back up to the app."""


class Counting(KeysFollowTheFocus):
    def __init__(self) -> None:
        super().__init__()
        self.back = 0
        self.all_back = asyncio.Event()
        self.expected = 0

    def compose(self) -> ComposeResult:
        # As deep as a screen's list usually is: screen, two containers, the widget.
        with Vertical(), Vertical():
            yield Place(id="first")
            yield Place(id="then")

    def on_key(self, event: events.Key) -> None:
        super().on_key(event)
        self.back += 1
        if self.back >= self.expected:
            self.all_back.set()


async def read(app: Counting, count: int, burst: bool) -> tuple[float, float]:
    """Seconds of wall and processor time per key for ``count`` keys read where the focus is."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(count):
        app.expected = app.back + (count - i if burst else 1)
        app.all_back.clear()
        app.post_message(events.Key("x", "x"))
        if not burst:
            await app.all_back.wait()
    if burst:
        await app.all_back.wait()
    return (time.perf_counter() - t0) / count, (time.process_time() - cpu0) / count


async def one_run(count: int, burst: bool, history: bool) -> tuple[float, float]:
    app = Counting()
    async with app.run_test() as pilot:
        first, then = app.query_one("#first"), app.query_one("#then")
        app.screen.set_focus(first)
        await pilot.pause()
        if history:
            await read(app, count, burst)
        app.screen.set_focus(then)  # the keys handed to "first" are history now
        await pilot.pause()
        return await read(app, count, burst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'keys read after the focus moved':<34}{'wall µs/key':>12}{'cpu µs/key':>12}{'ratio':>8}")
    for burst in (False, True):
        figures = {}
        for history in (False, True):
            runs = [asyncio.run(one_run(args.keys, burst, history)) for _ in range(args.runs)]
            figures[history] = tuple(statistics.median(column) * 1e6 for column in zip(*runs, strict=True))
        for history in (False, True):
            wall, cpu = figures[history]
            name = f"{'burst' if burst else 'typed'}, {f'{args.keys} before' if history else 'none before'}"
            print(f"{name:<34}{wall:>12.1f}{cpu:>12.1f}{wall / figures[False][0]:>8.2f}")


if __name__ == "__main__":
    main()

"""What the screen benchmarks share: when the app drew its frames, when its database workers were
done, and which circle, session and person to open. It imports no screen of ours, so a fresh
process that times a screen's first open (bench/first_open.py) has not loaded that screen's
modules by importing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa

from circles.app import CirclesApp
from models.store import Store
from screens.textual_internals import on_each_frame

SIZE = (120, 40)


class Frames:
    """When the app drew a frame, and when a worker's result was last handled on the UI thread.

    The bench hears of each frame where Textual hands it to the terminal (a private method:
    screens/textual_internals.py, on_each_frame), and wraps ``App.call_from_thread``, the way
    every database worker delivers its result (screens/work.py); the time is taken on the UI
    thread once the result is in the widgets. Headless, as here, the frame is composed but not
    written, so a real terminal adds its writing time to every figure (bench/startup.py
    measures that in a real terminal).
    """

    def __init__(self, app: CirclesApp) -> None:
        self.drawn: list[float] = []
        self.cpu: list[float] = []  # the process's processor time at each frame
        self.delivered: list[float] = []
        call_from_thread = app.call_from_thread

        def drawn() -> None:
            self.drawn.append(time.perf_counter())
            self.cpu.append(time.process_time())

        on_each_frame(app, drawn)

        def timed_delivery(callback: Callable[..., object], *args: object, **kwargs: object) -> object:
            def handled(*args: object, **kwargs: object) -> object:
                result = callback(*args, **kwargs)
                self.delivered.append(time.perf_counter())
                return result

            return call_from_thread(handled, *args, **kwargs)

        app.call_from_thread = timed_delivery  # type: ignore[method-assign]

    def since(self, t0: float, cpu0: float | None = None) -> tuple[float, float, float]:
        """(first frame drawn after the last delivery, last frame drawn), in seconds from ``t0``,
        and the processor time from ``cpu0`` to that first frame (0 when not asked for: the
        search, mentorship and feedback benches time by the clock only)."""
        drawn = [(t, cpu) for t, cpu in zip(self.drawn, self.cpu, strict=True) if t >= t0]
        if not drawn:
            raise SystemExit(
                "no frame was drawn: has Textual's App._display moved? (tests/test_pinned_internals.py)"
            )
        data_in = max([t0, *(t for t in self.delivered if t >= t0)])
        # No frame after the data: it changed nothing on screen (Home reloading the same list).
        shown, cpu = next(((t, cpu) for t, cpu in drawn if t >= data_in), (data_in, time.process_time()))
        return shown - t0, drawn[-1][0] - t0, 0.0 if cpu0 is None else cpu - cpu0


async def settled(app: CirclesApp, pilot) -> None:
    """Until the database workers (and any they started) are done and the screen has repainted once."""
    await pilot.pause(0)
    while busy := [w for w in app.workers if w.group != "default" and not w.is_finished]:
        await app.workers.wait_for_complete(busy)
        await pilot.pause(0)
    await pilot.wait_for_animation()


def busiest(store: Store) -> tuple[int, int, int]:
    """The circle with most members, its session with most attendance rows, and the most active
    person; ties go to the lowest id, so that both backends measure the same circle, session and
    person (without, SQLite and PostgreSQL each picked one of the tied ones their own way)."""
    with store.read() as db:
        circle_id = db.execute(
            sa.text(
                "SELECT circle_id FROM membership WHERE left_at IS NULL "
                "GROUP BY circle_id ORDER BY count(*) DESC, circle_id LIMIT 1"
            )
        ).scalar_one()
        session_id = db.execute(
            sa.text(
                "SELECT s.id FROM circle_session s JOIN attendance a ON a.session_id = s.id "
                "WHERE s.circle_id = :c GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1"
            ),
            {"c": circle_id},
        ).scalar_one()
        person_id = db.execute(
            sa.text(
                "SELECT person_id FROM attendance "
                "GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT 1"
            )
        ).scalar_one()
    return circle_id, session_id, person_id

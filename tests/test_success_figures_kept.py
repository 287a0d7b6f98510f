"""The success report's every figure, for several periods and circle scopes of a demo
organisation, against the figures the report gave before its statements were made faster
(tests/fixtures/success_figures.json), on SQLite and PostgreSQL alike.

tests/test_success.py checks each figure against one worked out by hand on a few people; this
one guards the statements' shapes: a rewrite that changes any count, for any circle, month or
zone, fails here. Should a figure's *definition* change on purpose, write the file again with
``uv run python -m tests.test_success_figures_kept`` (and say why in the commit).
"""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from circles.demo import Size, build_demo
from circles.services import circle_records, success
from circles.services.participation import Scope
from models.store import Store
from tests.conftest import FixedClock

FIGURES = Path(__file__).parent / "fixtures" / "success_figures.json"
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
# Enough circles for several time zones, members who join and leave, two years of sessions
# (retention's 6 months), and every kind of programme.
DEMO = Size(160, 12, (8, 18), 60, 4, (4, 6, 2, 2, 6, 10))
PERIODS: list[tuple[date | None, date | None]] = [
    (None, None),
    (date(2025, 12, 1), date(2026, 3, 3)),  # the Organisation screen's last 3 months
    (date(2025, 6, 1), date(2025, 11, 30)),
    (date(2026, 2, 2), date(2026, 2, 2)),  # one day
    (date(2025, 9, 15), None),
    (None, date(2025, 4, 30)),
]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 12)
    return value


def figures(store: Store) -> dict[str, Any]:
    """Every report of the demo's periods, for all circles and for three of them."""
    build_demo(store, size=DEMO, seed=11)
    with store.read() as db:
        circles = [c.id for c in sorted(circle_records.list_circles(db), key=lambda c: c.id)]
        found = {}
        for circle_id in (None, circles[0], circles[5], circles[-1]):
            for since, until in PERIODS:
                report = success.success_report(db, Scope(circle_id=circle_id, since=since, until=until))
                found[f"{circle_id} {since} {until}"] = _plain(report)
    return found


def test_every_figure_is_the_one_it_was(store: Store, clock: FixedClock) -> None:
    clock.now = NOW
    found = figures(store)
    kept = json.loads(FIGURES.read_text())
    assert found.keys() == kept.keys()
    for key in kept:
        assert found[key] == kept[key], key


if __name__ == "__main__":
    store = Store.open(make_url("sqlite://"), clock=FixedClock(NOW))
    FIGURES.write_text(json.dumps(figures(store), indent=1, sort_keys=True) + "\n")
    store.close()

"""The bars of the Stats tab and the Organisation screen keep their width, whatever the share."""

from __future__ import annotations

import pytest

from screens.stats_panel import bar


@pytest.mark.parametrize(
    ("share", "drawn"),
    [
        (None, "░░░░"),
        (0.0, "░░░░"),
        (0.5, "██░░"),
        (1.0, "████"),
        (5 / 3, "████"),  # 5 meetings held of 3 planned: the row's next column stayed on screen
        (-0.2, "░░░░"),
    ],
)
def test_a_bar_is_as_wide_as_asked(share: float | None, drawn: str) -> None:
    assert bar(share, 4) == drawn

"""circles/collector.py: the cyclic collector is held off inside and turned back on after, by
whoever turned it off: never left off, never turned on under someone else's hold."""

from __future__ import annotations

import gc

import pytest

from circles.collector import collector_held


def test_the_collector_is_off_inside_and_on_again_after_even_on_an_error() -> None:
    assert gc.isenabled()
    with collector_held():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_held():
        raise ValueError("a failed read")
    assert gc.isenabled()


def test_a_hold_found_in_place_is_left_to_its_owner() -> None:
    gc.disable()  # as screens/heap.py's CollectorHold does while a screen opens
    try:
        with collector_held():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()

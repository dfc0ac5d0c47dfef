"""gc_pause: what the loop keeps is frozen out of the collector's sight, then released."""

from __future__ import annotations

import gc

import pytest

from corpuslint._support.gc_pause import freezing, frozen


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


def test_kept_objects_are_frozen_during_the_loop_and_released_after() -> None:
    frozen_during: list[int] = []
    for item in freezing(range(10), every=3):
        if item == 7:
            frozen_during.append(gc.get_freeze_count())
    assert frozen_during[0] > 0
    assert gc.get_freeze_count() == 0


def test_items_pass_through_unchanged_and_cycles_are_freed_later() -> None:
    made = list(freezing((Node() for _ in range(50)), every=10))
    assert len(made) == 50
    assert all(isinstance(n, Node) for n in made)
    del made
    assert gc.collect() >= 50  # the frozen cycles were handed back to the collector


def test_unfrozen_when_the_consumer_stops_early() -> None:
    items = freezing(range(100), every=2)
    for item in items:
        if item == 10:
            break
    items.close()
    assert gc.get_freeze_count() == 0


def test_nothing_frozen_while_the_collector_is_disabled() -> None:
    gc.disable()
    try:
        counts = [gc.get_freeze_count() for _ in freezing(range(10), every=1)]
    finally:
        gc.enable()
    assert counts == [0] * 10


def test_frozen_block_holds_what_lived_before_it_and_releases_it_even_on_error() -> None:
    kept = [Node() for _ in range(20)]
    counts: list[int] = []

    def fail_inside() -> None:
        with frozen():
            counts.append(gc.get_freeze_count())
            raise RuntimeError("the block failed")

    with pytest.raises(RuntimeError):
        fail_inside()
    assert counts[0] >= len(kept)
    assert gc.get_freeze_count() == 0
    del kept
    assert gc.collect() >= 20


def test_frozen_block_freezes_nothing_while_the_collector_is_disabled() -> None:
    gc.disable()
    try:
        with frozen():
            assert gc.get_freeze_count() == 0
    finally:
        gc.enable()

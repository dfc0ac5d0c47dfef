"""KeyIndex: groups of signature numbers that share a key."""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.similarity import grouping
from corpuslint.similarity.grouping import KeyIndex
from corpuslint.similarity.hashing import pack


def test_groups_hold_only_shared_keys_in_insertion_order() -> None:
    index = KeyIndex()
    index.add(pack([5, 9]), 0)
    index.add(pack([7, 9]), 1)
    index.add(pack([5]), 2)
    index.add(pack([1]), 3)
    assert sorted(index.groups()) == [(5, [0, 2]), (9, [0, 1])]


def test_wanted_filters_groups_without_a_wanted_member() -> None:
    index = KeyIndex()
    index.add(pack([5, 9]), 0)
    index.add(pack([9]), 1)
    index.add(pack([5]), 2)
    assert list(index.groups({1})) == [(9, [0, 1])]


def test_a_member_is_listed_once_even_with_a_repeated_key() -> None:
    index = KeyIndex()
    index.add(pack([4, 4]), 0)
    index.add(pack([4]), 1)
    assert list(index.groups()) == [(4, [0, 1])]


def test_keys_sorted_in_parts_span_the_whole_int64_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouping, "_PART", 2)
    lowest, highest = -(2**63), 2**63 - 1
    index = KeyIndex()
    for owner, keys in enumerate([[lowest, 0], [highest, 0], [lowest, highest], [1, highest]]):
        index.add(pack(keys), owner)
    assert list(index.groups()) == [(lowest, [0, 2]), (0, [0, 1]), (highest, [1, 2, 3])]


def test_empty_index_has_no_groups() -> None:
    assert list(KeyIndex().groups()) == []


def test_wanted_filter_with_unique_keys_between_groups() -> None:
    index = KeyIndex()
    index.add(pack([1, 3]), 0)  # key 1 shared with signature 1; key 2 is nobody else's
    index.add(pack([1, 2]), 1)
    index.add(pack([3, 4]), 2)  # key 3 shared with signature 0
    index.add(pack([4]), 3)  # key 4 shared with signature 2
    assert list(index.groups({3})) == [(4, [2, 3])]
    assert list(index.groups({1})) == [(1, [0, 1])]
    assert sorted(index.groups({0})) == [(1, [0, 1]), (3, [0, 2])]


def test_pair_test_drops_groups_without_a_kept_pair() -> None:
    index = KeyIndex()
    index.extend([pack([1, 2, 3]), pack([1, 2]), pack([2, 3]), pack([3])])
    seen: list[list[tuple[int, int]]] = []

    def keep_0_and_2(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
        seen.append(list(zip(later.tolist(), earlier.tolist(), strict=True)))
        return (later == 2) & (earlier == 0)

    assert list(index.groups(pairs=keep_0_and_2)) == [(2, [0, 1, 2]), (3, [0, 2, 3])]
    # Groups of one size are tested in one call, each pair as (later, earlier).
    assert sorted(seen) == [[(1, 0)], [(1, 0), (2, 0), (2, 1), (2, 0), (3, 0), (3, 2)]]


def test_pair_test_leaves_groups_larger_than_it_tests_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(grouping, "_TESTED", 2)
    index = KeyIndex()
    index.extend([pack([1, 2]), pack([1, 2]), pack([2])])
    reject = lambda later, earlier: np.zeros(len(later), dtype=bool)  # noqa: E731
    assert list(index.groups(pairs=reject)) == [(2, [0, 1, 2])]


Keep = Callable[[Any, Any], Any]  # (later, earlier) -> kept, on ints or numpy arrays alike


def reference(
    added: list[tuple[list[int], int]],
    wanted: set[int] | None,
    keep: Keep | None = None,
) -> list[tuple[int, list[int]]]:
    holders: dict[int, set[int]] = {}
    for keys, owner in added:
        for key in keys:
            holders.setdefault(key, set()).add(owner)
    return sorted(
        (key, sorted(owners))
        for key, owners in holders.items()
        if len(owners) > 1
        and (wanted is None or owners & wanted)
        and (keep is None or len(owners) > grouping._TESTED or _any_kept(owners, keep))
    )


def _any_kept(owners: set[int], keep: Keep) -> bool:
    return any(bool(keep(late, early)) for late in owners for early in owners if early < late)


def _pair_test(kept: tuple[int, int] | None, first: int = 0) -> Keep | None:
    """A pair test (of signatures numbered from ``first``) that tells (a, b) from (b, a)."""
    if kept is None:
        return None
    modulus, remainder = kept
    return lambda later, earlier: (3 * (later - first) + earlier - first) % modulus == remainder


GROUP_INPUTS = (
    st.lists(st.lists(st.integers(-3, 6), max_size=4), max_size=12),
    st.randoms(use_true_random=False),
    st.none() | st.sets(st.integers(0, 11)),
    st.none() | st.tuples(st.integers(1, 5), st.integers(0, 4)),
)


@given(*GROUP_INPUTS)
def test_groups_equal_a_dict_of_sets(
    key_lists: list[list[int]],
    shuffle: random.Random,
    wanted: set[int] | None,
    kept: tuple[int, int] | None,
) -> None:
    check_groups(key_lists, shuffle, wanted, kept)


@given(*GROUP_INPUTS)
def test_groups_are_the_same_when_worked_out_a_few_at_a_time(
    key_lists: list[list[int]],
    shuffle: random.Random,
    wanted: set[int] | None,
    kept: tuple[int, int] | None,
) -> None:
    # Keys sorted 5 at a time, compared 2 at a time; members converted 3 at a time;
    # groups of more than 3 untested.
    defaults = grouping._PART, grouping._SLICE, grouping._CHUNK, grouping._TESTED
    grouping._PART, grouping._SLICE, grouping._CHUNK, grouping._TESTED = 5, 2, 3, 3
    try:
        check_groups(key_lists, shuffle, wanted, kept)
    finally:
        grouping._PART, grouping._SLICE, grouping._CHUNK, grouping._TESTED = defaults


def check_groups(
    key_lists: list[list[int]],
    shuffle: random.Random,
    wanted: set[int] | None,
    kept: tuple[int, int] | None = None,
) -> None:
    pairs = _pair_test(kept)
    owners = list(range(len(key_lists)))
    shuffle.shuffle(owners)  # added in any order, members still come out ascending
    added = list(zip(key_lists, owners, strict=True))
    index = KeyIndex()
    for keys, owner in added:
        index.add(pack(keys), owner)
    groups = list(index.groups(wanted, pairs))
    assert all(members == sorted(members) for _, members in groups)
    assert sorted(groups) == reference(added, wanted, pairs)
    # extend: the same signatures numbered from 7 in one call, as the engine adds them.
    index = KeyIndex()
    index.extend([pack(keys) for keys in key_lists], first=7)
    numbered = [(keys, 7 + n) for n, keys in enumerate(key_lists)]
    shifted = None if wanted is None else {7 + n for n in wanted}
    pairs = _pair_test(kept, first=7)
    assert list(index.groups(shifted, pairs)) == sorted(reference(numbered, shifted, pairs))
    # of: the same signatures numbered 0, 1... from their keys end to end; then in
    # shares of the key space, whose groups together are the index's, each in one share.
    flat = b"".join(pack(keys) for keys in key_lists)
    index = KeyIndex.of(flat, array("I", map(len, key_lists)))
    numbered = [(keys, n) for n, keys in enumerate(key_lists)]
    pairs = _pair_test(kept)
    whole = sorted(reference(numbered, wanted, pairs))
    assert list(index.groups(wanted, pairs)) == whole
    for parts in (2, 3):
        shares = [list(index.groups(wanted, pairs, (part, parts))) for part in range(parts)]
        assert sorted(group for share in shares for group in share) == whole


def test_an_index_of_given_keys_takes_no_more() -> None:
    index = KeyIndex.of(pack([1, 2]), array("I", [2]))
    with pytest.raises(TypeError, match="holds the keys it was given"):
        index.add(pack([3]), 1)
    with pytest.raises(TypeError):
        index.extend([pack([3])])
    assert len(index) == 2


int64s = st.lists(st.integers(-(2**63), 2**63 - 1) | st.integers(-3, 3), max_size=60)


@given(values=int64s, others=int64s)
def test_sorted_distinct_and_holds_are_numpy_s_unique_and_isin(
    values: list[int], others: list[int]
) -> None:
    array_of = np.array(values, dtype=np.int64)
    ordered = grouping.sorted_distinct(array_of)
    assert ordered.tolist() == np.unique(array_of).tolist()
    probe = np.array(others + values, dtype=np.int64)
    assert grouping.holds(ordered, probe).tolist() == np.isin(probe, array_of).tolist()

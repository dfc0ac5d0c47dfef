"""KeyIndex: groups of signature numbers that share a key."""

from __future__ import annotations

from corpuslint.grouping import KeyIndex
from corpuslint.hashing import pack


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

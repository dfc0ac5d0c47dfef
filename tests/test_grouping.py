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

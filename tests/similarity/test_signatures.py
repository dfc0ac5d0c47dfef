"""Signatures in columns: a file's batches and a rule's table give back what was packed."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.model import Signature, Span
from corpuslint.similarity.grouping import KeyIndex
from corpuslint.similarity.hashing import pack as pack_keys
from corpuslint.similarity.signatures import (
    CorpusSignatures,
    SignatureBatch,
    SignatureTable,
    pack,
    pairs,
)

SIGNATURES = st.builds(
    Signature,
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=4).map(pack_keys),
    st.sampled_from(["a.md", "b/ü.md", "c.jsonl"]),
    st.builds(Span, *[st.integers(1, 2**31 - 1)] * 4),
    st.text(),  # any text: non-ASCII, lone surrogates, NUL
    st.none() | st.sampled_from(["record 1", "record 2"]),
    st.sampled_from(["", "the headline"]),
    st.booleans(),
    st.sampled_from([b"", bytes(range(64)), b"\xff" * 64, b"short"]),
)
CODED = st.lists(st.tuples(st.sampled_from(["CL102", "CL202", "XS900"]), SIGNATURES))


@given(CODED)
def test_a_batch_per_code_gives_back_the_signatures_in_their_order(
    coded: list[tuple[str, Signature]],
) -> None:
    batches = pack(coded)
    assert [b.code for b in batches] == list(dict.fromkeys(code for code, _ in coded))
    for batch in batches:
        assert list(batch) == [s for code, s in coded if code == batch.code]
        assert len(batch) == len(list(batch))
    assert sorted(pairs(batches), key=lambda p: p[0]) == sorted(coded, key=lambda p: p[0])


@given(CODED)
def test_a_batch_survives_pickling_equal(coded: list[tuple[str, Signature]]) -> None:
    batches = pack(coded)
    assert pickle.loads(pickle.dumps(batches, protocol=pickle.HIGHEST_PROTOCOL)) == batches


@given(st.lists(st.tuples(st.lists(SIGNATURES, max_size=5), st.booleans()), max_size=6))
def test_a_table_holds_every_file_s_signatures_marked_as_its_file(
    files: list[tuple[list[Signature], bool]],
) -> None:
    table = SignatureTable()
    expected: list[Signature] = []
    for signatures, target in files:
        table.add(SignatureBatch.pack("CL102", signatures), target)
        expected += [replace(s, target=target) for s in signatures]
    assert len(table) == len(expected)
    assert list(table) == expected
    assert table.members(reversed(range(len(table)))) == expected[::-1]
    assert table.targets().tolist() == [n for n, s in enumerate(expected) if s.target]
    if expected:
        assert table[-1] == expected[-1]
        assert table[1:3] == expected[1:3]


def test_a_table_hands_out_one_object_per_signature() -> None:
    table = SignatureTable()
    table.add(SignatureBatch.pack("CL102", [_signature("a.md", "one")]), True)
    assert table[0] is table.members([0])[0]
    with pytest.raises(IndexError):
        table[1]


def test_a_table_grows_after_signatures_were_made() -> None:
    table = SignatureTable()
    table.add(SignatureBatch.pack("CL102", [_signature("a.md", "one")]), True)
    first = table[0]
    table.add(SignatureBatch.pack("CL102", [_signature("b.md", "two")]), False)
    assert table[0] == first
    assert table[1].text == "two"
    assert not table[1].target


def test_a_table_numbers_documents_by_path_and_record() -> None:
    table = SignatureTable()
    found = [
        _signature("a.jsonl", "x", "1"),
        _signature("a.jsonl", "y", "2"),
        _signature("a.jsonl", "z", "1"),
        _signature("b.md", "w"),
    ]
    table.add(SignatureBatch.pack("CL102", found), True)
    numbers = table.document_numbers().tolist()
    assert numbers[0] == numbers[2]
    assert len({numbers[0], numbers[1], numbers[3]}) == 3


def test_sketch_rows_hold_the_sketches_of_the_size_asked_for() -> None:
    sketches = [bytes(range(4)), b"", b"\x09" * 4, b"toolong"]
    table = SignatureTable()
    found = [replace(_signature("a.md", str(n)), sketch=s) for n, s in enumerate(sketches)]
    table.add(SignatureBatch.pack("CL102", found), True)
    rows, known = table.sketch_rows(4)
    assert known.tolist() == [True, False, True, False]
    assert rows.tolist() == [[0, 1, 2, 3], [0] * 4, [9] * 4, [0] * 4]
    whole = SignatureTable()
    whole.add(SignatureBatch.pack("CL102", [found[0], found[2]]), True)
    assert whole.sketch_rows(4)[0].tolist() == [[0, 1, 2, 3], [9] * 4]


def test_a_table_s_key_index_groups_like_one_built_key_by_key() -> None:
    found = [
        replace(_signature("a.md", "x"), keys=pack_keys([1, 2])),
        replace(_signature("b.md", "y"), keys=pack_keys([3])),
        replace(_signature("c.md", "z"), keys=pack_keys([2, 3, 4])),
    ]
    table = SignatureTable()
    table.add(SignatureBatch.pack("CL102", found), True)
    reference = KeyIndex()
    reference.extend([s.keys for s in found])
    assert (
        list(table.key_index().groups()) == list(reference.groups()) == [(2, [0, 2]), (3, [1, 2])]
    )


def test_signatures_of_rules_outside_the_run_are_left_out() -> None:
    collected = CorpusSignatures(["CL102"])
    collected.add(
        pack([("CL102", _signature("a.md", "x")), ("XS1", _signature("a.md", "y"))]), True
    )
    assert [s.text for s in collected.take("CL102")] == ["x"]
    assert len(collected.take("XS1")) == 0


def _signature(path: str, text: str, record: str | None = None) -> Signature:
    keys = np.array([hash(text) & 0x7FFF_FFFF], dtype=np.int64).tobytes()
    return Signature(keys, path, Span(1, 1, 1, 5), text, record)

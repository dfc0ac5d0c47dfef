"""The sketch-recall benchmark makes the near copies it says and counts what is rejected."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from tests.helpers import load_benchmark

make_corpus = load_benchmark("make_corpus")
sketch_recall = load_benchmark("sketch_recall")

pytestmark = pytest.mark.skipif(
    not make_corpus.DEFAULT_SOURCE.is_file(), reason="source articles not available"
)


def test_pairs_are_near_copies_of_paragraphs() -> None:
    sentences = make_corpus.load_sentences(make_corpus.DEFAULT_SOURCE)
    pairs = sketch_recall.edited_pairs(sentences, 300, seed=3)
    assert len(pairs) == 300
    for original, copy, words in pairs:
        assert original != copy
        assert fuzz.ratio(original, copy) >= 90
        assert words >= 8


def test_a_higher_floor_rejects_at_least_as_many(capsys: pytest.CaptureFixture[str]) -> None:
    assert sketch_recall.main(["--pairs", "400", "--seed", "3"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "rejects" in line]
    rejected = [int(line.split("rejects ")[1].split()[0]) for line in lines]
    assert len(rejected) == len(sketch_recall.JACCARDS)
    assert rejected == sorted(rejected)

"""MinHash sketches: the agreement count, its estimate of Jaccard similarity, the floor."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.similarity import sketch
from corpuslint.similarity.hashing import near_keys
from corpuslint.similarity.normalize import normalize
from tests.corpus_helpers import paragraph

sketches = st.binary(min_size=sketch.SIZE, max_size=sketch.SIZE)


def shingle_jaccard(first: str, second: str) -> float:
    """The exact Jaccard similarity of two texts' character 5-gram sets."""
    grams = [{t.encode()[i : i + 5] for i in range(len(t.encode()) - 4)} for t in (first, second)]
    return len(grams[0] & grams[1]) / len(grams[0] | grams[1])


def nibbles(data: bytes) -> list[int]:
    return [half for byte in data for half in (byte & 15, byte >> 4)]


@given(sketches, sketches)
def test_agreeing_counts_equal_4_bit_values_the_same_way_in_python_and_numpy(
    first: bytes, second: bytes
) -> None:
    expected = sum(a == b for a, b in zip(nibbles(first), nibbles(second), strict=True))
    mine, theirs = sketch.as_int(first), sketch.as_int(second)
    assert mine is not None
    assert theirs is not None
    assert sketch.agreeing(mine, theirs) == expected
    pair = np.array([0]), np.array([1])
    assert sketch.agreeing_pairs([first, second], *pair).tolist() == [expected]
    assert sketch.agreeing(mine, mine) == sketch.BINS


def test_a_missing_sketch_never_rejects_a_pair() -> None:
    full = bytes(range(sketch.SIZE))
    assert sketch.as_int(b"") is None
    counts = sketch.agreeing_pairs(
        [full, b"", bytes(sketch.SIZE)], np.array([0, 0]), np.array([1, 2])
    )
    assert counts[0] == sketch.BINS
    assert counts[1] == sum(a == 0 for a in nibbles(full))


def test_needed_is_the_fewest_agreeing_values_whose_estimate_reaches_the_floor() -> None:
    assert sketch.needed(0) == 0
    for floor in (0.01, 0.3, 0.45, 0.5, 0.9, 1.0):
        count = sketch.needed(floor)
        assert sketch.estimate(count) >= floor - 1e-9
        assert sketch.estimate(count - 1) < floor
    assert sketch.needed(1.0) == sketch.BINS


def test_the_estimate_tracks_the_true_jaccard_similarity() -> None:
    rng = random.Random(3)
    errors = []
    for seed in range(150):
        text = normalize(paragraph(seed, words=60))
        words = text.split()
        for _ in range(rng.randint(0, 25)):  # from near copies to strangers sharing a frame
            words[rng.randrange(len(words))] = rng.choice(["alpha", "beta", "gamma", "delta"])
        edited = " ".join(words)
        (_, first), (_, second) = near_keys([text, edited])
        mine, theirs = sketch.as_int(first), sketch.as_int(second)
        assert mine is not None
        assert theirs is not None
        estimate = sketch.estimate(sketch.agreeing(mine, theirs))
        errors.append(abs(estimate - shingle_jaccard(text, edited)))
    # About 0.04 standard error for 128 values; sketches that were noise would be off by ~0.5.
    assert sum(errors) / len(errors) < 0.05
    assert max(errors) < 0.2


@given(st.lists(sketches | st.just(b""), min_size=2, max_size=6), st.integers(0, sketch.BINS))
def test_pair_filter_keeps_exactly_the_pairs_that_agree_enough(
    held: list[bytes], needed: int
) -> None:
    later, earlier = np.tril_indices(len(held), -1)
    kept = sketch.PairFilter(held, needed)(later, earlier).tolist()
    expected = [
        not held[a] or not held[b] or sketch.agreeing_pairs(held, [a], [b])[0] >= needed
        for a, b in zip(later.tolist(), earlier.tolist(), strict=True)
    ]
    assert kept == expected

"""Signature keys: exact keys, packing, and MinHash band keys for near copies."""

from __future__ import annotations

import random

import pytest

from corpuslint import hashing
from corpuslint.hashing import near_keys, pack, packed_text_key, text_key, unpack
from corpuslint.normalize import normalize
from tests.corpus_helpers import paragraph


def band_keys(texts: list[str], bands: int = 21, rows: int = 6) -> list[tuple[int, ...]]:
    return [unpack(keys) for keys, _sketch in near_keys(texts, bands, rows)]


def test_pack_round_trips_and_text_key_is_stable() -> None:
    keys = [text_key("a"), text_key("a", b"salt"), 0, 2**62]
    assert unpack(pack(keys)) == tuple(keys)
    assert packed_text_key("a", b"salt") == pack([text_key("a", b"salt")])
    assert text_key("a") == text_key("a")
    assert text_key("a") != text_key("a", b"salt")
    assert all(0 <= key < 2**63 for key in keys)


def test_near_copies_share_a_band_key_and_strangers_do_not() -> None:
    rng = random.Random(7)
    shared = unrelated = 0
    for seed in range(200):
        text = normalize(paragraph(seed, words=40))
        words = text.split()
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = rng.choice(["alpha", "beta", "gamma"])
        near = " ".join(words)
        stranger = normalize(paragraph(seed + 10_000, words=40))
        first, second, third = (set(keys) for keys in band_keys([text, near, stranger]))
        shared += bool(first & second)
        unrelated += bool(first & third)
    assert shared >= 196  # recall of near copies (1-3 word edits)
    # Strangers from one small vocabulary with a common frame ("paragraph N says the"):
    # a few share a band; with single-value keys nearly all would.
    assert unrelated <= 10


def test_band_keys_shape_and_batch_independence() -> None:
    texts = [normalize(paragraph(n)) for n in range(5)]
    batch = band_keys(texts, bands=20, rows=6)
    assert all(len(keys) == 20 for keys in batch)
    assert batch[3] == band_keys([texts[3]], bands=20, rows=6)[0]
    assert band_keys([]) == []
    assert band_keys(["abc"]) == [()]


def test_a_text_longer_than_a_batch_is_hashed_in_pieces_to_the_same_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [paragraph(seed, words) for seed, words in ((1, 3000), (2, 5), (3, 40))]
    whole = band_keys(texts)
    monkeypatch.setattr(hashing, "_BATCH_BYTES", 97)  # every text in many overlapping pieces
    assert band_keys(texts) == whole
    assert all(whole)
    # Alone, too: every piece counts, not only those of the first batch.
    assert band_keys(texts[:1]) == whole[:1]

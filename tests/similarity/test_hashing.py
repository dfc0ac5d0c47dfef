"""Signature keys: exact keys, packing, and MinHash band keys for near copies."""

from __future__ import annotations

import random
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.similarity import hashing
from corpuslint.similarity.hashing import near_keys, pack, packed_text_key, text_key, unpack
from corpuslint.similarity.normalize import normalize
from tests.corpus_helpers import paragraph

needs_kernel = pytest.mark.skipif(hashing._compiled is None, reason="kernel not built")


@pytest.fixture(params=[pytest.param("compiled", marks=needs_kernel), "numpy"])
def implementation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A test that uses this runs on the compiled kernel and on the numpy code."""
    if request.param == "numpy":
        monkeypatch.setattr(hashing, "_compiled", None)
    return str(request.param)


both = pytest.mark.usefixtures("implementation")


def band_keys(texts: list[str], bands: int = 21, rows: int = 6) -> list[tuple[int, ...]]:
    return [unpack(keys) for keys, _sketch in near_keys(texts, bands, rows)]


def test_pack_round_trips_and_text_key_is_stable() -> None:
    keys = [text_key("a"), text_key("a", b"salt"), 0, 2**62]
    assert unpack(pack(keys)) == tuple(keys)
    assert packed_text_key("a", b"salt") == pack([text_key("a", b"salt")])
    assert text_key("a") == text_key("a")
    assert text_key("a") != text_key("a", b"salt")
    assert all(0 <= key < 2**63 for key in keys)


@both
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


@both
def test_band_keys_shape_and_batch_independence() -> None:
    texts = [normalize(paragraph(n)) for n in range(5)]
    batch = band_keys(texts, bands=20, rows=6)
    assert all(len(keys) == 20 for keys in batch)
    assert batch[3] == band_keys([texts[3]], bands=20, rows=6)[0]
    assert band_keys([]) == []
    assert band_keys(["abc"]) == [()]


@both
def test_a_text_longer_than_a_batch_is_hashed_in_pieces_to_the_same_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [paragraph(seed, words) for seed, words in ((1, 3000), (2, 5), (3, 40))]
    whole = band_keys(texts)
    monkeypatch.setattr(hashing, "_BATCH_BYTES", 97)  # every text in many overlapping pieces
    monkeypatch.setattr(hashing, "_compiled", None)  # the numpy code cuts them
    assert band_keys(texts) == whole
    assert all(whole)
    # Alone, too: every piece counts, not only those of the first batch.
    assert band_keys(texts[:1]) == whole[:1]


# Any text a reader can give, lone surrogates included (the kernel gets it as UTF-8).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)


@needs_kernel
@given(
    texts=st.lists(any_text | st.sampled_from(["", "abcd", "abcde", "a" * 5000]), max_size=12),
    shape=st.sampled_from([(21, 6), (25, 5), (1, 1), (128, 1), (1, 128), (7, 3)]),
)
def test_the_compiled_kernel_gives_the_numpy_code_s_keys_and_sketches(
    texts: list[str], shape: tuple[int, int]
) -> None:
    """The kernel is the numpy code compiled: the same keys, so caches and findings agree."""
    bands, rows = shape
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    assert hashing._compiled is not None
    assert hashing._compiled.near_keys(encoded, bands, rows) == hashing.numpy_near_keys(
        texts, bands, rows
    )


@needs_kernel
def test_the_compiled_kernel_rejects_what_is_not_a_list_of_bytes() -> None:
    kernel = hashing._compiled
    assert kernel is not None
    with pytest.raises(TypeError, match="list of bytes"):
        kernel.near_keys([b"abcdef", "text"], 21, 6)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="rows: not 1 to 128 MinHash values"):
        kernel.near_keys([b"abcdef"], 13, 10)
    with pytest.raises(ValueError, match="rows: not 1 to 128 MinHash values"):
        kernel.near_keys([b"abcdef"], 0, 6)
    with pytest.raises(ValueError, match="rows: not 1 to 128 MinHash values"):
        near_keys(["abcdef"], 6, 0)


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler: the kernel is optional")
def test_the_kernel_is_built_where_a_c_compiler_is() -> None:
    """The build makes the kernel optional; where a compiler is, a missing one is a bug."""
    assert hashing._compiled is not None, "corpuslint.similarity._minhash did not build"

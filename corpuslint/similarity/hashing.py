"""Stable 63-bit hashes for signature keys: the same text gives the same key in every run.

xxh3 because it hashes about ten million paragraphs a second where sha1 or blake2 are
ten times slower per paragraph; 63 bits so keys fit SQLite's signed INTEGER.
"""

from __future__ import annotations

import functools
import sys
import types
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import xxhash
from numpy.typing import NDArray

from corpuslint.similarity.sketch import BINS

_compiled: types.ModuleType | None
try:
    from corpuslint.similarity import _minhash as _compiled
except ImportError:  # not built (no C compiler at install): the numpy code below runs
    _compiled = None

KERNEL = "compiled" if _compiled is not None else "numpy, no compiled kernel"
"""Which MinHash code this install runs (``corpuslint --version`` says it)."""

MASK = (1 << 63) - 1


def pack(keys: Iterable[int]) -> bytes:
    """Keys as the packed native int64 bytes that ``Signature.keys`` holds."""
    return array("q", keys).tobytes()


def unpack(keys: bytes) -> tuple[int, ...]:
    """The keys packed by :func:`pack`."""
    values = array("q")
    values.frombytes(keys)
    return tuple(values)


def content_digest(data: bytes) -> str:
    """The content hash that decides whether a file with a new timestamp really changed."""
    return xxhash.xxh3_128_hexdigest(data)


def file_digest(path: Path) -> str:
    """:func:`content_digest` of a file, read a megabyte at a time (raises ``OSError``)."""
    digest = xxhash.xxh3_128()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def text_key(text: str, salt: bytes = b"") -> int:
    """The key of a whole text (exact matching)."""
    return xxhash.xxh3_64_intdigest(salt + text.encode("utf-8", "surrogatepass")) & MASK


def packed_text_key(text: str, salt: bytes = b"") -> bytes:
    """:func:`text_key` packed as :func:`pack` packs it."""
    return text_key(text, salt).to_bytes(8, sys.byteorder)


def packed_text_keys(texts: Iterable[str], salt: bytes = b"") -> list[bytes]:
    """:func:`packed_text_key` of each text: one loop over a document's paragraphs.

    No Python call per text: for a news paragraph, the two calls of
    :func:`packed_text_key` cost more than hashing it.
    """
    digest, order = xxhash.xxh3_64_intdigest, sys.byteorder
    return [
        (digest(salt + text.encode("utf-8", "surrogatepass")) & MASK).to_bytes(8, order)
        for text in texts
    ]


_VALUE_BITS = 57  # the top 7 bits of a shingle hash choose its bin, the rest is its value
_EMPTY = np.uint64((1 << 64) - 1)
_BATCH_BYTES = 1 << 20  # text hashed at once: bounds memory at about 200 MB
_BATCH_TEXTS = 4096
_MUL1 = np.uint64(0x9E3779B97F4A7C15)
_MUL2 = np.uint64(0xBF58476D1CE4E5B9)
_MUL3 = np.uint64(0x94D049BB133111EB)


def _mix(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """A 64-bit finalizer (splitmix64): spreads similar inputs over the whole range."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MUL2
    values = values ^ (values >> np.uint64(27))
    values = values * _MUL3
    mixed: NDArray[np.uint64] = values ^ (values >> np.uint64(31))
    return mixed


def near_keys(texts: Sequence[str], bands: int = 21, rows: int = 6) -> list[tuple[bytes, bytes]]:
    """Locality-sensitive keys of each text (``bands`` of them, packed) and its MinHash sketch.

    A one-permutation MinHash of character 5-gram shingles (128 bins, densified by
    rotation), cut into ``bands`` bands of ``rows`` values; each band hashes to one key.
    Two texts share a key when one whole band agrees, which happens almost surely for
    texts a few words apart and rarely for texts that only share a phrase (on real
    paragraphs, 25 x 5 finds nearly every pair at rapidfuzz ratio >= 85). All texts of a
    document are hashed in one batch.

    The sketch keeps 4 bits of each of the 128 MinHash values, packed in 64 bytes: two
    sketches estimate how similar their texts are without the texts
    (``corpuslint.similarity.sketch``).
    The keys come packed as :func:`pack` packs them (``unpack`` gives the integers):
    that is how signatures hold them. A text too short for one shingle has neither
    keys nor sketch.

    The compiled kernel (``corpuslint.similarity._minhash``, built at install where a C compiler
    is at hand) gives the same keys as the numpy code, 4 times faster on a document's
    paragraphs; without it, the numpy code runs.
    """
    if bands < 1 or rows < 1 or bands * rows > BINS:
        raise ValueError(f"{bands} bands x {rows} rows: not 1 to {BINS} MinHash values")
    if _compiled is not None:
        encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
        compiled: list[tuple[bytes, bytes]] = _compiled.near_keys(encoded, bands, rows)
        return compiled
    return numpy_near_keys(texts, bands, rows)


def numpy_near_keys(
    texts: Sequence[str], bands: int = 21, rows: int = 6
) -> list[tuple[bytes, bytes]]:
    """:func:`near_keys` in numpy: the reference for the compiled kernel, and its fallback."""
    # A document of 200,000 paragraphs would need 128 bins x 8 bytes x 5 arrays each at
    # once (1 GB): hash at most _BATCH_TEXTS texts at a time.
    found: list[tuple[bytes, bytes]] = []
    for start in range(0, len(texts), _BATCH_TEXTS):
        found.extend(_near_keys(texts[start : start + _BATCH_TEXTS], bands, rows))
    return found


def _near_keys(texts: Sequence[str], bands: int, rows: int) -> list[tuple[bytes, bytes]]:
    """``near_keys`` of a batch of texts."""
    if not texts:
        return []
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    if sum(map(len, encoded)) <= _BATCH_BYTES:  # the usual case: one batch of whole texts
        minima = _minima(encoded)
    else:
        minima = np.full((len(texts), BINS), _EMPTY, dtype=np.uint64)
        for owners, pieces in _batches(encoded):
            np.minimum.at(minima, owners, _minima(pieces))  # a long text's pieces: one sketch
    signature = _densify(minima)

    used = signature[:, : bands * rows].reshape(len(texts), bands, rows)
    # One band's key: its rows weighted by distinct odd multipliers (wrapping uint64
    # arithmetic), offset by the band's own seed and mixed once. Mixing after every row
    # cost six passes, most of the time of this function.
    combined = (used * _row_weights(rows)).sum(axis=2, dtype=np.uint64) + _band_seeds(bands)
    keys = (_mix(combined) & np.uint64(MASK)).astype(np.int64).tobytes()  # 63 bits: positive
    nibbles = (signature & np.uint64(0xF)).astype(np.uint8)
    packed = (nibbles[:, 0::2] | (nibbles[:, 1::2] << np.uint8(4))).tobytes()
    width, size = 8 * bands, BINS // 2
    return [
        (b"", b"")
        if len(data) < 5
        else (keys[i * width : (i + 1) * width], packed[i * size : (i + 1) * size])
        for i, data in enumerate(encoded)
    ]


@functools.lru_cache(maxsize=8)
def _row_weights(rows: int) -> NDArray[np.uint64]:
    weights: NDArray[np.uint64] = _mix(np.arange(1, rows + 1, dtype=np.uint64) * _MUL2)
    odd: NDArray[np.uint64] = weights | np.uint64(1)  # odd: every row's value counts
    return odd


@functools.lru_cache(maxsize=8)
def _band_seeds(bands: int) -> NDArray[np.uint64]:
    return _mix(np.arange(1, bands + 1, dtype=np.uint64) * _MUL1)


def _batches(texts: Sequence[bytes]) -> Iterator[tuple[NDArray[np.int64], list[bytes]]]:
    """The texts (UTF-8) in batches of about ``_BATCH_BYTES``, with each piece's text.

    Hashing takes about 190 bytes of memory per byte of text, so a 100 MB paragraph is
    cut into pieces that overlap by 4 bytes (every 5-gram lies whole in one piece).
    """
    owners: list[int] = []
    pieces: list[bytes] = []
    size = 0
    for number, data in enumerate(texts):
        step = _BATCH_BYTES - 4
        for start in range(0, max(1, len(data) - 4), step):
            piece = data[start : start + _BATCH_BYTES]
            if size + len(piece) > _BATCH_BYTES and pieces:
                yield np.asarray(owners, dtype=np.int64), pieces
                owners, pieces, size = [], [], 0
            owners.append(number)
            pieces.append(piece)
            size += len(piece)
    if pieces:
        yield np.asarray(owners, dtype=np.int64), pieces


def _minima(pieces: Sequence[bytes]) -> NDArray[np.uint64]:
    """The minimum hash per bin of each piece's character 5-grams (empty bins: ``_EMPTY``)."""
    count = len(pieces)
    # One row more than pieces: shingles that straddle two pieces land there, unread.
    # Cheaper than leaving them out, which took two boolean selections of every shingle.
    minima = np.full((count + 1) * BINS, _EMPTY, dtype=np.uint64)
    lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=count)
    joined = b"".join(pieces)
    if len(joined) >= 5:
        owner = np.repeat(np.arange(0, count * BINS, BINS), lengths)
        # Each shingle is the 5 bytes at its offset: read as overlapping little-endian
        # 8-byte words (3 bytes of padding at the end) and keep the low 5 bytes.
        padded = np.frombuffer(joined + b"\0\0\0", dtype=np.uint8)
        words: NDArray[np.uint64] = np.ndarray(
            (len(joined) - 4,), dtype="<u8", buffer=padded, strides=(1,)
        )
        hashes = _mix((words & np.uint64(0xFF_FFFF_FFFF)) * _MUL1)
        cells = owner[:-4] + (hashes >> np.uint64(_VALUE_BITS)).astype(np.int64)
        cells[owner[:-4] != owner[4:]] = count * BINS  # straddling: the spare row's bin 0
        np.minimum.at(minima, cells, hashes & np.uint64((1 << _VALUE_BITS) - 1))
    return minima[: count * BINS].reshape(count, BINS)


def _densify(minima: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Fill each empty bin from the next non-empty one to its right (circularly).

    The borrowed value is offset by the distance it travelled, so two texts agree on an
    empty bin only when they agree on the bin it was filled from and on the distance.
    """
    width = minima.shape[1]
    doubled = np.concatenate([minima, minima], axis=1)
    columns = np.arange(2 * width)
    source = np.where(doubled != _EMPTY, columns, 2 * width)
    nearest = np.minimum.accumulate(source[:, ::-1], axis=1)[:, ::-1][:, :width]
    nearest = np.minimum(nearest, 2 * width - 1)
    taken = np.take_along_axis(doubled, nearest, axis=1)
    distance = (nearest - columns[:width]).astype(np.uint64)
    return np.where(minima != _EMPTY, minima, taken + distance * _MUL2)

"""MinHash sketches: how similar two candidate texts are, estimated without their text.

A sketch (``corpuslint.similarity.hashing.near_keys``) holds 4 bits of each of a text's 128
MinHash values, two to a byte. Two texts' values agree with a probability equal to
the Jaccard similarity of their character 5-gram sets, and their 4-bit parts agree by
chance one time in 16 more; so the count of agreeing bins estimates that Jaccard
similarity with a standard error of about 0.04. A rule verifies candidates with
rapidfuzz only when their estimate is high enough: far cheaper than the verification.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

BINS = 128
SIZE = BINS // 2
"""Bytes of one sketch."""
_CHANCE = 1 / 16  # two random 4-bit values agree this often
_LOW_BITS = int("1" * BINS, 16)  # the lowest bit of every 4-bit value


def needed(jaccard: float) -> int:
    """The fewest agreeing bins whose estimate reaches ``jaccard``; 0 when it is 0 or less."""
    if jaccard <= 0:
        return 0
    return math.ceil(BINS * (jaccard * (1 - _CHANCE) + _CHANCE) - 1e-9)


def estimate(agreeing: int) -> float:
    """The Jaccard similarity that ``agreeing`` bins out of 128 stand for."""
    return (agreeing / BINS - _CHANCE) / (1 - _CHANCE)


def as_int(sketch: bytes) -> int | None:
    """A sketch as one integer for :func:`agreeing`; ``None`` if it is not a sketch."""
    return int.from_bytes(sketch, "little") if len(sketch) == SIZE else None


def agreeing(first: int, second: int) -> int:
    """How many of the 128 values two sketches (as :func:`as_int`) agree on."""
    differ = first ^ second
    differ |= (differ >> 1) | (differ >> 2) | (differ >> 3)
    return BINS - (differ & _LOW_BITS).bit_count()


def _rows(sketches: Sequence[bytes]) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """The sketches as rows of packed bytes (zeros where none) and which rows hold one."""
    known = np.fromiter((len(s) == SIZE for s in sketches), dtype=bool, count=len(sketches))
    packed = np.zeros((len(sketches), SIZE), dtype=np.uint8)
    if known.any():
        held = b"".join(s for s in sketches if len(s) == SIZE)
        packed[known] = np.frombuffer(held, dtype=np.uint8).reshape(-1, SIZE)
    return packed, known


class PairFilter:
    """Which pairs of many sketches agree on ``needed`` values or more, many pairs at once.

    Holds the sketches as one array (64 bytes each: 64 MB for a million) so that a
    call tests any number of pairs in numpy. A missing sketch agrees with everything.
    """

    def __init__(
        self,
        sketches: Sequence[bytes],
        needed: int,
        rows: tuple[NDArray[np.uint8], NDArray[np.bool_]] | None = None,
    ) -> None:
        """``rows``, if given, are the sketches already as rows (see ``SignatureTable``)."""
        self._packed, self._known = rows if rows is not None else _rows(sketches)
        self._needed = needed

    def __call__(
        self, first: NDArray[np.integer], second: NDArray[np.integer]
    ) -> NDArray[np.bool_]:
        kept: NDArray[np.bool_] = (
            _agreeing(self._packed, self._known, first, second) >= self._needed
        )
        return kept


def agreeing_pairs(
    sketches: Sequence[bytes], first: NDArray[np.intp], second: NDArray[np.intp]
) -> NDArray[np.int64]:
    """:func:`agreeing` for each pair ``(first[i], second[i])`` of ``sketches``.

    A pair with a missing sketch counts as agreeing on every value: it is never
    rejected for want of one.
    """
    return _agreeing(*_rows(sketches), first, second)


def _agreeing(
    packed: NDArray[np.uint8],
    known: NDArray[np.bool_],
    first: NDArray[np.integer],
    second: NDArray[np.integer],
) -> NDArray[np.int64]:
    """:func:`agreeing_pairs` of sketches already laid out by :func:`_rows`."""
    counts = np.empty(len(first), dtype=np.int64)
    step = 1 << 16  # pairs at a time: a few MB of differences
    for start in range(0, len(first), step):
        left, right = first[start : start + step], second[start : start + step]
        differ = packed[left] ^ packed[right]  # a 4-bit value agrees where its half is 0
        low, high = (differ & 0xF) == 0, (differ >> 4) == 0
        counts[start : start + step] = low.sum(axis=1) + high.sum(axis=1)
    counts[~(known[first] & known[second])] = BINS
    return counts

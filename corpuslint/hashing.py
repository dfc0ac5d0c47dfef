"""Stable 63-bit hashes for signature keys: the same text gives the same key in every run.

xxh3 because it hashes about ten million paragraphs a second where sha1 or blake2 are
ten times slower per paragraph; 63 bits so keys fit SQLite's signed INTEGER.
"""

from __future__ import annotations

import heapq

import xxhash

MASK = (1 << 63) - 1


def text_key(text: str, salt: bytes = b"") -> int:
    """The key of a whole text (exact matching)."""
    return xxhash.xxh3_64_intdigest(salt + text.encode("utf-8", "surrogatepass")) & MASK


def sketch(text: str, size: int, ngram: int = 3) -> tuple[int, ...]:
    """The ``size`` smallest hashes of the text's word ``ngram``-grams (a bottom-k sketch).

    Two texts that differ by a few words keep most of their n-grams, so their sketches
    almost always share a value: each value is a candidate key for near matching.
    """
    words = text.split()
    digest = xxhash.xxh3_64_intdigest
    grams = {
        digest(" ".join(words[i : i + ngram]).encode("utf-8", "surrogatepass")) & MASK
        for i in range(max(1, len(words) - ngram + 1))
    }
    return tuple(heapq.nsmallest(size, grams))

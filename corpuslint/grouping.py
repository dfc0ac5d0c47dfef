"""Group signatures that share a key, without a Python object per key.

A corpus of a million paragraphs has several million keys, almost all unique. Sorting
two flat integer arrays with numpy finds the shared ones in about a second and a
hundred megabytes, where a dict of lists would take gigabytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np


class KeyIndex:
    """An append-only list of (key, signature number) pairs, grouped on demand."""

    def __init__(self) -> None:
        self._keys = array("q")
        self._owners = array("i")  # signature numbers: a corpus has fewer than 2**31

    def add(self, keys: bytes, owner: int) -> None:
        """Record that signature ``owner`` has ``keys`` (packed int64, see ``hashing.pack``)."""
        self._keys.frombytes(keys)
        self._owners.extend([owner] * (len(keys) // 8))

    def __len__(self) -> int:
        return len(self._keys)

    def groups(self, wanted: set[int] | None = None) -> Iterator[tuple[int, list[int]]]:
        """Each key held by two or more signatures, with their numbers in ascending order.

        With ``wanted``, only groups that contain one of those signature numbers: the
        filter runs in numpy, so a pre-commit run over a few files does not visit the
        corpus's million groups in Python.
        """
        if not self._keys:
            return
        keys = np.frombuffer(self._keys, dtype=np.int64)
        owners = np.frombuffer(self._owners, dtype=np.int32)
        order = np.argsort(keys)
        sorted_keys = keys[order]
        # Only repeated keys matter: find them as positions equal to their successor, so
        # no array as long as the (mostly unique) keys is kept besides ``order``.
        same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        del sorted_keys
        if not len(same):
            return
        breaks = np.diff(same) != 1
        starts = same[np.r_[True, breaks]]
        sizes = same[np.r_[breaks, True]] + 2 - starts
        if wanted is not None:
            marked = np.zeros(int(owners.max()) + 1, dtype=bool)
            marked[np.fromiter(wanted, dtype=np.int64, count=len(wanted))] = True
            offsets = (
                np.cumsum(sizes) - sizes
            )  # where each run starts once runs are laid end to end
            positions = np.repeat(starts - offsets, sizes) + np.arange(int(sizes.sum()))
            keep = np.add.reduceat(marked[owners[order[positions]]], offsets) > 0
            starts, sizes = starts[keep], sizes[keep]
        for start, size in zip(starts.tolist(), sizes.tolist(), strict=True):
            run = order[start : start + size]
            members = sorted(set(owners[run].tolist()))
            if len(members) > 1:
                yield int(keys[run[0]]), members

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
        self._owners = array("q")

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
        owners = np.frombuffer(self._owners, dtype=np.int64)
        order = np.argsort(keys)
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(sorted_keys)])
        shared = sizes > 1
        if wanted is not None:
            marked = np.zeros(len(owners) and int(owners.max()) + 1, dtype=bool)
            marked[np.fromiter(wanted, dtype=np.int64, count=len(wanted))] = True
            hit = np.logical_or.reduceat(marked[owners[order]], starts)
            shared &= hit
        del sorted_keys
        for start, size in zip(starts[shared].tolist(), sizes[shared].tolist(), strict=True):
            run = order[start : start + size]
            members = sorted(set(owners[run].tolist()))
            if len(members) > 1:
                yield int(keys[run[0]]), members

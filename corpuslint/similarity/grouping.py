"""Group signatures that share a key, without a Python object per key.

A corpus of a million paragraphs has several million keys, almost all unique. Sorting
two flat integer arrays with numpy finds the shared ones in about a second and a
hundred megabytes, where a dict of lists would take gigabytes.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from corpuslint.rule import PairTest

_CHUNK = 1 << 16  # members turned into Python ints at a time
_SLICE = 1 << 20  # sorted keys compared at a time
_PART = 1 << 22  # keys sorted at a time
_SORTERS = 2  # key ranges prepared at once, besides the one being judged
_SPREAD = 3  # key ranges per share of the groups (see KeyIndex.groups): evens out the shares
_TESTED = 32  # larger groups go to the rule untested: their pairs grow as the square


class KeyIndex:
    """An append-only list of (key, signature number) pairs, grouped on demand."""

    def __init__(self) -> None:
        self._keys = array("q")
        self._owners = array("i")  # signature numbers: a corpus has fewer than 2**31
        self._given: tuple[NDArray[np.int64], NDArray[np.int32]] | None = None

    @classmethod
    def of(cls, keys: bytes | bytearray, counts: array[int]) -> KeyIndex:
        """The index of packed ``keys`` held by signatures 0, 1... ``counts[i]`` keys each.

        The keys are not copied: ``keys`` must not change while the index is in use.
        """
        index = cls()
        sizes = np.frombuffer(counts, dtype=np.uint32)
        owners = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        index._given = (np.frombuffer(keys, dtype=np.int64), owners)
        return index

    def _growing(self) -> None:
        if self._given is not None:
            raise TypeError("an index made by KeyIndex.of holds the keys it was given")

    def _arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
        if self._given is not None:
            return self._given
        return np.frombuffer(self._keys, dtype=np.int64), np.frombuffer(self._owners, np.int32)

    def add(self, keys: bytes, owner: int) -> None:
        """Record that signature ``owner`` has ``keys`` (packed int64, see ``hashing.pack``)."""
        self._growing()
        self._keys.frombytes(keys)
        self._owners.extend([owner] * (len(keys) // 8))

    def extend(self, keys: Sequence[bytes], first: int = 0) -> None:
        """:meth:`add` the keys of signatures ``first``, ``first + 1`` and on, in one go.

        Per signature, ``add`` costs two Python calls; this costs a few numpy calls
        per batch.
        """
        self._growing()
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            counts = np.fromiter(map(len, part), dtype=np.intp, count=len(part)) // 8
            numbers = np.arange(first + start, first + start + len(part), dtype=np.int32)
            self._keys.frombytes(b"".join(part))
            self._owners.frombytes(np.repeat(numbers, counts).tobytes())

    def __len__(self) -> int:
        return len(self._arrays()[0])

    def groups(
        self,
        wanted: Collection[int] | NDArray[np.integer] | None = None,
        pairs: PairTest | None = None,
        share: tuple[int, int] = (0, 1),
        excluded: NDArray[np.int64] | None = None,
    ) -> Iterator[tuple[int, list[int]]]:
        """Each key held by two or more signatures, with their numbers in ascending order.

        With ``wanted``, only groups that contain one of those signature numbers: the
        filter runs in numpy, so a pre-commit run over a few files does not visit the
        corpus's million groups in Python. With ``pairs``, only groups (of up to 32)
        with a pair it keeps: most groups are a few paragraphs that share a key by
        chance, and one numpy call tests all groups of a size. The members of every
        group are worked out in one pass over numpy arrays too: per group, Python only
        slices a list. ``share`` ``(k, n)`` gives only the groups of part ``k`` of ``n``
        parts of the key space, so that ``n`` processes can judge the groups between them.
        Keys in ``excluded`` (sorted) make no group.
        """
        keys, owners = self._arrays()
        if not len(keys):
            return
        marked = None
        if wanted is not None:
            chosen = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
            marked = np.zeros(max(int(owners.max()), int(chosen.max(initial=0))) + 1, dtype=bool)
            marked[chosen] = True
        part, parts = share
        ranges = _ranges(keys, _SPREAD * parts if parts > 1 else 1, parts)[part::parts]
        if parts == 1 and len(ranges) == 1:
            yield from _emit(*_prepare(keys, owners, marked, pairs, excluded))
            return

        # Sorting all keys at once would hold their order (8 bytes a key) and the sort's
        # buffer besides them, at the run's peak of memory. So
        # each key range is sorted on its own, the next ones in two threads while the
        # caller judges this one's groups: numpy sorts without the GIL, and the judging
        # is Python on one core.
        def prepare(low: int, high: int) -> _Prepared:
            inside = (keys >= low) & (keys <= high)
            return _prepare(keys[inside], owners[inside], marked, pairs, excluded)

        with ThreadPoolExecutor(_SORTERS, thread_name_prefix="corpuslint-sort") as pool:
            coming = deque(pool.submit(prepare, *bounds) for bounds in ranges[:_SORTERS])
            following = iter(ranges[_SORTERS:])
            while coming:
                ready = coming.popleft().result()
                bounds = next(following, None)
                if bounds is not None:
                    coming.append(pool.submit(prepare, *bounds))
                yield from _emit(*ready)


_Prepared = tuple[list[int], list[int], "NDArray[np.int32]"]


def _ranges(keys: NDArray[np.int64], least: int = 1, multiple: int = 1) -> list[tuple[int, int]]:
    """Key ranges (inclusive) of about ``_PART`` keys each, ascending.

    ``least`` of them or more, as many as a multiple of ``multiple``: each of that
    many shares of the ranges gets as many ranges.
    """
    parts = max(least, -(-len(keys) // _PART))
    parts = -(-parts // multiple) * multiple
    low, high = int(keys.min()), int(keys.max())
    splits = [low + (high - low + 1) * part // parts for part in range(parts + 1)]
    return [(splits[part], splits[part + 1] - 1) for part in range(parts)]


def _prepare(
    keys: NDArray[np.int64],
    owners: NDArray[np.int32],
    marked: NDArray[np.bool_] | None,
    pairs: PairTest | None = None,
    excluded: NDArray[np.int64] | None = None,
) -> _Prepared:
    """The groups of some keys: each group's key, where its members end, and the members.

    ``marked`` flags the wanted signatures, ``pairs`` tests the small groups and keys in
    ``excluded`` make none (see ``KeyIndex.groups``). All numpy: no Python object per key.
    """
    # Stable: equal keys keep insertion order, so members come out ascending when
    # signatures were added in order (the engines' case); measured faster, too.
    order = np.argsort(keys, kind="stable")
    same = _repeats(keys, order)
    if not len(same):
        return [], [], np.zeros(0, dtype=np.int32)
    breaks = np.diff(same) != 1
    starts = same[np.r_[True, breaks]]
    sizes = same[np.r_[breaks, True]] + 2 - starts
    if excluded is not None and len(excluded):
        keep = ~holds(excluded, keys[order[starts]])
        starts, sizes = starts[keep], sizes[keep]
        if not len(starts):
            return [], [], np.zeros(0, dtype=np.int32)
    members = _members(order, owners, starts, sizes)
    if marked is not None:
        keep = np.add.reduceat(marked[members], _offsets(sizes)) > 0
        members = members[np.repeat(keep, sizes)]
        starts, sizes = starts[keep], sizes[keep]
        if not len(starts):
            return [], [], np.zeros(0, dtype=np.int32)
    members, sizes = _distinct(members, sizes)
    if pairs is not None:
        members, starts, sizes = _tested(members, starts, sizes, pairs)
    return keys[order[starts]].tolist(), np.cumsum(sizes).tolist(), members


def _tested(
    members: NDArray[np.int32],
    starts: NDArray[np.intp],
    sizes: NDArray[np.intp],
    pairs: PairTest,
) -> tuple[NDArray[np.int32], NDArray[np.intp], NDArray[np.intp]]:
    """The runs without the runs of up to ``_TESTED`` members none of whose pairs ``pairs`` keeps.

    The runs of each size are tested in one call: their members as rows, every
    (later, earlier) pair of columns.
    """
    offsets = _offsets(sizes)
    keep = np.ones(len(sizes), dtype=bool)
    for size in sorted_distinct(sizes[(sizes >= 2) & (sizes <= _TESTED)]).tolist():
        runs = np.flatnonzero(sizes == size)
        rows = members[offsets[runs][:, np.newaxis] + np.arange(size)]
        later, earlier = np.tril_indices(size, -1)
        kept = pairs(rows[:, later].ravel(), rows[:, earlier].ravel())
        keep[runs[~kept.reshape(len(runs), -1).any(axis=1)]] = False
    if keep.all():
        return members, starts, sizes
    return members[np.repeat(keep, sizes)], starts[keep], sizes[keep]


def _emit(
    first: list[int], ends: list[int], members: NDArray[np.int32]
) -> Iterator[tuple[int, list[int]]]:
    """Each prepared group as ``(key, members)``; a signature alone with a key is no group."""
    # Python ints cost 36 bytes each: convert the members a chunk of groups at a time,
    # not all at once (22 million for a file of a million identical lines).
    chunk: list[int] = []
    chunk_begin = begin = 0
    for key, end in zip(first, ends, strict=True):
        if end - begin > 1:  # one signature holding a key twice is no group
            if end > chunk_begin + len(chunk):
                chunk_begin = begin
                chunk = members[begin : max(end, begin + _CHUNK)].tolist()
            yield key, chunk[begin - chunk_begin : end - chunk_begin]
        begin = end


def _repeats(keys: NDArray[np.int64], order: NDArray[np.intp]) -> NDArray[np.intp]:
    """Positions in sorted order whose key equals the next one's: the repeated keys.

    Worked out a slice at a time: the sorted keys whole would be another array as long
    as ``keys`` at the run's peak of memory.
    """
    equal = np.empty(max(0, len(order) - 1), dtype=bool)
    for start in range(0, len(equal), _SLICE):
        part = keys[order[start : start + _SLICE + 1]]
        equal[start : start + len(part) - 1] = part[1:] == part[:-1]
    return np.flatnonzero(equal)


def sorted_distinct(values: NDArray[np.integer]) -> NDArray[np.integer]:
    """``np.unique(values)``, without its check for a masked array.

    numpy 2's ``unique`` imports ``numpy.ma`` for that check, a noticeable share of a
    pre-commit run.
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    kept: NDArray[np.integer] = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return kept


def holds(ordered: NDArray[np.integer], values: NDArray[np.integer]) -> NDArray[np.bool_]:
    """Which of ``values`` are in ``ordered`` (sorted): ``np.isin`` without ``np.unique``."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    where = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    found: NDArray[np.bool_] = ordered[where] == values
    return found


def _offsets(sizes: NDArray[np.intp]) -> NDArray[np.intp]:
    """Where each run starts once runs of these sizes are laid end to end."""
    offsets: NDArray[np.intp] = np.cumsum(sizes) - sizes
    return offsets


def _members(
    order: NDArray[np.intp],
    owners: NDArray[np.int32],
    starts: NDArray[np.intp],
    sizes: NDArray[np.intp],
) -> NDArray[np.int32]:
    """The owners of every run of equal keys, runs laid end to end, each in ascending order."""
    offsets = _offsets(sizes)
    positions = np.repeat(starts - offsets, sizes) + np.arange(int(sizes.sum()))
    members: NDArray[np.int32] = owners[order[positions]]
    if len(owners) > 1 and not bool((owners[1:] >= owners[:-1]).all()):
        run = np.repeat(np.arange(len(sizes)), sizes)  # added out of order: sort each run
        members = members[np.lexsort((members, run))]
    return members


def _distinct(
    members: NDArray[np.int32], sizes: NDArray[np.intp]
) -> tuple[NDArray[np.int32], NDArray[np.intp]]:
    """Drop repeats of a member inside its run (a signature holding one key twice)."""
    offsets = _offsets(sizes)
    repeat = np.zeros(len(members), dtype=bool)
    repeat[1:] = members[1:] == members[:-1]
    repeat[offsets] = False  # the first member of a run repeats nothing
    if not repeat.any():
        return members, sizes
    return members[~repeat], sizes - np.add.reduceat(repeat, offsets)

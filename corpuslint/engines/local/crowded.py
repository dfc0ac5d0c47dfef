"""Keys of the targets so widely held that their groups can give no finding.

A corpus rule may bound how many files can hold a key before its group gives no
finding (``CorpusRule.crowded``): a paragraph in every page of a site is boilerplate, so
CL102 reports no copy of it. In a run over a few targets against a cached corpus, every
cached file holding such a key of a target would be loaded only for the rule to find
nothing; at 100,000 pages with a shared footer that is the whole corpus. So the
holders of each bounded key are counted in the cache's key index first, and a key held
by more files than its bound is crowded: its holders are not loaded for it and its
group is not judged, in any rule's corpus pass of this run.

The index can take a key for another that differs only in its low bits: a count past
the bound is confirmed by reading the stored keys of enough of the holders.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corpuslint.outcome import FileOutcome
from corpuslint.rule import Crowded
from corpuslint.similarity.grouping import holds, sorted_distinct

_SPARE = 8
"""Holders read beyond a key's bound to confirm it, in case a few are look-alikes."""


@dataclass(frozen=True)
class Bounded:
    """The targets' keys that have a bound, each with its rule and its bound."""

    keys: NDArray[np.int64]
    """Sorted, distinct."""
    codes: tuple[str, ...]
    limits: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.keys)


def bounded_keys(outcomes: Iterable[FileOutcome], bounds: Mapping[str, Crowded]) -> Bounded:
    """The keys of these outcomes' signatures whose rule bounds how widely they are held.

    A signature's first key takes the rule's ``first_key`` bound and its other keys
    ``other_keys``. A key that also stands without a bound (another rule's, another
    place's) gets none: it is then looked up as usual.
    """
    found: dict[int, tuple[str, int]] = {}
    free: set[int] = set()
    for outcome in outcomes:
        for batch in outcome.signatures:
            keys = np.frombuffer(batch.keys, dtype=np.int64)
            crowded = bounds.get(batch.code, Crowded())
            if crowded.first_key is None and crowded.other_keys is None:
                free.update(keys.tolist())
                continue
            counts = np.frombuffer(batch.key_counts, dtype=np.uint32).astype(np.intp)
            first = np.zeros(len(keys), dtype=bool)
            first[(np.cumsum(counts) - counts)[counts > 0]] = True
            for key, is_first in zip(keys.tolist(), first.tolist(), strict=True):
                bound = crowded.first_key if is_first else crowded.other_keys
                known = found.get(key)
                if bound is None or (known is not None and known[0] != batch.code):
                    free.add(key)
                elif known is None or known[1] < bound:
                    found[key] = (batch.code, bound)
    kept = sorted(k for k in found if k not in free)
    return Bounded(
        np.array(kept, dtype=np.int64),
        tuple(found[k][0] for k in kept),
        np.array([found[k][1] for k in kept], dtype=np.int64),
    )


StoredKeys = Callable[[Collection[int]], Mapping[int, bytes]]
"""Reads the keys some cache entries hold, packed (``Cache.keys_of``)."""


def crowded_keys(
    bounded: Bounded,
    positions: NDArray[np.intp],
    holders: NDArray[np.int64],
    candidates: NDArray[np.int64],
    stored_keys: StoredKeys,
) -> dict[int, str]:
    """The bounded keys that more of ``candidates`` hold than their bound, with their rule.

    ``positions`` and ``holders`` pair each bounded key (by position in ``bounded.keys``)
    with an indexed entry that may hold it (the key index's answer); only entries among
    ``candidates`` (the corpus's files, known unchanged) count, each once. A count past
    the bound is confirmed with ``stored_keys``, reading the bound's number of holders
    and a few more.
    """
    if not len(bounded) or not len(holders):
        return {}
    inside = holds(sorted_distinct(candidates), holders)
    rowids = holders[inside]
    if len(rowids) and (int(rowids.min()) < 0 or int(rowids.max()) >= 1 << 32):
        return {}  # not ids this cache gives: count nothing, leave every key in
    pairs = sorted_distinct((positions[inside].astype(np.int64) << 32) | rowids)
    where = (pairs >> 32).astype(np.intp)
    counts = np.bincount(where, minlength=len(bounded))
    maybe = np.flatnonzero(counts > bounded.limits)
    if not len(maybe):
        return {}
    starts = np.cumsum(counts) - counts  # pairs are sorted by position, then rowid
    samples: dict[int, list[int]] = {}
    for position in maybe.tolist():
        start = int(starts[position])
        wanted = min(int(counts[position]), int(bounded.limits[position]) + 1 + _SPARE)
        samples[position] = (pairs[start : start + wanted] & 0xFFFFFFFF).tolist()
    stored = stored_keys({rowid for sample in samples.values() for rowid in sample})
    held = {
        rowid: frozenset(np.frombuffer(blob, dtype=np.int64).tolist())
        for rowid, blob in stored.items()
    }
    crowded: dict[int, str] = {}
    for position, sample in samples.items():
        key = int(bounded.keys[position])
        confirmed = sum(1 for rowid in sample if key in held.get(rowid, frozenset()))
        if confirmed > int(bounded.limits[position]):
            crowded[key] = bounded.codes[position]
    return crowded

"""The document pass through the cache: reuse unchanged files' outcomes, check the rest.

When the run has few targets (a pre-commit hook), cached files that share no signature
key with a target cannot take part in a reported finding, so their outcomes are not
even loaded: only the keys of every file are read.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from corpuslint._support import profiling
from corpuslint._support.gc_pause import frozen
from corpuslint.cache.store import Cache, outcome_keys
from corpuslint.engines.local.crowded import Bounded, bounded_keys, crowded_keys
from corpuslint.engines.local.document_pass import cache_entry_pass, document_pass
from corpuslint.outcome import FileOutcome
from corpuslint.rule import Crowded
from corpuslint.run.discover import SourceFile
from corpuslint.run.executor import Checker
from corpuslint.similarity.grouping import holds, sorted_distinct
from corpuslint.similarity.hashing import file_digest


@dataclass(frozen=True)
class _Hit:
    source: SourceFile
    rowid: int


@dataclass(frozen=True)
class _Miss:
    source: SourceFile
    size: int
    mtime: int
    """The file's size and timestamp before it was checked; -1 when it could not be seen."""


class Known(Protocol):
    """Corpus files known unchanged since their entries were stored (a saved listing).

    They are neither listed nor looked at: only their entries' ids are read, and a
    file is made only for those a target shares a key with.
    """

    @property
    def rowids(self) -> NDArray[np.int64]:
        """The entries of these files."""
        ...

    def sources(self, rowids: NDArray[np.int64]) -> list[tuple[SourceFile, int]]:
        """The files whose entries have these ids, with their ids, in their order.

        A file that cannot be trusted to lie inside the project is left out.
        """
        ...


def _classify(
    sources: Sequence[SourceFile], cache: Cache, few: bool = False
) -> tuple[list[_Hit], list[_Miss]]:
    """Cache hits and misses; ``few``: look each file's entry up alone, not all entries."""
    entries = {} if few else cache.entries()
    hits: list[_Hit] = []
    misses: list[_Miss] = []
    for source in sources:
        if source.buffer is not None:  # content in memory: never looked up, never stored
            misses.append(_Miss(source, -1, -1))
            continue
        if source.stat is not None:
            size_now, mtime_now = source.stat
        else:
            try:
                info = source.path.stat()
            except OSError:
                misses.append(_Miss(source, -1, -1))  # the reader will say what is wrong
                continue
            size_now, mtime_now = info.st_size, info.st_mtime_ns
        entry = cache.entry(source.location) if few else entries.get(source.location)
        if entry is not None and entry[3] == source.display:
            _path, size, mtime, _display, rowid = entry
            if size == size_now and mtime == mtime_now:
                hits.append(_Hit(source, rowid))
                continue
            try:
                current = file_digest(source.path)
            except OSError:
                current = ""
            if current and current == cache.digest(rowid):
                cache.touch(source.location, size_now, mtime_now)
                hits.append(_Hit(source, rowid))
                continue
        misses.append(_Miss(source, size_now, mtime_now))  # its digest comes with its outcome
    return hits, misses


def _sharing(
    rowids: NDArray[np.int64], cache: Cache, keys: NDArray[np.int64], bounded: Bounded
) -> tuple[set[int], dict[int, str]]:
    """The entries among ``rowids`` holding any of ``keys``, and the crowded keys left out.

    Entries are found by the key index. The crowded keys are those of ``bounded`` held
    more widely than their bound (see ``corpuslint.engines.local.crowded``), with their
    rules: no entry is among the result for holding one of them.

    An entry the cache no longer holds is among them: loading its outcome fails, and
    its file is checked again.
    """
    if not len(rowids) or not len(keys):
        return set(), {}
    # Sorted and distinct: the index's binary searches then walk its pages in order.
    wanted = sorted_distinct(keys).astype(np.int64, copy=False)
    found = cache.holders(wanted)
    crowded: dict[int, str] = {}
    if found is None:
        selected: set[int] = set()
        unindexed = rowids.tolist()
    else:
        positions, holders, covered = found
        if len(bounded):
            at = np.full(len(wanted), -1, dtype=np.intp)
            at[np.searchsorted(wanted, bounded.keys)] = np.arange(len(bounded))
            mine = at[positions] >= 0
            crowded = crowded_keys(
                bounded, at[positions][mine], holders[mine], rowids, cache.keys_of
            )
        if crowded:
            left_out = np.array(sorted(crowded), dtype=np.int64)
            holders = holders[~holds(left_out, wanted[positions])]
            wanted = wanted[~holds(left_out, wanted)]
        selected = set(holders.tolist()).intersection(rowids.tolist())
        unindexed = rowids[~np.isin(rowids, covered)].tolist()
    # Cached since the index was written (or there is none): look at their keys directly,
    # many entries per numpy call: one call per entry is far slower.
    for start in range(0, len(unindexed), _SHARING_CHUNK):
        part = unindexed[start : start + _SHARING_CHUNK]
        blobs = cache.keys_of(part)
        selected.update(rowid for rowid in part if rowid not in blobs)
        held = [blobs.get(rowid, b"") for rowid in part]
        counts = np.fromiter((len(b) // 8 for b in held), dtype=np.intp, count=len(held))
        found_in = np.repeat(np.arange(len(part)), counts)
        matching = holds(wanted, np.frombuffer(b"".join(held), dtype=np.int64))
        selected.update(part[i] for i in sorted_distinct(found_in[matching]).tolist())
    return selected, crowded


def _shared(
    cache: Cache,
    targets: Sequence[FileOutcome],
    others: Sequence[_Hit],
    unseen: NDArray[np.int64],
    known: Known | None,
    bounds: Mapping[str, Crowded],
    crowded: dict[str, set[int]] | None,
) -> list[_Hit]:
    """The cached files (``others``, ``unseen``) sharing a key with ``targets``' outcomes.

    ``crowded`` receives, by rule, the keys they were not loaded for.
    """
    keys = np.frombuffer(b"".join(map(outcome_keys, targets)), dtype=np.int64)
    rowids = np.fromiter((h.rowid for h in others), dtype=np.int64, count=len(others))
    bounded = bounded_keys(targets, bounds)
    selected, left_out = _sharing(np.concatenate([rowids, unseen]), cache, keys, bounded)
    profiling.note("crowded keys left out", len(left_out))
    if crowded is not None:
        for key, code in left_out.items():
            crowded.setdefault(code, set()).add(key)
    found = [h for h in others if h.rowid in selected]
    if known is not None:
        picked = unseen[np.isin(unseen, np.array(sorted(selected), dtype=np.int64))]
        found += [_Hit(s, r) for s, r in known.sources(picked)]
    return found


@dataclass(frozen=True)
class _Few:
    """A run over a few targets: what it needs of the cache besides their outcomes."""

    checker: Checker
    cache: Cache
    jobs: int
    progress: Callable[[int], None] | None
    bounds: Mapping[str, Crowded]
    crowded: dict[str, set[int]] | None

    def shared(
        self,
        wanted: Sequence[_Hit],
        others: Sequence[_Hit],
        unseen: NDArray[np.int64],
        known: Known | None,
        targets: list[FileOutcome],
    ) -> Generator[tuple[SourceFile, FileOutcome], None, _Shared]:
        """Load the cached targets (``wanted``) and pick the cached files they share keys with.

        ``targets`` holds the outcomes of the targets checked already and receives the
        others'. Yields the targets whose entries the cache could not give back, checked
        again now, not at the end: their keys pick the files they share. Returns the
        loaded targets' outcomes by entry, those lost, and every entry to load.
        """
        loaded = dict(self.cache.outcomes(h.rowid for h in wanted))
        lost = [h for h in wanted if h.rowid not in loaded]
        again = document_pass(self.checker, [h.source for h in lost], self.jobs, self.progress)
        for source, outcome in again:
            targets.append(outcome)
            yield source, outcome
        with profiling.stage("cache: sharing look-up"):
            targets += loaded.values()
            found = _shared(self.cache, targets, others, unseen, known, self.bounds, self.crowded)
        return loaded, lost, [h for h in wanted if h.rowid in loaded] + found


_Shared = tuple[dict[int, FileOutcome], list[_Hit], list[_Hit]]


_SHARING_CHUNK = 4096  # entries whose keys are compared at once: about 7 MB of keys


def cached_pass(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    cache: Cache,
    progress: Callable[[int], None] | None = None,
    known: Known | None = None,
    validated: set[str] | None = None,
    bounds: Mapping[str, Crowded] | None = None,
    crowded: dict[str, set[int]] | None = None,
) -> Iterator[tuple[SourceFile, FileOutcome]]:
    """Each needed file's outcome: from the cache when unchanged, else freshly checked.

    ``known`` are corpus files besides ``sources`` known unchanged (a saved listing):
    hits without a look. ``validated`` receives the locations of the files whose
    entries hold their current content at the end of the pass. ``bounds`` are the
    corpus rules' bounds on how widely a key may be held (``CorpusRule.crowded``): in a
    run over a few targets, ``crowded`` receives, by rule, the targets' keys held more
    widely than that, whose holders were not loaded for them and whose groups the
    corpus pass must not judge.
    """
    # Out of the collector's sight: the walk's files and the cache's entries, 100,000 of
    # each in a pre-commit run; full collections walking them would cost a third of it.
    with profiling.stage("cache: classify"), frozen():
        hits, misses = _classify(sources, cache, few=known is not None)
    profiling.note("cache hits", len(hits))
    profiling.note("cache misses", len(misses))
    unseen = known.rowids if known is not None else np.zeros(0, dtype=np.int64)
    wanted = [h for h in hits if h.source.target]
    others = [h for h in hits if not h.source.target]
    whole = not checker.corpus_rules or len(wanted) + len(misses) >= len(others) + len(unseen)
    if whole and known is not None and len(unseen):
        others += [_Hit(s, r) for s, r in known.sources(unseen)]
        unseen = unseen[:0]
    fresh = cache_entry_pass(checker, [m.source for m in misses], jobs, progress)
    targets: list[FileOutcome] = []  # only needed to pick the cached files a few targets share
    for miss, (source, outcome, encoded, digest) in zip(misses, fresh, strict=True):
        if digest and miss.size >= 0:
            # The location, not source.path: building a Path per cached file is slow.
            cache.store(
                source.location, source.display, miss.size, miss.mtime, digest, outcome, encoded
            )
            if validated is not None and not outcome.errors:  # errors are not stored
                validated.add(source.location)
        if source.target and not whole:
            targets.append(outcome)
        yield source, outcome

    loaded: dict[int, FileOutcome] = {}
    lost: list[_Hit] = []  # targets whose entries the cache could not give back
    if checker.corpus_rules and (others or len(unseen)):
        if whole:  # a large run: load everything
            wanted += others
        else:
            few = _Few(checker, cache, jobs, progress, bounds or {}, crowded)
            loaded, lost, wanted = yield from few.shared(wanted, others, unseen, known, targets)
    if validated is not None:
        validated.update(h.source.location for h in hits)
        validated.difference_update(h.source.location for h in lost)

    by_row = {h.rowid: h for h in wanted}
    for rowid, outcome in loaded.items():  # the targets' outcomes, loaded for their keys
        hit = by_row.pop(rowid)
        if progress:
            progress(1)
        yield hit.source, outcome
    for rowid, outcome in cache.outcomes(by_row):
        hit = by_row.pop(rowid)
        if progress:
            progress(1)
        yield hit.source, outcome
    if by_row:  # entries the cache could not give back: check those files again
        if validated is not None:
            validated.difference_update(h.source.location for h in by_row.values())
        yield from document_pass(checker, [h.source for h in by_row.values()], jobs, progress)
    cache.flush()
    if checker.corpus_rules and whole and (misses or not cache.has_key_index):
        cache.index_due = True  # written by the runner during the corpus pass

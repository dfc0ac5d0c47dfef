"""The document pass through the cache: reuse unchanged files' outcomes, check the rest.

When the run has few targets (a pre-commit hook), cached files that share no signature
key with a target cannot take part in a reported finding, so their outcomes are not
even loaded: only the keys of every file are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corpuslint._support import profiling
from corpuslint._support.gc_pause import frozen
from corpuslint.cache.store import Cache, outcome_keys
from corpuslint.engines.local.document_pass import cache_entry_pass, document_pass
from corpuslint.outcome import FileOutcome
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


def _classify(sources: Sequence[SourceFile], cache: Cache) -> tuple[list[_Hit], list[_Miss]]:
    entries = cache.entries()
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
        entry = entries.get(source.location)
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


def _sharing(hits: Sequence[_Hit], cache: Cache, keys: NDArray[np.int64]) -> list[_Hit]:
    """The hits whose cached keys include any of ``keys`` (found through the key index)."""
    if not hits or not len(keys):
        return []
    found = cache.sharing(keys)
    rowids = np.fromiter((h.rowid for h in hits), dtype=np.int64, count=len(hits))
    if found is None:
        selected: set[int] = set()
        unindexed = list(hits)
    else:
        selected, covered = found
        unindexed = [
            h for h, known in zip(hits, np.isin(rowids, covered), strict=True) if not known
        ]
    # Cached since the index was written (or there is none): look at their keys directly,
    # many entries per numpy call: one call per entry is far slower.
    wanted = sorted_distinct(keys)
    for start in range(0, len(unindexed), _SHARING_CHUNK):
        part = [h.rowid for h in unindexed[start : start + _SHARING_CHUNK]]
        blobs = cache.keys_of(part)
        held = [blobs.get(rowid, b"") for rowid in part]
        counts = np.fromiter((len(b) // 8 for b in held), dtype=np.intp, count=len(held))
        found_in = np.repeat(np.arange(len(part)), counts)
        matching = holds(wanted, np.frombuffer(b"".join(held), dtype=np.int64))
        selected.update(part[i] for i in sorted_distinct(found_in[matching]).tolist())
    return [h for h in hits if h.rowid in selected]


_SHARING_CHUNK = 4096  # entries whose keys are compared at once: about 7 MB of keys


def cached_pass(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    cache: Cache,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[SourceFile, FileOutcome]]:
    """Each needed file's outcome: from the cache when unchanged, else freshly checked."""
    # Out of the collector's sight: the walk's files and the cache's entries, 100,000 of
    # each in a pre-commit run; full collections walking them would cost a third of it.
    with profiling.stage("cache: classify"), frozen():
        hits, misses = _classify(sources, cache)
    profiling.note("cache hits", len(hits))
    profiling.note("cache misses", len(misses))
    wanted = [h for h in hits if h.source.target]
    others = [h for h in hits if not h.source.target]
    whole = not checker.corpus_rules or len(wanted) + len(misses) >= len(others)
    fresh = cache_entry_pass(checker, [m.source for m in misses], jobs, progress)
    target_keys: list[bytes] = []  # only needed to pick the cached files a few targets share
    for miss, (source, outcome, encoded, digest) in zip(misses, fresh, strict=True):
        if digest and miss.size >= 0:
            # The location, not source.path: building a Path per cached file is slow.
            cache.store(
                source.location, source.display, miss.size, miss.mtime, digest, outcome, encoded
            )
        if source.target and not whole:
            target_keys.append(outcome_keys(outcome))
        yield source, outcome

    if checker.corpus_rules and others:
        if whole:  # a large run: load everything
            wanted += others
        else:
            with profiling.stage("cache: sharing look-up"):
                target_keys += cache.keys_of(h.rowid for h in wanted).values()
                keys = np.frombuffer(b"".join(target_keys), dtype=np.int64)
                wanted += _sharing(others, cache, keys)

    by_row = {h.rowid: h for h in wanted}
    for rowid, outcome in cache.outcomes(by_row):
        hit = by_row.pop(rowid)
        if progress:
            progress(1)
        yield hit.source, outcome
    if by_row:  # entries the cache could not give back: check those files again
        yield from document_pass(checker, [h.source for h in by_row.values()], jobs, progress)
    cache.flush()
    if checker.corpus_rules and whole and (misses or not cache.has_key_index):
        cache.index_due = True  # written by the runner during the corpus pass
